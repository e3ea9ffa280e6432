"""Ekonomiskt bistånd: months with försörjningsstöd per year, the long-term share, waiting time."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .cells import Spec, count, distribution, share, stat
from .context import PeriodData, per_period

GROUPS = ["sex", "age_group"]
AREA = "ekonomiskt_bistand"  # rows belong to the unit that handles the client's ekonomiskt bistånd
MONTH_BANDS = ["1–3 månader", "4–6 månader", "7–9 månader", "10–12 månader"]


def _in_year(months: pd.Series, year: int) -> np.ndarray:
    """Months ('ÅÅÅÅ-MM') in the year; tested once per distinct month."""
    codes, uniques = pd.factorize(months.astype("string"))
    hit = pd.Series(uniques, dtype="string").str.startswith(f"{year}-").fillna(False).to_numpy(bool)
    return np.append(hit, False)[codes]


@per_period
def recipients(d: PeriodData) -> pd.DataFrame:
    """One row per client paid försörjningsstöd in the period, with the number of months paid."""
    sm = d.table("support_months")
    sm = sm[_in_year(sm["month"], d.year) & (sm["amount"] > 0).fillna(False).to_numpy(bool)]
    rec = sm.groupby("client_id", sort=True)["month"].nunique().rename("months").reset_index()
    rec["months"] = rec["months"].astype(float)
    long_term = int(d.setting("langvarigt_manader", 10))
    rec["long_term"] = rec["months"] >= long_term
    rec["band"] = np.select([rec["months"] <= 3, rec["months"] <= 6, rec["months"] <= 9], MONTH_BANDS[:3],
                            MONTH_BANDS[3])
    return d.with_clients(rec.assign(unit=d.client_unit(rec["client_id"], AREA)))


def recipient_count(d: PeriodData) -> Spec:
    return count(recipients(d), GROUPS, unique="client_id")


def months_mean(d: PeriodData) -> Spec:
    return stat(recipients(d), "months", GROUPS, "mean")


def months_distribution(d: PeriodData) -> Spec:
    return distribution(recipients(d), "band", MONTH_BANDS, GROUPS)


def long_term_share(d: PeriodData) -> Spec:
    return share(recipients(d), "long_term", GROUPS)


@per_period
def _waits(d: PeriodData) -> pd.DataFrame:
    a = d.table("support_applications")
    a = a[d.within(a["decision_date"]) & a["first_contact"].notna()].copy()
    a["days"] = (a["decision_date"] - a["first_contact"]).dt.days.astype(float)
    a = a[a["days"] >= 0]
    return d.with_clients(a.assign(unit=d.client_unit(a["client_id"], AREA)))


def waiting_median(d: PeriodData) -> Spec:
    return stat(_waits(d), "days", GROUPS, "median")


def waiting_mean(d: PeriodData) -> Spec:
    return stat(_waits(d), "days", GROUPS, "mean")
