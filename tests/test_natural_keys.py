"""An intervention export as case systems write it, without an id column: the mapping builds the id from
person, unit, type and start date, duplicates are found on that natural key, and every fault lands in
quarantine under its own reason while every good row is kept."""
import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers import personnummer as pnr
from helpers.collect import keys, validation as v
from helpers.collect.importing import ImportFileError, import_file
from helpers.tables import load_table

HEADER = "Personnummer;Enhet;Insats;Startdatum;Slutdatum;Avslutsorsak;Kostnad kr;Samtycke"
P1, P1_12 = "640823-3234", "196408233234"
P2 = "850412-2287"
SAMORDNING = "701063-2391"
LINES = [
    HEADER,
    f"{P1};Barn och unga;HVB;2025-01-10;2025-06-30;Enligt plan;12 345,50;Ja",  # 2 ok (10 digits)
    f"{P1_12};Barn och unga;Familjehem;2025-02-01;;;;Ja",  # 3 ok (12 digits)
    f"{SAMORDNING};Vuxenenheten;Öppenvård;2025-03-01;;;1 000;Nej",  # 4 ok (samordningsnummer)
    "640823-3235;Vuxenenheten;Öppenvård;2025-03-01;;;;Ja",  # 5 bad check digit
    f"{P2};Vuxenenheten;Öppenvård;2025-02-30;;;;Ja",  # 6 impossible date
    f"{P1_12};barn och unga;HVB;20250110;20250630;Enligt plan;12 345,50;Ja",  # 7 line 2 again, other formats
    f"{P1};Barn och unga;HVB;2025-01-10;2025-05-31;Avbruten;9 000;Ja",  # 8 line 2's key, other end
    f"{P2};Vuxenenheten;HVB;2025-05-01;2025-04-01;Avbruten;;Ja",  # 9 ends before it starts
    f"{P2};;HVB;2025-01-05;;;;Ja",  # 10 blank unit
    "",  # 11 blank line
    f"{P2};Barn och unga;Öppenvård;2025-04-01;;;;Ja",  # 12 ok
    f"{P2};Vuxenenheten;Öppenvård;2025-04-01;2025-09-30;Enligt plan;500;Nej",  # 13 ok
]
MAPPING = {
    "namn": "Verksamhetssystem, insatsexport",
    "filformat": {"encoding": "auto", "delimiter": "auto", "decimal": ",", "datumformat": ["%Y-%m-%d", "%Y%m%d"]},
    "tabeller": {"interventions": {
        "kolumner": {"Personnummer": "personnummer", "Enhet": "unit", "Insats": "type", "Startdatum": "start",
                     "Slutdatum": "end", "Avslutsorsak": "end_reason"},
        "koder": {"unit": {"Barn och unga": "barn_unga", "Vuxenenheten": "vuxna_missbruk"},
                  "type": {"Familjehem": "familjehem", "Öppenvård": "oppenvard"},
                  "end_reason": {"Enligt plan": "planerad", "Avbruten": "avbrott"}},
        "nyckel": {"kolumner": ["Personnummer", "Enhet", "Insats", "Startdatum"], "id": "intervention_id"}}},
}
EXPECTED = {5: pnr.R_CHECK, 6: v.R_DATE, 7: v.R_DUPLICATE, 8: v.R_NATURAL_CONFLICT, 9: v.R_ORDER,
            10: v.R_REQUIRED}


TEST_KEY = b"en-testnyckel-som-bara-finns-i-testerna-0123456789"


@pytest.fixture(autouse=True)
def a_test_key(monkeypatch):
    """Files written by a test are not the demo generator's: they are pseudonymised with a key of their own."""
    monkeypatch.setenv("UPPFOLJNING_NYCKEL", TEST_KEY.decode())


def write(tmp_path, lines=LINES, mapping=MAPPING, name="insatsexport.csv"):
    src = tmp_path / name
    src.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    m = tmp_path / "insatsexport.yml"
    m.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    return src, m


def reasons_by_row(result):
    return {int(r["Rad"]): r["Orsak"] for _, r in result.rejected.iterrows()}


def test_without_a_key_the_export_is_refused_with_a_hint(tmp_path):
    mapping = yaml.safe_load(yaml.safe_dump(MAPPING))
    del mapping["tabeller"]["interventions"]["nyckel"]
    src, m = write(tmp_path, mapping=mapping)
    with pytest.raises(ImportFileError, match="saknar den obligatoriska kolumnen 'Insats-id'.*nyckel:"):
        import_file("interventions", src, "2025", mapping=m, data_dir=tmp_path)


def test_real_style_export_every_fault_in_quarantine_every_good_row_kept(tmp_path):
    src, m = write(tmp_path)
    r = import_file("interventions", src, "2025", mapping=m, data_dir=tmp_path)
    assert reasons_by_row(r) == EXPECTED
    assert (r.rows_in, r.accepted_rows, len(r.rejected)) == (11, 5, 6)
    assert any("1 helt tom rad" in n for n in r.notes)
    assert r.dropped_columns == ["Kostnad kr", "Samtycke"]
    detail = r.rejected.set_index("Rad")["Detalj"]
    assert detail[7] == "samma post som rad 2"
    assert detail[8] == "samma Personnummer, Enhet, Insats, Startdatum som rad 2"
    accepted = r.accepted.sort_values("start")
    assert accepted["type"].tolist() == ["HVB", "familjehem", "oppenvard", "oppenvard", "oppenvard"]
    assert accepted["unit"].tolist() == ["barn_unga", "barn_unga", "vuxna_missbruk", "barn_unga", "vuxna_missbruk"]
    # 10 and 12 digits are the same person; the samordningsnummer is a person too.
    assert accepted["client_id"].iloc[0] == accepted["client_id"].iloc[1] == pnr.pseudonym(P1_12, TEST_KEY)
    # The built id is a keyed hash of the normalised key: not the number, the same for every spelling.
    ids = accepted["intervention_id"].tolist()
    assert len(set(ids)) == 5 and all(len(i) == keys.ID_LENGTH for i in ids)
    natural = f"{P1_12}\x1fbarn och unga\x1fhvb\x1f2025-01-10"
    by_hand = hmac.new(TEST_KEY, f"intervention_id\x1f{natural}".encode(), hashlib.sha256).hexdigest()[:20]
    assert ids[0] == by_hand == keys.built_ids(pd.Series([natural]), "intervention_id", TEST_KEY).iloc[0]
    written = b"".join(p.read_bytes() for p in (tmp_path / "processed").rglob("*") if p.is_file())
    for secret in ("640823", "850412", "701063"):
        assert secret.encode() not in written


def test_built_ids_are_stable_so_a_reimport_changes_nothing(tmp_path):
    src, m = write(tmp_path)
    import_file("interventions", src, "2025", mapping=m, data_dir=tmp_path)
    processed = tmp_path / "processed" / "2025"
    before = load_table(processed, "interventions")
    # The same export again with the good rows in another order: the same ids, the same table.
    write(tmp_path, lines=[LINES[0]] + LINES[1:4][::-1] + LINES[4:])
    r = import_file("interventions", src, "2025", mapping=m, data_dir=tmp_path)
    assert set(r.accepted["intervention_id"]) == set(before["intervention_id"])
    pd.testing.assert_frame_equal(load_table(processed, "interventions"), before)


def test_natural_key_finds_duplicates_whatever_the_exports_ids(tmp_path):
    # The export numbers its rows: an invented id that would let duplicates through.
    lines = [LINES[0] + ";Radnummer"] + [f"{line};{i}" for i, line in enumerate(LINES[1:], start=1) if line]
    mapping = yaml.safe_load(yaml.safe_dump(MAPPING))
    table = mapping["tabeller"]["interventions"]
    table["kolumner"]["Radnummer"] = "intervention_id"
    table["nyckel"] = {"kolumner": ["Personnummer", "Enhet", "Insats", "Startdatum"]}
    src, m = write(tmp_path, lines=lines, mapping=mapping)
    r = import_file("interventions", src, "2025", mapping=m, data_dir=tmp_path, write=False)
    by_row = reasons_by_row(r)
    assert by_row[7] == v.R_DUPLICATE and by_row[8] == v.R_NATURAL_CONFLICT
    detail = r.rejected.set_index("Rad")["Detalj"]
    assert detail[7] == "samma post som rad 2 (annat id)"
    assert (r.rows_in, r.accepted_rows) == (11, 5)


def test_a_key_column_missing_from_the_file_is_named(tmp_path):
    src, m = write(tmp_path, lines=[line.rsplit(";", 1)[0] if line else line for line in LINES])
    mapping = yaml.safe_load(m.read_text(encoding="utf-8"))
    mapping["tabeller"]["interventions"]["nyckel"]["kolumner"].append("Samtycke")
    m.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ImportFileError, match="saknar 'Samtycke', som nyckeln"):
        import_file("interventions", src, "2025", mapping=m, data_dir=tmp_path)
    assert not (tmp_path / "processed").exists()


def test_natural_key_finds_duplicates_in_another_file_whatever_the_exports_ids(tmp_path):
    # Two folders of the same export, each numbering its own rows: the ids say nothing about duplicates.
    header = "Insatsnummer;Personnummer;Enhet;Insats;Startdatum;Slutdatum;Avslutsorsak"
    barn = [header,
            f"B1;{P1};Barn och unga;HVB;2025-01-10;2025-06-30;Enligt plan",  # 2
            f"B2;{P2};Barn och unga;Öppenvård;2025-04-01;;"]  # 3
    vuxen = [header,
             f"V1;{P1_12};barn och unga;HVB;20250110;20250630;Enligt plan",  # 2 barn's B1 in other spellings
             f"V2;{P2};Barn och unga;Öppenvård;2025-04-01;2025-09-30;Enligt plan",  # 3 barn's B2, now ended
             f"B1;{P2};Vuxenenheten;HVB;2025-02-01;;",  # 4 barn's id B1 for another intervention
             f"V4;{P2};Vuxenenheten;Öppenvård;2025-04-01;;"]  # 5 new
    mapping = yaml.safe_load(yaml.safe_dump(MAPPING))
    table = mapping["tabeller"]["interventions"]
    table["kolumner"]["Insatsnummer"] = "intervention_id"
    table["nyckel"] = {"kolumner": ["Personnummer", "Enhet", "Insats", "Startdatum"]}
    raw = tmp_path / "raw" / "2025"
    for folder, lines in (("barn", barn), ("vuxen", vuxen)):
        (raw / folder).mkdir(parents=True)
        (raw / folder / "insatser.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    m = tmp_path / "m.yml"
    m.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")

    first = import_file("interventions", raw / "barn" / "insatser.csv", "2025", mapping=m, data_dir=tmp_path)
    assert (first.rows_in, first.accepted_rows) == (2, 2)
    for _ in range(2):  # a re-import of the second file gives the same answer
        r = import_file("interventions", raw / "vuxen" / "insatser.csv", "2025", mapping=m, data_dir=tmp_path)
        assert reasons_by_row(r) == {2: v.R_DUPLICATE, 3: v.R_NATURAL_CONFLICT, 4: v.R_KEY_CONFLICT}
        detail = r.rejected.set_index("Rad")["Detalj"]
        assert detail[2] == "samma post som Insats-id B1 i filen barn/insatser.csv (annat id)"
        assert detail[3] == ("samma Personnummer, Enhet, Insats, Startdatum som Insats-id B2 i filen "
                             "barn/insatser.csv")
        assert detail[4] == "samma intervention_id som i filen barn/insatser.csv"
        assert (r.rows_in, r.accepted_rows) == (4, 1) and list(r.accepted["intervention_id"]) == ["V4"]
    processed = load_table(tmp_path / "processed" / "2025", "interventions")
    assert sorted(processed["intervention_id"]) == ["B1", "B2", "V4"]
    # The natural key is kept as a keyed hash: never the personnummer.
    written = (tmp_path / "processed" / "2025" / "interventions.parquet").read_bytes()
    assert processed["import_key"].str.fullmatch(r"[0-9a-f]{20}").all()
    for secret in ("640823", "850412"):
        assert secret.encode() not in written


def test_a_natural_key_by_hand_with_missing_values_and_spellings():
    import datetime as dt
    df = pd.DataFrame({"P": [P1, None, " 19640823-3234 ", "inte ett nummer"], "E": ["Barn  och UNGA", "x", None, "Ä"],
                       "D": ["20250110", None, "2025-01-10", "10/01/2025"]}, dtype="string", index=[7, 3, 5, 1])
    key = keys.natural_key(df, ["P", "E", "D"], {"P"}, ["%Y-%m-%d", "%Y%m%d"], dt.date(2025, 12, 31))
    assert key.to_dict() == {7: f"{P1_12}\x1fbarn och unga\x1f2025-01-10", 3: "\x1fx\x1f",
                             5: f"{P1_12}\x1f\x1f2025-01-10", 1: "inte ett nummer\x1fä\x1f10/01/2025"}
    assert key.dtype == "string" and keys.natural_key(df, ["E"], set(), [], dt.date(2025, 12, 31)).tolist() == [
        "barn och unga", "x", "", "ä"]
    ids = keys.built_ids(key, "case_id", TEST_KEY)
    by_hand = hmac.new(TEST_KEY, f"case_id\x1f{key[7]}".encode(), hashlib.sha256).hexdigest()[:keys.ID_LENGTH]
    assert list(ids.index) == [7, 3, 5, 1] and ids[7] == by_hand and ids.nunique() == 4
