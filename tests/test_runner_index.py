"""reports/index.html: every period, municipality and scope with status, date, key figures and working links, on
one self-contained Swedish page that axe finds no WCAG 2.1 A/AA problems in."""
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from helpers.publication.store import FOLDER, WORKBOOK
from helpers.report.bundle import ANNEX
from helpers.run import index_page
from helpers.run.index_page import key_figures, scan, write_index


def _scope(folder: Path, status="klar", kommun="Exempelkommun", unit_name="Hela verksamheten", files=("html", "pdf"),
           finished="2026-03-13T14:05:00+01:00"):
    (folder / "notebooks").mkdir(parents=True, exist_ok=True)
    (folder / "notebooks" / "korning.json").write_text(json.dumps(
        {"kommun": kommun, "enhet_namn": unit_name, "status": status, "avslutad": finished}), encoding="utf-8")
    for suffix in files:
        (folder / f"kvalitetsredovisning.{suffix}").write_text("x", encoding="utf-8")


@pytest.fixture()
def reports(tmp_path):
    root = tmp_path / "reports"
    _scope(root / "2025")
    (root / "2025" / FOLDER).mkdir()
    (root / "2025" / FOLDER / WORKBOOK).write_bytes(b"PK")  # the names the publication and the report use
    (root / "2025" / f"{ANNEX}.pdf").write_bytes(b"%PDF")
    (root / "2025" / "bilaga 1.pdf").write_bytes(b"%PDF")  # not the report's: not linked
    _scope(root / "2025" / "enheter" / "barn_unga", unit_name="Barn och unga", files=("html",))
    _scope(root / "2025" / "enheter" / "vuxna_missbruk", status="fel", unit_name="Vuxna – missbruk", files=())
    _scope(root / "2024", finished="2025-03-14T09:00:00+01:00")
    (root / "2025" / "nyckeltal.json").write_text(json.dumps({
        "hela verksamheten": [{"namn": "Mål i alla ärenden", "varde": "87 %"}, {"namn": "Klienter", "varde": 5123}],
        "barn_unga": {"Placerade barn": 41, "Andel med besök": 0.5}}), encoding="utf-8")
    (root / "2024" / "nyckeltal.json").write_text("{inte json", encoding="utf-8")
    (root / "anteckningar").mkdir()  # not a period: ignored
    return root


def test_scan_finds_every_period_and_scope_with_status_date_and_links(reports):
    rows = scan(reports)
    assert [(r.period, r.scope, r.status) for r in rows] == [
        ("2025", "Hela verksamheten", "Klar"), ("2025", "Barn och unga", "Klar"),
        ("2025", "Vuxna – missbruk", "Misslyckades"), ("2024", "Hela verksamheten", "Klar")]
    whole = rows[0]
    assert whole.date == "2026-03-13 14:05" and whole.municipality == "Exempelkommun"
    assert [label for label, _ in whole.links] == ["Rapport (HTML)", "Rapport (PDF)", "Bilaga (PDF)",
                                                   "Indikatorer (Excel)"]
    assert whole.figures == [("Mål i alla ärenden", "87 %"), ("Klienter", "5\u00a0123")]
    assert rows[1].figures == [("Placerade barn", "41"), ("Andel med besök", "0,5")]
    assert rows[2].links == [] and rows[3].figures == []  # unreadable key figures are simply not shown


def test_the_index_looks_for_the_names_the_report_and_the_publication_give_their_files():
    from helpers.run.annex_job import ANNEX_BASENAME

    assert index_page.ANNEX == ANNEX_BASENAME == ANNEX and index_page.WORKBOOK == (FOLDER, WORKBOOK)


def test_key_figures_of_a_scope_folder_win_over_the_period_file(reports):
    unit = reports / "2025" / "enheter" / "barn_unga"
    (unit / "nyckeltal.json").write_text(json.dumps([{"etikett": "Egen", "värde": 1}]), encoding="utf-8")
    assert key_figures(reports / "2025", unit, "barn_unga") == [("Egen", "1")]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.hrefs, self.srcs = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "a":
            self.hrefs.append(a.get("href", ""))
        if a.get("src"):
            self.srcs.append(a["src"])


def test_page_is_self_contained_swedish_and_every_link_works(reports):
    path = write_index(reports)
    html = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    assert '<html lang="sv">' in html and not page.srcs
    assert not re.search(r"https?://", html) and "<script" not in html and "<link" not in html
    assert html.count("<caption>") == 2 and "Rapporter för 2025" in html and "Rapporter för 2024" in html
    headers = [a for tag, a in page.tags if tag == "th"]
    assert headers and all(a.get("scope") in ("col", "row") for a in headers)
    files = [h for h in page.hrefs if not h.startswith("#")]
    assert len(files) == 7
    for href in files:
        assert (reports / unquote(href)).is_file(), href
    assert f'href="2025/{ANNEX}.pdf"' in html and "bilaga%201.pdf" not in html
    assert html.index("2025") < html.index('id="period-2024"')  # newest period first


def test_a_batch_root_lists_every_municipality(tmp_path, reports):
    other = tmp_path / "andra" / "reports"
    _scope(other / "2025", kommun="Andra kommun")
    path = write_index(tmp_path, [("Exempelkommun", reports), ("Andra kommun", other)])
    html = path.read_text(encoding="utf-8")
    assert "Andra kommun" in html and 'href="andra/reports/2025/kvalitetsredovisning.html"' in html
    assert 'href="reports/2025/enheter/barn_unga/kvalitetsredovisning.html"' in html


@pytest.mark.browser
def test_index_has_no_axe_violations(reports):
    from helpers.report.a11y import axe_violations, describe, find_chromium

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium saknas (/usr/lib/chromium/chromium): installera Debian-paketet chromium.")
    violations = axe_violations(write_index(reports), chromium)
    assert violations == [], describe(violations)
