"""Reading Swedish exports: encoding, delimiter, title rows, Excel, and saying what was chosen."""
from pathlib import Path

import pytest

from helpers.collect.sources import SourceError, read_source

CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize("name, encoding, delimiter", [
    ("arenden_cp1252.csv", "cp1252", ";"),
    ("arenden_utf8bom.txt", "utf-8-sig", "\t"),
    ("arenden_komma.csv", "utf-8", ","),
])
def test_encoding_and_delimiter_are_detected(name, encoding, delimiter):
    src = read_source(CORPUS / name)
    assert (src.encoding, src.delimiter) == (encoding, delimiter)
    assert list(src.df.columns) == ["Personnummer", "Namn", "Ärende", "Enhet", "Datum"]
    # Swedish letters survive whatever the encoding: row 1 is "Åsa Öberg", row 3 "Vuxna – missbruk ...".
    assert src.df.loc[0, "Namn"] == "Åsa Öberg"
    assert src.df.loc[2, "Enhet"] == "Vuxna – missbruk och beroende"
    assert src.rows.tolist() == [2, 3, 4]  # header on line 1
    assert any("upptäckt" in n for n in src.notes)


def test_hints_that_do_not_fit_are_overridden_with_a_note():
    src = read_source(CORPUS / "arenden_cp1252.csv", encoding="utf-8", delimiter=";")
    assert src.encoding == "cp1252" and src.df.loc[0, "Namn"] == "Åsa Öberg"
    assert any("inte UTF-8" in n for n in src.notes)
    src = read_source(CORPUS / "arenden_komma.csv", encoding="utf-8", delimiter=";")
    assert src.delimiter == "," and len(src.df.columns) == 5
    assert any("komma" in n for n in src.notes)


def test_title_rows_above_the_header_are_skipped():
    # Line 1 is a title, line 2 blank, line 3 the header: data starts on line 4.
    src = read_source(CORPUS / "arenden_titelrad.csv")
    assert src.header_row == 3
    assert src.rows.tolist() == [4, 5, 6]
    assert src.df.loc[1, "Ärende"] == "Ä2"


def test_excel_with_merged_title_row():
    src = read_source(CORPUS / "uppfoljning_sammanslagen_rubrik.xlsx", sheet="Uppföljning")
    assert src.header_row == 2 and src.sheet == "Uppföljning"
    assert list(src.df.columns) == ["Mål-id", "Uppföljningsdatum", "Måluppfyllelse"]
    # Excel dates become ÅÅÅÅ-MM-DD text; an empty cell is missing.
    assert src.df["Uppföljningsdatum"].tolist()[:3] == ["2025-03-01", "2025-04-01", "2026-01-02"]
    assert src.df["Uppföljningsdatum"].isna().tolist() == [False, False, False, True]
    assert src.rows.tolist() == [3, 4, 5, 6]


def test_excel_missing_sheet_names_the_sheets():
    with pytest.raises(SourceError, match="saknar bladet 'Mål'.*Uppföljning, Info"):
        read_source(CORPUS / "uppfoljning_sammanslagen_rubrik.xlsx", sheet="Mål")


def test_rows_with_too_many_fields_are_set_aside_with_their_line():
    src = read_source(CORPUS / "fel_antal_falt.csv")
    assert src.rows.tolist() == [2, 4]
    assert [b.row for b in src.bad_rows] == [3]


@pytest.mark.parametrize("name, message", [
    ("tom.csv", "är tom"),
    ("binar.csv", "binärfil"),
    ("finns_inte.csv", "finns inte"),
])
def test_unusable_files_raise_a_swedish_message_naming_the_file(name, message):
    with pytest.raises(SourceError, match=message) as info:
        read_source(CORPUS / name)
    assert name in str(info.value)


def test_header_only_gives_no_rows():
    src = read_source(CORPUS / "bara_rubrik.csv")
    assert src.df.empty and list(src.df.columns) == ["Personnummer", "Namn", "Ärende", "Enhet", "Datum"]
    assert any("inga datarader" in n for n in src.notes)


def test_corrupt_xlsx_is_refused(tmp_path):
    bad = tmp_path / "trasig.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SourceError, match="trasig.xlsx"):
        read_source(bad)


from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

cell = st.text(alphabet="abcåäöÅÄÖé -–,.:0123456789", min_size=1, max_size=12).map(str.strip).filter(bool)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), delimiter=st.sampled_from([";", "\t", ","]))
def test_any_swedish_csv_reads_back_exactly(tmp_path, rows, encoding, delimiter):
    import csv
    import io
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows([["Ärende", "Enhet", "Värde"]] + rows)
    path = tmp_path / "export.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    src = read_source(path, expected={"Ärende", "Enhet", "Värde"})
    assert src.delimiter == delimiter
    assert src.df.astype(str).values.tolist() == rows
    assert src.rows.tolist() == list(range(2, len(rows) + 2))


def test_a_file_feeding_two_tables_is_decoded_once_and_each_table_gets_its_own_frame(tmp_path, monkeypatch):
    from helpers.collect import sources

    path = tmp_path / "insatser.csv"
    path.write_bytes("Rapport 2025\n\nInsats-id;Personnummer;Start\nI-1;19800101-1234;2025-01-02\n"
                     "I-2;19900202-2345;2025-03-04\n".encode("cp1252"))
    other = CORPUS / "arenden_cp1252.csv"
    decoded = []
    real = sources.decode
    monkeypatch.setattr(sources, "decode", lambda raw, *a: decoded.append(raw[:7]) or real(raw, *a))
    alone = read_source(path, expected={"Insats-id"})
    assert len(decoded) == 1
    with sources.reading_once([path, other, path, path]):
        first = read_source(path, expected={"Insats-id", "Start"})
        read_source(other)  # another file in between
        second = read_source(path, expected={"Personnummer"})
        first.df.loc[0, "Start"] = "ändrad"  # one table's change is not the other's
        first.notes.append("bara i den första")
        third = read_source(path, expected={"Insats-id"})
    assert len(decoded) == 1 + 2  # this file once, the other file once
    for frame in (second, third):
        assert frame.df.equals(alone.df) and frame.rows.equals(alone.rows) and frame.notes == alone.notes
        assert frame.header_row == 3 and frame.df is not alone.df
    assert not sources._READS  # nothing kept after the block
    read_source(path, expected={"Insats-id"})
    assert len(decoded) == 4
    path.write_bytes(path.read_bytes().replace(b"I-2", b"I-3"))  # new bytes: read anew
    with sources.reading_once([path, path]):
        read_source(path)
        path.write_bytes(path.read_bytes().replace(b"I-3", b"I-4"))
        assert read_source(path).df["Insats-id"].tolist() == ["I-1", "I-4"]
    assert len(decoded) == 6
