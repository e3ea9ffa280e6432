"""Workbooks without formulas are read with calamine, those with formulas with openpyxl: both readers must give
the same rows, row numbers, sheets and notes, whatever the cells hold."""
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from helpers.collect import excel

CORPUS = Path(__file__).parent / "corpus"


def _awkward(tmp_path) -> Path:
    """Title rows above the header, an empty row and column, every cell type, a second sheet with the same columns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Mål"
    ws.append(["Uppföljningsregister 2025"])
    ws.append([])
    ws.append(["Mål-id", "Datum", None, "Antal", "Klar", "Tid", "Text"])
    ws.append(["M1", dt.date(2025, 3, 1), None, 3, True, dt.datetime(2025, 3, 1, 12, 30), "text; med semikolon"])
    ws.append(["M2", "2025-13-01", None, 2.5, False, dt.datetime(2025, 3, 2), "  blanksteg  "])
    ws.append([])
    ws.append(["M3", 45000.5, None, 1e12, None, None, "ÅÄÖ åäö"])
    ws.append(["", "  ", None, "\u2003"])  # text cells holding nothing: an empty row, the last one
    other = wb.create_sheet("Mål 2")
    other.append(["Mål-id", "Datum", None, "Antal", "Klar", "Tid", "Text"])
    other.append(["M4", dt.date(2024, 12, 31), None, 0, True, None, ""])
    path = tmp_path / "besvarlig.xlsx"
    wb.save(path)
    return path


def _read(path, **kw):
    frame = excel.read_excel_file(path, **kw)
    return (frame.df.to_dict("list"), frame.rows.tolist(), frame.header_row, frame.sheet, frame.notes,
            None if frame.sheets is None else frame.sheets.tolist(), frame.formula_cells)


@pytest.mark.parametrize("name, kw", [
    ("flera_blad.xlsx", {}), ("uppfoljning_sammanslagen_rubrik.xlsx", {}), ("formler.xlsx", {}),
    ("besvarlig.xlsx", {}), ("besvarlig.xlsx", {"sheets": ["Mål", "Mål 2"]}),
    ("besvarlig.xlsx", {"expected": {"mål-id", "datum", "antal"}}),
])
def test_both_readers_give_the_same_frame(tmp_path, monkeypatch, name, kw):
    path = _awkward(tmp_path) if name == "besvarlig.xlsx" else CORPUS / name
    fast = _read(path, **kw)
    monkeypatch.setattr(excel, "_open_values", lambda p: None)
    assert fast == _read(path, **kw)


def test_the_fast_reader_is_used_only_without_formulas(tmp_path):
    pytest.importorskip("python_calamine")
    assert excel._open_values(_awkward(tmp_path)) is not None
    assert excel._has_formulas(CORPUS / "formler.xlsx") and excel._open_values(CORPUS / "formler.xlsx") is None
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(b"inte en zip")
    assert excel._open_values(broken) is None  # openpyxl reads it and says why it cannot


def test_a_workbook_changed_between_two_reads_is_read_again(tmp_path):
    path = _awkward(tmp_path)
    first = excel.read_excel_file(path, sheets=["Mål 2"]).df["Mål-id"].tolist()
    wb = openpyxl.load_workbook(path)
    wb["Mål 2"]["A2"] = "M9"
    wb.save(path)
    assert first == ["M4"] and excel.read_excel_file(path, sheets=["Mål 2"]).df["Mål-id"].tolist() == ["M9"]


def test_cells_convert_like_cell_one_value_at_a_time():
    row = [None, "text", "", 1, 1.0, 1.5, True, False, 0, 0.0, dt.date(2024, 2, 29), dt.datetime(2024, 2, 29),
           dt.datetime(2024, 2, 29, 8, 30), float("nan"), dt.time(8, 30)]
    assert excel._cells([row, row[::-1]]) == [[excel._cell(v) for v in row], [excel._cell(v) for v in row[::-1]]]


def test_text_columns_are_the_cells_stripped_column_by_column():
    """One pass per column gives what converting every cell and then stripping every cell gave."""
    from helpers.collect.frames import _stripped

    row = [None, "text", "", "  ", " a b ", "\xa0x\u2003", 1, 1.0, 1.5, True, False, 0, 0.0, dt.date(2024, 2, 29),
           dt.datetime(2024, 2, 29, 8, 30), float("nan"), dt.time(8, 30)]
    rows = [row, row[::-1], row[:5]]  # a short row is padded with empty cells
    width = len(row) + 2  # columns past every row are empty
    expected = [_stripped([r[j] if j < len(r) else None for r in excel._cells(rows)]) for j in range(width)]
    assert excel._text_columns(rows, width) == expected
    assert excel._text_columns(rows, 3) == expected[:3] and excel._text_columns([], 2) == [[], []]
    even = rows[:2]  # rows of one width (what calamine gives) take another way through
    assert excel._text_columns(even, len(row)) == [c[:2] for c in expected[:len(row)]]
    assert excel._text_columns(even, 4) == [c[:2] for c in expected[:4]]


@pytest.mark.parametrize("xml", [b"<c><v>1</v></c>", b"<c><f>A1+1</f></c>", b"<x:f>A1</x:f>", b"<f/>", b"<font/>",
                                 b"<c><is><t>a:f b</t></is></c>", b"<c><f\n>A1</f></c>"])
def test_formula_prefilter_agrees_with_the_pattern(xml):
    assert excel._formula_in(xml) == (excel._FORMULA.search(xml) is not None)


def test_a_formula_cells_column_is_named_as_excel_names_it():
    from openpyxl.utils import get_column_letter

    from helpers.collect.excel import _column_letter
    assert [_column_letter(n) for n in (1, 26, 27, 52, 53, 702, 703, 16384)] == \
        ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]
    assert all(_column_letter(n) == get_column_letter(n) for n in range(1, 16385))
