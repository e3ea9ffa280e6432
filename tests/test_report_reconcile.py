"""Totals against their parts and shares against numerator/denominator, before the report is rendered."""
from __future__ import annotations

import nbformat
import pytest

from helpers.report.errors import ReportCheckError
from helpers.report.reconcile import (EXPLAINED, MISMATCH, OK, assert_reconciled, check_share, check_sum,
                                      parse_number, reconcile_html)
from helpers.report.render import render_report
from helpers.report.tables import Col, html_table

COLS = [Col("label", "Måluppfyllelse"), Col("antal", "Antal mål", "count", sums=True)]


def nacka(total=168, suppressed=False, explained=None) -> str:
    # The Nacka report: 168 goals, but its parts are 118 + 38 + 11 = 167.
    rows = [{"label": "Uppfyllt", "antal": 118, "_role": "part"},
            {"label": "Delvis uppfyllt", "antal": 38, "_role": "part"},
            {"label": "Inte uppfyllt", "antal": 11, "_role": "part",
             "_suppressed": {"antal"} if suppressed else set()},
            {"label": "Samtliga mål", "antal": total, "_role": "total"}]
    return html_table(rows, COLS, "Tabell 4. Måluppfyllelse i Nacka", table_id="t4", explained=explained)


def test_parse_swedish_numbers():
    assert parse_number("1\u00a0234") == 1234
    assert parse_number("70\u00a0%") == pytest.approx(0.70)
    assert parse_number("2,5") == 2.5
    assert parse_number("−3") == -3
    assert parse_number("X") is None and parse_number("–") is None


def test_sum_rules():
    assert check_sum([118, 38, 11], 167)[0] == OK
    status, detail = check_sum([118, 38, 11], 168)
    assert status == MISMATCH and "167" in detail and "168" in detail
    assert check_sum([118, 38, None], 168, suppressed_parts=True)[0] == EXPLAINED


def test_share_rules():
    # 71 % of 412: 292/412 = 70.87 % -> printed "71 %" agrees; 300/412 = 72.8 % does not.
    assert check_share("71\u00a0%", 292, 412)
    assert not check_share("71\u00a0%", 300, 412)
    assert check_share("70,9\u00a0%", 292, 412) and not check_share("71,0\u00a0%", 292, 412)


def test_nacka_table_stops_with_the_table_named():
    with pytest.raises(ReportCheckError) as err:
        assert_reconciled(nacka())
    assert "Tabell 4. Måluppfyllelse i Nacka" in str(err.value)
    assert "167" in str(err.value) and "168" in str(err.value)


def test_correct_total_passes():
    assert [c.status for c in assert_reconciled(nacka(total=167))] == [OK]


def test_suppressed_part_explains_the_difference_and_says_so():
    html = nacka(suppressed=True)
    assert [c.status for c in assert_reconciled(html)] == [EXPLAINED]
    assert "Summor kan därför avvika" in html


def test_printed_explanation_explains_the_difference():
    html = nacka(explained="Ett mål räknas i två grupper.")
    assert [c.status for c in reconcile_html(html)] == [EXPLAINED]
    assert "Ett mål räknas i två grupper." in html


def test_wrong_share_is_a_mismatch():
    rows = [{"label": "Barn och unga", "andel": 0.9, "num": 30, "den": 40}]
    html = html_table(rows, [Col("label", "Enhet"), Col("andel", "Andel", "share"), Col("num", "Täljare", "count"),
                             Col("den", "Nämnare", "count")], "Tabell 2. Andel med mål", table_id="t2",
                      share_cols=[("andel", "num", "den")])
    [check] = reconcile_html(html)
    assert check.status == MISMATCH and "90" in check.detail


def test_render_refuses_a_report_whose_parts_do_not_add_up(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": nacka()})]
    nb.cells.append(cell)
    with pytest.raises(ReportCheckError, match="Måluppfyllelse i Nacka"):
        render_report(nb, tmp_path / "ut", formats="html")
    assert not (tmp_path / "ut" / "kvalitetsredovisning.html").exists()


def test_render_stops_a_report_that_shows_a_personnummer_naming_each_file(tmp_path):
    """The privacy check reads the written HTML (beside typst setting the PDF) and the PDF; both are named."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": '<h1 data-report-title="Test">Test</h1><p>Klienten 19121212-1212 flyttade.</p>'})]
    nb.cells.append(cell)
    with pytest.raises(ReportCheckError) as err:
        render_report(nb, tmp_path / "båda", formats=("html", "pdf"))
    message = str(err.value)
    assert "kvalitetsredovisning.html: 1 fynd" in message and "kvalitetsredovisning.pdf: 1 fynd" in message
    assert "121212-XXXX" in message and "1212 flyttade" not in message
    with pytest.raises(ReportCheckError, match=r"kvalitetsredovisning\.html: 1 fynd"):
        render_report(nb, tmp_path / "html", formats="html")
    nb.cells[0].outputs[0]["data"]["text/html"] = '<h1 data-report-title="Test">Test</h1><p>Inget här.</p>'
    assert set(render_report(nb, tmp_path / "ren", formats=("html", "pdf"))) == {"html", "pdf"}
