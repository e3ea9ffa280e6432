"""The privacy check of a rendered report: personnummer-shaped strings and small published counts."""
from __future__ import annotations

import argparse
import base64
from urllib.parse import quote

import pytest

from helpers.report.checks import check_html, check_pdf_text, check_report, cli_check_report, find_personnummer, luhn_ok
from helpers.report.render import html_to_pdf, render_report
from helpers.report.tables import Col, html_table
from test_report_fixtures import executed_notebook, make_project

# 640823-323? -> check digit 4 (DOMAIN.md §5.3, computed by hand: 1+2+8+1+0+3+6+2+6 ... sum 26 -> (10-6) % 10 = 4)
PNR = "640823-3234"
SAMORDNING = "701063-2391"  # born 1970-10-03, day + 60


def test_luhn_by_hand():
    assert luhn_ok("640823323", "4") and not luhn_ok("640823323", "5")
    assert luhn_ok("701063239", "1")


@pytest.mark.parametrize("text", [PNR, "19640823-3234", "196408233234", "6408233234", SAMORDNING])
def test_personnummer_shapes_are_found(text):
    [f] = find_personnummer(f"Klienten {text} fick stöd.", "löptext")
    assert "kontrollsiffran stämmer" in f.what and "stämmer inte" not in f.what
    assert "3234" not in f.text and "2391" not in f.text  # masked


def test_shape_without_valid_check_digit_is_still_reported():
    [f] = find_personnummer("640823-3235", "x")
    assert "möjligt personnummer" in f.what


@pytest.mark.parametrize("text", ["Diarienummer SN 2026/0027", "Datum 2026-03-13", "Telefon 011-15 00 00",
                                  "Ring 070-123 45 67", "Summa 1\u00a0234\u00a0567 kronor", "Period 2024–2025",
                                  "Mobil 0701234567", "Organisationsnummer 212000-0142"])
def test_no_false_positives_on_normal_report_text(text):
    # 212000-0142: month 20 is impossible, so it is not a personnummer shape; 0701234567 fails Luhn.
    assert find_personnummer(text, "x") == []


def _counts_table(values) -> str:
    rows = [{"label": k, "antal": v, "andel": 0.5, "ar": 2025} for k, v in values.items()]
    return html_table(rows, [Col("label", "Grupp"), Col("antal", "Antal", "count"), Col("andel", "Andel", "share"),
                             Col("ar", "År")], "Tabell 1. Klienter", table_id="t1")


def test_small_count_in_a_count_column_is_found_but_not_shares_or_years():
    html = f"<html lang='sv'><body>{_counts_table({'kvinna': 12, 'man': 3, 'annat': 0})}</body></html>"
    [f] = check_html(html, min_cell=5)
    assert f.text == "3" and "Tabell 1. Klienter" in f.where and "man" in f.where


def test_threshold_is_configurable():
    html = _counts_table({"kvinna": 7})
    assert check_html(html, min_cell=5) == [] and len(check_html(html, min_cell=10)) == 1


def test_unmarked_table_falls_back_to_header_names():
    html = ("<table><caption>Tabell 9.</caption><thead><tr><th>Fråga</th><th>Antal svar</th></tr></thead>"
            "<tbody><tr><td>1</td><td>2</td></tr><tr><td>2</td><td>40</td></tr></tbody></table>")
    [f] = check_html(html, min_cell=5)
    assert f.text == "2" and "rad 1" in f.where  # question numbers in column 1 are not counts


def test_base64_images_are_not_scanned():
    html = '<img alt="Diagram" src="data:image/png;base64,MTk2NDA4MjMzMjM0NjQwODIzMzIzNA==">640823'
    assert check_html(html, 5) == []


@pytest.fixture(scope="module")
def clean_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("kontroll")
    project = make_project(root)
    return render_report(executed_notebook(project), root / "ut")


def test_clean_demo_style_report_has_no_findings(clean_report):
    assert check_report(clean_report["html"], 5) == []
    assert check_report(clean_report["pdf"], 5) == []


def test_planted_personnummer_and_small_count_are_found_in_html_and_pdf(clean_report, tmp_path):
    html = clean_report["html"].read_text(encoding="utf-8")
    planted = html.replace("</main>", f"<p>Uppföljning av {PNR}.</p>{_counts_table({'man': 3})}</main>")
    path = tmp_path / "planterad.html"
    path.write_text(planted, encoding="utf-8")
    kinds = sorted(f.what for f in check_report(path, 5))
    assert kinds == ["personnummer (kontrollsiffran stämmer)", "publicerat antal under 5"]
    pdf = html_to_pdf(planted, tmp_path / "planterad.pdf")
    found = check_report(pdf, 5)
    assert any("personnummer" in f.what for f in found)
    assert any(f.text == "3" and "antal under 5" in f.what for f in found)


def test_pdf_heuristic_ignores_percentages_and_non_count_tables():
    page = ("Tabell 3. Andel med mål\nEnhet Andel\nBarn och unga 3 %\nTabell 4. Synpunkter\nTyp Antal 2025\n"
            "Klagomål 2\nFigur 1. Något\n")
    [f] = check_pdf_text([page], 5)
    assert f.text == "2" and "Klagomål" in f.where


def _cli(path, min_cell=5):
    return cli_check_report(argparse.Namespace(path=str(path), min_cell=min_cell))


def test_cli_exit_codes_and_swedish_output(clean_report, tmp_path, capsys):
    assert _cli(clean_report["html"]) == 0
    assert "inga fynd" in capsys.readouterr().out
    bad = tmp_path / "r.html"
    bad.write_text(f"<p>{PNR}</p>", encoding="utf-8")
    assert _cli(bad) == 1
    out = capsys.readouterr().out
    assert "personnummer" in out and "löptext" in out and "3234" not in out
    assert _cli(tmp_path / "saknas.html") == 2
    assert "finns inte" in capsys.readouterr().err


def test_small_n_in_running_text_reads_grouped_thousands_as_one_number():
    nb = "\u00a0"
    clean = f"<p>Andelen var 66 % (n = 2 979), jämfört med 81 % (n = 3{nb}209).</p>"
    assert check_html(clean, 5) == []
    leak = "<p>Andelen var 50 % (n = 2), målet var 80 %.</p>"
    assert [f.text for f in check_html(leak, 5)] == ["n = 2"]
    # In a PDF the same applies; a scale "1–10" and wrapped prose are not table counts.
    assert check_pdf_text(["Andelen var 66 % (n = 2 979).", "Tabell 3. Antal\nKlientens skattning 1–10"], 5) == []
    assert [f.text for f in check_pdf_text(["Andelen var 50 % (n = 3)."], 5)] == ["n = 3"]


# --- Leaks the check used to miss: other ways of writing a personnummer, texts beside the body, small counts in
# --- sentences and in columns that are not marked, and PDF table rows whose label starts with a digit.

@pytest.mark.parametrize("text", ["19 850101 1234", "850101 1234", "640823\u20113234", "640823\u20133234",
                                  "640823\u20143234", "640823\u22123234", "640823 - 3234", "19640823 3234",
                                  "640823\u00a03234", "701063\u20112391"])
def test_personnummer_with_spaces_and_other_dashes_are_found(text):
    [f] = find_personnummer(f"Klienten {text} fick stöd.", "löptext")
    assert "personnummer" in f.what or "samordningsnummer" in f.what
    assert not any(d in f.text for d in ("1234", "3234", "2391"))  # masked


@pytest.mark.parametrize("text", ["Summa 1 234 567 kronor", "Ärenden 120 312 och 1 234", "Period 2024–2025 1234",
                                  "Postnummer 602 34 Norrköping", "Datum 2025-03-14 1234", "Tabell 12 850 1234",
                                  "Kostnad 2 850 101 kr"])
def test_spaced_numbers_that_are_no_personnummer_are_not_reported(text):
    assert find_personnummer(text, "x") == []


def _svg(text: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" viewBox="0 0 200 40">'
            f'<path d="M 640823 3234 L 0 0"/><text x="4" y="24" font-family="DejaVu Sans">{text}</text></svg>')


def _data_svg(text: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(_svg(text).encode()).decode()


NB_HYPHEN_PNR = "Etikett 640823\u20113234"


def test_personnummer_in_attributes_and_svg_text_is_found_in_html():
    html = (f'<p><abbr title="Gäller {PNR}">Klienten</abbr></p>'
            f'<figure><img alt="Diagram över 19 850101 1234" src="data:image/png;base64,iVBORw0KGgo="></figure>'
            f'<figure><img alt="Staplar" src="{_data_svg(NB_HYPHEN_PNR)}"></figure>'
            f'<img alt="Kodad" src="data:image/svg+xml,{quote(_svg(SAMORDNING))}">'
            f'<svg role="img" aria-label="Linje"><text>Punkt 850101 1234</text></svg>')
    found = check_html(html, 5)
    where = sorted(f.where for f in found)
    assert where == ["alt-attribut", "löptext", "text i SVG-bild 2", "text i SVG-bild 3", "title-attribut"]
    assert all("personnummer" in f.what or "samordningsnummer" in f.what for f in found)


def test_svg_path_data_and_png_data_are_not_read_as_text():
    html = f'<img alt="Diagram" src="{_data_svg("Andel 76 %")}"><p>Inget här.</p>'
    assert check_html(html, 5) == []  # the path data "640823 3234" is drawing, not text


def test_personnummer_in_alt_text_and_svg_text_is_found_in_the_typst_pdf(tmp_path):
    html = ('<html lang="sv"><head><title>Prov</title></head><body><h1 data-report-title="Prov">Prov</h1>'
            f'<figure class="figur"><img alt="Staplar för 19 850101 1234" src="{_data_svg("Stapel")}">'
            '<figcaption>Figur 1. Staplar</figcaption></figure>'
            f'<figure class="figur"><img alt="Linje" src="{_data_svg("Etikett 640823 3234")}">'
            '<figcaption>Figur 2. Linje</figcaption></figure>'
            f'<p>Ärendet gällde 640823\u20113234 under året.</p></body></html>')
    found = check_report(html_to_pdf(html, tmp_path / "planterad.pdf"), 5)
    places = {f.where.split(",")[0] for f in found}
    assert "alternativtexter" in places  # the alt text of a tagged figure
    assert sum(1 for f in found if f.where.startswith("sida ")) >= 2  # SVG text and the running text


@pytest.mark.parametrize("text", ["Svarsfrekvens 40 % (n: 3).", "Andel 50 % (n=3).", "Andel 50 % (N = 2).",
                                  "Under året fick 3 personer stöd.", "Det gällde 2 klienter.", "Endast 1 barn.",
                                  "Totalt 4 ärenden avslutades.", "Det gällde 3\u00a0barn."])
def test_small_counts_in_sentences_are_found(text):
    [f] = check_html(f"<p>{text}</p>", 5)
    assert f.what == "litet antal i text (under 5)"
    assert [g.text for g in check_pdf_text([text], 5)] == [f.text]


@pytest.mark.parametrize("text", ["Under året fick 12 personer stöd.", "Det gällde 5 klienter.", "Andelen var 70 %.",
                                  "Beslut 2025-03-14 om barn.", "Barn 0–3 år.", "Det var 2 979 personer.",
                                  "Det gällde 1–4 barn per familj.", "I snitt 3,5 barn per familj.",
                                  "3 % av barnen.", "Antal som bygger på färre än 5 personer visas inte.",
                                  "Minst 3 barn per grupp.", "Barnen, 2025-03-03 barn"])
def test_no_small_count_in_sentences_that_only_look_like_one(text):
    assert check_html(f"<p>{text}</p>", 10 if "färre" in text else 5) == []
    assert check_pdf_text([text], 10 if "färre" in text else 5) == []


def _table(headers, rows, marked=True, counts=()) -> str:
    head = "".join(f"<th scope='col'>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join((f"<th scope='row'>{c}</th>" if j == 0 else
                                     f"<td{' data-count' if j in counts else ''}>{c}</td>")
                                    for j, c in enumerate(r)) + "</tr>" for r in rows)
    attr = " data-counts-marked" if marked else ""
    return (f"<table class='rapporttabell'{attr}><caption>Tabell 1. Prov</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


@pytest.mark.parametrize("header", ["Antal", "Antal 2025", "n", "Täljare", "Nämnare (n)", "Svarande", "Personer",
                                    "Svar (n)"])
def test_small_count_under_a_count_header_is_found_even_in_a_marked_table(header):
    html = _table(["Grupp", header, "Andel"], [["Kvinnor", "12", "80 %"], ["Män", "3", "20 %"]])
    [f] = check_html(html, 5)
    assert f.text == "3" and "Män" in f.where and header in f.where


def test_count_columns_ignore_shares_means_years_and_row_labels():
    html = _table(["Fråga", "Andel", "Medelvärde", "År", "Antal"],
                  [["1", "3 %", "3,0", "2025", "40"], ["2", "4 %", "2,0", "2024", "–"], ["3", "1 %", "1,5", "2023", "X"]],
                  marked=False)
    assert check_html(html, 5) == []


def test_pdf_rows_whose_label_starts_with_a_digit_are_checked():
    page = ("Tabell 5. Åldersgrupper\nÅldersgrupp Antal Andel\n0–12 år 3\n13–17 år 40 60\u00a0%\n"
            "25–44 år 4 12\u00a0%\n65 år och äldre 2\u00a0979 33\u00a0%\n")
    found = check_pdf_text([page], 5)
    assert [(f.text, f.where.split('"')[1].split()[0]) for f in found] == [("3", "0–12"), ("4", "25–44")]


def test_pdf_rows_of_share_tables_contents_and_footers_are_not_counts():
    page = ("Innehåll\nSammanfattning ........ 3\nTabell 6. Andelar\nÅldersgrupp Andel\n0–12 år 3\u00a0%\n"
            "Tabell 7. Antal per år\nTyp 2024 2025\nKlagomål 40 38\nSida 3 av 4\n")
    assert check_pdf_text([page], 5) == []


def test_small_counts_in_digit_labelled_rows_are_found_in_the_typst_pdf(tmp_path):
    rows = [["0–12 år", "3", "–"], ["13–17 år", "40", "60 %"], ["25–44 år", "4", "12 %"], ["45–64 år", "X", "X"]]
    html = ('<html lang="sv"><head><title>Prov</title></head><body><h1 data-report-title="Prov">Prov</h1>'
            f'{_table(["Åldersgrupp", "Antal", "Andel"], rows, marked=False)}'
            '<p class="tabellnot">X = uppgiften visas inte.</p><p>Andelen var 50 % (n: 2), det gällde 3 barn.</p>'
            '</body></html>')
    assert sorted(f.text for f in check_html(html, 5)) == ["3", "3 barn", "4", "n: 2"]
    found = check_report(html_to_pdf(html, tmp_path / "aldrar.pdf"), 5)
    assert sorted(f.text for f in found) == ["3", "3 barn", "4", "n: 2"]


def _page(*tables: str) -> str:
    return ('<html lang="sv"><head><title>Prov</title></head><body><h1 data-report-title="Prov">Prov</h1>'
            + "".join(tables) + "</body></html>")


SOURCES = [Col("label", "Källa"), Col("in", "Rader i filen", "number", sums=True),
           Col("ok", "Godkända", "number", sums=True), Col("rejected", "Avvisade", "number", sums=True)]
GOALS = [Col("label", "Status"), Col("antal", "Mål", "number", sums=True, counts=False)]


def _sources_and_goals() -> str:
    # Planted: 3 rejected rows in the placements file, 2 rows read from the incidents file; the board's goals by
    # status (1, 1, 4: goals, not persons) and a year column must not be taken for counts.
    sources = html_table([{"label": "placeringar.csv", "in": 477, "ok": 474, "rejected": 3, "_role": "part"},
                          {"label": "synpunkter.xlsx", "in": 2, "ok": 2, "rejected": 0, "_role": "part"},
                          {"label": "Samtliga", "in": 479, "ok": 476, "rejected": 3, "_role": "total"}],
                         SOURCES, "Tabell 1. Underlagets källor", table_id="kallor")
    placed = html_table([{"form": "HVB", "jan": 12, "feb": 4}, {"form": "Jourhem", "jan": 7, "feb": 9}],
                        [Col("form", "Placeringsform"), Col("jan", "jan", "number"), Col("feb", "feb", "number")],
                        "Tabell 2. Placerade den första dagen i månaden", table_id="placerade")
    goals = html_table([{"label": "Uppnått", "antal": 1}, {"label": "Delvis uppnått", "antal": 1},
                        {"label": "Inte uppnått", "antal": 4}], GOALS, "Tabell 3. Nämndens mål: status",
                       table_id="mal")
    years = html_table([{"label": "Mål i alla ärenden", "year": 2024, "goal": "80 %", "mean": 3.0}],
                       [Col("label", "Indikator"), Col("year", "Från år", "year"), Col("goal", "Målvärde"),
                        Col("mean", "Medelvärde", "number", 1)], "Tabell 4. Målvärden", table_id="malvarden")
    return _page(sources, placed, goals, years)


def test_small_counts_in_number_columns_are_found_in_html():
    found = check_html(_sources_and_goals(), 5)
    got = sorted((f.text, f.where.split(",")[0]) for f in found)
    # by hand: 3 rejected (twice: the file's row and the total), 2 rows read and approved, 4 placed in February
    assert got == [("2", "Tabell 1. Underlagets källor"), ("2", "Tabell 1. Underlagets källor"),
                   ("3", "Tabell 1. Underlagets källor"), ("3", "Tabell 1. Underlagets källor"),
                   ("4", "Tabell 2. Placerade den första dagen i månaden")]
    assert all("Mål" not in f.where and "Målvärden" not in f.where for f in found)


def test_a_number_column_declared_as_no_count_is_not_marked():
    assert Col("x", "Medelvärde", "number", 1, counts=False).is_count is False
    assert Col("x", "Avvisade", "number").is_count and Col("x", "Antal", "count").is_count
    assert not Col("x", "Andel", "share").is_count and not Col("x", "År", "year").is_count
    html = html_table([{"label": "Uppnått", "antal": 2}], GOALS, "Mål", table_id="m")
    assert "data-count " not in html and check_html(html, 5) == []  # the table says data-counts-marked


def test_small_counts_in_number_columns_are_found_in_the_typst_pdf(tmp_path):
    found = check_report(html_to_pdf(_sources_and_goals(), tmp_path / "kallor.pdf"), 5)
    assert sorted(f.text for f in found) == ["2", "2", "3", "3", "4"]
    assert not any("Mål" in f.where for f in found)


def test_pdf_caption_with_the_count_unit_opens_a_count_table():
    page = ("Tabell 9. Placerade den första dagen i varje månad\n2025 (antal)\nPlaceringsform jan feb\nHVB 12 3\n"
            "X = uppgiften visas inte.\nJourhem 2 2\nTabell 10. Nämndens mål: status\nStatus Mål\nUppnått 1\n")
    assert [f.text for f in check_pdf_text([page], 5)] == ["3"]


def test_pdf_rows_with_an_empty_cell_between_numbers_are_read_cell_by_cell():
    page = ("Tabell 8. Insatser per form\nForm Antal Snitt Antal Personer\nGruppsamtal – 2,6 – 283\n"
            "Enskilda samtal 3 – 40 283\nFamiljesamtal 1–10 40\n")
    found = check_pdf_text([page], 5)
    assert [(f.text, f.where.split('"')[1].split()[0]) for f in found] == [("3", "Enskilda")]
