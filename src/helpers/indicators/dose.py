"""Step 3, dose and delivery: interventions delivered as planned, sessions per finished intervention and visits
held of those booked. The sessions table holds each intervention's counts up to its end (a blank count = none)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .cells import Spec, share, stat
from .context import PeriodData, per_period
from .coverage import IV_GROUPS, finished_interventions

# Category -> sessions column; "alla_tillfallen" is their sum, "planerade_tillfallen" the planned dose.
KINDS = {"individuella_samtal": "individual_sessions", "gruppsamtal": "group_sessions",
         "anhorigsamtal": "relative_sessions", "genomforda_besok": "visits_held"}
CATEGORIES = ["planerade_tillfallen", "alla_tillfallen", *KINDS]
PLAN_GROUPS = IV_GROUPS + ["provider"]
# Visits are counted, not persons: the breakdown stays with organisational groupings.
VISIT_GROUPS = ["unit", "type", "provider_type"]
COUNT_COLUMNS = list(KINDS.values()) + ["visits_missed"]


@per_period
def _with_sessions(d: PeriodData) -> pd.DataFrame:
    """Interventions finished in the period that have a registration of what was delivered (some count filled
    in); blank counts are 0."""
    iv = finished_interventions(d)
    s = d.table("sessions").drop_duplicates("intervention_id", keep="last")[["intervention_id"] + COUNT_COLUMNS]
    rows = iv.merge(s, on="intervention_id")
    rows = rows[rows[COUNT_COLUMNS].notna().any(axis=1)].copy()
    for column in COUNT_COLUMNS:
        rows[column] = pd.to_numeric(rows[column], errors="coerce").astype(float).fillna(0.0)
    return rows


@per_period
def delivered(d: PeriodData) -> pd.DataFrame:
    """Finished interventions with a planned dose (> 0) and a registered delivery: per kind, in all, and
    `flag` = at least the planned number of sessions and visits held."""
    rows = _with_sessions(d)
    rows = rows[(pd.to_numeric(rows["planned_sessions"], errors="coerce") > 0).fillna(False)].copy()
    for category, column in KINDS.items():
        rows[category] = rows[column]
    rows["planerade_tillfallen"] = rows["planned_sessions"].astype(float)
    rows["alla_tillfallen"] = rows[list(KINDS)].sum(axis=1)
    rows["flag"] = rows["alla_tillfallen"] >= rows["planerade_tillfallen"]
    return rows


def delivered_as_planned(d: PeriodData) -> Spec:
    return share(delivered(d), "flag", PLAN_GROUPS)


def sessions_mean(d: PeriodData) -> list[Spec]:
    """Mean planned and held sessions and visits per finished intervention; category = what is counted."""
    rows = delivered(d)
    return [stat(rows, category, IV_GROUPS, "mean", category=category) for category in CATEGORIES]


def booked_visits(d: PeriodData) -> pd.DataFrame:
    """One row per booked visit (held or missed) in the interventions finished in the period; `flag` = held."""
    rows = _with_sessions(d)
    held = rows["visits_held"].round().astype(int).to_numpy()
    booked = held + rows["visits_missed"].round().astype(int).to_numpy()
    visits = rows.loc[rows.index.repeat(booked), ["intervention_id"] + VISIT_GROUPS]
    nth = visits.groupby(level=0).cumcount().to_numpy()
    return visits.assign(flag=nth < np.repeat(held, booked)).reset_index(drop=True)


def visits_held(d: PeriodData) -> Spec:
    return share(booked_visits(d), "flag", VISIT_GROUPS)
