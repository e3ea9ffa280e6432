"""Placements month by month: persons placed outside the home on the first day of each month of the period, the
series behind "HVB 81 in January → 66 in December"."""
from __future__ import annotations

import pandas as pd

from ..grouping import period_months
from .cells import Spec, count
from .context import PeriodData

GROUPS = ["unit", "form", "legal_basis"]


SORT = ["client_id", "start", "placement_id"]


def placed_on(pl: pd.DataFrame, day: pd.Timestamp, ordered: bool = False) -> pd.DataFrame:
    """Placements running on `day`, one per person: the most recently started (a person is counted once).
    `ordered`: `pl` is already sorted by SORT (a stable sort, so filtering after sorting gives the same rows)."""
    running = ((pl["start"] <= day) & (pl["end"].isna() | (pl["end"] >= day))).fillna(False)
    rows = pl[running] if ordered else pl[running].sort_values(SORT)
    return rows.drop_duplicates("client_id", keep="last")


def placed_first_of_month(d: PeriodData) -> list[Spec]:
    """Category = the month (ÅÅÅÅ-MM): persons placed on its first day."""
    pl = d.placements().sort_values(SORT)
    return [count(placed_on(pl, pd.Timestamp(f"{month}-01"), ordered=True), GROUPS, unique="client_id",
                  category=month) for month in period_months(d.year)]
