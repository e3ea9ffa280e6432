"""The whole chain on a small demo municipality: raw exports -> notebooks -> one protected publication -> the
organisation's and a unit's report (HTML and PDF) with their annexes.

Runs the pipeline twice on the same input (identical HTML and PDF), checks what a reviewer must see, that the numbers
match the data computed independently here, that a unit's cells are the same in both reports, that an outsider
holding every published file recovers nothing, that no raw code, personnummer or name reaches a reader, that the
texts agree with their numbers, and re-runs the executed notebooks under nbval.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-m", "helpers.cli"]
SECTIONS = ("Sammanfattning", "Inledning", "Mål för perioden", "Analys och åtgärder",
            "Uppföljning – vad har vi uppnått?", "Jämförelse med andra kommuner", "Kvalitetssäkring – brukarenkäter",
            "Internkontroll, synpunkter och tillsyn", "Samverkan", "Om underlaget", "Bilaga: indikatortabeller")


def _run(args, **kw):
    return subprocess.run(CLI + args, capture_output=True, text=True, timeout=1800, **kw)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    data = base / "data"
    made = _run(["demo", "--clients", "300", "--data-dir", str(data)])
    assert made.returncode == 0, made.stderr
    first = _run(["run", "--period", "2025", "--data-dir", str(data), "--output-dir", str(base / "ut1"),
                  "--unit", "barn_unga"])
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    second = _run(["run", "--period", "2025", "--data-dir", str(data), "--output-dir", str(base / "ut2"),
                   "--force"])
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    return {"base": base, "data": data, "out": base / "ut1", "out2": base / "ut2", "log": first.stdout}


@pytest.fixture(scope="module")
def html(demo):
    return (demo["out"] / "kvalitetsredovisning.html").read_text(encoding="utf-8")


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")


def _tables(html) -> dict[str, dict[str, list[str]]]:
    """caption (without "Tabell N.") -> row label -> cells, for every table of a report."""
    out = {}
    for table in BeautifulSoup(html, "html.parser").find_all("table"):
        caption = re.sub(r"^Tabell \d+\. ", "", table.caption.get_text(" ", strip=True))
        out[caption] = {tr.find(["th", "td"]).get_text(" ", strip=True): [
            c.get_text(" ", strip=True).replace("\u00a0", " ") for c in tr.find_all("td")]
            for tr in table.select("tbody tr")}
    return out


def test_progress_and_paths_are_printed(demo):
    for step in ("01_planera", "07_kvalitetsredovisning"):
        assert step in demo["log"]
    assert "kvalitetsredovisning.html" in demo["log"] and "kvalitetsredovisning.pdf" in demo["log"]
    assert (demo["out"] / "notebooks" / "07_kvalitetsredovisning.ipynb").exists()


def test_report_has_the_sections_in_swedish_and_no_code(html):
    assert '<html lang="sv"' in html
    heads = [h.get_text(strip=True) for h in BeautifulSoup(html, "html.parser").select("section.avsnitt > h2")]
    assert heads == list(SECTIONS)
    for code_sign in ("In [", "Out[", "import ", "params.validate", "Traceback", "jp-InputArea-editor"):
        assert code_sign not in html, code_sign
    assert not re.search(r"""(src|href)=["']https?://""", html), "rapporten laddar något från nätet"
    assert "<script src" not in html


def test_the_body_is_short_and_the_tables_are_in_the_annex(demo):
    body = PdfReader(demo["out"] / "kvalitetsredovisning.pdf")
    annex = PdfReader(demo["out"] / "kvalitetsredovisning_bilaga.pdf")
    assert len(body.pages) <= 22, f"rapportens huvuddel ska vara kort (cirka 20 sidor), har {len(body.pages)}"
    assert len(annex.pages) > 5
    annex_html = (demo["out"] / "kvalitetsredovisning_bilaga.html").read_text(encoding="utf-8")
    assert "Indikatortabeller" in annex_html and "Ordlista" in annex_html
    assert "Nyckeltal per enhet" in annex_html  # the units' full key-figure tables


def test_figures_are_inline_with_real_alt_texts(html):
    imgs = re.findall(r"<img\b[^>]*>", html)
    assert imgs, "inga figurer"
    for img in imgs:
        assert 'src="data:' in img
        alt = re.search(r'alt="([^"]*)"', img).group(1)
        assert len(alt) > 20 and "No description" not in alt


def test_key_figures_match_the_data_computed_here(demo, html):
    processed = demo["data"] / "processed" / "2025"
    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31")
    # Goals in every intervention: active in 2025 = started by 31 Dec and not ended before 1 Jan.
    iv = pd.read_parquet(processed / "interventions.parquet")
    active = iv[(iv["start"] <= end) & (iv["end"].isna() | (iv["end"] >= start))]
    goals = pd.read_parquet(processed / "goals.parquet")
    with_goal = active["intervention_id"].isin(goals.loc[goals["set_on"] <= end, "intervention_id"])
    num, den = int(with_goal.sum()), len(active)
    assert den >= 50
    row = _tables(html)["Nyckeltal för hela verksamheten 2025"]["Mål i alla ärenden"]
    assert row[1] == f"{round(100 * num / den)} %" and row[3] == str(den)
    # Long-term försörjningsstöd: recipients with payments in 10-12 months of 2025 among all recipients.
    months = pd.read_parquet(processed / "support_months.parquet")
    per_client = months[months["month"].str.startswith("2025-")].groupby("client_id")["month"].nunique()
    row = _tables(html)["Nyckeltal för hela verksamheten 2025"]["Långvarigt försörjningsstöd"]
    if row[1] != "X":
        assert row[1] == f"{round(100 * (per_client >= 10).sum() / len(per_client))} %"


def test_a_units_cells_are_the_same_in_both_reports(demo, html):
    unit = (demo["out"] / "enheter" / "barn_unga" / "kvalitetsredovisning.html").read_text(encoding="utf-8")
    annex = (demo["out"] / "kvalitetsredovisning_bilaga.html").read_text(encoding="utf-8")
    own = _tables(unit)["Nyckeltal för Barn och unga 2025"]
    # the unit's full table (2024, 2025, change, n) is in the organisation's annex, not in its body
    assert _tables(annex)["Nyckeltal för Barn och unga 2025"] == own and len(own) >= 5
    assert "Nyckeltal för Barn och unga 2025" not in _tables(html)
    # the body compares this year's values side by side: Barn och unga's column is its own table's 2025 column
    soup = BeautifulSoup(html, "html.parser")
    table = next(t for t in soup.find_all("table") if t.caption.get_text().endswith("Nyckeltal per enhet 2025"))
    column = [th.get_text(" ", strip=True) for th in table.select("thead th")].index("Barn och unga") - 1
    side = {label: cells[column] for label, cells in _tables(html)["Nyckeltal per enhet 2025"].items()}
    assert {label: cells[1] for label, cells in own.items()} == {k: v for k, v in side.items() if v != "ej tillämpligt"}
    # and only the indicators that apply to the unit: no ekonomiskt bistånd in Barn och unga's report
    assert not any("försörjningsstöd" in label.lower() for label in own)
    assert side["Mottagare av försörjningsstöd"] == "ej tillämpligt"


def test_two_runs_give_identical_reports_and_annexes(demo, html):
    """Byte for byte, the PDFs too: they carry the report's date, not the moment they were set."""
    assert (demo["out2"] / "kvalitetsredovisning.html").read_text(encoding="utf-8") == html
    for name in ("kvalitetsredovisning.pdf", "kvalitetsredovisning_bilaga.html", "kvalitetsredovisning_bilaga.pdf"):
        assert (demo["out2"] / name).read_bytes() == (demo["out"] / name).read_bytes(), name


def test_an_outsider_holding_every_published_file_recovers_nothing(demo):
    reports = demo["base"] / "granskade"
    (reports / "2025").mkdir(parents=True)
    import shutil
    shutil.copytree(demo["out"] / "publikation", reports / "2025" / "publikation")
    audit = _run(["audit", "--period", "2025", "--data-dir", str(demo["data"]), "--reports-dir", str(reports)])
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "Granskningen gick igenom: 0 av" in audit.stdout


def test_a_plain_differencing_attacker_recovers_nothing_from_the_published_files(demo):
    """An attacker who does not use the project's relation model (sums and differences by hand, as with a
    spreadsheet) gets no hidden count of 1-4 back from the demo's published cells."""
    from differencing import attack
    from helpers.publication.store import internal_path
    published = pd.read_parquet(demo["out"] / "publikation" / "celler.parquet")
    internal = pd.read_parquet(internal_path(demo["data"] / "processed" / "2025"))
    assert (published["status"] == "undertryckt").any()
    assert attack(published, internal) == {}


def test_no_personnummer_name_or_raw_code_reaches_a_reader(demo, html):
    from helpers.config import load_config
    from helpers.report.codes import raw_codes

    raw = pd.read_csv(demo["data"] / "raw" / "2025" / "arenden.csv", sep=";", encoding="cp1252", dtype=str)
    pnr_col = next(c for c in raw.columns if c.lower().startswith("personnummer"))
    name_col = next(c for c in raw.columns if c.lower().startswith("namn"))
    texts = {}
    for name in ("kvalitetsredovisning", "kvalitetsredovisning_bilaga"):
        page = (demo["out"] / f"{name}.html").read_text(encoding="utf-8")
        soup = BeautifulSoup(page, "html.parser")
        for tag in soup(["style", "script"]):
            tag.decompose()
        texts[f"{name}.html"] = soup.get_text(" ") + " ".join(i.get("alt", "") for i in soup.find_all("img"))
        texts[f"{name}.pdf"] = " ".join(p.extract_text() for p in PdfReader(demo["out"] / f"{name}.pdf").pages)
    workbook = pd.read_excel(demo["out"] / "publikation" / "indikatorer.xlsx", sheet_name=None, engine="openpyxl")
    for sheet, frame in workbook.items():
        if sheet == "Ordlista":  # the data dictionary is where each code is explained: its column "Kod" may show it
            assert {"Indikator", "Kod"} <= set(frame.columns) and frame["Indikator"].notna().all()
            frame = frame.drop(columns="Kod")
        texts[f"indikatorer.xlsx/{sheet}"] = frame.to_csv(index=False)
    for svg in (demo["out"] / "figurer").glob("*.svg"):
        texts[svg.name] = re.sub(r"<[^>]+>", " ", svg.read_text(encoding="utf-8"))
    config = load_config(None)
    for where, text in texts.items():
        assert raw_codes(text, config) == [], where
        digits = re.sub(r"\D", "", text)
        for pnr in raw[pnr_col].dropna().head(300):
            d = re.sub(r"\D", "", pnr)
            assert d[-10:] not in digits or len(d) < 10, f"personnummer i {where}"
        for person in raw[name_col].dropna().head(300):
            assert person not in text, f"namn i {where}"
    for path in ("kvalitetsredovisning.html", "kvalitetsredovisning.pdf", "kvalitetsredovisning_bilaga.html",
                 "kvalitetsredovisning_bilaga.pdf"):
        check = _run(["check-report", str(demo["out"] / path)])
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_audit_trail_prints_no_case_number_or_personnummer(demo):
    raw = pd.read_csv(demo["data"] / "raw" / "2025" / "arenden.csv", sep=";", encoding="cp1252", dtype=str)
    case_col = next(c for c in raw.columns if c.lower().startswith("ärende"))
    pnr_col = next(c for c in raw.columns if c.lower().startswith("personnummer"))
    cases = set(raw[case_col].dropna())
    numbers = {re.sub(r"\D", "", p)[-10:] for p in raw[pnr_col].dropna()}
    for notebook in sorted((demo["out"] / "notebooks").rglob("*.ipynb")):
        outputs = json.dumps([c.get("outputs", []) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]],
                             ensure_ascii=False)
        assert not cases & set(re.findall(r"[A-ZÅÄÖ]{1,3}-\d{4}-\d{3,6}", outputs)), f"ärendenummer i {notebook.name}"
        assert not numbers & set(re.findall(r"\d{10}", re.sub(r"[-+ ]", "", outputs))), f"personnummer i {notebook.name}"


def test_the_texts_agree_with_their_numbers(demo):
    findings = json.loads((demo["out"] / "notebooks" / "textkontroll.json").read_text(encoding="utf-8"))
    assert findings == []


def test_pdf_is_a4_with_title_page_and_page_numbers(demo):
    reader = PdfReader(demo["out"] / "kvalitetsredovisning.pdf")
    assert len(reader.pages) >= 5
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 210 and round(float(box.height) / 72 * 25.4) == 297
    assert "Exempelkommun" in reader.pages[0].extract_text()
    assert re.search(r"Sida\s+2\s+av\s+\d+", reader.pages[1].extract_text())


def test_the_figures_the_runner_drew_ahead_are_those_the_notebook_draws(demo, tmp_path):
    """The runner draws each report's figures outside its kernel (a fork of the period's worker, or the worker
    running the report); the files are byte for byte those the notebook draws itself without the runner."""
    from helpers import params
    from helpers.analysis import figure_specs

    org_log = (demo["out"] / "notebooks" / "korning.log").read_text(encoding="utf-8")
    assert "Figurerna (hela verksamheten) ritade före notebooken" in org_log
    for scope, folder in (("hela verksamheten", demo["out"]), ("enhet barn_unga", demo["out"] / "enheter" / "barn_unga")):
        assert "ritas i notebooken" not in (folder / "notebooks" / "korning.log").read_text(encoding="utf-8")
        run = params.validate("2025", None, demo["data"], folder, None if scope.startswith("hela") else "barn_unga")
        by_hand = tmp_path / scope
        entries = figure_specs.draw_report(run, by_hand)
        assert len(entries) >= 5
        ran = sorted(p.name for p in (folder / "figurer").iterdir())
        assert ran == sorted(p.name for p in by_hand.iterdir())
        for name in ran:
            assert (folder / "figurer" / name).read_bytes() == (by_hand / name).read_bytes(), name


def test_executed_notebooks_pass_nbval(demo):
    executed = sorted((demo["out"] / "notebooks").glob("0*.ipynb"))
    assert len(executed) == 7
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "--nbval-lax",
                           *map(str, executed)], capture_output=True, text=True, timeout=1800,
                          cwd=Path(__file__).parents[1] / "notebooks")
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_goal_table_matches_the_publication(demo, html):
    from helpers.config import load_config
    from helpers.publication.store import load_publication

    goals = pd.read_parquet(demo["out"] / "analys" / "hela" / "mal.parquet")
    assert len(goals) >= 5
    text = _text(html)
    pub = load_publication(demo["out"] / "publikation", load_config(None), "2025")
    for _, g in goals.iterrows():
        assert g["resultat_text"].replace("\u00a0", " ") in text and g["status"].capitalize() in text
        if g["indikator"] == "mal_i_arenden":  # a whole-organisation goal: its value is the publication's cell
            cell = pub.cell("mal_i_arenden")
            assert g["varde"] == pytest.approx(cell["value"]) and g["n"] == cell["denominator"]
    assert set(goals["status"]) <= {"uppnått", "delvis uppnått", "inte uppnått", "kan inte mätas"}


@pytest.mark.browser
def test_report_and_annex_have_no_accessibility_violations(demo):
    import os

    from helpers.report.a11y import axe_violations, describe, find_chromium

    if not find_chromium():
        if os.environ.get("CI"):
            pytest.fail("Chromium saknas i CI: .ci/run ska installera det (paketet chromium).")
        pytest.skip("Chromium saknas på den här datorn")
    for name in ("kvalitetsredovisning.html", "kvalitetsredovisning_bilaga.html"):
        violations = axe_violations(demo["out"] / name)
        assert violations == [], describe(violations)
