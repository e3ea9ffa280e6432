"""Primary suppression (röjandekontroll): which cells may not be shown on their own.

A cell is primary when any count it reveals is between 1 and min_cell − 1: a count; a share's numerator,
denominator or complement (denominator − numerator: "all but 2"); the n of a mean or median. A share of 0 % or
100 % is primary on a base under min_group, because it tells something about every member of a small group.
Zero is shown as zero. Which further cells must be hidden so that no primary cell can be worked back out from
everything published is the job of ``protect`` (secondary suppression over the whole linked set).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PRIMARY = "primär"
SECONDARY = "sekundär"
KINDS = ("share", "count", "mean", "median")


class DisclosureError(AssertionError):
    """Published cells that show a small count (Swedish message)."""


def _small(values, min_cell: int) -> np.ndarray:
    x = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(float)
    with np.errstate(invalid="ignore"):
        return (x >= 1) & (x < min_cell)


def primary_mask(cells: pd.DataFrame, min_cell: int = 5, min_group: int = 10, kind: str | None = None) -> pd.Series:
    """True for cells that reveal a count 1..min_cell−1 or an extreme share on a small base.

    The kind comes from the `kind` column (share, count, mean, median) unless given for all cells."""
    kinds = np.full(len(cells), kind) if kind else cells["kind"].astype(str).to_numpy()
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"Okänd typ av indikator: {', '.join(sorted(unknown))}")
    num = cells["numerator"].to_numpy(float)
    den = cells["denominator"].to_numpy(float)
    n = cells["n"].to_numpy(float)
    value = cells["value"].to_numpy(float)
    share = kinds == "share"
    mask = _small(n, min_cell)
    mask |= share & (_small(num, min_cell) | _small(den, min_cell) | _small(den - num, min_cell))
    mask |= (kinds == "count") & _small(value, min_cell)
    with np.errstate(invalid="ignore"):
        extreme = ((value == 0) | (value == 1)) & (den > 0) & (den < min_group)
    mask |= share & extreme
    return pd.Series(mask, index=cells.index)


def assert_publishable(cells: pd.DataFrame, min_cell: int = 5) -> None:
    """Fail if a published cell shows a count from 1 to min_cell − 1 (suppressed cells carry no numbers)."""
    shown = cells[~cells.get("suppressed", pd.Series(False, index=cells.index)).astype(bool)]
    kinds = shown["kind"].astype(str).to_numpy() if "kind" in shown else np.full(len(shown), "share")
    bad = _small(shown["n"], min_cell)
    bad |= (kinds == "share") & (_small(shown["numerator"], min_cell) | _small(shown["denominator"], min_cell)
                                 | _small(shown["denominator"] - shown["numerator"], min_cell))
    bad |= (kinds == "count") & _small(shown["value"], min_cell)
    if bad.any():
        row = shown[bad].iloc[0]
        raise DisclosureError(
            f"Röjanderisk: {int(bad.sum())} publicerad(e) cell(er) visar ett antal mellan 1 och {min_cell - 1}, "
            f"t.ex. {row.get('cell_id', row.get('indicator', '?'))}.")
