"""Barnavårdsutredningar: pre-assessment within 14 days, investigations within 4 months, time to
decision, reports and investigations per month."""
from __future__ import annotations

import pandas as pd

from ..grouping import month_label, period_months
from .cells import Spec, count, share, stat
from .context import PeriodData, per_period

GROUPS = ["unit", "sex", "age_group"]
MONTHLY = {"anmalningar": "report_received", "inledda": "investigation_start", "avslutade": "investigation_end"}
MONTHLY_LABELS = {"anmalningar": "Inkomna anmälningar", "inledda": "Inledda utredningar",
                  "avslutade": "Avslutade utredningar"}


def pre_assessment_in_time(d: PeriodData) -> Spec:
    """Reports received in the period with the pre-assessment decided within 14 days. Reports still
    within their 14 days at the period's end without a decision are not yet counted."""
    days = int(d.setting("forhandsbedomning_dagar", 14))
    inv = d.investigations()
    inv = inv[d.within(inv["report_received"])]
    decided = inv["pre_assessment_date"].notna()
    due = decided | (inv["report_received"] <= d.end - pd.Timedelta(days=days))
    inv = inv[due.fillna(False)]
    took = (inv["pre_assessment_date"] - inv["report_received"]).dt.days
    return share(d.with_clients(inv.assign(flag=(took <= days).fillna(False))), "flag", GROUPS)


@per_period
def _closed(d: PeriodData) -> pd.DataFrame:
    inv = d.investigations()
    inv = inv[d.within(inv["investigation_end"]) & inv["investigation_start"].notna()].copy()
    inv["days"] = (inv["investigation_end"] - inv["investigation_start"]).dt.days.astype(float)
    inv["extended"] = inv["extended"].map({True: "ja", False: "nej"}).astype("string")
    return d.with_clients(inv[inv["days"] >= 0])


def within_four_months(d: PeriodData) -> Spec:
    """Investigations closed in the period, finished at most 4 calendar months after they started."""
    months = int(d.setting("utredning_manader", 4))
    inv = _closed(d)
    flag = inv["investigation_end"] <= inv["investigation_start"] + pd.DateOffset(months=months)
    return share(inv.assign(flag=flag), "flag", GROUPS + ["extended"])


def duration_median(d: PeriodData) -> Spec:
    return stat(_closed(d), "days", GROUPS, "median")


def duration_mean(d: PeriodData) -> Spec:
    return stat(_closed(d), "days", GROUPS, "mean")


def per_month(d: PeriodData) -> list[Spec]:
    """Reports received, investigations opened and closed, per month of the period. The closed ones are the
    investigations the 4-month share and the duration count (closed in the period, with a start date): the same
    quantity in every table, one in the publication's linked set."""
    inv = d.investigations()
    specs = []
    for category, column in MONTHLY.items():
        rows = _closed(d) if category == "avslutade" else inv[d.within(inv[column])]
        specs.append(count(rows.assign(month=month_label(rows[column])), ["month"], category=category,
                           levels={"month": period_months(d.year)}))
    return specs
