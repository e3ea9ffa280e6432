"""A source file read as text: the frame every reader returns, and the header rules they share."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .records import BadRow

HEADER_SCAN_ROWS = 10


@dataclass(frozen=True)
class FormulaCell:
    index: int  # row of SourceFrame.df
    column: str
    cell: str  # e.g. "D7"
    formula: str


@dataclass
class SourceFrame:
    """`df` has one string column per header cell; `rows` the file's row number of each data row."""
    path: Path
    df: pd.DataFrame
    rows: pd.Series  # 1-based row (line) number in the file of each data row
    encoding: str | None = None  # None for Excel
    delimiter: str | None = None
    header_row: int = 1
    sheet: str | None = None  # the sheet(s) read, for Excel
    notes: list[str] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)  # rows set aside while reading, with their reason
    sheets: pd.Series | None = None  # sheet of each data row (Excel)
    formula_cells: list[FormulaCell] = field(default_factory=list)  # formulas without a stored value


def norm(name) -> str:
    return " ".join(str(name).split()).casefold()


def header_hits(row: list, expected: set[str] | None) -> int:
    return sum(1 for c in row if c is not None and norm(c) in expected) if expected else 0


def choose_header_row(rows: list[list], expected: set[str] | None, hint: int | None) -> int:
    """1-based header row: the hint, else the row naming most expected columns, else the first full row."""
    if hint:
        return int(hint)
    filled = [sum(1 for c in r if c is not None and str(c).strip()) for r in rows]
    if not filled or max(filled) == 0:
        return 1
    if expected:
        hits = [header_hits(r, expected) for r in rows]
        if max(hits) > 0:
            return hits.index(max(hits)) + 1
    widest = max(filled)
    for i, n in enumerate(filled):
        if n >= max(2, widest * 0.6) or n == widest:
            return i + 1
    return 1


def headers(cells: list) -> list[str]:
    """Header names: whitespace collapsed, blanks named 'Kolumn n', repeats numbered."""
    names, seen = [], {}
    for i, c in enumerate(cells):
        name = " ".join(str(c).split()) if c is not None and str(c).strip() else f"Kolumn {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return names


def _stripped(values) -> list:
    """Each cell without surrounding whitespace; empty and missing cells as None."""
    return [(v.strip() or None) if v.__class__ is str else _stripped_other(v) for v in values]


def _stripped_other(v):
    return None if v is None or pd.isna(v) else (str(v).strip() or None)


def finish(name: str, df: pd.DataFrame, rows: pd.Series, notes: list[str],
           keep: pd.Series | None = None, stripped: bool = False) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Strip cells, turn empty cells into missing (done already when `stripped`), drop empty rows (except `keep`);
    keep each row's number. Returns the frame, the row numbers and the positions (in the frame given) of the rows
    kept."""
    if not stripped:
        df = pd.DataFrame({i: pd.array(_stripped(df.iloc[:, i].to_numpy(object)), dtype="string")
                           for i in range(len(df.columns))}, index=df.index).set_axis(df.columns, axis=1)
    empty = df.isna().all(axis=1) if len(df.columns) else pd.Series(True, index=df.index)
    if keep is not None:
        empty &= ~keep.to_numpy()
    positions = pd.Series(range(len(df)), index=df.index)
    if empty.any():
        n = int(empty.sum())
        notes.append(f"{n} helt {'tom rad' if n == 1 else 'tomma rader'} hoppades över.")
        df, rows, positions = df.loc[~empty], rows.loc[~empty.to_numpy()], positions.loc[~empty]
    df = df.reset_index(drop=True)
    if df.empty:
        notes.append(f"Filen {name} innehåller inga datarader.")
    return df, rows.reset_index(drop=True), positions.reset_index(drop=True)
