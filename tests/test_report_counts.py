"""The report prints no count that is not a cell of the publication or protected like one: the expected shortfall
comes from the publication's cell, step 1's verdicts come without shares, the import log's row counts get the
privacy rules, and the alarms on the title page carry no counts. Small counts planted in each place stay out of
the report; large ones are still printed where they are safe."""
import json

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from helpers import params
from helpers.formatting import SUPPRESSED
from helpers.report import underlag
from helpers.report.checks import check_html
from helpers.report.live import SUPPRESSED_TEXT
from helpers.report.sections import Report
from helpers.report.tables import Col, html_table
from test_report_fixtures import _cell, make_project, publication_cells

NBSP = "\u00a0"
# Step 1's own numbers: the shortfall counted outside the publication and the shares of a small sample.
PLANNING = {"metod": "alla", "metod_namn": "Alla klienter", "bortfall": {
    "period": "2024", "med_fore": 7, "utan_efter": 3,
    "text": "Förväntat bortfall: 43 % av de avslutade insatserna 2024 med en före-mätning saknade efter-mätning "
            "(3 av 7)."},
    "bedomningar": {"Kön": "Urvalet skiljer sig från populationen i fråga om kön: överrepresenterade är Kvinnor "
                           "(75 % i urvalet mot 50 % i populationen)."},
    "bedomningar_rapport": {"Kön": "Urvalet skiljer sig från populationen i fråga om kön: överrepresenterade är "
                                   "Kvinnor."}}
# Two sources: one with 3 rejected rows (under min_cell 5), one with 20.
IMPORT_LOG = {"clients|a.csv": {"table": "clients", "source": "a.csv", "rows_in": 1000, "accepted": 997,
                                "rejected": 3, "reasons": {"Ogiltigt personnummer": 3}},
              "interventions|b.csv": {"table": "interventions", "source": "b.csv", "rows_in": 500, "accepted": 480,
                                      "rejected": 20, "reasons": {"Datum saknas": 20}}}
ALARMS = [{"fil": "a.csv", "tabell": "clients", "orsak": "Stor andel avvisade rader", "rader_in": 10, "avvisade": 3,
           "meddelande": "a.csv → clients: 3 av 10 rader avvisades (30 %), mer än gränsen 5 %.", "steg": 2,
           "rapporttext": "a.csv → clients: stor andel avvisade rader."},
          {"fil": "c.csv", "tabell": "cases", "orsak": "Inga godkända rader", "rader_in": 2, "avvisade": 2,
           "meddelande": "c.csv → cases: alla 2 rader avvisades.", "steg": 2}]  # written before rapporttext


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("antal")
    project = make_project(root)
    # Last year's after-measurement cell: 1 457 of 1 895 measured, 438 without; for barn_unga it is suppressed.
    cells = pd.concat([publication_cells(), pd.DataFrame([
        _cell("matning_efter_insats", "hela", "total", "Totalt", 1457, 1895, 1457 / 1895, period="2024"),
        _cell("matning_efter_insats", "barn_unga", "total", "Totalt", np.nan, np.nan, np.nan, period="2024",
              status="undertryckt")])], ignore_index=True)
    cells.to_parquet(project["output_dir"] / "publikation" / "celler.parquet", index=False)
    processed = project["data_dir"] / "processed" / "2025"
    (processed / "planering").mkdir(parents=True)
    (processed / "planering" / "urval.json").write_text(json.dumps(PLANNING, ensure_ascii=False), encoding="utf-8")
    (processed / "importlogg.json").write_text(json.dumps(IMPORT_LOG, ensure_ascii=False), encoding="utf-8")
    (processed / "larm.json").write_text(json.dumps(ALARMS, ensure_ascii=False), encoding="utf-8")
    return project


def report(project, unit=None) -> Report:
    return Report(params.validate("2025", str(project["config"]), str(project["data_dir"]),
                                  str(project["output_dir"]), unit))


def _text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ")


def test_the_shortfall_is_the_publications_cell_and_hidden_where_it_is(project):
    whole = _text(report(project).analys())
    # 1 895 − 1 457 = 438 without an after measurement: 438 / 1 895 = 23 %.
    assert (f"Förväntat bortfall bland förmätningarna i insatser som avslutades 2024: 23{NBSP}% saknade "
            f"eftermätning (438 av 1{NBSP}895).") in whole
    assert "3 av 7" not in whole  # step 1's own count is not printed
    unit = _text(report(project, "barn_unga").analys())
    assert f"avslutades 2024: {SUPPRESSED_TEXT}." in unit and "438" not in unit and "3 av 7" not in unit


def test_the_verdicts_name_categories_without_the_samples_shares(project):
    text = _text(report(project).analys())
    assert "överrepresenterade är Kvinnor." in text
    assert "i urvalet mot" not in text and "75" not in text


def test_small_import_counts_are_hidden_with_their_partners_and_large_ones_printed(project):
    html = report(project).om_underlaget()
    soup = BeautifulSoup(html, "html.parser")
    tables = soup.find_all("table")
    sources = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in tables[0].select("tbody tr")}
    reasons = {tr.th.get_text(): tr.td.get_text() for tr in tables[1].select("tbody tr")}
    # a.csv: 3 rejected (under 5) is hidden, and so are the accepted rows (1 000 − 997 = 3). The 3 would also
    # follow from the column (23 − 20) and from the reasons (23 − 20): b.csv's 20, its accepted rows
    # (500 − 480 = 20) and the reason with 20 rows are hidden as well. The rows in each file and the totals stay.
    assert sources == {"a.csv → Klienter": [f"1{NBSP}000", SUPPRESSED, SUPPRESSED],
                       "b.csv → Insatser": ["500", SUPPRESSED, SUPPRESSED],
                       "Samtliga källor": [f"1{NBSP}500", f"1{NBSP}477", "23"]}
    assert reasons == {"Ogiltigt personnummer": SUPPRESSED, "Datum saknas": SUPPRESSED,
                       "Samtliga avvisade rader": "23"}
    assert "röjandekontroll" in soup.get_text()  # the legend under the tables
    assert check_html(html, 5) == []


def test_the_privacy_check_reads_the_import_counts():
    # Unprotected, the 3 is caught: the import tables' columns are counts for the check.
    rows = underlag.source_rows(list(IMPORT_LOG.values()))
    html = html_table(rows, [Col("label", "Källa"), Col("rejected", "Avvisade", "count", sums=True)], "t",
                      table_id="t")
    assert [f.text for f in check_html(html, 5)] == ["3"]


def test_a_small_reason_gets_one_partner_and_the_other_counts_stay():
    log = [{"table": "clients", "source": "a.csv", "rows_in": 1000, "accepted": 990, "rejected": 10,
            "reasons": {"Ogiltigt personnummer": 6, "Datum saknas": 4}}]
    sources, reasons = underlag.source_rows(log), underlag.reason_rows(log)
    underlag.protect_import_tables(sources, reasons, _Config())
    # 4 rows with a missing date is under 5: hidden, with 6 (10 − 4) as its partner; every other count stays.
    assert [r.get("_suppressed", set()) for r in sources] == [set(), set()]
    assert [(r["label"], r.get("_suppressed", set())) for r in reasons] == [
        ("Ogiltigt personnummer", {"antal"}), ("Datum saknas", {"antal"}), ("Samtliga avvisade rader", set())]


class _Config:
    min_cell = 5

    def get(self, key, default=None):
        return default


def test_alarms_on_the_title_page_carry_no_counts(project):
    text = _text(report(project).title_page())
    assert "a.csv → clients: stor andel avvisade rader." in text
    assert "c.csv: inga godkända rader." in text  # an alarm written before the reader's version existed
    assert "3 av 10" not in text and "alla 2 rader" not in text
