"""Numbers that add up: every printed total equals the sum of its printed parts, every share its fraction.

Works on the printed (Swedish) text of the report's tables, so it checks exactly what a reader sees. A difference
is "explained" when a part is suppressed ("X") or the table carries an explanation the report prints.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .. import formatting as fmt
from .errors import ReportCheckError
from .soup import Element, first, parse_html, tags

OK, EXPLAINED, MISMATCH = "ok", "förklarad", "avvikelse"


@dataclass(frozen=True)
class TableCheck:
    table: str  # the caption (or id) of the table
    status: str  # ok / förklarad / avvikelse
    detail: str = ""


def parse_number(text: str) -> float | None:
    """Printed Swedish number -> float: '1 234' -> 1234, '70 %' -> 0.70, '2,5' -> 2.5; 'X', '–' -> None."""
    t = text.strip().replace(fmt.NBSP, "").replace("\u202f", "").replace(" ", "").replace("−", "-")
    if t in ("", fmt.SUPPRESSED, fmt.MISSING, "-"):
        return None
    is_share = t.endswith("%")
    t = t.rstrip("%").replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    return v / 100 if is_share else v


def _decimals(text: str) -> int:
    m = re.search(r",(\d+)", text)
    return len(m.group(1)) if m else 0


def check_sum(parts: Sequence[float | None], total: float | None, *, suppressed_parts: bool = False,
              explained: bool = False) -> tuple[str, str]:
    """Compare a total with the sum of its parts (None = not printed)."""
    if total is None:
        return OK, ""
    s = sum(p for p in parts if p is not None)
    if abs(s - total) < 1e-9:
        return OK, ""
    detail = f"summan av delarna är {fmt.number(s)} men totalen är {fmt.number(total)}"
    if suppressed_parts or explained:
        return EXPLAINED, detail
    return MISMATCH, detail


def check_share(share_text: str, numerator: float | None, denominator: float | None) -> bool:
    """True when the printed share agrees with numerator/denominator within the printed rounding."""
    share = parse_number(share_text) if "%" in share_text else None
    if share is None or numerator is None or not denominator:
        return True
    tolerance = 0.5 * 10 ** -(_decimals(share_text) + 2) + 1e-9
    return abs(share - numerator / denominator) <= tolerance


def _cells(tr) -> dict[str, object]:
    return {c.get("data-col"): c for c in tags(tr, "td", "th") if c.get("data-col")}


def reconcile_table(table) -> list[TableCheck]:
    """Checks for one parsed <table> with the markers written by ``tables.html_table``."""
    caption = first(table, "caption")
    caption = caption.get_text(" ", strip=True) if caption else table.get("id", "tabell")
    explained = table.get("data-explained") == "true"
    rows = [tr for tr in tags(table, "tr") if tr.get("data-role") is not None]
    parts = [_cells(r) for r in rows if r["data-role"] == "part"]
    totals = [_cells(r) for r in rows if r["data-role"] == "total"]
    checks: list[TableCheck] = []
    for col in (table.get("data-sum-cols") or "").split():
        for total in totals:
            if col not in total:
                continue
            cells = [p[col] for p in parts if col in p]
            status, detail = check_sum([parse_number(c.get_text()) for c in cells],
                                       parse_number(total[col].get_text()),
                                       suppressed_parts=any(c.has_attr("data-suppressed") for c in cells),
                                       explained=explained)
            if status != OK:
                checks.append(TableCheck(caption, status, f"kolumn {col}: {detail}"))
    for triple in (table.get("data-share-cols") or "").split():
        share, num, den = triple.split(":")
        for r in [_cells(r) for r in rows]:
            if share in r and num in r and den in r:
                n, d = parse_number(r[num].get_text()), parse_number(r[den].get_text())
                if not check_share(r[share].get_text(), n, d):
                    checks.append(TableCheck(caption, MISMATCH, f"andelen {r[share].get_text().strip()} stämmer inte "
                                             f"med {fmt.number(n)} av {fmt.number(d)}"))
    return checks or [TableCheck(caption, OK)]


def reconcile_html(html: str | Element) -> list[TableCheck]:
    """Checks for every marked table in a report (its HTML text or parsed tree)."""
    soup = parse_html(html)
    results: list[TableCheck] = []
    for table in tags(soup, "table"):
        if table.get("data-sum-cols") or table.get("data-share-cols"):
            results.extend(reconcile_table(table))
    return results


def assert_reconciled(html: str | Element) -> list[TableCheck]:
    """Raise ``ReportCheckError`` naming each table whose numbers do not add up; return all checks otherwise."""
    results = reconcile_html(html)
    bad = [r for r in results if r.status == MISMATCH]
    if bad:
        lines = "\n".join(f"- {r.table}: {r.detail}" for r in bad)
        raise ReportCheckError("Rapporten renderas inte: siffrorna går inte ihop i följande tabeller "
                               f"(och skillnaden förklaras inte i rapporten):\n{lines}")
    return results
