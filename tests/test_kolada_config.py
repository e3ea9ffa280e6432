"""The `jamforelse:` config section and the KPI catalogue: Swedish problems naming the key, defaults filled in, and
a catalogue that says how sure each KPI id is."""
from __future__ import annotations

import pytest
import yaml

from helpers.comparison import kolada_settings, load_catalogue, validate_section
from helpers.config import DEFAULT_CONFIG, ConfigError, load_config

GOOD = {"kolada": {"fil": "kolada/k.json", "jamforelsegrupp": {"namn": "Liknande kommuner", "kommuner": ["0180"]},
                   "nyckeltal": [{"kpi": "U31402", "indikator": "vantetid_ekonomiskt_bistand_medel"}]}}


def with_kolada(**changes):
    return {"kolada": {**GOOD["kolada"], **changes}}


def test_the_demo_section_is_valid_and_resolves():
    config = load_config(None)
    assert validate_section(config["jamforelse"]) == []
    s = kolada_settings(config)
    assert s.file == DEFAULT_CONFIG.parent / "kolada" / "exempelkommun_syntetisk.json" and s.file.exists()
    assert (s.municipality_id, s.country_id, s.synthetic, s.group_measure) == ("9999", "0000", True, "medelvärde")
    assert len(s.group_ids) == 5 and [k.kpi for k in s.kpis] == ["U31402", "U33400", "N31816"]


def test_a_good_minimal_section_has_no_problems():
    assert validate_section(GOOD) == []
    assert validate_section(None) == [] and validate_section({}) == []


@pytest.mark.parametrize("section, problem", [
    (with_kolada(kommun_id=180), 'jamforelse.kolada.kommun_id: ska vara text inom citattecken, t.ex. "0180".'),
    (with_kolada(kommun_id="180"), 'jamforelse.kolada.kommun_id: Koden ska vara fyra siffror inom citattecken'),
    (with_kolada(nyckeltal=[{"kpi": "31402"}]),
     "jamforelse.kolada.nyckeltal[1].kpi: Koladas nyckeltals-id ska vara en stor bokstav och fem siffror"),
    (with_kolada(nyckeltal=[{"kpi": "U31402"}, {"kpi": "U31402"}]),
     "jamforelse.kolada: nyckeltalet står flera gånger: U31402."),
    (with_kolada(nyckeltal=[]), "jamforelse.kolada.nyckeltal: får inte vara tom."),
    (with_kolada(jamforelsegrupp={"namn": "X", "kommuner": ["0180"], "matt": "medel"}),
     "jamforelse.kolada.jamforelsegrupp.matt: ska vara en av 'medelvärde' eller 'median'."),
    (with_kolada(jamforelsegrupp={"namn": "X", "kommuner": ["0180", "0180"]}),
     "jamforelse.kolada.jamforelsegrupp.kommuner: samma kommun står flera gånger."),
    (with_kolada(syntetisk="ja"), "jamforelse.kolada.syntetisk: ska vara true eller false."),
    (with_kolada(hamtad="15/1 2026"), 'jamforelse.kolada.hamtad: datumet ska skrivas ÅÅÅÅ-MM-DD'),
    (with_kolada(fill="x"), "jamforelse.kolada.fill: är en okänd nyckel (stavfel?)."),
    ({"kolada": {k: v for k, v in GOOD["kolada"].items() if k != "fil"}}, "jamforelse.kolada.fil: saknas."),
    ({"kolada": "ja"}, "jamforelse.kolada: ska vara en mappning (nyckel: värde)."),
])
def test_problems_are_swedish_and_name_the_key(section, problem):
    problems = validate_section(section)
    assert any(problem in p for p in problems), problems


def test_a_faulty_section_stops_the_run_with_every_problem(tmp_path):
    cfg = tmp_path / "k.yml"
    data = {"kommun": "Provkommun", "kommunkod": "1111", "enheter": [],
            "jamforelse": with_kolada(kommun_id=1111, fill="x")}
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        kolada_settings(load_config(cfg))
    assert "har fel i avsnittet jamforelse" in str(exc.value)
    assert "kommun_id" in str(exc.value) and "fill" in str(exc.value)


def test_kommunkod_is_the_default_municipality_and_paths_are_relative_to_the_config(tmp_path):
    cfg = tmp_path / "sub" / "k.yml"
    cfg.parent.mkdir()
    cfg.write_text(yaml.safe_dump({"kommun": "Provkommun", "kommunkod": "1111", "enheter": [], "jamforelse": GOOD},
                                  allow_unicode=True), encoding="utf-8")
    s = kolada_settings(load_config(cfg))
    assert (s.municipality_id, s.municipality_name, s.country_id) == ("1111", "Provkommun", "0000")
    assert s.file == tmp_path / "sub" / "kolada" / "k.json" and s.catalogue is None


def test_every_configured_kpi_is_in_the_catalogue_with_its_source():
    catalogue = load_catalogue()
    for choice in kolada_settings(load_config(None)).kpis:
        info = catalogue[choice.kpi]
        assert info.source and info.unit in ("procent", "dagar")
    assert catalogue["U31402"].confirmed and catalogue["U31402"].indicator == "vantetid_ekonomiskt_bistand_medel"
    # ids whose title was not seen beside them in Kolada's metadata say so
    assert not catalogue["U33400"].confirmed and not catalogue["N31816"].confirmed
    assert not catalogue["N31816"].comparable


def test_the_catalogue_lists_measures_left_out_for_want_of_a_confirmed_id():
    raw = yaml.safe_load((DEFAULT_CONFIG.parent / "kolada" / "nyckeltal.yml").read_text(encoding="utf-8"))
    left_out = {entry["indikator"] for entry in raw["saknas"]}
    assert {"utredning_4_manader", "brukarenkat_positiva"} <= left_out
    assert all("kpi" not in entry for entry in raw["saknas"])  # no id is guessed


def test_a_broken_catalogue_names_the_file(tmp_path):
    path = tmp_path / "nyckeltal.yml"
    path.write_text("nyckeltal:\n  U31402: {titel: Väntetid, enhet: veckor}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"nyckeltal\.yml: U31402 behöver titel och en enhet"):
        load_catalogue(path)


def test_a_section_that_passed_gives_the_same_settings_again_without_pydantic(tmp_path, monkeypatch):
    """The report's comparison reads the section in the kernel: a pass is remembered with its values (by the
    section's values and the checking code), so a later process skips pydantic and gets equal settings; a faulty
    section is named every time, and a date YAML read as a date is not taken for the same text."""
    import datetime as dt
    import subprocess
    import sys

    from helpers import checked_files
    from helpers.comparison import section as section_module
    from helpers.config import Config

    monkeypatch.setattr(checked_files, "FOLDER", tmp_path / "godkanda")
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from helpers import checked_files\n"
            f"checked_files.FOLDER = Path({str(tmp_path / 'godkanda')!r})\n"
            "from helpers.comparison import kolada_settings\n"
            "from helpers.config import load_config\n"
            "print(repr(kolada_settings(load_config(None))), 'pydantic' in sys.modules)\n")
    first, again = (subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
                    .stdout.rsplit(" ", 1) for _ in range(2))
    assert first[1].strip() == "True" and again == [first[0], "False\n"]
    assert first[0] == repr(kolada_settings(load_config(None)))
    checks = []
    real = section_module.validate_section
    monkeypatch.setattr(section_module, "validate_section", lambda data: checks.append(data) or real(data))
    config = Config(tmp_path / "k.yml", {"kommunkod": "1111", "jamforelse": with_kolada(hamtad="2026-01-15")})
    assert kolada_settings(config) == kolada_settings(config) and len(checks) == 1
    as_date = Config(tmp_path / "k.yml", {"kommunkod": "1111", "jamforelse": with_kolada(hamtad=dt.date(2026, 1, 15))})
    for _ in range(2):
        with pytest.raises(ConfigError, match="hamtad"):
            kolada_settings(as_date)
    assert len(checks) == 3
    assert kolada_settings(Config(tmp_path / "k.yml", {"kommunkod": "1111"})) is None
    assert kolada_settings(Config(tmp_path / "k.yml", {"kommunkod": "1111"})) is None and len(checks) == 4
