"""The rendered kvalitetsredovisning (HTML and PDF) from hand-made step 5/6 files."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from helpers.collect import alarms
from helpers.report.render import render_report
from helpers.report.sections import SECTIONS
from keyless_export import TEST_KEY
from test_alarms import export, run_step
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
    # the units side by side in one table (the fixture has no unit texts or unit figures, so no unit headings)
    sub = [h.get_text(strip=True) for h in rendered["soup"].select("#uppfoljning h3")]
    assert sub == ["Hela verksamheten", "Nyckeltal per enhet"]


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
    for leak in ("display(HTML", "rapport.title", "In&nbsp;[", "Out[", "felsökningsutskrift", "Förklaring för analytikern",
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


def test_numbers_swedish_with_their_units_this_year_beside_last_year(rendered):
    soup = rendered["soup"]
    table = next(t for t in soup.find_all("table") if "Nyckeltal för hela" in t.caption.get_text())
    assert [th.get_text() for th in table.select("thead th")] == ["Indikator", "2024", "2025", "Förändring",
                                                                   "Antal (n) 2025"]
    cells = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in table.select("tbody tr")}
    # 72 % -> 80 % of 100: "+8 procentenheter"; the median 95.5 days -> "95,5 dagar" is not rounded away
    assert cells["Mål i alla ärenden"] == ["72\u00a0%", "80\u00a0%", "+8 procentenheter", "100"]
    assert cells["Utredningstid (median)"][1] == "96 dagar"
    # the units' columns are the units' own cells: 30 of 40 for Barn och unga
    units = next(t for t in soup.find_all("table") if "Nyckeltal per enhet 2025" in t.caption.get_text())
    assert [th.get_text() for th in units.select("thead th")] == ["Indikator", "Barn och unga",
                                                                   "Vuxna – missbruk och beroende", "Ekonomiskt bistånd"]
    assert {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in units.select("tbody tr")} \
        == {"Mål i alla ärenden": ["75\u00a0%", "83\u00a0%", "83\u00a0%"]}
    assert not any("Nyckeltal för Barn och unga" in t.caption.get_text() for t in soup.find_all("table"))


def test_suppressed_counts_show_x_with_legend(rendered):
    soup = rendered["soup"]
    table = next(t for t in soup.find_all("table") if "Synpunkter, klagomål" in t.caption.get_text())
    rows = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in table.select("tbody tr")}
    assert rows["Klagomål"][0] == "60" and rows["Synpunkter"][0] == "X"
    assert "röjandekontroll" in table.find_parent("div").get_text()


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
    # the unit keeps its own key-figure table, and its value is the one the organisation's comparison shows
    own = next(t for t in soup.find_all("table") if "Nyckeltal för Barn och unga 2025" in t.caption.get_text())
    own_now = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")][1] for tr in own.select("tbody tr")}
    units = next(t for t in rendered["soup"].find_all("table") if "Nyckeltal per enhet" in t.caption.get_text())
    column = [th.get_text() for th in units.select("thead th")].index("Barn och unga")
    in_org = {tr.th.get_text(): [c.get_text() for c in tr.find_all(["th", "td"])][column]
              for tr in units.select("tbody tr")}
    assert own_now == {k: v for k, v in in_org.items() if v != "ej tillämpligt"} == {"Mål i alla ärenden": "75\u00a0%"}


class _Cells:
    """A publication's lookups (applies, cell, period) over a few hand-made cells."""

    period = "2025"

    def __init__(self, cells: dict, applies: set):
        self.cells, self.applicable = cells, applies

    def applies(self, name, scope=None):
        return (name, scope) in self.applicable

    def cell(self, name, scope=None, period=None, grouping="total", group="Totalt", category=""):
        return self.cells.get((name, scope, period or self.period, category))


def test_units_side_by_side_are_the_units_own_cells():
    import pandas as pd

    from helpers.report import keyfigures
    from helpers.report.tables import html_table

    def cell(value, status="publicerad", n=50):
        return pd.Series({"value": value, "status": status, "n": n})

    pub = _Cells({("mal_i_arenden", "a", "2025", ""): cell(0.85), ("mal_i_arenden", "a", "2024", ""): cell(0.8),
                  ("mal_i_arenden", "b", "2025", ""): cell(float("nan"), "undertryckt", float("nan")),
                  ("utredningstid_median", "a", "2025", ""): cell(89.0),
                  ("forsorjningsstod_mottagare", "b", "2025", ""): cell(2449.0),
                  ("placerade", "a", "2025", "periodens_slut"): cell(0.0)},
                 {("mal_i_arenden", "a"), ("mal_i_arenden", "b"), ("utredningstid_median", "a"),
                  ("forsorjningsstod_mottagare", "b"), ("placerade", "a"), ("lex_sarah", "a")})
    rows, cols = keyfigures.by_unit(pub, {"a": "Enhet A", "b": "Enhet B"})
    by_label = {r["label"]: r for r in rows}
    for code in ("a", "b"):  # each value is the "now" of the unit's own key-figure row, hidden where it is hidden
        for own in keyfigures.rows(pub, code):
            line = by_label[own["label"]]
            assert line[code] == own["now"]
            assert (code in line["_suppressed"]) == ("now" in own["_suppressed"])
    html = html_table(rows, cols, "Nyckeltal per enhet 2025", table_id="t")
    soup = BeautifulSoup(html, "html.parser")
    cells = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in soup.select("tbody tr")}
    assert cells["Mål i alla ärenden"] == ["85\u00a0%", "X"]  # suppressed: X, with the legend
    assert cells["Utredningstid (median)"] == ["89 dagar", "ej tillämpligt"]  # not the unit's area: not 0
    assert cells["Mottagare av försörjningsstöd"] == ["ej tillämpligt", "2\u00a0449"]
    assert cells["Placerade vid periodens början och slut: vid periodens slut"] == ["0", "ej tillämpligt"]
    assert "Lex Sarah-rapporter" not in cells  # applies, but no unit has a cell
    assert "röjandekontroll" in soup.get_text()
    marked = soup.select("td[data-count]")  # counts stay marked for the privacy check
    assert sorted(td.get_text() for td in marked) == ["0", "2\u00a0449"]


def test_missing_inputs_degrade_to_uppgift_saknas(tmp_path):
    project = make_project(tmp_path, texts={})
    for sub in ("analys", "figurer"):
        shutil.rmtree(project["output_dir"] / sub)
    files = render_report(executed_notebook(project), tmp_path / "ut", formats="html")
    text = files["html"].read_text(encoding="utf-8")
    assert "uppgift saknas" in text and "Text saknas för detta avsnitt." in text


def test_unknown_format_is_a_swedish_error(rendered, tmp_path):
    with pytest.raises(ValueError, match="Okänt format"):
        render_report(executed_notebook(rendered["project"]), tmp_path, formats="docx")


def test_the_annex_names_units_and_groupings_in_swedish(rendered):
    from helpers import params
    from helpers.publication.store import load_publication
    from helpers.report.annex import Annex

    project = rendered["project"]
    run = params.validate("2025", str(project["config"]), str(project["data_dir"]), str(project["output_dir"]))
    pub = load_publication(run.paths.publication, run.config, "2025")
    soup = BeautifulSoup(Annex(pub, run.config, None, "Bilaga").html(), "html.parser")
    table = next(t for t in soup.find_all("table") if t.caption.get_text().endswith("Mål i alla ärenden per enhet 2025"))
    groups = [tr.th.get_text() for tr in table.select("tbody tr")]
    assert groups == ["Barn och unga", "Vuxna – missbruk och beroende", "Ekonomiskt bistånd", "Totalt"]
    sex = next(t for t in soup.find_all("table") if "per kön" in t.caption.get_text())
    assert [tr.th.get_text() for tr in sex.select("tbody tr")] == ["Kvinnor", "Män", "Uppgift saknas", "Totalt"]
    # only the report's own period is tabulated: the 2024 cell (72 of 100) appears nowhere
    assert "72" not in soup.get_text()


def test_om_underlaget_names_the_sources_an_earlier_period_lacked(tmp_path):
    project = make_project(tmp_path)
    earlier = project["data_dir"] / "processed" / "2024"
    earlier.mkdir(parents=True)
    (earlier / "importlogg.json").write_text(
        '{"missing_sources": [{"file": "barn/insatser.csv", "tables": ["interventions", "placements"]}]}',
        encoding="utf-8")
    html = render_report(executed_notebook(project), tmp_path / "ut", formats=("html",))["html"]
    section = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select_one("#om-underlaget")
    assert [li.get_text() for li in section.select("ul li")] == [
        "Underlaget för 2024 saknar barn/insatser.csv (insatser, placeringar); de uppgifterna jämförs inte över tid."]


def test_alarms_of_an_import_that_went_on_are_on_the_first_page(tmp_path, monkeypatch):
    """`fortsatt_vid_larm: true`: the import's larm.json reaches the title page of the HTML and the PDF."""
    monkeypatch.setenv("UPPFOLJNING_NYCKEL", TEST_KEY)
    # 10 rows of which one has an unknown intervention type: 1 of 10 rejected, above the 5 % limit
    rows = [("Barn och unga", "HVB")] * 8 + [("Vuxenenheten", "HVB"), ("Vuxenenheten", "simskola")]
    results, config, paths = run_step(tmp_path / "import", {"insatser.csv": export(rows)},
                                      settings={"fortsatt_vid_larm": True})
    assert [a.orsak for a in alarms.check_alarms(results, config, paths, step=3)] == [alarms.O_SHARE]
    (tmp_path / "rapport").mkdir()
    project = make_project(tmp_path / "rapport")
    shutil.copy(paths.processed / alarms.FILE_NAME, project["data_dir"] / "processed" / "2025" / alarms.FILE_NAME)
    assert json.loads((project["data_dir"] / "processed" / "2025" / "larm.json").read_text(encoding="utf-8"))

    files = render_report(executed_notebook(project), tmp_path / "ut")
    lead = ("Observera: underlaget har brister som kan påverka resultaten. Körningen fortsatte trots följande "
            "larm:")
    item = "insatser.csv → interventions: stor andel avvisade rader."  # the counts stay in larm.json

    def plain(text: str) -> str:
        return " ".join(text.replace("\u00a0", " ").split())
    soup = BeautifulSoup(files["html"].read_text(encoding="utf-8"), "html.parser")
    note = soup.select_one("section.titelsida div.larm[role=note]")
    assert plain(note.p.get_text()) == lead and [plain(li.get_text()) for li in note.select("li")] == [item]
    assert f"{lead} • {item}" in plain(PdfReader(files["pdf"]).pages[0].extract_text() or "")


def _one_output_notebook(html: str):
    import nbformat
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
    cell["id"] = "del-0"  # as notebook_to_html numbers the cells
    nb.cells = [cell]
    return nb


@pytest.mark.parametrize("html", [
    '<section aria-label="Titelsida" class="titelsida"><h1 class="rapporttitel">R</h1></section>'
    '<div class="tabell" role="region" tabindex="0"><table><caption>T</caption><tr><th scope="col">A</th></tr>'
    '<tr><td data-count="1">12</td></tr></table></div><img src="data:image/png;base64,AA==" alt="En figur">',
    '<p>En bild utan alt-text:</p><img src="data:image/png;base64,AA==">',
])
def test_the_page_is_what_nbconverts_own_last_pass_gives(html):
    """nbconvert's last pass (alt texts, tabindex) is skipped only when it would change nothing: the page parses to
    the same document as nbconvert's own output, and an image without alt text still gets its placeholder."""
    from helpers.report.render import html_exporter, notebook_to_html
    ours = notebook_to_html(_one_output_notebook(html), "R")
    theirs, _ = html_exporter().from_notebook_node(_one_output_notebook(html), resources={"report_title": "R"})

    def tree(page):
        return str(BeautifulSoup(page, "html.parser"))
    assert tree(ours) == tree(theirs)
    assert all(img.get("alt") for img in BeautifulSoup(ours, "html.parser").find_all("img"))


def test_a_process_renders_with_the_templates_another_compiled(tmp_path, monkeypatch):
    """Compiled templates are kept (Jinja's checksum of each source decides when they are stale): a second
    process's exporter compiles none and writes the same page; where the folder cannot be written, pages are
    rendered all the same."""
    import jinja2

    from helpers.report import render

    page = '<section aria-label="Titelsida" class="titelsida"><h1 class="rapporttitel">R</h1></section>'
    compiled = []
    original = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **kw: compiled.append(1) or
                        original(self, *a, **kw))
    monkeypatch.setattr(render, "TEMPLATE_CACHE", tmp_path / "mallar")
    pages, compiles = [], []
    for _ in range(2):  # as two processes: each its own exporter
        monkeypatch.setattr(render, "_exporter", None)
        compiled.clear()
        pages.append(render.notebook_to_html(_one_output_notebook(page), "R"))
        compiles.append(len(compiled))
    assert compiles[0] > 0 and compiles[1] == 0 and pages[0] == pages[1]
    assert list((tmp_path / "mallar").glob("*.cache"))

    (tmp_path / "fil").write_text("")
    monkeypatch.setattr(render, "TEMPLATE_CACHE", tmp_path / "fil" / "mallar")  # cannot be made
    monkeypatch.setattr(render, "_exporter", None)
    assert render.notebook_to_html(_one_output_notebook(page), "R") == pages[0]


def test_the_collector_is_paused_only_while_a_document_renders():
    import gc

    from helpers.analysis.heap import collection_paused

    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()  # paused by someone else: left as it was
    finally:
        gc.enable()


def test_a_report_notebook_is_validated_once_not_after_every_preprocessor(monkeypatch):
    """nbconvert validates the notebook after each of its dozen preprocessors unless told to validate once, at
    the end; once is enough (the preprocessors change no structure the report relies on)."""
    import nbformat

    from helpers.report.render import notebook_to_html

    page = '<section aria-label="Titelsida" class="titelsida"><h1 class="rapporttitel">R</h1></section>'
    notebook, calls = _one_output_notebook(page), []
    validate = nbformat.validate
    monkeypatch.setattr(nbformat, "validate", lambda *a, **kw: calls.append(1) or validate(*a, **kw))
    assert "rapporttitel" in notebook_to_html(notebook, "R")
    assert len(calls) == 1  # 12 with nbconvert's default
