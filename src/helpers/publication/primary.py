"""Disclosure control (röjandekontroll): primary and secondary suppression of indicator cells.

Pure functions on the tidy indicator tables (columns indicator, period, grouping, group, category,
numerator, denominator, value, ci_low, ci_high, n). A suppressed cell keeps its values in memory;
`publishable()` removes them before anything is written under reports/.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PUBLISHED_COLUMNS = ["indicator", "period", "grouping", "group", "category", "numerator", "denominator", "value",
                     "ci_low", "ci_high", "n", "suppressed"]
NUMERIC = ["numerator", "denominator", "value", "ci_low", "ci_high", "n"]
KINDS = ("share", "count", "mean", "median")
PRIMARY = "primär"
SECONDARY = "sekundär"


class DisclosureError(AssertionError):
    """A table that would publish a small count (Swedish message)."""


def _small(s: pd.Series, min_cell: int) -> pd.Series:
    x = pd.to_numeric(s, errors="coerce").astype(float)
    return ((x >= 1) & (x < min_cell)).fillna(False)


def primary_mask(df: pd.DataFrame, kind: str, min_cell: int = 5, min_group: int = 10) -> pd.Series:
    """Cells that show a count 1..min_cell-1 (numerator, denominator, n, or the value of a count),
    a share/mean/median on a base under min_cell, or a 0 %/100 % share on a base under min_group."""
    if kind not in KINDS:
        raise ValueError(f"Okänd typ av indikator: {kind!r}")
    mask = _small(df["numerator"], min_cell) | _small(df["denominator"], min_cell) | _small(df["n"], min_cell)
    if kind == "count":
        mask |= _small(df["value"], min_cell)
    if kind == "share":
        base = df["denominator"].astype(float)
        extreme = (df["value"] == 0) | (df["value"] == 1)
        mask |= (extreme & (base > 0) & (base < min_group)).fillna(False)
    return mask.astype(bool)


def _size(df: pd.DataFrame, kind: str) -> pd.Series:
    """What a cell counts, for choosing the next smallest cell."""
    if kind == "count":
        return df["value"].astype(float).fillna(0)
    if kind == "mean":
        return df["n"].astype(float).fillna(0)
    return df["numerator"].astype(float).fillna(0)


def _protect(parts: np.ndarray, total: np.ndarray, mask: np.ndarray, size: np.ndarray) -> bool:
    """If exactly one of `parts` is suppressed, suppress the next smallest non-empty part (or the
    total when there is none). Returns True when something changed."""
    if mask[parts].sum() != 1:
        return False
    free = parts[~mask[parts] & (size[parts] > 0)]
    if len(free):
        mask[free[np.argmin(size[free])]] = True
        return True
    free_total = total[~mask[total]]
    if len(free_total):
        mask[free_total] = True
        return True
    return False


def secondary_mask(df: pd.DataFrame, mask: pd.Series, kind: str, distribution: bool = False) -> pd.Series:
    """Extend `mask` until no suppressed cell can be worked back out by subtraction.

    Within each (indicator, period, grouping, category) the parts add up to the total row; within each
    (indicator, period, grouping, group) of a distribution the categories add up to the group's base.
    Medians do not add up and get no secondary suppression. Repeats until stable.
    """
    m = mask.to_numpy(dtype=bool).copy()
    if kind == "median" or df.empty:
        return pd.Series(m, index=df.index)
    frame = df.reset_index(drop=True)
    size = _size(frame, kind).to_numpy()
    is_total = (frame["grouping"] == "total").to_numpy()
    totals = {k: np.asarray(v) for k, v in
              frame[is_total].groupby(["indicator", "period", "category"], sort=False).groups.items()}
    blocks = [(np.asarray(v), totals.get((k[0], k[1], k[3]), np.array([], dtype=int))) for k, v in
              frame[~is_total].groupby(["indicator", "period", "grouping", "category"], sort=False).groups.items()]
    if distribution:
        blocks += [(np.asarray(v), np.array([], dtype=int)) for v in
                   frame.groupby(["indicator", "period", "grouping", "group"], sort=False).groups.values()]
    changed = True
    while changed:
        changed = False
        for parts, total in blocks:
            changed |= _protect(parts, total, m, size)
    return pd.Series(m, index=df.index)


def apply_disclosure(df: pd.DataFrame, kind: str, min_cell: int = 5, min_group: int = 10,
                     distribution: bool = False) -> pd.DataFrame:
    """The table with `suppressed` set and `suppression_reason` ("primär"/"sekundär"/""); values kept."""
    out = df.copy()
    primary = primary_mask(out, kind, min_cell, min_group)
    full = secondary_mask(out, primary, kind, distribution)
    out["suppressed"] = full.to_numpy()
    out["suppression_reason"] = np.where(primary, PRIMARY, np.where(full, SECONDARY, ""))
    return out


def publishable(df: pd.DataFrame) -> pd.DataFrame:
    """The published version: suppressed cells have no numbers at all, only the published columns."""
    out = df[PUBLISHED_COLUMNS].copy()
    out.loc[out["suppressed"].astype(bool), NUMERIC] = np.nan
    out["suppressed"] = out["suppressed"].astype(bool)
    return out


def assert_publishable(df: pd.DataFrame, min_cell: int = 5, counts: bool | None = None) -> None:
    """Fail if the table shows a count from 1 to min_cell-1 in numerator, denominator or n, or in the
    value of a count cell (counts=None: a row is a count when value equals numerator and has no
    denominator)."""
    bad = _small(df["numerator"], min_cell) | _small(df["denominator"], min_cell) | _small(df["n"], min_cell)
    if counts is None:
        count_rows = df["denominator"].isna() & (df["value"] == df["numerator"])
    else:
        count_rows = pd.Series(bool(counts), index=df.index)
    bad |= _small(df["value"], min_cell) & count_rows.fillna(False)
    if bad.any():
        row = df[bad].iloc[0]
        raise DisclosureError(
            f"Röjanderisk: {int(bad.sum())} cell(er) visar ett antal mellan 1 och {min_cell - 1}, t.ex. "
            f"indikatorn '{row.get('indicator', '?')}', period {row.get('period', '?')}, "
            f"indelning '{row['grouping']}', grupp '{row['group']}', kategori '{row['category']}'.")


def summary(df: pd.DataFrame) -> dict:
    """Counts of cells and suppressed cells (primary and secondary) of one indicator table."""
    reason = df["suppression_reason"] if "suppression_reason" in df else pd.Series("", index=df.index)
    return {"celler": int(len(df)), "undertryckta": int(df["suppressed"].sum()),
            "primära": int((reason == PRIMARY).sum()), "sekundära": int((reason == SECONDARY).sum())}
