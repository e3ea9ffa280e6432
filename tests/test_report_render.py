"""The rendered kvalitetsredovisning (HTML and PDF) from hand-made step 5/6 files."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from helpers.report.render import render_report
from helpers.report.sections import SECTIONS
from test_report_fixtures import GOALS, executed_notebook, make_project


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("rapport")
    project = make_project(root)
    files = render_report(executed_notebook(project), root / "ut")
    html = files["html"].read_text(encoding="utf-8")
    return {"project": project, "files": files, "html": html, "soup": BeautifulSoup(html, "html.parser"),
            "root": root}


def test_all_sections_in_order(rendered):
    heads = [h.get_text(strip=True) for h in rendered["soup"].select("section.avsnitt > h2")]
    assert heads == [title for _, title in SECTIONS]
    assert "Uppföljning – vad har vi uppnått?" in heads
    # per unit in the whole organisation's report
    sub = [h.get_text(strip=True) for h in rendered["soup"].select("#uppfoljning h3")]
    assert sub == ["Hela verksamheten", "Barn och unga", "Vuxna – missbruk och beroende", "Ekonomiskt bistånd"]


def test_title_page_and_language(rendered):
    soup = rendered["soup"]
    assert soup.html["lang"] == "sv"
    assert soup.title.get_text() == "Exempelkommun – Kvalitetsredovisning 2025"
    title_page = soup.select_one(".titelsida").get_text(" ", strip=True)
    for text in ("Exempelkommun", "Socialnämnden", "SN 2026/0027", "2026-03-13"):
        assert text in title_page
    assert [h.name for h in soup.find_all(re.compile(r"^h\d$"))][0] == "h1"
    assert len(soup.find_all("h1")) == 1


def test_no_code_prompts_scripts_or_network(rendered):
    html = rendered["html"]
    assert "<script" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", html)
    assert not re.search(r"url\(\s*['\"]?https?://", html)
    for leak in ("display(HTML", "rapport.", "In&nbsp;[", "Out[", "felsökningsutskrift", "Förklaring för analytikern",
                 "&lt;HTML&gt;"):
        assert leak not in html


def test_images_have_real_alt_text(rendered):
    imgs = rendered["soup"].find_all("img")
    assert imgs, "the fixture has one figure"
    for img in imgs:
        alt = img.get("alt", "").strip()
        assert alt and "No description" not in alt
        assert img["src"].startswith("data:image/")
    caption = rendered["soup"].select_one("figure figcaption").get_text()
    assert caption == "Figur 1. Insatser med mål per enhet"


def test_tables_have_caption_and_scoped_headers(rendered):
    tables = rendered["soup"].find_all("table")
    numbers = []
    for t in tables:
        assert t.caption and t.caption.get_text().startswith("Tabell ")
        numbers.append(int(t.caption.get_text().split()[1].rstrip(".")))
        assert all(th.get("scope") in ("col", "row") for th in t.find_all("th"))
    assert numbers == list(range(1, len(tables) + 1))


def test_goal_table_matches_mal_parquet(rendered):
    table = next(t for t in rendered["soup"].find_all("table") if "Mål för perioden" in t.caption.get_text())
    headers = [th.get_text() for th in table.select("thead th")]
    assert headers == ["Mål", "Målvärde", "Resultat", "Status"]
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]
    expected = [[g.mal, g.malvarde_text, g.resultat_text, g.status[0].upper() + g.status[1:]]
                for g in GOALS.itertuples()]
    assert rows == expected


def test_numbers_swedish_and_suppressed_with_legend(rendered):
    soup = rendered["soup"]
    table = next(t for t in soup.find_all("table") if "Nyckeltal för hela" in t.caption.get_text())
    cells = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in table.select("tbody tr")}
    # 80/100 -> "80 %" with a non-breaking space; the median 95.5 -> "95,5"
    assert cells["Insatser med dokumenterat mål"] == ["80\u00a0%", "80", "100"]
    assert cells["Tid till beslut (median, dagar)"][0] == "95,5"
    sex = next(t for t in soup.find_all("table") if "per kön" in t.caption.get_text())
    assert "X" in [td.get_text() for td in sex.find_all("td")]
    assert "röjandekontroll" in sex.find_parent("div").get_text()


def test_goal_status_counts_add_up(rendered):
    # 4 goals, one per status (GOALS), so the status table shows 1, 1, 1, 1 and 4.
    table = rendered["soup"].find("table", id="tabell-1")
    assert [td.get_text() for td in table.select("td")] == ["1", "1", "1", "1", "4"]


def test_pdf_a4_title_page_numbers_tagged(rendered):
    reader = PdfReader(rendered["files"]["pdf"])
    assert len(reader.pages) >= 4
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - 595.28) < 1 and abs(h - 841.89) < 1  # A4 in points
    first = reader.pages[0].extract_text()
    assert "Kvalitetsredovisning 2025" in first and "Sida" not in first
    n = len(reader.pages)
    assert f"Sida 2 av {n}" in reader.pages[1].extract_text()
    assert "Exempelkommun – Kvalitetsredovisning 2025" in reader.pages[2].extract_text()  # running header
    toc = reader.pages[1].extract_text()
    assert re.search(r"Om underlaget \.+ \d+", toc)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv"
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert reader.metadata.title == "Exempelkommun – Kvalitetsredovisning 2025"


def test_same_inputs_give_identical_html(rendered, tmp_path):
    again = render_report(executed_notebook(rendered["project"]), tmp_path, formats=("html",))
    assert again["html"].read_bytes() == rendered["files"]["html"].read_bytes()


def test_unit_report_has_the_same_structure(rendered, tmp_path):
    files = render_report(executed_notebook(rendered["project"], unit="barn_unga"), tmp_path, formats="html")
    soup = BeautifulSoup(files["html"].read_text(encoding="utf-8"), "html.parser")
    assert soup.title.get_text() == "Exempelkommun – Kvalitetsredovisning 2025 – Barn och unga"
    assert [h.get_text() for h in soup.select("section.avsnitt > h2")] == [t for _, t in SECTIONS]


def test_missing_inputs_degrade_to_uppgift_saknas(tmp_path):
    project = make_project(tmp_path, texts={})
    for sub in ("indicators", "analys", "figurer"):
        for f in (project["output_dir"] / sub).iterdir():
            f.unlink()
    files = render_report(executed_notebook(project), tmp_path / "ut", formats="html")
    text = files["html"].read_text(encoding="utf-8")
    assert "uppgift saknas" in text and "Text saknas för detta avsnitt." in text


def test_unknown_format_is_a_swedish_error(rendered, tmp_path):
    with pytest.raises(ValueError, match="Okänt format"):
        render_report(executed_notebook(rendered["project"]), tmp_path, formats="docx")


def test_appendix_names_units_and_groupings_in_swedish(rendered):
    table = next(t for t in rendered["soup"].find_all("table")
                 if t.caption.get_text().endswith("Insatser med dokumenterat mål per enhet 2025"))
    groups = [tr.th.get_text() for tr in table.select("tbody tr")]
    assert groups == ["Barn och unga", "Vuxna – missbruk och beroende", "Ekonomiskt bistånd", "Totalt"]


def test_only_the_report_period_is_tabulated(tmp_path):
    """Indicator files hold earlier periods too; the report's tables count only its own period."""
    import pandas as pd

    from helpers.report.inputs import load_indicators

    rows = [{"indicator": "mal_i_arenden", "period": p, "grouping": "total", "group": "Totalt", "category": "",
             "numerator": num, "denominator": 10.0, "value": num / 10, "ci_low": None, "ci_high": None,
             "n": 10.0, "suppressed": False} for p, num in (("2024", 6.0), ("2025", 8.0))]
    pd.DataFrame(rows).to_parquet(tmp_path / "mal_i_arenden.parquet")
    assert len(load_indicators(tmp_path)) == 2
    only = load_indicators(tmp_path, "2025")
    assert only["period"].tolist() == ["2025"] and only["numerator"].tolist() == [8.0]
