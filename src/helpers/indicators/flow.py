"""Flow: completed versus broken-off interventions, provider comparison, not re-actualised within a year."""
from __future__ import annotations

import pandas as pd

from ..grouping import as_group
from ..tables import load_table
from .cells import Spec, distribution, share
from .context import PeriodData, member, per_period

END_REASONS = ["planerad", "avbrott", "annan", "Uppgift saknas"]
IV_GROUPS = ["unit", "type", "provider_type", "target_group", "sex", "age_group"]
PROVIDER_GROUPS = ["provider", "provider_type", "type", "unit"]


@per_period
def _finished(d: PeriodData) -> pd.DataFrame:
    iv = d.interventions()
    iv = iv[d.within(iv["end"])]
    return iv.assign(reason=as_group(iv["end_reason"]))


def end_reasons(d: PeriodData) -> Spec:
    """Interventions finished in the period by how they ended."""
    return distribution(_finished(d), "reason", END_REASONS, IV_GROUPS)


def provider_comparison(d: PeriodData) -> Spec:
    """Share of the interventions finished in the period that ended as planned, per provider."""
    iv = _finished(d)
    return share(iv.assign(flag=iv["reason"] == "planerad"), "flag", PROVIDER_GROUPS)


def _cases_with_previous(d: PeriodData) -> pd.DataFrame:
    cases = d.table("cases")
    prev_dir = d.processed_dir.parent / str(d.year - 1)
    if prev_dir.is_dir() and prev_dir != d.processed_dir:
        prev = load_table(prev_dir, "cases", bookkeeping=False)
        cases = pd.concat([cases, prev[~member(prev["case_id"], cases["case_id"])]], ignore_index=True)
    return cases


def not_reactualised(d: PeriodData) -> Spec:
    """Clients whose cases were all closed in the first half of the previous year (last closure in that
    half-year, no other case open then) without a new case opened within 12 months (KKiK)."""
    cases = _cases_with_previous(d)
    h1_start, h1_end = pd.Timestamp(f"{d.year - 1}-01-01"), pd.Timestamp(f"{d.year - 1}-06-30")
    closed = cases[((cases["closed"] >= h1_start) & (cases["closed"] <= h1_end)).fillna(False)]
    last = closed.sort_values(["client_id", "closed"]).drop_duplicates("client_id", keep="last")
    last = last[["client_id", "case_id", "unit", "closed"]].rename(columns={"case_id": "last_case", "closed": "at"})
    other = cases.merge(last, on="client_id")
    other = other[other["case_id"] != other["last_case"]]
    open_then = other[((other["opened"] <= other["at"]) & (other["closed"].isna() | (other["closed"] > other["at"])))
                      .fillna(False)]["client_id"]
    back = other[((other["opened"] > other["at"]) & (other["opened"] <= other["at"] + pd.DateOffset(months=12)))
                 .fillna(False)]["client_id"]
    base = last[~member(last["client_id"], open_then)]
    base = d.with_clients(base.assign(flag=~member(base["client_id"], back)))
    return share(base, "flag", ["unit", "sex", "age_group"])
