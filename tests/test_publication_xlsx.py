"""The workbook writer (helpers.publication.xlsx): what a reader's Excel, openpyxl and calamine see."""
import io
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from helpers.publication.xlsx import DECIMAL, PERCENT, Sheet, column_name, workbook_bytes


def sheets() -> list[Sheet]:
    return [
        Sheet("Om filen", {"Uppgift": ["Kommun", "Period"], "Värde": ["Lillby & Co <AB>", "2025"]},
              widths={0: 40, 1: 40}),
        Sheet('Andel "nöjda"', {"Grupp": ["Totalt", "Kvinnor", "Män", " inledande blanksteg"],
                                "Värde": [0.5, "X", None, 1 / 3], "Antal (n)": [10, "X", "", np.int64(3)],
                                "Med": [True, False, "=SUMMA(A1:A2)", "_x0041_ och \x01"]},
              widths={0: 26, 1: 14}, styles={1: PERCENT, 2: DECIMAL}),
    ]


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "bok.xlsx"
    path.write_bytes(workbook_bytes(sheets()))
    return path


def test_every_cell_reads_back_with_its_type(book):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Om filen", 'Andel "nöjda"']
    assert [[c.value for c in row] for row in wb["Om filen"].iter_rows()] == [
        ["Uppgift", "Värde"], ["Kommun", "Lillby & Co <AB>"], ["Period", "2025"]]
    ws = wb['Andel "nöjda"']
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [["Grupp", "Värde", "Antal (n)", "Med"],
                    ["Totalt", 0.5, 10, True],
                    ["Kvinnor", "X", "X", False],
                    ["Män", None, None, "=SUMMA(A1:A2)"],
                    [" inledande blanksteg", pytest.approx(1 / 3, rel=1e-15), 3, "_x0041_ och _x0001_"]]
    # Text stays text: "2025" is no number, "=..." no formula, a number-like text no number
    assert wb["Om filen"]["B3"].data_type == "s" and ws["D4"].data_type == "s"
    assert ws["B2"].data_type == "n" and ws["C5"].data_type == "n"


def test_the_header_is_bold_framed_and_frozen_and_values_keep_their_format(book):
    ws = openpyxl.load_workbook(book)['Andel "nöjda"']
    header = ws["A1"]
    assert header.font.b and header.border.left.style == "thin" and header.alignment.horizontal == "center"
    assert not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert ws["B2"].number_format == "0%" and ws["C2"].number_format == "0.0" and ws["A2"].number_format == "General"
    # widths as Excel stores a width in characters (Calibri 11)
    assert ws.column_dimensions["A"].width == pytest.approx(26.71, abs=0.01)
    assert ws.column_dimensions["B"].width == pytest.approx(14.71, abs=0.01)


def test_pandas_reads_the_same_table_with_either_engine(book):
    for engine in ("openpyxl", "calamine"):
        frame = pd.read_excel(book, sheet_name='Andel "nöjda"', engine=engine)
        assert frame["Grupp"].tolist() == ["Totalt", "Kvinnor", "Män", " inledande blanksteg"]
        assert frame["Antal (n)"].tolist()[:2] == [10, "X"] and pd.isna(frame["Antal (n)"][2])


def test_the_package_is_well_formed_and_the_same_bytes_every_time():
    data = workbook_bytes(sheets())
    assert data == workbook_bytes(sheets())
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        assert names[0] == "[Content_Types].xml"
        for name in names:
            ET.fromstring(package.read(name))  # raises on malformed XML
        types = package.read("[Content_Types].xml").decode()
        for name in names:
            if name.startswith("xl/") and not name.endswith(".rels"):
                assert f'PartName="/{name}"' in types
        strings = ET.fromstring(package.read("xl/sharedStrings.xml"))
        ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        texts = [si.find(f"{ns}t").text for si in strings]
        assert len(texts) == len(set(texts)) == int(strings.get("uniqueCount"))
        assert texts.count("X") == 1 and int(strings.get("count")) > len(texts)
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in package.infolist())
    # A character XML cannot carry is written as Excel's escape, and a text that looks like an escape is escaped
    # itself, so Excel shows "_x0041_" and not "A" (openpyxl decodes the second, not the first)
    assert "_x005F_x0041_ och _x0001_" in texts


def test_column_names_run_past_z():
    assert [column_name(i) for i in (0, 25, 26, 51, 701, 702)] == ["A", "Z", "AA", "AZ", "ZZ", "AAA"]
