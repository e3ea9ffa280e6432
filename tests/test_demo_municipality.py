"""`uppfoljning demo` for a second synthetic municipality: its own name, code, seed, data and config file."""
import hashlib

import pytest

from helpers.cli import main
from helpers.config import load_config
from helpers.demo.command import write_config


def test_write_config_gives_a_loadable_config_with_its_own_texts_and_plan(tmp_path):
    path = write_config(tmp_path / "config" / "andra.yml", "Andra kommun", "9998")
    cfg = load_config(path)
    assert cfg.municipality == "Andra kommun" and cfg.get("kommunkod") == "9998"
    assert list(cfg.units) == list(load_config(None).units)
    text = (cfg.texts_dir("2025") / "sammanfattning.md").read_text(encoding="utf-8")
    assert "Andra kommun" in text and "Exempelkommun" not in text
    assert cfg.resolve(cfg["plan"]).is_file()
    assert '"9998"' in path.read_text(encoding="utf-8")  # the code stays a quoted string
    with pytest.raises(ValueError, match="fyra siffror"):
        write_config(tmp_path / "x.yml", "X", "12")


def test_demo_command_makes_another_municipality_with_another_seed(tmp_path, capsys):
    config = tmp_path / "config" / "andra.yml"
    assert main(["demo", "--periods", "2025", "--clients", "60", "--data-dir", str(tmp_path / "a")]) == 0
    assert main(["demo", "--periods", "2025", "--clients", "60", "--data-dir", str(tmp_path / "b"),
                 "--municipality", "Andra kommun", "--code", "9998", "--seed", "7", "--write-config", str(config)]) == 0
    out = capsys.readouterr().out
    assert f"Konfiguration för Andra kommun: {config}" in out and "källfiler för Andra kommun" in out
    assert load_config(config).municipality == "Andra kommun"
    digest = lambda d: hashlib.sha256((d / "raw" / "2025" / "arenden.csv").read_bytes()).hexdigest()  # noqa: E731
    assert digest(tmp_path / "a") != digest(tmp_path / "b")
