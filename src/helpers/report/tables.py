"""Accessible HTML tables for the report: caption, scoped headers, Swedish numbers, "X" for suppressed cells.

Cells carry machine-readable markers that the checks use: ``data-count`` on counts of persons, cases or their
records (``Col.is_count``; the table says ``data-counts-marked``, so unmarked cells are known not to be such counts),
``data-col`` with the column key, ``data-role`` (part/total) on rows, and on the table ``data-sum-cols``
(columns whose total row must equal the sum of the part rows) and ``data-share-cols``
(``share:numerator:denominator`` triples that must agree).
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from .. import formatting as fmt

SUPPRESSED_LEGEND = (f"{fmt.SUPPRESSED} = uppgiften visas inte eftersom den bygger på för få personer "
                     "(röjandekontroll). Summor kan därför avvika från summan av de redovisade delarna.")
MISSING_LEGEND = f"{fmt.MISSING} = uppgift saknas."


@dataclass(frozen=True)
class Col:
    """One column: ``kind`` is text, count (persons or cases), share (0..1), number or year."""
    key: str
    label: str
    kind: str = "text"
    decimals: int = 0
    sums: bool = False  # the total row must equal the sum of the parts in this column
    right: bool = False  # a text column of values ("85 %", "89 dagar") aligned like numbers
    # Whether its whole numbers count persons, cases or their records (the privacy check looks for small ones).
    # None: a count column does, and so does a number column unless it says False (the board's goals, a mean).
    counts: bool | None = None

    @property
    def is_count(self) -> bool:
        return self.counts if self.counts is not None else self.kind in ("count", "number")


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (v.__class__.__name__ == "NAType")


def format_cell(value, col: Col, suppressed: bool = False) -> tuple[str, bool]:
    """(text, is_missing) for one cell in Swedish format."""
    if suppressed:
        return fmt.SUPPRESSED, False
    if _missing(value):
        return fmt.MISSING, True
    if col.kind == "count":
        return fmt.integer(value), False
    if col.kind == "share":
        return fmt.percent(value, col.decimals), False
    if col.kind == "number":
        return fmt.number(value, col.decimals), False
    return str(value), False


def html_table(rows: Sequence[dict], columns: Sequence[Col], caption: str, *, table_id: str,
               share_cols: Iterable[tuple[str, str, str]] = (), note: str | None = None,
               explained: str | None = None, css_class: str = "rapporttabell") -> str:
    """A table whose first column holds the row headers.

    Each row is a dict of column key -> value; optional keys: ``_role`` ("part", "total" or "" for rows outside
    the reconciliation), ``_suppressed`` (set of column keys shown as "X"), ``_kind`` (column key -> kind for this row only). ``explained`` is printed under the
    table and tells the reconciliation why a total may differ from its parts.
    """
    sum_cols = [c.key for c in columns if c.sums]
    attrs = [f'id="{html.escape(table_id)}"', f'class="{css_class}"', "data-counts-marked"]
    if sum_cols:
        attrs.append(f'data-sum-cols="{" ".join(sum_cols)}"')
    shares = [":".join(t) for t in share_cols]
    if shares:
        attrs.append(f'data-share-cols="{" ".join(shares)}"')
    if explained:
        attrs.append('data-explained="true"')
    out = [f"<table {' '.join(attrs)}>", f"<caption>{html.escape(caption)}</caption>", "<thead><tr>"]
    for c in columns:
        cls = ' class="num"' if c.kind != "text" or c.right else ""
        out.append(f'<th scope="col"{cls}>{html.escape(c.label)}</th>')
    out.append("</tr></thead><tbody>")
    any_suppressed = any_missing = False
    for row in rows:
        role = row.get("_role", "")
        suppressed = set(row.get("_suppressed", ()))
        tr = f'<tr data-role="{role}"' + (' class="summarad"' if role == "total" else "") + ">"
        cells = [tr]
        kinds = row.get("_kind", {})
        for i, col in enumerate(columns):
            c = col
            if col.key in kinds:  # "number:1" = a number with one decimal
                kind, _, dec = kinds[col.key].partition(":")
                c = replace(col, kind=kind, decimals=int(dec) if dec else col.decimals, counts=None)  # the row's kind
            text, missing = format_cell(row.get(c.key), c, c.key in suppressed)
            any_suppressed |= c.key in suppressed
            any_missing |= missing
            marks = [f'data-col="{c.key}"']
            if c.is_count:
                marks.append("data-count")
            if c.key in suppressed:
                marks.append("data-suppressed")
            if c.kind != "text" or c.right:
                marks.append('class="num"')
            tag = "th" if i == 0 else "td"
            scope = ' scope="row"' if i == 0 else ""
            cells.append(f"<{tag}{scope} {' '.join(marks)}>{html.escape(text)}</{tag}>")
        cells.append("</tr>")
        out.append("".join(cells))
    out.append("</tbody></table>")
    notes = [n for n in (note, explained) if n]
    if any_suppressed:
        notes.append(SUPPRESSED_LEGEND)
    if any_missing:
        notes.append(MISSING_LEGEND)
    body = "\n".join(out)
    if notes:
        body += "\n" + "".join(f'<p class="tabellnot">{html.escape(n)}</p>' for n in notes)
    # A wide table scrolls sideways on a narrow screen: the region can take focus (arrow keys scroll it) and is
    # named by its caption (WCAG 2.1.1, axe "scrollable-region-focusable").
    return (f'<div class="tabell" role="region" tabindex="0" aria-label="{html.escape(caption, quote=True)}">\n'
            f'{body}\n</div>')
