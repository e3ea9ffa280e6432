"""Registration templates: content, data validation, instruction sheet, and read-back through the import."""
import datetime as dt
import re

import openpyxl
import pandas as pd
import pytest

from helpers import schema, tables
from helpers.plan import registration
from helpers.config import load_config
from helpers.plan.spec import load_plan

PLAN = """
syfte: Följa upp förändring.
variabler:
  fore: [clients.sex, measurements.intervention_id, measurements.date, measurements.score, goals.intervention_id,
         goals.area]
  efter: [measurements.date, measurements.score, goal_followups.attainment, evaluations.rating,
          evaluations.satisfied]
instrument: [AUDIT, egen_skala]
registrering:
  - {vad: Efter-mätning, nar: när insatsen avslutas, vem: handläggaren}
"""
SAMPLE = pd.DataFrame({"client_id": ["k1", "k2", "k2", "k3"], "case_id": ["c1", "c2", "c9", "c3"],
                       "unit": "vuxna_missbruk", "stratum": "vuxna_missbruk"})


@pytest.fixture
def written(tmp_path):
    p = tmp_path / "plan.yml"
    p.write_text(PLAN, encoding="utf-8")
    plan = load_plan(p)
    return plan, registration.write_templates(plan, SAMPLE, tmp_path / "urval", "2025")


def data_sheet(path):
    return openpyxl.load_workbook(path).worksheets[0]


def rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def validation_for(ws, cell):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, f"{cell}: {len(found)} valideringar"
    return found[0]


def _formula_value(text):
    m = re.fullmatch(r"DATE\((\d+),(\d+),(\d+)\)", text)
    return dt.date(*map(int, m.groups())) if m else float(text)


def operator(dv):
    return dv.operator or "between"  # the file format's default: a writer may leave it out


def allows(dv, value):
    """What Excel does with a typed value under a data-validation definition (the parts the templates use)."""
    if dv.type == "list":
        return str(value) in dv.formula1.strip('"').split(",")
    if dv.type == "whole" and float(value) != int(value):
        return False
    low = _formula_value(dv.formula1)
    if operator(dv) == "between":
        return low <= value <= _formula_value(dv.formula2)
    if operator(dv) == "greaterThanOrEqual":
        return value >= low
    raise AssertionError(operator(dv))


def test_one_template_per_occasion_and_table_without_case_system_tables(written):
    _, paths = written
    assert [p.name for p in paths] == [
        "registrering_fore_measurements.xlsx", "registrering_fore_goals.xlsx",
        "registrering_efter_measurements.xlsx", "registrering_efter_goal_followups.xlsx",
        "registrering_efter_evaluations.xlsx"]  # clients.sex comes from the case system, not a template
    assert all(p.parent.name == "urval" for p in paths)


def test_headers_are_schema_labels_and_rows_hold_pseudonyms_only(written):
    _, paths = written
    ws = data_sheet(paths[2])  # efter, measurements
    spec = schema.table("measurements")
    header, *body = rows(ws)
    # key + required columns + planned ones, in schema order; intervention_id is not planned for "efter"
    assert header == [spec.column(c).label for c in
                      ("measurement_id", "client_id", "instrument", "occasion", "date", "score")]
    # one row per sampled client (k2 has two cases: one row) and instrument
    assert [r[1] for r in body] == ["k1", "k1", "k2", "k2", "k3", "k3"]
    assert [r[2] for r in body] == ["AUDIT", "egen_skala"] * 3
    assert {r[3] for r in body} == {"efter"}
    assert body[0][0] == "R2025-measurements-efter-0001-AUDIT" and len({r[0] for r in body}) == 6
    assert all(r[4] is None and r[5] is None for r in body)  # left for the caseworker
    assert ws.freeze_panes == "A2"


def test_goal_ids_link_before_and_after(written):
    _, paths = written
    goals = rows(data_sheet(paths[1]))
    followups = rows(data_sheet(paths[3]))
    assert goals[0][:3] == ["Mål-id", "Insats-id", "Klient-id"]
    assert [r[0] for r in goals[1:]] == [r[0] for r in followups[1:]] == [
        "R2025-mal-0001", "R2025-mal-0002", "R2025-mal-0003"]


def test_validation_rejects_out_of_range_values(written):
    _, paths = written
    ws = data_sheet(paths[2])
    date = validation_for(ws, "E2")
    assert (date.type, operator(date), date.formula1, date.formula2) == (
        "date", "between", "DATE(1900,1,1)", "DATE(2025,12,31)")
    assert date.showErrorMessage and (date.errorStyle or "stop") == "stop"  # "stop": the default, may be left out
    assert allows(date, dt.date(2025, 6, 1)) and not allows(date, dt.date(2026, 1, 1))
    audit, own = validation_for(ws, "F2"), validation_for(ws, "F3")  # rows alternate AUDIT, egen_skala
    assert (audit.type, operator(audit), audit.formula1, audit.formula2) == ("decimal", "between", "0", "40")
    assert (own.formula1, own.formula2) == ("1", "10")
    assert allows(audit, 40) and not allows(audit, 41) and not allows(own, 0) and allows(own, 7.5)
    assert validation_for(ws, "F7") is own

    ev = data_sheet(paths[4])
    header = rows(ev)[0]
    rating = validation_for(ev, f"{chr(65 + header.index('Skattning 1–10'))}2")
    assert (rating.type, operator(rating), rating.formula1, rating.formula2) == ("whole", "between", "1", "10")
    assert allows(rating, 10) and not allows(rating, 11) and not allows(rating, 2.5)
    satisfied = validation_for(ev, f"{chr(65 + header.index('Tillfredsställande (ekonomiskt bistånd)'))}4")
    assert satisfied.type == "list" and satisfied.formula1 == '"ja,nej"' and not allows(satisfied, "kanske")

    fu = data_sheet(paths[3])
    attainment = validation_for(fu, "C2")
    assert attainment.type == "list" and attainment.formula1 == '"' + ",".join(schema.ATTAINMENT) + '"'
    assert allows(attainment, "ingen_forandring") and not allows(attainment, "bra")


def test_long_code_lists_go_to_a_hidden_sheet(tmp_path, monkeypatch):
    """A list longer than Excel takes inline (255 characters) is a range of the hidden sheet "Koder"."""
    codes: list = []
    long = [f"kod_nummer_{i:03d}" for i in range(40)]  # 40 × 15 characters: over Excel's 255
    assert registration._list_source(long, "type", codes) == "=Koder!$A$2:$A$41"
    assert registration._list_source(["ja", "nej"], "satisfied", codes) == ["ja", "nej"] and len(codes) == 1

    monkeypatch.setattr(registration, "INLINE_LIST_LIMIT", 5)  # every list of the templates goes to the sheet
    p = tmp_path / "plan.yml"
    p.write_text(PLAN, encoding="utf-8")
    path = registration.write_templates(load_plan(p), SAMPLE, tmp_path / "urval", "2025")[4]  # efter, evaluations
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Klientens utvärdering", "Instruktioner", "Koder"] and wb["Koder"].sheet_state == "hidden"
    ws, codes_sheet = wb.worksheets[0], wb["Koder"]
    header = rows(ws)[0]
    satisfied = validation_for(ws, f"{chr(65 + header.index('Tillfredsställande (ekonomiskt bistånd)'))}2")
    column = next(c for c in rows(codes_sheet)[0] if c == "satisfied")
    letter = chr(65 + rows(codes_sheet)[0].index(column))
    assert satisfied.type == "list" and satisfied.formula1 == f"Koder!${letter}$2:${letter}$3"
    assert [codes_sheet[f"{letter}{r}"].value for r in (2, 3)] == ["ja", "nej"]


def test_instruction_sheet_in_swedish(written):
    _, paths = written
    wb = openpyxl.load_workbook(paths[2])
    assert wb.sheetnames[:2] == ["Mätningar", "Instruktioner"]
    text = "\n".join(str(c) for r in wb["Instruktioner"].iter_rows(values_only=True) for c in r if c)
    assert "Registrering efter insats: mätningar" in text
    assert "Skriv aldrig personnummer" in text and "ÅÅÅÅ-MM-DD" in text
    assert "när: när insatsen avslutas – vem: handläggaren" in text
    assert "AUDIT (alkohol): 0–40; Egen skala 1–10: 1–10" in text
    assert "Poäng" in text and "Tillfälle" in text


def test_filled_template_reads_back_through_the_import(written, tmp_path):
    importing = pytest.importorskip("helpers.collect.importing")
    _, paths = written
    data = tmp_path / "data"
    clients = pd.DataFrame({"client_id": ["k1", "k2", "k3"], "birth_year": 1980, "sex": "man"})
    tables.write_table(data / "processed" / "2025", "clients", clients)
    wb = openpyxl.load_workbook(paths[2])
    ws = wb.worksheets[0]
    ws["E2"], ws["F2"] = dt.datetime(2025, 5, 1), 12      # k1 AUDIT
    ws["E3"], ws["F3"] = dt.datetime(2025, 5, 1), 7.5     # k1 egen skala
    ws["E4"], ws["F4"] = dt.datetime(2025, 6, 3), 41      # k2 AUDIT: outside 0–40, Excel would have stopped it
    filled = tmp_path / "ifylld.xlsx"
    wb.save(filled)
    res = importing.import_file("measurements", filled, "2025", mapping=None, config=load_config(),
                                data_dir=data, write=False)
    assert res.rows_in == 6 and len(res.accepted) + len(res.rejected["Rad"].unique()) == 6
    acc = res.accepted.sort_values("measurement_id")
    assert list(acc["client_id"]) == ["k1", "k1"] and list(acc["score"]) == [12.0, 7.5]
    assert list(acc["instrument"]) == ["AUDIT", "egen_skala"] and set(acc["occasion"]) == {"efter"}
    assert list(acc["date"].dt.strftime("%Y-%m-%d")) == ["2025-05-01", "2025-05-01"]
    assert 4 in set(res.rejected["Rad"])  # the out-of-range score, row 4 of the sheet


def test_score_validations_cover_exactly_each_instruments_rows_as_ranges():
    rows = ["KASAM13", "KASAM13", "AUDIT", None, "KASAM13", "AUDIT", "AUDIT"]
    dvs = registration._score_validations("F", rows)
    by_max = {dv["maximum"]: dv for dv in dvs}
    kasam, audit = (by_max[f"{schema.INSTRUMENTS[i]['max']:g}"] for i in ("KASAM13", "AUDIT"))
    assert kasam["multi_range"].split() == ["F2:F3", "F6"] and audit["multi_range"].split() == ["F4", "F7:F8"]
    assert (audit["validate"], audit["criteria"], audit["minimum"]) == ("decimal", "between", "0")


def test_messages_longer_than_excel_allows_are_shortened_not_dropped():
    column = schema.Column("kod", "code", label="En kolumn med en mycket lång rubrik", codes=tuple(
        f"kod_{i:02d}" for i in range(60)))
    options = registration._validation(column, "2025", [], [])
    assert len(options["input_message"]) == 255 and options["input_message"].endswith("…")
    assert len(options["input_title"]) == 32 and len(options["error_message"]) <= 255


def _look(ws, cell):
    """What Excel shows for a cell: its own style, or else its column's default style."""
    if cell.has_style:
        return cell
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= cell.column <= dim.max:
            return dim
    return cell


def test_every_row_of_a_template_carries_its_columns_look(written):
    """Grey prefilled cells, date and text formats on every data row, the last as the first, and on the rows
    a caseworker adds below them."""
    _, paths = written
    checked = 0
    for path in paths:
        ws = data_sheet(path)
        headers, last = [c.value for c in ws[1]], max(ws.max_row, 3)  # reading a cell below adds it
        for j, header in enumerate(headers, start=1):
            cells = [_look(ws, ws.cell(row=r, column=j)) for r in range(2, last + 1)]
            looks = {(c.fill.fgColor.rgb if c.fill.fill_type else None, c.number_format) for c in cells}
            assert len(looks) == 1, (path.name, header, looks)
            fill, fmt = looks.pop()
            below = _look(ws, ws.cell(row=last + 5, column=j))  # a row the caseworker adds
            if header in ("Klient-id", "Ärende-id"):
                assert fill[-6:] == "E7E6E6" and fmt == "@"
                assert not below.fill.fill_type and below.number_format == "@"  # not prefilled: not grey
            if header == "Datum":
                assert fill is None and fmt == registration.DATE_FORMAT
                assert below.number_format == registration.DATE_FORMAT
            checked += len(cells)
    assert checked > 0
