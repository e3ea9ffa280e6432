"""reports/index.html: one page where a reviewer finds every report without knowing the folder layout.

Every period × municipality × scope (the whole organisation and each unit) gets a row with its status, date,
key figures when there are any, and links to the HTML and PDF report, annexes and the indicator workbook.
The page is self-contained (no external resources), in Swedish (lang="sv"), with captioned tables whose
headers have scopes. It is rewritten after every run and batch from what is on disk, so it is never stale.

Key figures are read, when present, from ``<scope folder>/nyckeltal.json`` or ``<period folder>/nyckeltal.json``:
either a list ``[{"namn": "Mål i alla ärenden", "varde": "87 %"}, ...]`` (``etikett``/``label`` and
``värde``/``value``/``text`` are accepted too) or an object ``{"Mål i alla ärenden": "87 %"}``; in the period's
file, keyed by scope (``"hela verksamheten"`` or a unit code). Anything unreadable is simply not shown.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path

from .transaction import FAILED_TRAIL

INDEX_NAME = "index.html"
REPORT = "kvalitetsredovisning"
# Names the report and the publication give their files (report.bundle.ANNEX, publication.store.FOLDER and
# WORKBOOK; a test keeps them equal): not imported, so that writing the index imports no pandas.
ANNEX = f"{REPORT}_bilaga"
WORKBOOK = ("publikation", "indikatorer.xlsx")
WHOLE_KEYS = ("hela verksamheten", "hela", "organisation", "total", "")
STATUS = {"klar": "Klar", "fel": "Misslyckades", "avbruten": "Avbruten", "pågår": "Pågår eller avbruten"}
MAX_FIGURES = 6


@dataclass
class Row:
    period: str
    municipality: str
    scope: str
    status: str
    date: str
    figures: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, Path]] = field(default_factory=list)


def _journal(folder: Path) -> dict:
    try:
        data = json.loads((folder / "korning.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _date(journal: dict, folder: Path) -> str:
    stamp = journal.get("avslutad") or journal.get("startad")
    if isinstance(stamp, str):
        try:
            return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            pass
    report = folder / f"{REPORT}.html"
    if report.exists():
        return datetime.fromtimestamp(report.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return "–"


def _value(value) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u00a0")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u00a0").replace(".", ",")
    return str(value)


def _figures_from(data) -> list[tuple[str, str]]:
    out = []
    if isinstance(data, dict):
        data = [{"namn": k, "varde": v} for k, v in data.items() if not isinstance(v, (dict, list))]
    if not isinstance(data, list):
        return []
    for item in data:
        if not isinstance(item, dict):
            continue
        label = next((item[k] for k in ("namn", "etikett", "label", "indikator") if item.get(k)), None)
        value = next((item[k] for k in ("varde", "värde", "value", "text") if k in item), None)
        if label is not None and value is not None:
            out.append((str(label), _value(value)))
    return out[:MAX_FIGURES]


def key_figures(period_dir: Path, scope_dir: Path, unit: str | None) -> list[tuple[str, str]]:
    """Key figures for one scope, read defensively (see the module's docstring for the format)."""
    for path, keyed in ((scope_dir / "nyckeltal.json", False), (period_dir / "nyckeltal.json", True)):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if keyed and isinstance(data, dict):
            for wrapper in ("omfattningar", "scopes", "enheter"):
                if isinstance(data.get(wrapper), dict) and unit is not None:
                    data = {**data, **data[wrapper]}
            keys = (unit,) if unit else WHOLE_KEYS
            data = next((data[k] for k in keys if k in data), None)
        figures = _figures_from(data)
        if figures:
            return figures
    return []


def _links(folder: Path) -> list[tuple[str, Path]]:
    links = []
    for suffix, label in (("html", "Rapport (HTML)"), ("pdf", "Rapport (PDF)")):
        if (folder / f"{REPORT}.{suffix}").is_file():
            links.append((label, folder / f"{REPORT}.{suffix}"))
    for suffix in ("html", "pdf"):
        if (folder / f"{ANNEX}.{suffix}").is_file():
            links.append((f"Bilaga ({suffix.upper()})", folder / f"{ANNEX}.{suffix}"))
    workbook = folder.joinpath(*WORKBOOK)
    if workbook.is_file():
        links.append(("Indikatorer (Excel)", workbook))
    return links


def _row(period: str, period_dir: Path, folder: Path, unit: str | None, fallback_name: str) -> Row | None:
    # A run that failed or was interrupted put the previous publication back and left its own journal under
    # notebooks/senaste_misslyckade/: shown when nothing was published, noted when the previous one is kept.
    published, failed = _journal(folder / "notebooks"), _journal(folder / "notebooks" / FAILED_TRAIL)
    links = _links(folder)
    journal = published or failed
    if not journal and not links:
        return None
    name = str(journal.get("kommun") or fallback_name)
    scope = str(journal.get("enhet_namn") or (unit or "Hela verksamheten"))
    status = STATUS.get(str(journal.get("status")), "Klar (utan körlogg)" if links else "Okänd")
    if not published and failed and failed.get("status") not in ("fel", "avbruten"):
        status = "Inte publicerad"  # this scope's chain ran, another scope of the run failed
    elif published and str(failed.get("startad", "")) > str(published.get("startad", "")):
        status += " (senaste körningen publicerades inte)"
    return Row(period, name, scope, status, _date(journal, folder), key_figures(period_dir, folder, unit), links)


def scan(reports_root: Path, fallback_name: str = "") -> list[Row]:
    """Every scope of every period under ``reports_root`` (``<root>/<period>/`` and ``.../enheter/<unit>/``)."""
    rows = []
    if not reports_root.is_dir():
        return rows
    for period_dir in sorted((p for p in reports_root.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)),
                             reverse=True):
        whole = _row(period_dir.name, period_dir, period_dir, None, fallback_name)
        if whole:
            rows.append(whole)
        units = period_dir / "enheter"
        if units.is_dir():
            for folder in sorted(p for p in units.iterdir() if p.is_dir()):
                row = _row(period_dir.name, period_dir, folder, folder.name, fallback_name or whole_name(whole))
                if row:
                    rows.append(row)
    return rows


def whole_name(row: Row | None) -> str:
    return row.municipality if row else ""


CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;max-width:72rem;
padding:1rem 1.5rem;line-height:1.5}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
caption{text-align:left;font-weight:bold;padding:.3rem 0;color:#1a1a1a}
th,td{border:1px solid #8a8a8a;padding:.4rem .5rem;text-align:left;vertical-align:top}
thead th{background:#e8e8e8}
ul{margin:0;padding-left:1.1rem}
a{color:#0b4f8a}a:focus{outline:3px solid #1a1a1a;outline-offset:2px}
.status-fel,.status-avbruten{font-weight:bold;color:#8b0000}
.dold{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
"""


def _status_class(status: str) -> str:
    return {"Misslyckades": "status-fel", "Avbruten": "status-avbruten"}.get(status, "status")


def render(rows: list[Row], base: Path, updated: str) -> str:
    periods = list(dict.fromkeys(r.period for r in rows))
    out = ['<!DOCTYPE html>', '<html lang="sv">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>Kvalitetsredovisningar – översikt</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           "<header>", "<h1>Kvalitetsredovisningar</h1>",
           "<p>Alla rapporter per period, kommun och enhet. Sidan skrivs om efter varje körning; "
           f"senast {escape(updated)}.</p>",
           "</header>", "<main>"]
    if periods:
        out.append('<nav aria-label="Perioder"><ul>')
        out += [f'<li><a href="#period-{p}">{p}</a></li>' for p in periods]
        out.append("</ul></nav>")
    else:
        out.append("<p>Inga rapporter ännu. Kör <code>uppfoljning run</code> eller "
                   "<code>uppfoljning batch</code>.</p>")
    for period in periods:
        out += [f'<section aria-labelledby="period-{period}">', f'<h2 id="period-{period}">{period}</h2>', "<table>",
                f"<caption>Rapporter för {period}: status, datum, nyckeltal och filer</caption>", "<thead><tr>",
                '<th scope="col">Omfattning</th><th scope="col">Kommun</th><th scope="col">Status</th>'
                '<th scope="col">Datum</th><th scope="col">Nyckeltal</th><th scope="col">Filer</th>',
                "</tr></thead>", "<tbody>"]
        for r in (r for r in rows if r.period == period):
            context = escape(f"{r.municipality}, {r.scope}, {r.period}")
            figures = ("<ul>" + "".join(f"<li>{escape(k)}: <strong>{escape(v)}</strong></li>" for k, v in r.figures)
                       + "</ul>") if r.figures else "–"
            links = ("<ul>" + "".join(
                f'<li><a href="{escape(_href(path, base))}">{escape(label)}'
                f'<span class="dold"> – {context}</span></a></li>' for label, path in r.links) + "</ul>"
                     ) if r.links else "Inga filer"
            out.append(f'<tr><th scope="row">{escape(r.scope)}</th><td>{escape(r.municipality)}</td>'
                       f'<td class="{_status_class(r.status)}">{escape(r.status)}</td><td>{escape(r.date)}</td>'
                       f"<td>{figures}</td><td>{links}</td></tr>")
        out += ["</tbody>", "</table>", "</section>"]
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def _href(path: Path, base: Path) -> str:
    rel = Path(os.path.relpath(path, base)).as_posix()
    return "/".join(_quote(part) for part in rel.split("/"))


def _quote(part: str) -> str:
    from urllib.parse import quote
    return quote(part)


def write_index(target_dir: Path, roots: list[tuple[str, Path]] | None = None) -> Path:
    """Write ``<target_dir>/index.html`` for the reports under ``roots`` ([(municipality, reports root)];
    default: target_dir itself is a reports root). Returns the path."""
    target_dir = Path(target_dir)
    rows: list[Row] = []
    for name, root in roots if roots is not None else [("", target_dir)]:
        rows += scan(Path(root), name)
    rows.sort(key=lambda r: (-int(r.period), r.municipality, r.scope != "Hela verksamheten"))
    from ..atomic import write_text_atomic

    text = render(rows, target_dir, datetime.now().strftime("%Y-%m-%d %H:%M"))
    return write_text_atomic(target_dir / INDEX_NAME, text)
