"""Notebooks 02-04 run as papermill runs them: a period without raw data stops in the first code cell and
leaves nothing behind, an alarm fails the import cell, and `fortsatt_vid_larm: true` lets the step finish
with the alarms in larm.json."""
import json
from pathlib import Path

import papermill as pm
import pytest
import yaml
from papermill.exceptions import PapermillExecutionError

from helpers.config import load_config
from helpers.run.pipeline import NOTEBOOKS_DIR
from keyless_export import MAPPING, TEST_KEY

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def test_key(monkeypatch):
    monkeypatch.setenv("UPPFOLJNING_NYCKEL", TEST_KEY)  # the kernels inherit it

ROWS = ["640823-3234;Barn och unga;HVB;2025-01-10", "850412-2287;Vuxenenheten;HVB;2025-02-10",
        "701063-2391;Vuxenenheten;golf;2025-03-10"]


def execute(name, tmp_path, period, config=None):
    out = tmp_path / "ut"
    out.mkdir(exist_ok=True)
    pm.execute_notebook(str(NOTEBOOKS_DIR / f"{name}.ipynb"), str(out / f"{name}.ipynb"), cwd=str(NOTEBOOKS_DIR),
                        parameters={"period": period, "config": str(config) if config else None,
                                    "data_dir": str(tmp_path / "data"), "output_dir": str(out), "unit": None},
                        kernel_name="python3", progress_bar=False)
    return out / f"{name}.ipynb"


def config_with_export(tmp_path, settings=None):
    raw = tmp_path / "data" / "raw" / "2025"
    raw.mkdir(parents=True)
    (raw / "insatser.csv").write_text("\r\n".join(["Personnummer;Enhet;Insats;Start"] + ROWS) + "\r\n",
                                      encoding="utf-8")
    (tmp_path / "m.yml").write_text(yaml.safe_dump(MAPPING, allow_unicode=True), encoding="utf-8")
    cfg = yaml.safe_load(Path(load_config().path).read_text(encoding="utf-8"))
    cfg["enheter"] = cfg["enheter"][:2]
    cfg["kallor"] = [{"fil": "insatser.csv", "mappning": str(tmp_path / "m.yml"),
                      "tabeller": ["clients", "interventions"], "steg": 3}]
    if settings:
        cfg["import"] = settings
    path = tmp_path / "kommun.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["02_fore_insats", "03_under_insats", "04_efter_insats"])
def test_a_period_without_raw_data_stops_before_anything_is_written(tmp_path, name):
    with pytest.raises(PapermillExecutionError) as info:
        execute(name, tmp_path, "2023")
    assert info.value.ename == "NoRawDataError" and "inga källfiler för perioden 2023" in info.value.evalue
    assert "params.validate" in info.value.source  # the first code cell after the parameters
    assert not (tmp_path / "data" / "processed").exists()


def test_an_alarm_fails_the_import_cell(tmp_path):
    config = config_with_export(tmp_path)
    with pytest.raises(PapermillExecutionError) as info:
        execute("03_under_insats", tmp_path, "2025", config)
    assert info.value.ename == "ImportAlarm"
    assert "insatser.csv → interventions: 1 av 3 rader avvisades (33" in info.value.evalue
    assert "alarms.check_alarms" in info.value.source


def test_continue_on_alarm_finishes_the_step_and_keeps_the_alarms(tmp_path):
    config = config_with_export(tmp_path, {"fortsatt_vid_larm": True})
    executed = execute("03_under_insats", tmp_path, "2025", config)
    larm = json.loads((tmp_path / "data" / "processed" / "2025" / "larm.json").read_text(encoding="utf-8"))
    assert [(a["fil"], a["orsak"], a["rader_in"], a["avvisade"], a["steg"]) for a in larm] == [
        ("insatser.csv", "Stor andel avvisade rader", 3, 1, 3)]
    assert "1 larm." in executed.read_text(encoding="utf-8")
