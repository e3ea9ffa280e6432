"""Import of the bad-file corpus: every row accepted or quarantined with its reason, counts reconcile,
nothing identifying is written, re-import is idempotent and a failed import changes nothing."""
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers import personnummer as pnr
from helpers.collect import importing, memo, sources, summaries
from helpers.collect import validation as v
from helpers.cli import main as cli_main
from helpers.config import load_config
from helpers.manifest import write_manifest
from helpers.collect.importing import ImportFileError, import_file, import_sources
from corpus_files import raw_period
from helpers.tables import load_table

CORPUS = Path(__file__).parent / "corpus"
MAPPING = CORPUS / "mappning.yml"
P1_ID = pnr.pseudonym("196408233234", pnr.DEMO_KEY)


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch):
    monkeypatch.delenv("UPPFOLJNING_NYCKEL", raising=False)


def imp(table, name, tmp_path, **kw):
    kw.setdefault("mapping", MAPPING)
    return import_file(table, CORPUS / name, "2025", data_dir=tmp_path, **kw)


def rows_by_reason(result):
    return {int(r["Rad"]): r["Orsak"] for _, r in result.rejected.iterrows()}


def assert_reconciled(r):
    assert r.rows_in == r.accepted_rows + len(r.rejected)
    assert sum(r.reasons.values()) == len(r.rejected)


def test_case_export_gives_clients_merged_per_person(tmp_path):
    r = imp("clients", "arenden_cp1252.csv", tmp_path)
    # 3 rows, 2 persons: P1 twice (rows 2 and 3) is one client; the repeat is merged, not lost.
    assert (r.rows_in, r.accepted_rows, len(r.rejected), r.merged, len(r.accepted)) == (3, 3, 0, 1, 2)
    assert_reconciled(r)
    assert r.encoding == "cp1252" and r.delimiter == ";"
    clients = load_table(tmp_path / "processed" / "2025", "clients").set_index("client_id")
    assert clients.loc[P1_ID, "birth_year"] == 1964 and clients.loc[P1_ID, "sex"] == "man"
    assert set(clients["sex"]) == {"man", "kvinna"}
    assert "Namn" in r.dropped_columns


def test_cases_map_codes_unit_names_and_date_formats(tmp_path):
    imp("clients", "arenden_cp1252.csv", tmp_path)
    r = imp("cases", "arenden_cp1252.csv", tmp_path)
    assert (r.rows_in, r.accepted_rows, len(r.rejected)) == (3, 3, 0)
    cases = load_table(tmp_path / "processed" / "2025", "cases").sort_values("case_id")
    # "Barn och unga" (config name), "BoU" (mapping code), "Vuxna – ..." (config name).
    assert cases["unit"].tolist() == ["barn_unga", "barn_unga", "vuxna_missbruk"]
    assert cases["opened"].dt.strftime("%Y-%m-%d").tolist() == ["2025-02-03", "2025-03-04", "2025-04-03"]
    assert cases["client_id"].iloc[0] == P1_ID


def test_personnummer_faults(tmp_path):
    r = imp("clients", "personnummer.csv", tmp_path)
    # Lines 2-9: ok, same person (merged), bad check digit, 31 February, samordningsnummer, "abc", empty,
    # 640823+3234 = born 1864, outside birth_year 1900-2100.
    assert rows_by_reason(r) == {4: pnr.R_CHECK, 5: pnr.R_DATE, 7: pnr.R_FORMAT, 8: v.R_REQUIRED, 9: v.R_RANGE}
    assert (r.rows_in, r.accepted_rows, r.merged, len(r.accepted)) == (8, 3, 1, 2)
    assert_reconciled(r)
    assert sorted(r.accepted["id_type"]) == ["personnummer", "samordningsnummer"]
    # The number is never shown in the quarantine listing.
    assert set(r.rejected.loc[r.rejected["Kolumn"] == "Personnummer", "Värde"]) == {importing.HIDDEN}


def test_intervention_faults_dates_codes_ranges_duplicates_references(tmp_path):
    imp("clients", "arenden_cp1252.csv", tmp_path)
    imp("cases", "arenden_cp1252.csv", tmp_path)
    r = imp("interventions", "insatser_fel.csv", tmp_path)
    assert rows_by_reason(r) == {
        3: v.R_DATE,  # 2025-02-30
        4: v.R_AFTER_PERIOD,  # starts 2026-01-05
        5: v.R_ORDER,  # ends before it starts
        6: v.R_RANGE,  # dose -3
        7: v.R_CODE,  # "simskola"
        8: v.R_DUPLICATE,  # line 2 again
        9: v.R_KEY_CONFLICT,  # I1 again with another start date
        10: v.R_REF,  # case Ä9 does not exist
    }
    assert (r.rows_in, r.accepted_rows) == (9, 1)
    assert_reconciled(r)
    dup = r.rejected.set_index("Rad")
    assert dup.loc[8, "Detalj"] == "samma post som rad 2" and dup.loc[9, "Detalj"] == "samma intervention_id som rad 2"
    row = r.accepted.iloc[0]
    assert row["intervention_id"] == "I1" and row["planned_sessions"] == 12.5  # decimal comma


def test_a_table_on_disk_is_read_for_its_referenced_column_alone(tmp_path, monkeypatch):
    imp("clients", "arenden_cp1252.csv", tmp_path)
    imp("cases", "arenden_cp1252.csv", tmp_path)
    memo.forget()  # an earlier test's result for the same file and cases would be taken without a check
    read, original = [], pd.read_parquet
    monkeypatch.setattr(pd, "read_parquet", lambda path, *args, **kw: read.append((Path(path).name, kw.get("columns")))
                        or original(path, *args, **kw))
    r = imp("interventions", "insatser_fel.csv", tmp_path)
    assert r.reasons[v.R_REF] == 1  # case Ä9
    assert ("cases.parquet", ["case_id"]) in read and ("cases.parquet", None) not in read


def test_unknown_references_are_not_checked_before_the_table_exists(tmp_path):
    r = imp("interventions", "insatser_fel.csv", tmp_path, write=False)
    assert v.R_REF not in r.reasons
    assert any("kunde inte kontrolleras mot cases" in n for n in r.notes)


def test_measurement_scores_within_each_instrument(tmp_path):
    r = imp("measurements", "matningar_fel.csv", tmp_path, write=False)
    # AUDIT 41 > 40, KASAM-13 12 < 13, "abc"; DUDIT 44 and own scale 7,5 are fine.
    assert rows_by_reason(r) == {3: v.R_SCALE, 5: v.R_SCALE, 7: v.R_NUMBER}
    assert sorted(r.accepted["score"].tolist()) == [7.5, 12.0, 44.0]
    assert set(r.accepted["occasion"]) == {"fore"}  # "Före insats" is the label of "fore"


@pytest.mark.parametrize("mapping", [MAPPING, None])
def test_excel_with_merged_title_row_with_and_without_mapping(tmp_path, mapping):
    r = imp("goal_followups", "uppfoljning_sammanslagen_rubrik.xlsx", tmp_path, mapping=mapping, write=False)
    assert r.header_row == 2 and r.sheet == "Uppföljning"
    # G3 is dated after the period; G4 has no date (required) and an unknown code.
    assert rows_by_reason(r) == {5: v.R_AFTER_PERIOD, 6: v.R_REQUIRED}
    assert "Okänd kod" in r.rejected.set_index("Rad").loc[6, "Övriga fel"]
    assert r.accepted["attainment"].tolist() == ["positiv_uppfyllt", "ingen_forandring"]
    assert_reconciled(r)


def test_extra_columns_are_dropped_and_listed(tmp_path):
    r = imp("cases", "extra_kolumn.csv", tmp_path, write=False)
    assert r.dropped_columns == ["Namn", "Handläggare"]
    assert len(r.accepted) == 3


def test_unsplittable_row_is_quarantined_with_its_line(tmp_path):
    r = imp("cases", "fel_antal_falt.csv", tmp_path, write=False)
    assert rows_by_reason(r) == {3: v.R_UNSPLITTABLE}
    assert (r.rows_in, r.accepted_rows) == (3, 2)


def test_personnummer_in_free_text_is_removed(tmp_path):
    r = imp("cases", "anledning_med_personnummer.csv", tmp_path, write=False)
    assert r.accepted["reason"].isna().tolist() == [True, False]
    assert any("innehöll personnummer" in n for n in r.notes)


@pytest.mark.parametrize("name, message", [
    ("saknar_kolumn.csv", "saknar den obligatoriska kolumnen 'Datum'"),
    ("tom.csv", "är tom"),
    ("binar.csv", "binärfil"),
])
def test_unusable_files_raise(tmp_path, name, message):
    with pytest.raises(ImportFileError, match=message):
        imp("cases", name, tmp_path)
    assert not (tmp_path / "processed").exists()


def test_header_only_is_read_with_no_rows(tmp_path):
    r = imp("cases", "bara_rubrik.csv", tmp_path, write=False)
    assert (r.rows_in, r.accepted_rows, len(r.rejected)) == (0, 0, 0)


def test_reimport_does_not_duplicate_and_quarantine_is_replaced(tmp_path):
    imp("clients", "arenden_cp1252.csv", tmp_path)
    imp("cases", "arenden_cp1252.csv", tmp_path)
    imp("interventions", "insatser_fel.csv", tmp_path)
    processed = tmp_path / "processed" / "2025"
    before = load_table(processed, "interventions")
    quarantine = (processed / "karantan" / "interventions.csv").read_bytes()
    imp("interventions", "insatser_fel.csv", tmp_path)
    pd.testing.assert_frame_equal(load_table(processed, "interventions"), before)
    assert (processed / "karantan" / "interventions.csv").read_bytes() == quarantine
    log = json.loads((processed / "importlogg.json").read_text(encoding="utf-8"))
    # A file outside data/raw/<period>/ is known by its absolute path.
    assert log[f"interventions|{(CORPUS / 'insatser_fel.csv').resolve().as_posix()}"]["rejected"] == 8


def test_failed_import_leaves_earlier_tables(tmp_path):
    imp("cases", "arenden_cp1252.csv", tmp_path)
    path = tmp_path / "processed" / "2025" / "cases.parquet"
    before = path.read_bytes()
    with pytest.raises(ImportFileError):
        imp("cases", "saknar_kolumn.csv", tmp_path)
    assert path.read_bytes() == before


def test_nothing_written_holds_a_personnummer_or_a_name(tmp_path):
    for table, name in [("clients", "personnummer.csv"), ("cases", "arenden_cp1252.csv"),
                        ("interventions", "insatser_fel.csv")]:
        imp(table, name, tmp_path)
    written = [p for p in (tmp_path / "processed").rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"clients.parquet", "cases.parquet", "clients.csv", "importlogg.json"}
    for p in written:
        content = p.read_bytes()
        for secret in ["640823", "8504122", "701063", "Åsa", "Örjan"]:
            for enc in ("utf-8", "cp1252"):
                assert secret.encode(enc) not in content, (p.name, secret)
    q = (tmp_path / "processed" / "2025" / "karantan" / "clients.csv").read_bytes()
    assert q.startswith(b"\xef\xbb\xbf") and b"K\xc3\xa4llfil;Blad;Rad;Kolumn" in q  # Excel-friendly


def test_real_data_without_key_is_refused(tmp_path):
    cfg = yaml.safe_load(Path(load_config().path).read_text(encoding="utf-8"))
    cfg["demo"] = False
    cfg["pseudonym"] = {"nyckel_miljovariabel": "UPPFOLJNING_NYCKEL", "nyckelfil": str(tmp_path / "saknas")}
    path = tmp_path / "kommun.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    with pytest.raises(pnr.PseudonymKeyError, match="Ingen nyckel"):
        imp("clients", "arenden_cp1252.csv", tmp_path, config=path)
    assert not (tmp_path / "processed").exists()


def test_cli_json_and_exit_codes(tmp_path, capsys):
    base = ["import", "--period", "2025", "--data-dir", str(tmp_path), "--mapping", str(MAPPING)]
    assert cli_main(base + ["--table", "clients", "--source", str(CORPUS / "personnummer.csv"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["rows_in"], out["accepted"], out["rejected"], out["encoding"], out["delimiter"]) == (
        8, 3, 5, "utf-8", ";")
    assert out["reasons"][pnr.R_CHECK] == 1
    assert cli_main(base + ["--table", "cases", "--source", str(CORPUS / "saknar_kolumn.csv")]) == 2
    err = capsys.readouterr().err
    assert "saknar_kolumn.csv" in err and "Datum" in err and "Traceback" not in err
    assert cli_main(base + ["--table", "cases", "--source", str(CORPUS / "tom.csv")]) == 2
    assert cli_main(base + ["--table", "nonsense", "--source", str(CORPUS / "tom.csv")]) == 2
    assert cli_main(base + ["--table", "cases", "--source", str(CORPUS / "bara_rubrik.csv"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows_in"] == 0


def test_import_sources_follows_the_config_in_dependency_order(tmp_path, monkeypatch):
    raw = tmp_path / "raw" / "2025"
    raw.mkdir(parents=True)
    for name in ["arenden_cp1252.csv", "insatser_fel.csv", "matningar_fel.csv"]:
        shutil.copy(CORPUS / name, raw / name)
    write_manifest(raw, list(raw.iterdir()))  # synthetic files: the demo key may pseudonymise them
    (tmp_path / "mappings").mkdir()
    shutil.copy(MAPPING, tmp_path / "mappings" / "test.yml")
    cfg = yaml.safe_load(Path(load_config().path).read_text(encoding="utf-8"))
    cfg["kallor"] = [  # listed "wrong" way round: interventions first
        {"fil": "insatser_fel.csv", "mappning": "test.yml", "tabeller": ["interventions"], "steg": 3},
        {"fil": "arenden_cp1252.csv", "mappning": "test.yml", "tabeller": ["cases", "clients"], "steg": 2},
        {"fil": "matningar_fel.csv", "mappning": "test.yml", "tabeller": ["measurements"], "steg": 4},
    ]
    path = tmp_path / "kommun.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    decoded = []
    real = sources.decode
    monkeypatch.setattr(sources, "decode", lambda raw, *a: decoded.append(raw[:9]) or real(raw, *a))
    results = import_sources("2025", path, data_dir=tmp_path, steps=[2, 3])
    assert [(r.table, r.source) for r in results] == [
        ("clients", "arenden_cp1252.csv"), ("cases", "arenden_cp1252.csv"), ("interventions", "insatser_fel.csv")]
    assert len(decoded) == 2  # the file of clients and cases is read once for both
    # Cases were there when interventions were checked: Ä9 is an unknown reference.
    assert results[2].reasons[v.R_REF] == 1
    summary = summaries.summary_table(results)
    assert summary["Rader in"].tolist() == [3, 3, 9]
    assert (summary["Godkända"] + summary["Avvisade"] == summary["Rader in"]).all()
    assert summaries.reasons_table(results)["Antal rader"].sum() == 8
    # The audit trail's quick look says where and why, never the rejected value (Ä9 is a case number).
    quick = summaries.quarantine_rows(results)
    assert len(quick) == 8 and "Värde" not in quick.columns
    assert not quick.astype(str).apply(lambda col: col.str.contains("Ä9")).any().any()
    assert (results[2].rejected["Värde"] == "Ä9").any()  # the internal quarantine keeps it
    missing = summaries.missing_table(results).set_index(["Tabell", "Kolumn"])
    assert missing.loc[("cases", "closed"), "Saknas"] == 3 and missing.loc[("cases", "opened"), "Saknas"] == 0
    assert not (tmp_path / "processed" / "2025" / "measurements.parquet").exists()
    only_clients = import_sources("2025", path, data_dir=tmp_path, tables=["clients"])
    assert [r.table for r in only_clients] == ["clients"]


def test_import_sources_writes_nothing_when_a_file_is_unusable(tmp_path):
    raw = tmp_path / "raw" / "2025"
    raw.mkdir(parents=True)
    shutil.copy(CORPUS / "arenden_cp1252.csv", raw / "arenden.csv")
    shutil.copy(CORPUS / "tom.csv", raw / "insatser.csv")
    write_manifest(raw, list(raw.iterdir()))
    path = _config_with_sources(tmp_path, "arenden.csv", "insatser.csv")
    with pytest.raises(ImportFileError, match="insatser.csv är tom"):
        import_sources("2025", path, data_dir=tmp_path)
    assert not (tmp_path / "processed").exists()


def test_a_later_step_alone_also_imports_the_tables_it_refers_to(tmp_path):
    raw_period(tmp_path, "arenden_cp1252.csv", "insatser_fel.csv")
    path = _config_with_sources(tmp_path, "arenden_cp1252.csv", "insatser_fel.csv")
    # Step 3 on an empty data folder: clients and cases come along, so the unknown case Ä9 is still caught
    # exactly as when step 2 has run first.
    results = import_sources("2025", path, data_dir=tmp_path, steps=[3])
    assert [r.table for r in results] == ["clients", "cases", "interventions"]
    assert results[2].reasons[v.R_REF] == 1
    with pytest.raises(ValueError, match="stämmer inte"):
        broken = results[2]
        broken.accepted_rows += 1
        importing.check_reconciled([broken])


def test_a_period_without_raw_files_has_nothing_to_import(tmp_path):
    assert import_sources("2025", None, data_dir=tmp_path) == []
    assert not (tmp_path / "processed").exists()


def _config_with_sources(tmp_path, cases_file, interventions_file):
    """The demo config with two sources: a case export (step 2) and an intervention export (step 3)."""
    cfg = yaml.safe_load(Path(load_config().path).read_text(encoding="utf-8"))
    cfg["kallor"] = [
        {"fil": cases_file, "mappning": str(MAPPING), "tabeller": ["clients", "cases"], "steg": 2},
        {"fil": interventions_file, "mappning": str(MAPPING), "tabeller": ["interventions"], "steg": 3}]
    path = tmp_path / "kommun.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("fn", [lambda u: v._numbers(u, ","), lambda u: v._numbers(u, "."),
                                lambda u: u.str.extract(v._MONTH_RE), lambda u: v._mapped(u, {"hvb": "HVB"})])
def test_by_unique_gives_what_the_whole_column_gives(fn):
    values = ["1", "2,5", " 3 ", "1 000", "−4", "1.5", "abc", "", None, "2025-01", "202513", " hvb", "HVB", "9" * 20]
    s = pd.Series(values * 7, dtype="string", name="x").sample(frac=1, random_state=1)
    got, expected = v.by_unique(s, fn), fn(s)
    (pd.testing.assert_frame_equal if isinstance(expected, pd.DataFrame) else pd.testing.assert_series_equal)(
        got, expected)


def test_a_rows_other_errors_are_its_errors_after_the_first_in_order():
    from helpers.collect.canonical import _after_the_first

    keys = [3, 3, 3, 5, 7, 7]
    texts = ["Saknas: a ()", "Okänd kod: b (x)", "Fel datum: c ()", "Saknas: d ()", "Dubblett: e ()", "Saknas: f ()"]
    assert _after_the_first(keys, texts) == {3: "Okänd kod: b (x); Fel datum: c ()", 5: "", 7: "Saknas: f ()"}
