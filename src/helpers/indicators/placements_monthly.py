"""Placements month by month: persons placed outside the home on the first day of each month of the period, the
series behind "HVB 81 in January → 66 in December"."""
from __future__ import annotations

import pandas as pd

from ..grouping import period_months
from .cells import Spec, count
from .context import PeriodData
from .placements import SORT, placed_on

GROUPS = ["unit", "form", "legal_basis"]


def placed_first_of_month(d: PeriodData) -> list[Spec]:
    """Category = the month (ÅÅÅÅ-MM): persons placed on its first day."""
    pl = d.placements().sort_values(SORT)
    return [count(placed_on(pl, pd.Timestamp(f"{month}-01"), ordered=True), GROUPS, unique="client_id",
                  category=month) for month in period_months(d.year)]
