"""The PDF: the report's own HTML typeset with typst as a tagged PDF/UA-1 (A4, title page, contents with page
numbers, bookmarks, running header, "Sida X av Y", captioned tables and figures with alt text, the HTML's look)."""
from __future__ import annotations

import base64
import collections
import html
import re
import shutil
import subprocess
import time
import zlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from helpers.report import pdf as pdf_module
from helpers.report.pdf import css_colours, html_to_typst, typst_string
from helpers.report.render import html_to_pdf, render_report
from helpers.report.sections import SECTIONS
from test_report_fixtures import executed_notebook, make_project

TITLE = "Exempelkommun – Kvalitetsredovisning 2025"
A4 = (595.28, 841.89)
SVG_FIGURE = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">'
              '<rect width="400" height="200" fill="#e69f00"/></svg>')


def poppler(tool: str, *args) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} (poppler-utils) is not installed: make systemdeps")
    return subprocess.run([tool, *map(str, args)], capture_output=True, text=True, check=True).stdout


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def struct_elements(path: Path) -> list[dict]:
    """The tagged structure, depth first: each element's type, alt text, attributes and child types."""
    out = []

    def walk(node, parents):
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        kind = node.get("/S")
        kids = node.get("/K")
        kids = kids.get_object() if hasattr(kids, "get_object") else kids
        kids = kids if isinstance(kids, list) else ([kids] if kids is not None else [])
        if kind:
            out.append({"S": str(kind), "Alt": node.get("/Alt"), "A": node.get("/A"), "parents": parents,
                        "kids": [str(k.get_object().get("/S")) for k in kids
                                 if hasattr(k.get_object(), "get") and k.get_object().get("/S")]})
        for kid in kids:
            walk(kid, parents + [str(kind)] if kind else parents)

    walk(PdfReader(path).trailer["/Root"]["/StructTreeRoot"], [])
    return out


def visible_words(html: str) -> collections.Counter:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["style", "script", "head", "title"]):
        tag.decompose()
    return collections.Counter(re.findall(r"\w+", soup.get_text(" ")))


def pdf_words(path: Path) -> collections.Counter:
    return collections.Counter(re.findall(r"\w+", poppler("pdftotext", "-enc", "UTF-8", path, "-")))


def page_pixels(path: Path, page: int, tmp_path: Path) -> set[tuple[int, int, int]]:
    stem = tmp_path / f"sida{page}"
    poppler("pdftoppm", "-r", "60", "-png", "-f", page, "-l", page, "-singlefile", path, stem)
    with Image.open(f"{stem}.png") as im:
        return {c for _, c in im.convert("RGB").getcolors(maxcolors=1 << 20)}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def page(body: str, title: str = "Prov – Kvalitetsredovisning") -> str:
    title = html.escape(title, quote=True)
    return (f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{title}</title></head><body><main>'
            f'<section class="titelsida"><p class="kommun">Provkommun</p>'
            f'<h1 class="rapporttitel" data-report-title="{title}">Kvalitetsredovisning</h1></section>'
            f'{body}</main></body></html>')


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("pdf")
    files = render_report(executed_notebook(make_project(root)), root / "ut")
    html = files["html"].read_text(encoding="utf-8")
    return {"pdf": files["pdf"], "html": html, "soup": BeautifulSoup(html, "html.parser"),
            "pages": page_texts(files["pdf"]), "tags": struct_elements(files["pdf"])}


def test_a4_tagged_pdf_ua_with_title_and_swedish(report):
    info = poppler("pdfinfo", report["pdf"])
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)$", info, re.M)
    assert re.search(rf"^Title:\s+{TITLE}$", info, re.M)
    reader = PdfReader(report["pdf"])
    for p in reader.pages:
        assert abs(float(p.mediabox.width) - A4[0]) < 1 and abs(float(p.mediabox.height) - A4[1]) < 1
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv"
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfuaid:part[^0-9]{0,3}1", xmp), "PDF/UA-1 identification in the XMP metadata"
    assert "Typst" in reader.metadata.get("/Creator", "") + reader.metadata.get("/Producer", "")


def test_the_pdf_is_dated_by_the_report_and_a_later_rerun_gives_the_same_bytes(report, tmp_path):
    """Its date is the report's (rapportdatum), not the moment typst set it: the same inputs give the same PDF."""
    first = report["pdf"].read_bytes()
    assert b"/CreationDate(D:20260313000000Z)" in first
    assert b"<xmp:CreateDate>2026-03-13T00:00:00Z" in first
    time.sleep(1.1)  # typst's default date has whole seconds: a rerun a second later would differ
    again = html_to_pdf(report["html"], tmp_path / "igen.pdf").read_bytes()
    assert again == first


def test_a_report_without_a_date_gives_a_pdf_without_one(tmp_path):
    pdf = html_to_pdf(page("<p>Text.</p>"), tmp_path / "odaterad.pdf").read_bytes()
    assert b"/CreationDate" not in pdf and b"CreateDate" not in pdf and b"ModDate" not in pdf
    dated = page("<p>Text.</p>").replace('data-report-title=', 'data-report-date="2026-02-30" data-report-title=')
    assert b"/CreationDate" not in html_to_pdf(dated, tmp_path / "ogiltigt.pdf").read_bytes()  # no such day


def test_title_page_has_title_and_facts_and_no_header_or_footer(report):
    first = report["pages"][0]
    for text in ("Exempelkommun", "Kvalitetsredovisning 2025", "Socialnämnden", "SN 2026/0027", "2026-03-13"):
        assert text in first
    assert "Sida" not in first and TITLE not in first
    h1 = [t for t in report["tags"] if t["S"] == "/H1"]
    assert len(h1) == 1


def test_contents_lists_every_section_with_the_page_it_starts_on(report):
    pages = report["pages"]
    toc = pages[1]
    assert "Innehåll" in toc and "Sammanfattning" not in pages[0]
    for _, title in SECTIONS:
        m = re.search(rf"^{re.escape(title)}\s*\.+\s*\W?(\d+)\s*$", toc, re.M)
        assert m, f"{title} in the table of contents with a page number"
        start = pages[int(m.group(1)) - 1]
        assert re.search(rf"^{re.escape(title)}$", start, re.M), f"{title} starts on page {m.group(1)}"


def test_bookmarks_are_the_sections_with_their_subheadings(report):
    outline = PdfReader(report["pdf"]).outline
    top = [item.title for item in outline if not isinstance(item, list)]
    assert top == [title for _, title in SECTIONS]
    nested = [i.title for sub in outline if isinstance(sub, list) for i in sub if not isinstance(i, list)]
    assert "Hela verksamheten" in nested and "Åtgärder" in nested


def test_running_header_and_page_x_of_y_after_the_title_page(report):
    pages = report["pages"]
    n = len(pages)
    assert n >= 5
    for i, text in enumerate(pages[1:], start=2):
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        assert lines[0] == TITLE, f"running header on page {i}"
        assert lines[-1] == f"Sida {i} av {n}", f"footer on page {i}"


def test_every_table_has_caption_header_row_and_suppression_mark(report):
    html_tables = report["soup"].find_all("table")
    captions = [t.caption.get_text(" ", strip=True) for t in html_tables]
    tables = [t for t in report["tags"] if t["S"] == "/Table"]
    assert len(tables) == len(html_tables) > 0
    for t in tables:
        assert t["kids"][0] == "/Caption" and "/THead" in t["kids"] and "/TBody" in t["kids"]
    header_cells = [t for t in report["tags"] if t["S"] == "/TH" and "/THead" in t["parents"]]
    assert header_cells and all("/Column" in str(t["A"]) for t in header_cells)
    assert len(header_cells) == sum(len(t.select("thead th")) for t in html_tables)
    text = "\n".join(report["pages"])
    positions = [text.find(c) for c in captions]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert re.search(r"^Synpunkter X", text, re.M), "a suppressed cell is printed as X"


def test_every_figure_has_its_alt_text_and_caption(report):
    imgs = report["soup"].select("figure.figur img")
    figures = [t for t in report["tags"] if t["S"] == "/Figure"]
    assert [str(f["Alt"]) for f in figures] == [img["alt"] for img in imgs]
    text = "\n".join(report["pages"])
    for cap in report["soup"].select("figure.figur figcaption"):
        assert cap.get_text(strip=True) in text and cap.get_text().startswith("Figur ")


def test_no_visible_word_of_the_html_is_missing_from_the_pdf(report):
    html, found = visible_words(report["html"]), pdf_words(report["pdf"])
    missing = {w: n - found[w] for w, n in html.items() if found[w] < n}
    assert not missing
    assert {"Måluppfyllelse", "Röjandekontroll", "bistånd"} <= set(found)


def test_unknown_elements_markdown_and_odd_tables_keep_their_text(tmp_path):
    body = ('<section class="avsnitt" id="a"><h2 id="a-rubrik">Avsnitt med Markdown</h2>'
            '<custom-widget>Okänd komponent med text</custom-widget><div><span>Spann</span> och <abbr>förk.</abbr>'
            '</div><details><summary>Sammandrag</summary>Detaljer här</details>'
            '<blockquote><p>Citat från en brukare</p></blockquote><h5>Rubrik fem</h5><h6>Rubrik sex</h6>'
            '<ol start="3"><li>tredje<ul><li>inre punkt</li></ul></li><li><p>fjärde</p></li></ol>'
            '<p>Kod <code>x = 1</code>, <sup>upphöjd</sup>, <sub>nedsänkt</sub>, <del>struken</del>'
            '<br>ny rad och <a href="https://example.se/sida">en länk</a> och <a href="#a">internt</a> och '
            '<a href="#saknas">ingenstans</a>.</p>'
            '<table><tr><th>Fråga</th><th>Svar</th></tr><tr><td style="text-align: right">Ett</td>'
            '<td rowspan="2">Två rader</td></tr><tr><td>Tre</td></tr><tr><td colspan="2">Hela raden</td></tr>'
            '<tr><td>Kort rad</td></tr>lös text i tabellen</table>'
            '<dl><dt>Term</dt><dd>Beskrivning ett</dd><dd>Beskrivning två</dd></dl>'
            '<dl class="ordlista"><div><dt>Grupperad term</dt><dd>grupperad beskrivning</dd></div></dl>'
            '<dl><dt>Term med</dt><dd>lös</dd>text utanför</dl><ul>löst i listan<li>punkt</li><b>efter</b></ul>'
            '<pre>förformaterad   text</pre><hr><p class="saknas">Uppgift saknas.</p>'
            '<p class="forsiktighet"><strong>Att tänka på:</strong> förändring, inte effekt.</p></section>')
    source = page(body)
    out = html_to_pdf(source, tmp_path / "udda.pdf")
    html_words, found = visible_words(source), pdf_words(out)
    assert {w: n for w, n in html_words.items() if found[w] < n} == {}
    tags = [t["S"] for t in struct_elements(out)]
    assert "/Table" in tags and "/BlockQuote" in tags and "/L" in tags


HOSTILE = ['#set page(width: 1cm)', '$x^2$', '*inte fet*', '_inte kursiv_', '@etikett', '<etikett>', '[hakar]',
           'bak\\snedstreck', '`kod`', '= Ingen rubrik', '// ingen kommentar', '/* inte heller */',
           '- ingen punkt', '+ ingen numrering', '1. ingen lista', '/ Term: ingen', '"citat"', "'enkel'",
           '-- och ---', '~tilde~', '#{1 + 1}', ']) #panic("x")', '\\u{41}', 'http://a.se/b//c', 'å ä ö Å Ä Ö']


def test_hostile_text_is_printed_as_written(tmp_path):
    cells = "".join(f"<tr><th scope='row'>{i}</th><td>{_e(s)}</td></tr>" for i, s in enumerate(HOSTILE))
    body = ("<section class='avsnitt'>" + "".join(f"<p>{_e(s)}</p>" for s in HOSTILE) +
            f"<h2>{_e(HOSTILE[9])} {_e(HOSTILE[0])}</h2>"
            f"<div class='tabell'><table class='rapporttabell'><caption>Tabell 1. {_e(HOSTILE[4])}</caption>"
            f"<thead><tr><th scope='col'>{_e(HOSTILE[6])}</th><th scope='col'>Text</th></tr></thead>"
            f"<tbody>{cells}</tbody></table></div>"
            f"<figure class='figur'><img alt='{_e(HOSTILE[20])} {_e(HOSTILE[7])}' "
            f"src='data:image/svg+xml;base64,{base64.b64encode(SVG_FIGURE.encode()).decode()}'>"
            f"<figcaption>Figur 1. {_e(HOSTILE[1])}</figcaption></figure>"
            f"<p><a href='{_e(HOSTILE[21])}'>{_e(HOSTILE[5])}</a></p></section>")
    out = html_to_pdf(page(body, title="Titel med #, $ och \"citat\""), tmp_path / "fientlig.pdf")
    text = "\n".join(page_texts(out))
    flat = re.sub(r"\s+", " ", text)
    for s in HOSTILE:
        assert s in flat, s
    assert f"{HOSTILE[9]} {HOSTILE[0]}" in flat and f"Tabell 1. {HOSTILE[4]}" in flat
    assert PdfReader(out).metadata.title == 'Titel med #, $ och "citat"'
    [fig] = [t for t in struct_elements(out) if t["S"] == "/Figure"]
    assert str(fig["Alt"]) == f"{HOSTILE[20]} {HOSTILE[7]}"
    assert all(abs(float(p.mediabox.width) - A4[0]) < 1 for p in PdfReader(out).pages)  # nothing was run


def _e(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")


def test_typst_strings_escape_only_what_they_must():
    assert typst_string('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'
    doc = html_to_typst(page("<p>#x $y$ *z*</p>"))
    assert '#"#x $y$ *z*"' in doc.markup


def test_images_from_svg_png_and_inline_svg_are_figures_with_alt_text(tmp_path):
    tall = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="400" viewBox="0 0 100 400">'
            '<rect width="100" height="400" fill="#1f4e8c"/></svg>')
    body = ("<section class='avsnitt'><h2>Bilder</h2>"
            f"<figure class='figur'><img alt='PNG-bild' src='data:image/png;base64,{_png()}'>"
            "<figcaption>Figur 1. Punkt</figcaption></figure>"
            f"<figure class='figur'><img alt='Hög SVG' src='data:image/svg+xml;base64,"
            f"{base64.b64encode(tall.encode()).decode()}'><figcaption>Figur 2. Hög</figcaption></figure>"
            "<figure class='figur'><svg role='img' aria-label='Inbäddad SVG' viewBox='0 0 40 20' width='400' "
            "height='200'><linearGradient id='g'><stop offset='0' stop-color='#1f3a5f'/></linearGradient>"
            "<rect width='40' height='20' fill='url(#g)'/></svg><figcaption>Figur 3. Inline</figcaption></figure>"
            "<img class='utdata' alt='Utdata utan figur' src='data:image/png;base64," + _png() + "'>"
            "<figure class='figur'><img alt='Extern bild' src='https://example.se/bild.png'>"
            "<figcaption>Figur 4. Extern</figcaption></figure></section>")
    doc = html_to_typst(page(body))
    assert any(b"viewBox" in data and b"linearGradient" in data for data in doc.files.values())
    out = html_to_pdf(page(body), tmp_path / "bilder.pdf")
    figures = [t for t in struct_elements(out) if t["S"] == "/Figure"]
    assert [str(f["Alt"]) for f in figures] == ["PNG-bild", "Hög SVG", "Inbäddad SVG", "Utdata utan figur"]
    bbox = next(f["A"] for f in figures if str(f["Alt"]) == "Hög SVG")
    box = next(a for a in bbox if "/BBox" in a)["/BBox"]
    assert float(box[3]) - float(box[1]) <= 200 / 25.4 * 72 + 1  # at most 200 mm high, as in the CSS
    text = "\n".join(page_texts(out))
    assert "Extern bild" in text and "Figur 4. Extern" in text  # not embedded: the alt text stands in


def _png() -> str:
    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    raw = b"".join(b"\x00" + b"\x1f\x3a\x5f" * 4 for _ in range(4))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (4).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return base64.b64encode(png).decode()


def test_long_table_repeats_its_header_and_keeps_rows_whole(tmp_path):
    rows = "".join(f"<tr><th scope='row'>Rad {i} med en etikett</th><td class='num'>{i * 7}</td></tr>"
                   for i in range(1, 81))
    body = ("<section class='avsnitt'><h2>Lång tabell</h2><div class='tabell'><table class='rapporttabell'>"
            "<caption>Tabell 1. Många rader</caption><thead><tr><th scope='col'>Grupp</th>"
            f"<th class='num' scope='col'>Antal ärenden</th></tr></thead><tbody>{rows}"
            "<tr class='summarad' data-role='total'><th scope='row'>Totalt</th><td class='num'>22 680</td></tr>"
            "</tbody></table></div></section>")
    out = html_to_pdf(page(body), tmp_path / "lang.pdf")
    pages = page_texts(out)[1:]
    assert len(pages) >= 2
    for text in pages:
        assert "Grupp Antal ärenden" in text
    joined = "\n".join(pages)
    for i in range(1, 81):
        assert re.search(rf"^Rad {i} med en etikett {i * 7}\s*$", joined, re.M)
    assert re.search(r"^Totalt 22 680\s*$", joined, re.M)


def test_a_column_of_short_values_leaves_the_room_to_the_labels():
    """The label column gets what a column of short texts ("+1 procentenheter") and a wrapped header
    ("Antal (n) 2025") do not need, so the labels wrap less; neither of those columns gets narrower than its text."""
    label = "Placerade vid periodens början och slut: vid periodens slut"
    rows = "".join(f"<tr><th scope='row'>{label} {i}</th><td>85 %</td><td>+1 procentenheter</td>"
                   f"<td class='num'>1 497</td></tr>" for i in range(3))
    table = ("<table><caption>Tabell 1. Nyckeltal</caption><thead><tr><th scope='col'>Indikator</th>"
             "<th scope='col'>2025</th><th scope='col'>Förändring</th><th class='num' scope='col'>Antal (n) 2025</th>"
             f"</tr></thead><tbody>{rows}</tbody></table>")
    markup = html_to_typst(f"<html><body>{table}</body></html>").markup
    widths = re.search(r"columns: \(([^)]*),\)", markup).group(1).split(", ")
    assert widths[1] == "auto"
    fr = [float(w.removesuffix("fr")) for w in widths if w != "auto"]
    labels, change, count = fr
    assert change >= len("+1 procentenheter") and count >= len("Antal (n) 2025") / 2
    assert change <= len("+1 procentenheter") * pdf_module.SLACK + 2 and count < len("Antal (n) 2025")
    assert labels == pytest.approx(92 - (len("85 %") + 2) - change - count, abs=0.2)


def test_heading_levels_are_made_consecutive_and_a_title_is_supplied(tmp_path):
    source = ('<html lang="sv"><head><title>Utan titelsida</title></head><body><h2>Två</h2><h5>Fem</h5>'
              '<h3></h3><p>Text</p></body></html>')
    doc = html_to_typst(source)
    assert [int(n) for n in re.findall(r"#heading\(level: (\d)", doc.markup)] == [1, 2, 3]
    out = html_to_pdf(source, tmp_path / "rubriker.pdf")
    assert PdfReader(out).metadata.title == "Utan titelsida"
    assert [t["S"] for t in struct_elements(out) if re.fullmatch(r"/H\d", t["S"])] == ["/H1", "/H2", "/H3"]


def test_fonts_are_dejavu_sans_embedded(report):
    fonts = poppler("pdffonts", report["pdf"])
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert names and all("DejaVuSans" in n for n in names if "Mono" not in n)
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # embedded


def test_colours_are_the_stylesheets(report, tmp_path):
    css = (pdf_module.STYLESHEET).read_text(encoding="utf-8")
    colours = css_colours(css)
    assert colours["farg-rubrik"] == "#1f3a5f" and colours["farg-summa"] == "#f2f2f2"
    pages = report["pages"]
    with_total = next(i for i, t in enumerate(pages, start=1) if "Samtliga mål" in t or "Totalt" in t)
    pixels = page_pixels(report["pdf"], with_total, tmp_path)
    for name in ("rubrik", "huvud", "summa"):
        assert rgb(colours[f"farg-{name}"]) in pixels, name


def test_a_changed_stylesheet_colour_changes_the_pdf(tmp_path, monkeypatch):
    css = tmp_path / "rapport.css"
    css.write_text(pdf_module.STYLESHEET.read_text(encoding="utf-8").replace("--huvud: #e6edf5", "--huvud: #ffd700"),
                   encoding="utf-8")
    monkeypatch.setattr(pdf_module, "STYLESHEET", css)
    body = ("<section class='avsnitt'><h2>Färg</h2><table class='rapporttabell'><caption>Tabell 1. F</caption>"
            "<thead><tr><th scope='col'>Rubrikrad</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table></section>")
    out = html_to_pdf(page(body), tmp_path / "farg.pdf")
    assert (255, 215, 0) in page_pixels(out, 2, tmp_path)


def test_a_failed_typesetting_keeps_the_earlier_pdf(tmp_path):
    target = tmp_path / "rapport.pdf"
    html_to_pdf(page("<p>Första versionen</p>"), target)
    before = target.read_bytes()
    broken = base64.b64encode(b"<svg this is not svg").decode()
    with pytest.raises(RuntimeError, match="kunde inte sättas"):
        html_to_pdf(page(f"<figure class='figur'><img alt='Trasig' src='data:image/svg+xml;base64,{broken}'>"
                         "</figure>"), target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rapport.pdf"]


def test_render_report_writes_the_typst_pdf_next_to_the_html(report):
    assert report["pdf"].with_suffix(".html").exists()
    assert report["pdf"].read_bytes().startswith(b"%PDF-")


def test_a_table_caption_is_never_left_alone_at_the_bottom_of_a_page(tmp_path):
    rows = "".join(f"<tr><th scope='row'>Grupp {i}</th><td class='num'>{i + 10}</td></tr>" for i in range(12))
    table = ("<div class='tabell'><table class='rapporttabell'><caption>Tabell 1. Efter texten</caption>"
             f"<thead><tr><th scope='col'>Grupp</th><th class='num' scope='col'>Antal</th></tr></thead>"
             f"<tbody>{rows}</tbody></table></div>")
    for n in range(20, 28):  # some n put the caption on the last line of the page, unless it sticks to its table
        filler = "".join(f"<p>Stycke {i}.</p>" for i in range(n))
        out = html_to_pdf(page(f"<section class='avsnitt'><h2>Avsnitt</h2>{filler}{table}</section>"),
                          tmp_path / f"sida{n}.pdf")
        for text in page_texts(out):
            lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("Sida ")]
            assert not lines[-1].startswith("Tabell 1."), f"caption alone at the foot of a page ({n} paragraphs)"
