"""Alarms after an import: a source losing more rows than the config allows, a unit or a source without rows.
By default the step stops with a Swedish message naming the file, the reason and the counts; with
`fortsatt_vid_larm: true` it goes on and the alarms are kept in larm.json. A period without raw files is
refused before anything is written, and earlier periods name the sources they lack."""
import json
from pathlib import Path

import pytest
import yaml

from helpers.collect import alarms, validation as v
from helpers.collect.importing import NoRawDataError, import_sources, require_raw_data
from helpers import importlog
from helpers.config import ConfigError, load_config, period_paths
from helpers.report import underlag
from helpers.run.pipeline import import_earlier_periods
from keyless_export import MAPPING, TEST_KEY

CORPUS = Path(__file__).parent / "corpus"
PEOPLE = ["640823-3234", "850412-2287", "701063-2391"]


@pytest.fixture(autouse=True)
def a_test_key(monkeypatch):
    """Files written by a test are not the demo generator's: they are pseudonymised with a key of their own."""
    monkeypatch.setenv("UPPFOLJNING_NYCKEL", TEST_KEY)


def export(rows: list[tuple[str, str]]) -> str:
    """An intervention export: (unit, type) per row, persons and start dates varied."""
    lines = ["Personnummer;Enhet;Insats;Start"]
    for i, (unit, kind) in enumerate(rows):
        lines.append(f"{PEOPLE[i % 3]};{unit};{kind};2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}")
    return "\r\n".join(lines) + "\r\n"


def setup(tmp_path, files: dict[str, str], units=None, settings=None, period="2025"):
    raw = tmp_path / "raw" / period
    raw.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (raw / name).write_text(content, encoding="utf-8")
    (tmp_path / "m.yml").write_text(yaml.safe_dump(MAPPING, allow_unicode=True), encoding="utf-8")
    cfg = yaml.safe_load(Path(load_config().path).read_text(encoding="utf-8"))
    cfg["enheter"] = units or [{"kod": "barn_unga", "namn": "Barn och unga"},
                               {"kod": "vuxna_missbruk", "namn": "Vuxna"}]
    cfg["kallor"] = [{"fil": name, "mappning": str(tmp_path / "m.yml"), "tabeller": ["clients", "interventions"],
                      "steg": 3} for name in files]
    if settings is not None:
        cfg["import"] = settings
    path = tmp_path / "kommun.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return load_config(path), period_paths(period, tmp_path)


def run_step(tmp_path, files, **kw):
    config, paths = setup(tmp_path, files, **kw)
    results = import_sources(paths.period, config, tmp_path, steps=[3])
    return results, config, paths


def test_a_share_above_the_limit_stops_the_step_naming_file_reason_and_counts(tmp_path):
    rows = [("Barn och unga", "HVB")] * 8 + [("Vuxenenheten", "HVB"), ("Vuxenenheten", "simskola"),
                                             ("Vuxenenheten", "golf")]
    results, config, paths = run_step(tmp_path, {"insatser.csv": export(rows)})
    with pytest.raises(alarms.ImportAlarm) as info:
        alarms.check_alarms(results, config, paths, step=3)
    message = str(info.value)
    assert "insatser.csv → interventions: 2 av 11 rader avvisades (18\u00a0%), mer än gränsen 5\u00a0%" in message
    assert "Orsaker: Okänd kod (2)" in message and "fortsatt_vid_larm: true" in message
    assert [(a.orsak, a.rader_in, a.avvisade) for a in info.value.alarms] == [(alarms.O_SHARE, 11, 2)]


def test_the_limit_comes_from_the_config(tmp_path):
    rows = [("Barn och unga", "HVB")] * 8 + [("Vuxenenheten", "HVB"), ("Vuxenenheten", "simskola")]
    results, config, paths = run_step(tmp_path, {"insatser.csv": export(rows)}, settings={"max_bortfall": 0.2})
    assert alarms.check_alarms(results, config, paths, step=3) == []  # 1 of 10 = 10 % <= 20 %


def test_a_unit_whose_codes_do_not_match_gets_an_alarm_even_under_the_limit(tmp_path):
    # A copied mapping: the one Vuxna row says "Vuxna – missbruk", which neither the mapping nor the
    # config knows; 1 of 30 rows (3 %) is under the limit, but the unit gets no rows at all.
    rows = [("Barn och unga", "HVB")] * 29 + [("Vuxna – missbruk", "HVB")]
    results, config, paths = run_step(tmp_path, {"insatser.csv": export(rows)})
    with pytest.raises(alarms.ImportAlarm) as info:
        alarms.check_alarms(results, config, paths, step=3)
    assert [(a.orsak, a.tabell) for a in info.value.alarms] == [(alarms.O_UNIT, "interventions")]
    message = str(info.value)
    assert "Enheten Vuxna (vuxna_missbruk) fick inga godkända rader i insatser.csv → interventions" in message
    assert "'Vuxna – missbruk'" in message and "stämmer troligen inte" in message


def test_demo_unit_names_in_a_new_municipalitys_mapping_stop_the_run(tmp_path):
    rows = [("Barn och unga", "HVB")] * 10 + [("Vuxenenheten", "HVB")] * 3
    units = [{"kod": "ifo_barn", "namn": "IFO Barn"}, {"kod": "ifo_vuxen", "namn": "IFO Vuxen"}]
    results, config, paths = run_step(tmp_path, {"insatser.csv": export(rows)}, units=units)
    assert results[1].reasons == {v.R_UNIT: 13}
    with pytest.raises(alarms.ImportAlarm) as info:
        alarms.check_alarms(results, config, paths, step=3)
    kinds = [a.orsak for a in info.value.alarms]
    assert kinds == [alarms.O_NONE_ACCEPTED, alarms.O_UNIT, alarms.O_UNIT]
    assert "alla 13 rader avvisades" in str(info.value) and "'barn_unga'" in str(info.value)


def test_a_source_without_rows_gets_an_alarm(tmp_path):
    results, config, paths = run_step(tmp_path, {"insatser.csv": export([("Barn och unga", "HVB"),
                                                                        ("Vuxenenheten", "HVB")]),
                                                 "tom.csv": "Personnummer;Enhet;Insats;Start\r\n"})
    found = alarms.find_alarms(results, config)
    assert [(a.fil, a.tabell, a.orsak) for a in found] == [("tom.csv", "clients", alarms.O_NO_ROWS),
                                                          ("tom.csv", "interventions", alarms.O_NO_ROWS)]


def test_continue_option_writes_larm_json_and_a_clean_rerun_clears_the_step(tmp_path):
    rows = [("Barn och unga", "HVB")] * 8 + [("Vuxenenheten", "HVB"), ("Vuxenenheten", "simskola")]
    results, config, paths = run_step(tmp_path, {"insatser.csv": export(rows)},
                                      settings={"max_bortfall": 0.05, "fortsatt_vid_larm": True})
    found = alarms.check_alarms(results, config, paths, step=3)
    assert [a.orsak for a in found] == [alarms.O_SHARE]
    other_step = {"fil": "enkat.csv", "tabell": "survey_answers", "orsak": alarms.O_NO_ROWS, "rader_in": 0,
                  "avvisade": 0, "meddelande": "…", "steg": 4}
    larm_path = paths.processed / "larm.json"
    stored = json.loads(larm_path.read_text(encoding="utf-8"))
    assert stored == [{"fil": "insatser.csv", "tabell": "interventions", "orsak": alarms.O_SHARE, "rader_in": 10,
                       "avvisade": 1, "meddelande": found[0].meddelande, "steg": 3,
                       "rapporttext": "insatser.csv → interventions: stor andel avvisade rader."}]
    assert "1 av 10 rader" in stored[0]["meddelande"]  # the counts stay in the run's own record
    larm_path.write_text(json.dumps(stored + [other_step], ensure_ascii=False), encoding="utf-8")
    # The file is fixed and the step runs again: its alarm goes, step 4's stays.
    results, config, paths = run_step(tmp_path, {"insatser.csv": export(rows[:9])},
                                      settings={"fortsatt_vid_larm": True})
    assert alarms.check_alarms(results, config, paths, step=3) == []
    assert json.loads(larm_path.read_text(encoding="utf-8")) == [other_step]


@pytest.mark.parametrize("settings, message", [
    ({"max_bortfall": "5 %"}, "max_bortfall ska vara en andel mellan 0 och 1"),
    ({"max_bortfall": 5}, "max_bortfall ska vara en andel mellan 0 och 1"),
    ({"fortsatt_vid_larm": "ja"}, "fortsatt_vid_larm ska vara true eller false"),
    ({"maxbortfall": 0.1}, "okänd nyckel maxbortfall"),
])
def test_wrong_alarm_settings_are_named(tmp_path, settings, message):
    config, _ = setup(tmp_path, {}, settings=settings)
    with pytest.raises(ConfigError, match=message):
        alarms.settings(config)


def test_a_period_without_raw_data_is_refused_and_leaves_nothing(tmp_path):
    paths = period_paths("2023", tmp_path)
    with pytest.raises(NoRawDataError, match="inga källfiler för perioden 2023"):
        require_raw_data(paths)
    (tmp_path / "raw" / "2023" / "tom_mapp").mkdir(parents=True)
    with pytest.raises(NoRawDataError):
        require_raw_data(paths)  # folders without files are no data either
    assert not (tmp_path / "processed").exists()
    (tmp_path / "raw" / "2023" / "insatser.csv").write_text("x", encoding="utf-8")
    require_raw_data(paths)


def test_missing_sources_of_an_earlier_period_are_kept_for_later_runs_and_the_report(tmp_path, capsys):
    files = {"insatser.csv": export([("Barn och unga", "HVB"), ("Vuxenenheten", "HVB")]),
             "insatser_extern.csv": export([("Barn och unga", "familjehem"), ("Vuxenenheten", "familjehem")])}
    config, paths = setup(tmp_path, files)
    earlier = tmp_path / "raw" / "2024"
    earlier.mkdir(parents=True)
    (earlier / "insatser.csv").write_text(files["insatser.csv"].replace("2025-", "2024-"), encoding="utf-8")
    said = "Saknas i 2024: insatser_extern.csv (clients, interventions). Jämförelser över tid saknas för de tabellerna."
    assert import_earlier_periods("2025", config, paths) == ["2024"]
    out = capsys.readouterr().out
    assert said in out and "2024: 4 rader lästa, 0 avvisade" in out
    processed = tmp_path / "processed" / "2024"
    assert (processed / "interventions.parquet").exists()
    assert importlog.missing_sources(processed) == [("insatser_extern.csv", ["clients", "interventions"])]
    # A later run finds 2024 processed and imports nothing, yet still names what 2024 lacks; so does the report.
    assert import_earlier_periods("2025", config, paths) == []
    out = capsys.readouterr().out
    assert said in out and "Importerar" not in out
    assert underlag.earlier_gaps(tmp_path, "2025") == [
        "Underlaget för 2024 saknar insatser_extern.csv (klienter, insatser); de uppgifterna jämförs inte över tid."]
    assert underlag.earlier_gaps(tmp_path, "2024") == []  # only periods before the report's own
    # Once the file is there and the period is imported again, the gap is gone from the log.
    (earlier / "insatser_extern.csv").write_text(files["insatser_extern.csv"].replace("2025-", "2024-"),
                                                 encoding="utf-8")
    results = import_sources("2024", config, tmp_path)
    assert sorted({r.source for r in results}) == ["insatser.csv", "insatser_extern.csv"]
    assert importlog.missing_sources(processed) == [] and underlag.earlier_gaps(tmp_path, "2025") == []
    assert "missing_sources" not in json.loads((processed / "importlogg.json").read_text(encoding="utf-8"))
