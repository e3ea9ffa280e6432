"""Change: goal attainment on the general four-category scale, paired before–after change per instrument."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import ATTAINMENT, INSTRUMENTS
from .cells import Spec, distribution, share, stat
from .context import PeriodData, member, per_period

ASSESSED = list(ATTAINMENT[:4])  # "ej_bedomt" is not part of the distribution
CHANGE = ["forbattrad", "oforandrad", "forsamrad"]
CHANGE_LABELS = {"forbattrad": "Förbättrad", "oforandrad": "Oförändrad", "forsamrad": "Försämrad"}
IV_COLS = ["intervention_id", "unit", "type", "provider", "provider_type", "target_group"]
ATTAINMENT_GROUPS = ["unit", "type", "target_group", "area", "sex", "age_group"]


def goal_attainment(d: PeriodData) -> Spec:
    """Goals followed up in the period, by their latest assessed follow-up in the period."""
    fu = d.table("goal_followups")
    fu = fu[d.within(fu["date"]) & (fu["attainment"] != "ej_bedomt").fillna(False)]
    latest = fu.sort_values(["goal_id", "date"]).drop_duplicates("goal_id", keep="last")
    goals = d.table("goals")[["goal_id", "intervention_id", "client_id", "area"]].merge(
        latest[["goal_id", "attainment"]], on="goal_id")
    goals = goals.merge(d.interventions()[IV_COLS], on="intervention_id", how="left")
    goals = d.with_clients(goals)
    return distribution(goals, "attainment", ASSESSED, ATTAINMENT_GROUPS)


def _key(df: pd.DataFrame) -> pd.Series:
    return df["client_id"].astype(str) + "|" + df["intervention_id"].astype("string").fillna("") + "|" + \
        df["instrument"].astype(str)


@per_period
def _measurements(d: PeriodData) -> pd.DataFrame:
    """Measurements with a score and a date, keyed by client, intervention and instrument."""
    m = d.table("measurements").dropna(subset=["score", "date"])
    return m.assign(key=_key(m))


@per_period
def paired_measurements(d: PeriodData) -> pd.DataFrame:
    """One row per client, intervention and instrument: the first 'före' score and the latest
    'efter'/'uppföljning' score measured in the period (after the före measurement)."""
    m = _measurements(d)
    before = m[m["occasion"] == "fore"].sort_values(["key", "date"]).drop_duplicates("key", keep="first")
    after = m[m["occasion"].isin(["efter", "uppfoljning"]) & d.within(m["date"])]
    after = after.sort_values(["key", "date"]).drop_duplicates("key", keep="last")
    pairs = before[["key", "client_id", "intervention_id", "instrument", "date", "score"]].merge(
        after[["key", "date", "score"]], on="key", suffixes=("_before", "_after"))
    pairs = pairs[pairs["date_after"] > pairs["date_before"]].copy()
    pairs["delta"] = (pairs["score_after"] - pairs["score_before"]).astype(float)
    lower_better = pairs["instrument"].map({k: v["better"] == "lower" for k, v in INSTRUMENTS.items()})
    gain = np.where(lower_better.fillna(True).astype(bool), -pairs["delta"], pairs["delta"])
    pairs["change"] = np.select([gain > 0, gain < 0], ["forbattrad", "forsamrad"], "oforandrad")
    pairs = pairs.merge(d.interventions()[IV_COLS], on="intervention_id", how="left")
    return d.with_clients(pairs)


CHANGE_GROUPS = ["instrument", "unit", "type", "sex", "age_group"]


def change_distribution(d: PeriodData) -> Spec:
    return distribution(paired_measurements(d), "change", CHANGE, CHANGE_GROUPS)


def _per_instrument(spec: Spec) -> Spec:
    """Scores of different instruments cannot be pooled: cells per instrument only, no total row."""
    spec.keep = lambda cells: cells[cells["grouping"] != "total"]
    return spec


def change_median(d: PeriodData) -> Spec:
    return _per_instrument(stat(paired_measurements(d), "delta", ["instrument"], "median"))


def change_mean(d: PeriodData) -> Spec:
    return _per_instrument(stat(paired_measurements(d), "delta", ["instrument"], "mean"))


def measured_after(d: PeriodData) -> Spec:
    """Attrition: of the före measurements in interventions finished in the period, the share with an
    after measurement."""
    m = _measurements(d)
    finished = d.interventions()
    finished = finished[d.within(finished["end"])][IV_COLS]
    before = m[m["occasion"] == "fore"].drop_duplicates("key").merge(finished, on="intervention_id")
    after_keys = m.loc[m["occasion"].isin(["efter", "uppfoljning"]), "key"]
    before = d.with_clients(before.assign(flag=member(before["key"], after_keys)))
    return share(before, "flag", CHANGE_GROUPS)
