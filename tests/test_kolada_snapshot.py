"""Reading a Kolada snapshot: the API's JSON (one page, several pages), the flattened CSV, and clear Swedish errors
that name the file and the place for a malformed file."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers.comparison import KoladaFileError, load_catalogue, read_snapshot
from helpers.comparison.frame import COLUMNS
from helpers.config import PROJECT_ROOT


def value(gender, v, count=1, status=""):
    return {"gender": gender, "count": count, "status": status, "value": v}


def item(kpi, municipality, period, *values):
    return {"kpi": kpi, "municipality": municipality, "period": period, "values": list(values)}


PAGE = {"count": 3, "values": [
    item("U31402", "0180", 2024, value("T", 12.5)),
    item("N31816", "0180", 2024, value("T", 1.5), value("K", 1.4), value("M", 1.6)),
    item("N31816", "0000", 2024, value("T", None, status="Saknas")),
], "next_url": None}


def write(tmp_path, doc, name="kolada.json"):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_api_json_becomes_the_tidy_frame(tmp_path):
    snap = read_snapshot(write(tmp_path, PAGE), load_catalogue())
    f = snap.frame
    assert list(f.columns) == COLUMNS
    assert len(f) == 5  # 1 + 3 genders + 1
    row = f[(f["kpi"] == "N31816") & (f["municipality_id"] == "0180") & (f["gender"] == "K")].iloc[0]
    assert (row["period"], row["value"], row["count"]) == ("2024", 1.4, 1)
    assert row["kpi_title"].startswith("Vuxna med långvarigt ekonomiskt bistånd")  # from the catalogue
    assert row["municipality_name"] == "0180"  # no name in the file: the id stands in
    riket = f[f["municipality_id"] == "0000"].iloc[0]
    assert riket["municipality_name"] == "Riket" and pd.isna(riket["value"]) and riket["status"] == "Saknas"
    assert f["period"].map(type).eq(str).all() and f["municipality_id"].map(type).eq(str).all()
    assert not snap.synthetic and snap.fetched is None


def test_pages_written_one_after_another_or_as_a_list_read_the_same(tmp_path):
    first = {"count": 1, "values": PAGE["values"][:1], "next_url": "https://api.kolada.se/v3/x?page=2"}
    second = {"count": 2, "values": PAGE["values"][1:],
              "metadata": {"hamtad": "2025-02-01", "kommuner": {"0180": "Stockholm"}}}
    concatenated = read_snapshot(write(tmp_path, json.dumps(first) + "\n" + json.dumps(second), "a.json"))
    as_list = read_snapshot(write(tmp_path, [first, second], "b.json"))
    single = read_snapshot(write(tmp_path, PAGE, "c.json"))
    pd.testing.assert_frame_equal(concatenated.frame.drop(columns="municipality_name"),
                                  single.frame.drop(columns="municipality_name"))
    pd.testing.assert_frame_equal(concatenated.frame, as_list.frame)
    assert concatenated.fetched == "2025-02-01"
    assert set(concatenated.frame.loc[concatenated.frame["municipality_id"] == "0180", "municipality_name"]) == \
        {"Stockholm"}


def test_deleted_values_are_left_out_and_repeats_across_pages_kept_once(tmp_path):
    deleted = item("U31402", "0180", 2024, {**value("T", 99.0), "isdeleted": True})
    snap = read_snapshot(write(tmp_path, [PAGE, {"values": [deleted, PAGE["values"][0]]}]))
    hits = snap.frame[snap.frame["kpi"] == "U31402"]
    assert hits["value"].tolist() == [12.5]


def test_the_demo_snapshot_is_valid_api_json_labelled_synthetic():
    path = PROJECT_ROOT / "config" / "kolada" / "exempelkommun_syntetisk.json"
    assert "syntetisk" in path.name
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["metadata"]["syntetisk"] is True and "Inte hämtade från Kolada" in doc["metadata"]["beskrivning"]
    assert doc["count"] == len(doc["values"])
    snap = read_snapshot(path, load_catalogue())
    assert snap.synthetic
    f = snap.frame
    assert set(f["period"]) == {"2023", "2024", "2025"}
    assert {"9999", "0000"} <= set(f["municipality_id"]) and len(set(f["municipality_id"])) == 7
    assert f.loc[f["municipality_id"] == "9999", "municipality_name"].eq("Exempelkommun").all()


def test_csv_with_semicolon_and_decimal_comma(tmp_path):
    path = tmp_path / "kolada.csv"
    path.write_text("kpi;municipality_id;year;gender;value;count;status;municipality\n"
                    "U31402;0180;2024;T;12,5;1;;Stockholm\n"
                    "U31402;0000;2024;T;16,0;1;;Riket\n"
                    "N31816;0180;2024;K;;1;Saknas;Stockholm\n", encoding="utf-8-sig")
    f = read_snapshot(path).frame
    assert f.loc[(f["kpi"] == "U31402"), "value"].tolist() == [16.0, 12.5]  # sorted by municipality id
    assert f.loc[f["kpi"] == "N31816", "value"].isna().all()


@pytest.mark.parametrize("text, where", [
    ('{"values": [\n {"kpi": "U31402",, }\n]}',
     "är inte giltig JSON: rad 2, tecken 19: ett nyckelnamn inom citattecken väntades"),
    ("", "är tom"),
])
def test_malformed_json_names_the_file_and_the_line(tmp_path, text, where):
    path = write(tmp_path, text)
    with pytest.raises(KoladaFileError) as exc:
        read_snapshot(path)
    assert str(path) in str(exc.value) and where in str(exc.value)


@pytest.mark.parametrize("doc, where", [
    ({"rows": []}, "är inget svar från Koladas data-API"),
    ({"values": [item("U31402", 180, 2024, value("T", 1.0))]},
     'values[0].municipality: ska vara en kommunkod som text, t.ex. "0180" (fick 180)'),
    ({"values": [item("U31402", "0180", 2024, value("F", 1.0))]},
     'values[0].values[0].gender: ska vara T, K eller M (fick "F")'),
    ({"values": [item("U31402", "0180", 2024, value("T", "12,5"))]},
     'values[0].values[0].value: ska vara ett tal eller null (fick "12,5")'),
    ({"values": [{"kpi": "U31402", "municipality": "0180", "values": []}]},
     'values[0]: nyckeln "period" saknas'),
    ([PAGE, {"values": [item("U31402", "0180", "24", value("T", 1.0))]}],
     'sida 2, values[0].period: ska vara ett årtal, t.ex. 2024 (fick "24")'),
    ([PAGE, {"values": [item("U31402", "0180", 2024, value("T", 13.0))]}],
     "U31402 för 0180 år 2024 (kön T) står två gånger med olika värden: sida 1, values[0].values[0] och "
     "sida 2, values[0].values[0]"),
])
def test_wrong_shape_names_the_file_and_the_element(tmp_path, doc, where):
    path = write(tmp_path, doc)
    with pytest.raises(KoladaFileError) as exc:
        read_snapshot(path)
    assert f"Kolada-filen {path}" in str(exc.value)
    assert where in str(exc.value)


def test_csv_missing_a_column_names_it_and_the_header_line(tmp_path):
    path = tmp_path / "kolada.csv"
    path.write_text("kpi;municipality;gender;value\nU31402;0180;T;12,5\n", encoding="utf-8")
    with pytest.raises(KoladaFileError, match=r"kolada\.csv, rad 1 \(rubrikraden\): kolumnen period saknas"):
        read_snapshot(path)


@pytest.mark.parametrize("line, where", [
    ("U31402;0180;2024;T;tolv", "rad 3, kolumn value: \"tolv\" är inget tal"),
    ("U31402;0180;2024;X;12", "rad 3, kolumn gender: \"X\" ska vara T, K eller M"),
    ("U31402;0180;24;T;12", "rad 3, kolumn period: \"24\" är inget årtal"),
    ("U31402;0180;2024;T", "rad 3: 4 fält, men rubrikraden har 5"),
])
def test_csv_bad_cell_names_the_line_and_the_column(tmp_path, line, where):
    path = tmp_path / "kolada.csv"
    path.write_text(f"kpi;municipality;period;gender;value\nU31402;0000;2024;T;16\n{line}\n", encoding="utf-8")
    with pytest.raises(KoladaFileError) as exc:
        read_snapshot(path)
    assert str(path) in str(exc.value) and where in str(exc.value)


def test_a_missing_file_says_how_to_get_one(tmp_path):
    with pytest.raises(KoladaFileError, match="finns inte. Hämta den med `uppfoljning kolada hamta`"):
        read_snapshot(tmp_path / "saknas.json")
