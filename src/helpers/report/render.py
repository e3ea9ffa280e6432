"""Render an executed report notebook: nbconvert HTML (no input, self-contained, lang="sv") and a tagged A4 PDF
(the HTML typeset with typst, PDF/UA-1; see pdf.py). Totals are reconciled before anything is written; the privacy
check runs after."""
from __future__ import annotations

import base64
import copy
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import nbformat

from .checks import check_report, format_findings
from .errors import ReportCheckError
from .reconcile import assert_reconciled
from .soup import parse_html
from ..analysis.heap import collection_paused
from ..resources import TEMPLATES_DIR

TEMPLATE_NAME = "kvalitetsredovisning"
_exporter = None
_exporter_lock = threading.Lock()  # a worker loads it in a thread at start; a render waits for that
_TITLE = re.compile(r'data-report-title="([^"]*)"')
_MIN_CELL = re.compile(r'data-min-cell="(\d+)"')


def html_exporter():
    """One HTMLExporter per process: the first export costs most of the time."""
    global _exporter
    with _exporter_lock:
        if _exporter is None:
            from nbconvert import HTMLExporter
            exporter = HTMLExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES_DIR)],
                                    exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                                    language_code="sv", exclude_anchor_links=True,
                                    # the notebook is validated once, after its preprocessors, not after each
                                    optimistic_validation=True)
            exporter.register_filter("b64encode",
                                     lambda s: base64.b64encode(str(s).encode("utf-8")).decode("ascii"))
            exporter.environment.bytecode_cache = _template_cache()
            _exporter = exporter
    return _exporter


# Compiled templates (the report's and nbconvert's own), kept as the package keeps its bytecode: every process that
# renders would otherwise compile them again (~0,15 s of its first export). A template whose source changed is
# compiled anew (Jinja keys each by the source's checksum); where the folder cannot be written, nothing is kept.
TEMPLATE_CACHE = Path(__file__).parent / "__pycache__" / "mallar"


def _template_cache():
    from jinja2 import FileSystemBytecodeCache

    class QuietCache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except OSError:
                pass

        def dump_bytecode(self, bucket) -> None:
            try:
                TEMPLATE_CACHE.mkdir(parents=True, exist_ok=True)
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return QuietCache(str(TEMPLATE_CACHE))


def _read(executed_notebook) -> nbformat.NotebookNode:
    if isinstance(executed_notebook, nbformat.NotebookNode):
        return executed_notebook
    return nbformat.read(str(executed_notebook), as_version=4)


def _title_from_outputs(nb) -> str | None:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            m = _TITLE.search(str(out.get("data", {}).get("text/html", "")))
            if m:
                import html
                return html.unescape(m.group(1))
    return None


# What nbconvert's last pass over the page changes: images without alt text, notebook input and output areas.
_NEEDS_PASS = re.compile(r"<img(?![^>]*\salt=)|jp-OutputArea-output|jp-Cell-inputWrapper")


class _PageAsIs:
    """Stands in for the parsed page in nbconvert's last pass when the page has nothing it would change."""

    def __init__(self, html: str):
        self.html = html

    def select(self, selector):
        return []

    def __str__(self) -> str:
        return self.html


@contextmanager
def _last_pass_only_when_needed():
    """nbconvert's HTMLExporter parses the whole page with BeautifulSoup to give images without alt text a
    placeholder and notebook areas a tabindex, then writes it out again: half a second per document. The
    report's template writes neither (every image has its alt text; no notebook areas), so the page is parsed
    only if it has something that pass would change."""
    import nbconvert.exporters.html as exporter_module

    parse = getattr(exporter_module, "BeautifulSoup", None)
    if parse is None:  # another nbconvert: leave it as it is
        yield
        return

    def page(html, *args, **kwargs):
        return parse(html, *args, **kwargs) if _NEEDS_PASS.search(html) else _PageAsIs(html)

    exporter_module.BeautifulSoup = page
    try:
        yield
    finally:
        exporter_module.BeautifulSoup = parse


def notebook_to_html(executed_notebook, title: str | None = None) -> str:
    nb = copy.deepcopy(_read(executed_notebook))
    for i, cell in enumerate(nb.cells):  # cell ids end up as anchors: numbered, so the HTML is reproducible
        cell["id"] = f"del-{i}"
    title = title or _title_from_outputs(nb) or "Kvalitetsredovisning"
    exporter = html_exporter()  # first: nbconvert is fully imported before the last pass is looked at
    with _last_pass_only_when_needed():
        body, _ = exporter.from_notebook_node(nb, resources={"report_title": title})
    return body


def html_to_pdf(html_text: str, target: Path, soup=None, meanwhile=None) -> Path:
    """A4, tagged PDF/UA-1 with title, language, outline and bookmarks from the HTML, written atomically (a failed
    or interrupted run leaves an earlier PDF at ``target`` as it was). ``soup``: the HTML already parsed;
    ``meanwhile``: called as typst starts setting the document (see pdf.html_to_pdf)."""
    from .pdf import html_to_pdf as typeset
    return typeset(html_text, Path(target), soup, meanwhile)


@collection_paused()
def render_report(executed_notebook, output_dir, formats=("html", "pdf"), basename: str = "kvalitetsredovisning",
                  title: str | None = None, min_cell: int | None = None) -> dict[str, Path]:
    """Write ``<output_dir>/<basename>.html`` and/or ``.pdf`` from an executed report notebook.

    Raises ``ReportCheckError`` when a printed total does not match its parts (before anything is written) or
    when the privacy check finds a personnummer or a small count in the written files.
    """
    formats = tuple(f.strip().lower() for f in (formats.split(",") if isinstance(formats, str) else formats))
    unknown = set(formats) - {"html", "pdf"}
    if unknown:
        raise ValueError(f"Okänt format: {', '.join(sorted(unknown))}. Välj html och/eller pdf.")
    html_text = notebook_to_html(executed_notebook, title)
    soup = parse_html(html_text)  # once, for the sums check, the PDF and the privacy check
    assert_reconciled(soup)
    if min_cell is None:  # the threshold the report was built with (the title page carries it)
        m = _MIN_CELL.search(html_text)
        min_cell = int(m.group(1)) if m else 5
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if "html" in formats:
        written["html"] = out / f"{basename}.html"
        written["html"].write_text(html_text, encoding="utf-8")
    findings: dict[str, list] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kontroll") as beside:
        html_check = []  # started while typst sets the PDF: typst lets go of the interpreter meanwhile

        def check_html_meanwhile() -> None:
            html_check.append(beside.submit(check_report, written["html"], min_cell, parsed=(html_text, soup)))
        if "pdf" in formats:
            written["pdf"] = html_to_pdf(html_text, out / f"{basename}.pdf", soup,
                                         meanwhile=check_html_meanwhile if "html" in written else None)
            findings["pdf"] = check_report(written["pdf"], min_cell)
        if "html" in written:
            findings["html"] = html_check[0].result() if html_check else \
                check_report(written["html"], min_cell, parsed=(html_text, soup))
    problems = [format_findings(written[kind], findings[kind]) for kind in written if findings[kind]]
    if problems:
        raise ReportCheckError("Rapporten får inte publiceras: integritetskontrollen hittade uppgifter som kan "
                               "röja enskilda personer.\n" + "\n".join(problems))
    return written
