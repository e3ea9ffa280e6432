"""The comparison row the report shows, worked out by hand: the municipality, the group's mean (or median) over
the members with a value, the country, the year; and a Swedish note, never a silent blank, when the snapshot
lacks the KPI, the year, the municipality or the country."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.comparison import (build_comparison, compared_indicators, comparison_frame, display_frame, load_catalogue,
                                read_snapshot, source_lines)
from helpers.comparison.section import KoladaSettings, KpiChoice
from helpers.config import load_config

ME, GROUP, RIKET = "1111", ("2222", "3333", "4444"), "0000"


def v(kpi, municipality, period, total, women=None, men=None):
    values = [{"gender": "T", "count": 1, "status": "", "value": total}]
    if women is not None:
        values += [{"gender": "K", "count": 1, "status": "", "value": women},
                   {"gender": "M", "count": 1, "status": "", "value": men}]
    return {"kpi": kpi, "municipality": municipality, "period": period, "values": values}


ROWS = [
    # U31402, days, 2025: me 14, group 20 / 11 / (missing), Riket 16.5; 2024 for everyone else
    v("U31402", ME, 2025, 14.0), v("U31402", "2222", 2025, 20.0), v("U31402", "3333", 2025, 11.0),
    v("U31402", "4444", 2025, None), v("U31402", RIKET, 2025, 16.5),
    v("U31402", ME, 2024, 18.0), v("U31402", RIKET, 2024, 17.0),
    # U33400, percent, only 2023 and 2024 (and 2026, after the report's year)
    v("U33400", ME, 2024, 84.0, 86.0, 82.0), v("U33400", "2222", 2024, 79.0), v("U33400", "3333", 2024, 82.0),
    v("U33400", "4444", 2024, 76.0), v("U33400", RIKET, 2024, 80.0), v("U33400", ME, 2023, 81.0),
    v("U33400", ME, 2026, 90.0), v("U33400", RIKET, 2026, 85.0),
    # N31816: the country only
    v("N31816", RIKET, 2025, 1.2),
]


def settings(tmp_path, kpis=("U31402", "U33400", "N31816", "U99999"), measure="medelvärde"):
    return KoladaSettings(file=tmp_path / "k.json", synthetic=False, municipality_id=ME,
                          municipality_name="Provkommun", country_id=RIKET, group_name="Liknande kommuner",
                          group_ids=GROUP, group_measure=measure,
                          kpis=tuple(KpiChoice(kpi=k) for k in kpis), fetched=None, catalogue=None)


@pytest.fixture
def snapshot(tmp_path):
    path = tmp_path / "k.json"
    path.write_text(json.dumps({"values": ROWS, "metadata": {"hamtad": "2026-01-20"}}), encoding="utf-8")
    return read_snapshot(path, load_catalogue())


def row(frame, kpi):
    return frame[frame["kpi"] == kpi].iloc[0]


def test_the_comparison_row_worked_out_by_hand(snapshot, tmp_path):
    f = comparison_frame(snapshot, settings(tmp_path), "2025", catalogue=load_catalogue())
    r = row(f, "U31402")
    assert (r["municipality_value"], r["country_value"], r["year"], r["older"]) == (14.0, 16.5, "2025", False)
    assert r["group_value"] == pytest.approx((20.0 + 11.0) / 2)  # mean of the two members with a value
    assert (r["group_n"], r["group_size"], r["unit"]) == (2, 3, "dagar")
    assert r["note"] == "Liknande kommuner: värde för 2 av 3 kommuner 2025."


def test_a_missing_year_uses_the_latest_older_one_and_says_so(snapshot, tmp_path):
    r = row(comparison_frame(snapshot, settings(tmp_path), "2025", catalogue=load_catalogue()), "U33400")
    assert (r["year"], r["older"], r["municipality_value"], r["country_value"]) == ("2024", True, 84.0, 80.0)
    assert r["group_value"] == pytest.approx((79 + 82 + 76) / 3)  # totals, not the K/M values
    assert r["note"] == "Senaste värde i Kolada-filen gäller 2024."


def test_a_kpi_the_file_lacks_gets_a_note_not_a_blank(snapshot, tmp_path):
    r = row(comparison_frame(snapshot, settings(tmp_path), "2025", catalogue=load_catalogue()), "U99999")
    assert r[["municipality_value", "group_value", "country_value", "year"]].isna().all()
    assert "Nyckeltalet U99999 saknas i Kolada-filen." in r["note"]
    assert "finns inte i nyckeltalskatalogen" in r["note"]
    shown = display_frame(comparison_frame(snapshot, settings(tmp_path), "2025"), settings(tmp_path))
    line = shown[shown["Nyckeltal"] == "U99999"].iloc[0]
    assert line["Provkommun (Kolada)"] == "–" and "saknas i Kolada-filen" in line["Kommentar"]


def test_a_municipality_without_values_falls_back_to_the_countrys_year(snapshot, tmp_path):
    r = row(comparison_frame(snapshot, settings(tmp_path), "2025", catalogue=load_catalogue()), "N31816")
    assert (r["year"], r["country_value"], r["group_n"]) == ("2025", 1.2, 0)
    assert "Provkommun (1111) saknar värde för N31816 i Kolada-filen." in r["note"]
    assert "Ingen kommun i liknande kommuner har värde för 2025 i Kolada-filen." in r["note"]


def test_no_value_up_to_the_period_and_a_missing_country(snapshot, tmp_path):
    f = comparison_frame(snapshot, settings(tmp_path), "2022", catalogue=load_catalogue())
    assert row(f, "U33400")["note"] == "Kolada-filen har inga värden för U33400 för 2022 eller tidigare."
    f = comparison_frame(snapshot, settings(tmp_path, measure="median"), "2023", catalogue=load_catalogue())
    r = row(f, "U33400")
    assert (r["year"], r["municipality_value"]) == ("2023", 81.0)
    assert "Riket saknar värde för 2023 i Kolada-filen." in r["note"]


def test_median_of_the_group_when_configured(snapshot, tmp_path):
    f = comparison_frame(snapshot, settings(tmp_path, measure="median"), "2024", catalogue=load_catalogue())
    assert row(f, "U33400")["group_value"] == 79.0  # median of 79, 82, 76


def test_own_values_are_put_on_koladas_scale_and_a_missing_one_is_noted(snapshot, tmp_path):
    s = settings(tmp_path, kpis=("U31402", "U33400"))
    f = comparison_frame(snapshot, s, "2025", own_values={"U31402": 13.4, "U33400": None},
                         catalogue=load_catalogue())
    assert row(f, "U31402")["own_value"] == 13.4
    # the catalogue maps U33400 to the workbench indicator when the config names none
    assert "Uppföljningen har inget publicerat värde för nyckeltalet." in row(f, "U33400")["note"]
    s = KoladaSettings(**{**s.__dict__, "kpis": (KpiChoice(kpi="U33400", indikator="ej_ateraktualiserade"),)})
    f = comparison_frame(snapshot, s, "2025", own_values={"ej_ateraktualiserade": 0.825},
                         catalogue=load_catalogue())
    assert row(f, "U33400")["own_value"] == pytest.approx(82.5)  # a share 0..1 shown as Kolada's percent
    assert "mäter inte exakt samma sak" in row(f, "U33400")["note"]  # the catalogue says so
    shown = display_frame(f, s).iloc[0]
    assert shown["Vårt värde (uppföljningen)"] == "82\u00a0%" and shown["Provkommun (Kolada)"] == "84\u00a0%"
    assert shown["Liknande kommuner, medelvärde"] == "79\u00a0%" and shown["År"] == "2024"


def test_source_lines_give_the_fetch_date_and_say_synthetic(snapshot, tmp_path):
    lines = source_lines(snapshot, settings(tmp_path))
    assert lines[0] == "Källa: Kolada (RKA), CC BY 4.0, hämtad 2026-01-20."
    assert "medelvärde av de kommuner som har värde, beräknat av oss" in lines[1]
    assert not any("Syntetiska" in line for line in lines)
    snapshot.synthetic = True
    assert source_lines(snapshot)[-1] == "Syntetiska demodata, inte verkliga värden."


def test_the_demo_config_gives_a_full_comparison():
    c = build_comparison(load_config(None), "2025", own_values={"vantetid_ekonomiskt_bistand_medel": 15.0})
    assert list(c.display.columns) == ["Nyckeltal", "Vårt värde (uppföljningen)", "Exempelkommun (Kolada)",
                                       "Liknande kommuner, medelvärde", "Riket", "År", "Kommentar"]
    first = c.display.iloc[0]
    assert first["Nyckeltal"] == "Väntetid till beslut om försörjningsstöd, medelvärde (dagar)"
    assert (first["Vårt värde (uppföljningen)"], first["Exempelkommun (Kolada)"], first["Riket"]) == \
        ("15,0", "14,6", "16,9")
    assert first["Liknande kommuner, medelvärde"] == "16,0"  # (12.4 + 16.2 + 20.1 + 15.3) / 4; D has no value
    assert "4 av 5 kommuner" in first["Kommentar"]
    assert c.display.iloc[1]["År"] == "2024" and "gäller 2024" in c.display.iloc[1]["Kommentar"]
    assert c.sources[0] == "Källa: Kolada (RKA), CC BY 4.0, hämtad 2026-01-15."
    assert c.sources[-1] == "Syntetiska demodata, inte verkliga värden."
    assert (c.display.drop(columns="Kommentar") != "").all().all()


def test_no_section_means_no_comparison(tmp_path):
    cfg = tmp_path / "k.yml"
    cfg.write_text("kommun: Provkommun\nkommunkod: \"1111\"\nenheter: []\n", encoding="utf-8")
    assert build_comparison(load_config(Path(cfg)), "2025") is None
    assert compared_indicators(load_config(Path(cfg))) is None


def test_the_report_asks_for_the_values_of_exactly_the_indicators_the_table_shows():
    """The report collects its own published values for these before it builds the table once."""
    config = load_config(None)
    names = compared_indicators(config)
    shown = build_comparison(config, "2025").frame["indicator"].dropna()
    assert names == list(dict.fromkeys(shown)) and "vantetid_ekonomiskt_bistand_medel" in names
