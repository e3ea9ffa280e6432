"""The privacy check of a rendered report: personnummer-shaped strings and small published counts."""
from __future__ import annotations

import argparse

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
