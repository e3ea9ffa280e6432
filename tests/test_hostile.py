"""Files that used to lose rows silently or crash the import: every line ends up accepted or quarantined with
its own reason and the line number an analyst sees in the file; files that cannot be used give a Swedish
message naming the file (exit 2), never a traceback."""
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

from helpers.collect import validation as v
from helpers.collect.importing import ImportFileError, import_file, import_sources
from helpers.collect.sources import read_source
from helpers.config import load_config
from helpers.tables import load_table
from keyless_export import TEST_KEY

CORPUS = Path(__file__).parent / "corpus"
MAPPING = CORPUS / "mappning.yml"


@pytest.fixture(autouse=True)
def a_test_key(monkeypatch):
    """Files written by a test are not the demo generator's: they are pseudonymised with a key of their own."""
    monkeypatch.setenv("UPPFOLJNING_NYCKEL", TEST_KEY)


def imp(table, name, tmp_path, **kw):
    kw.setdefault("mapping", MAPPING)
    kw.setdefault("write", False)
    return import_file(table, CORPUS / name, "2025", data_dir=tmp_path, **kw)


def reasons_by_row(result):
    return {int(r["Rad"]): r["Orsak"] for _, r in result.rejected.iterrows()}


def assert_reconciled(r):
    assert r.rows_in == r.accepted_rows + len(r.rejected)
    assert sum(r.reasons.values()) == len(r.rejected)


def test_unclosed_quote_loses_one_line_not_the_rest_of_the_file(tmp_path):
    r = imp("cases", "citat_oavslutat.csv", tmp_path)
    # 50 cases; Ä4's reason spans lines 5-6, Ä11 on line 13 opens a quote that never closes, Ä20 on line 22
    # has 2025-02-30: both reported on the lines an editor shows.
    assert reasons_by_row(r) == {13: v.R_QUOTE, 22: v.R_DATE}
    assert (r.rows_in, r.accepted_rows) == (50, 48)
    assert_reconciled(r)
    assert sorted(r.accepted["case_id"], key=lambda c: int(c[1:])) == [
        f"Ä{k}" for k in range(1, 51) if k not in (11, 20)]
    assert "skolan har anmält" in r.accepted.set_index("case_id").loc["Ä4", "reason"]
    assert "stängs" in r.rejected.set_index("Rad").loc[13, "Detalj"]


def test_quoted_line_breaks_keep_the_editors_line_numbers():
    src = read_source(CORPUS / "citat_oavslutat.csv")
    assert src.rows.tolist()[:6] == [2, 3, 4, 5, 7, 8]
    assert [b.row for b in src.bad_rows] == [13]


@pytest.mark.parametrize("name, encoding, other_line, other", [
    ("blandad_utf8.csv", "utf-8", 4, "Windows-1252"),
    ("blandad_cp1252.csv", "cp1252", 3, "UTF-8"),
])
def test_a_line_in_another_encoding_is_read_right_and_named(tmp_path, name, encoding, other_line, other):
    r = imp("cases", name, tmp_path)
    assert r.encoding == encoding
    assert (r.rows_in, r.accepted_rows, len(r.rejected)) == (3, 3, 0)
    assert sorted(r.accepted["case_id"]) == ["Ä1", "Ä2", "Ä3"]  # not "Ã„1"
    assert sorted(r.accepted["unit"]) == ["barn_unga", "barn_unga", "vuxna_missbruk"]
    note = next(n for n in r.notes if "som resten av filen" in n)
    assert f"Rad {other_line} i filen {name} var {other}" in note


def test_a_line_in_no_known_encoding_is_quarantined(tmp_path):
    r = imp("cases", "olasbar_rad.csv", tmp_path)
    assert reasons_by_row(r) == {4: v.R_ENCODING}
    assert (r.rows_in, r.accepted_rows) == (3, 2)
    assert_reconciled(r)


def test_dates_outside_what_pandas_can_hold_are_quarantined(tmp_path):
    r = imp("cases", "datum_utanfor.csv", tmp_path)
    assert reasons_by_row(r) == {2: v.R_LATE_DATE, 3: v.R_OLD_DATE, 4: v.R_DATE}
    assert "tills vidare" in r.rejected.set_index("Rad").loc[2, "Detalj"]
    assert r.accepted["opened"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-31", "2025-01-31"]
    assert_reconciled(r)


def test_a_field_over_the_csv_limit_is_quarantined(tmp_path):
    r = imp("cases", "langt_falt.csv", tmp_path)
    assert reasons_by_row(r) == {3: v.R_LONG_FIELD}
    assert sorted(r.accepted["case_id"]) == ["Ä1", "Ä3"]
    assert_reconciled(r)


def test_formula_without_stored_value_is_quarantined_not_read_as_empty(tmp_path):
    r = imp("goal_followups", "formler.xlsx", tmp_path)
    assert reasons_by_row(r) == {3: v.R_FORMULA}
    detail = r.rejected.set_index("Rad").loc[3, "Detalj"]
    assert "B3" in detail and "=DATE(2025,4,1)" in detail
    assert sorted(r.accepted["goal_id"]) == ["G1", "G3", "G4"]  # G3's formula is in an unused column
    assert any("formelceller" in n for n in r.notes)
    assert_reconciled(r)


def test_every_sheet_with_the_columns_is_read_and_named_in_the_quarantine(tmp_path):
    r = imp("goal_followups", "flera_blad.xlsx", tmp_path, mapping=None)
    assert sorted(r.accepted["goal_id"]) == ["G1", "G2", "G3"]
    assert (r.rows_in, len(r.rejected)) == (4, 1)
    row = r.rejected.iloc[0]
    assert (row["Blad"], int(row["Rad"]), row["Orsak"]) == ("Februari", 3, v.R_CODE)
    assert r.sheet == "Januari, Februari"
    assert any("'Info'" in n and "lästes inte" in n for n in r.notes)


def test_a_mapping_naming_the_wrong_sheet_is_told_where_the_columns_are(tmp_path):
    mapping = tmp_path / "m.yml"
    mapping.write_text(yaml.safe_dump({"tabeller": {"goal_followups": {
        "ark": "Info", "kolumner": {"Mål-id": "goal_id", "Uppföljningsdatum": "date",
                                    "Måluppfyllelse": "attainment"}}}}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ImportFileError, match="Bladet 'Info'.*bladet 'Januari', 'Februari'"):
        imp("goal_followups", "flera_blad.xlsx", tmp_path, mapping=mapping)


def test_a_mapping_naming_several_sheets_reads_them_all(tmp_path):
    mapping = tmp_path / "m.yml"
    mapping.write_text(yaml.safe_dump({"tabeller": {"goal_followups": {
        "ark": ["Februari", "Januari"], "kolumner": {"Mål-id": "goal_id", "Uppföljningsdatum": "date",
                                                     "Måluppfyllelse": "attainment"}}}}, allow_unicode=True),
        encoding="utf-8")
    r = imp("goal_followups", "flera_blad.xlsx", tmp_path, mapping=mapping)
    assert sorted(r.accepted["goal_id"]) == ["G1", "G2", "G3"] and r.sheet == "Februari, Januari"


def test_files_with_the_same_name_in_different_folders_are_different_sources(tmp_path):
    raw = tmp_path / "raw" / "2025"
    for folder, rows in [("barn", ["640823-3234;Kim;Ä1;Barn och unga;2025-02-03",
                                   "850412-2287;Eva;Ä2;Barn och unga;2025-02-04"]),
                         ("vuxen", ["640823-3234;Kim;Ä7;Vuxna – missbruk och beroende;2025-03-03",
                                    "850412-2287;Eva;Ä1;Vuxna – missbruk och beroende;2025-03-04"])]:
        (raw / folder).mkdir(parents=True)
        (raw / folder / "arenden.csv").write_text("\r\n".join(["Personnummer;Namn;Ärende;Enhet;Datum"] + rows)
                                                  + "\r\n", encoding="cp1252")
    cfg = yaml.safe_load(Path(load_config().path).read_text(encoding="utf-8"))
    cfg["kallor"] = [{"fil": f"{f}/arenden.csv", "mappning": str(MAPPING), "tabeller": ["clients", "cases"],
                      "steg": 2} for f in ("barn", "vuxen")]
    config = tmp_path / "kommun.yml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    results = import_sources("2025", config, data_dir=tmp_path)
    assert [(r.table, r.source) for r in results] == [
        ("clients", "barn/arenden.csv"), ("clients", "vuxen/arenden.csv"),
        ("cases", "barn/arenden.csv"), ("cases", "vuxen/arenden.csv")]
    vuxen = results[3]
    # Ä1 is already barn/arenden.csv's case with other values: a conflict, named with the other file.
    assert reasons_by_row(vuxen) == {3: v.R_KEY_CONFLICT}
    assert "i filen barn/arenden.csv" in vuxen.rejected.iloc[0]["Detalj"]
    assert results[1].merged == 2  # the same two persons: merged with barn's clients, not lost
    processed = tmp_path / "processed" / "2025"
    assert sorted(load_table(processed, "cases")["case_id"]) == ["Ä1", "Ä2", "Ä7"]
    # Re-importing barn/arenden.csv replaces barn's rows only; vuxen's Ä7 stays.
    import_file("cases", raw / "barn" / "arenden.csv", "2025", mapping=MAPPING, config=config, data_dir=tmp_path)
    cases = load_table(processed, "cases")
    assert sorted(cases["case_id"]) == ["Ä1", "Ä2", "Ä7"]
    assert sorted(cases["import_source"]) == ["barn/arenden.csv", "barn/arenden.csv", "vuxen/arenden.csv"]
    quarantine = (processed / "karantan" / "cases.csv").read_text(encoding="utf-8-sig")
    assert "vuxen/arenden.csv;;3;" in quarantine


def test_excel_cell_types_never_crash_the_import(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Uppföljning"
    ws.append(["Mål-id", "Uppföljningsdatum", "Måluppfyllelse"])
    ws.append(["G1", "9999-12-31", "negativ"])
    ws.append(["G2", 45000.5, "negativ"])  # an Excel serial number typed as a number
    ws.append(["G3", True, "negativ"])
    path = tmp_path / "typer.xlsx"
    wb.save(path)
    r = import_file("goal_followups", path, "2025", mapping=MAPPING, data_dir=tmp_path, write=False)
    assert reasons_by_row(r) == {2: v.R_LATE_DATE, 3: v.R_DATE, 4: v.R_DATE}
    assert_reconciled(r)


def test_corpus_files_copied_into_a_period_import_without_traceback(tmp_path):
    raw = tmp_path / "raw" / "2025"
    raw.mkdir(parents=True)
    for name in ["citat_oavslutat.csv", "datum_utanfor.csv", "langt_falt.csv"]:
        shutil.copy(CORPUS / name, raw / name)
    cfg = yaml.safe_load(Path(load_config().path).read_text(encoding="utf-8"))
    cfg["kallor"] = [{"fil": n, "mappning": str(MAPPING), "tabeller": ["cases"], "steg": 2}
                     for n in ["citat_oavslutat.csv", "datum_utanfor.csv", "langt_falt.csv"]]
    config = tmp_path / "kommun.yml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    results = import_sources("2025", config, data_dir=tmp_path)
    assert [(r.rows_in, r.accepted_rows, len(r.rejected)) for r in results] == [(50, 48, 2), (5, 0, 5), (3, 0, 3)]
    # The case ids repeat between the files: Ä4 and Ä5 are other cases than in citat_oavslutat.csv, while
    # langt_falt.csv's Ä1 and Ä3 are the same cases again.
    assert reasons_by_row(results[1]) == {2: v.R_LATE_DATE, 3: v.R_OLD_DATE, 4: v.R_DATE, 5: v.R_KEY_CONFLICT,
                                          6: v.R_KEY_CONFLICT}
    assert reasons_by_row(results[2]) == {2: v.R_DUPLICATE, 3: v.R_LONG_FIELD, 4: v.R_DUPLICATE}
    assert results[2].rejected.set_index("Rad").loc[2, "Detalj"] == "samma post som i filen citat_oavslutat.csv"
    quarantine = (tmp_path / "processed" / "2025" / "karantan" / "cases.csv").read_text(encoding="utf-8-sig")
    assert quarantine.count(v.R_QUOTE) == 1 and quarantine.count(v.R_LONG_FIELD) == 1


def test_a_latin_1_mapping_on_a_utf8_file_does_not_garble(tmp_path):
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    mapping["filformat"]["encoding"] = "latin-1"
    path = tmp_path / "m.yml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    r = imp("cases", "blandad_utf8.csv", tmp_path, mapping=path)
    assert sorted(r.accepted["case_id"]) == ["Ä1", "Ä2", "Ä3"]
    assert any("är inte Windows-1252 som mappningen anger" in n for n in r.notes)


@pytest.mark.parametrize("table, name", [
    ("cases", "citat_oavslutat.csv"), ("cases", "blandad_utf8.csv"), ("cases", "blandad_cp1252.csv"),
    ("cases", "olasbar_rad.csv"), ("cases", "datum_utanfor.csv"), ("cases", "langt_falt.csv"),
    ("goal_followups", "formler.xlsx"), ("cases", "binar.csv"), ("cases", "tom.csv"),
    ("goal_followups", "flera_blad.xlsx"),
])
def test_the_command_never_loses_rows_and_never_shows_a_traceback(tmp_path, capsys, table, name):
    from helpers.cli import main
    import json
    code = main(["import", "--table", table, "--source", str(CORPUS / name), "--period", "2025", "--data-dir",
                 str(tmp_path), "--mapping", str(MAPPING), "--json"])
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert "Traceback" not in captured.err
    if code == 0:
        assert out["ok"] is True and out["rows_in"] == out["accepted"] + out["rejected"] > 0
    else:
        assert code == 2 and out["ok"] is False and name in out["error"]
