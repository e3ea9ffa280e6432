"""Parameters and configuration: periods and codes stay strings, bad values give Swedish messages."""
from pathlib import Path

import pytest

from helpers import params
from helpers.config import ConfigError, load_config, period_paths, PROJECT_ROOT


@pytest.mark.parametrize("value", ["2025", 2025, 2025.0, " 2025 "])
def test_period_is_a_four_digit_string(value):
    assert params.as_period(value) == "2025"


@pytest.mark.parametrize("value", [None, True, "25", "0114", 114, "år 2025", "2025-01"])
def test_bad_period_is_refused_in_swedish(value):
    with pytest.raises(params.ParameterError, match="Ogiltig period"):
        params.as_period(value)


def test_unknown_unit_names_the_known_ones():
    cfg = load_config()
    with pytest.raises(params.ParameterError, match="barn_unga"):
        params.as_unit("socialpsykiatri", cfg)
    assert params.as_unit(None, cfg) is None
    assert params.as_unit("None", cfg) is None  # papermill may pass None as a string
    assert params.as_unit("vuxna_missbruk", cfg) == "vuxna_missbruk"


def test_validate_resolves_paths_relative_to_project_root():
    run = params.validate(2025, None, "data", None, "barn_unga")
    assert run.period == "2025"
    assert run.paths.raw == PROJECT_ROOT / "data" / "raw" / "2025"
    assert run.paths.processed == PROJECT_ROOT / "data" / "processed" / "2025"
    assert run.paths.output_dir == PROJECT_ROOT / "reports" / "2025" / "enheter" / "barn_unga"
    assert run.unit_name == "Barn och unga"


def test_absolute_output_dir_is_kept(tmp_path):
    paths = period_paths("2024", tmp_path / "d", tmp_path / "ut")
    assert paths.output_dir == tmp_path / "ut"
    assert paths.publication == tmp_path / "ut" / "publikation"
    assert paths.quarantine == tmp_path / "d" / "processed" / "2024" / "karantan"


def test_demo_config_codes_stay_strings():
    cfg = load_config()
    assert cfg["kommunkod"] == "9999" and isinstance(cfg["kommunkod"], str)
    assert cfg.min_cell == 5
    assert list(cfg.units) == ["barn_unga", "vuxna_missbruk", "ekonomiskt_bistand"]
    assert cfg.period_info("2025")["diarienummer"].startswith("SN ")


def test_missing_or_broken_config_is_named(tmp_path):
    with pytest.raises(ConfigError, match="finns inte"):
        load_config(tmp_path / "saknas.yml")
    bad = tmp_path / "trasig.yml"
    bad.write_text("kommun: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="trasig.yml"):
        load_config(bad)
    incomplete = tmp_path / "ofullstandig.yml"
    incomplete.write_text("kommun: Testby\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="enheter"):
        load_config(incomplete)
