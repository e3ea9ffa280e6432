"""Ekonomiskt bistånd after finished support: why clients who answered "ej tillfredsställande" were not satisfied.

The rows are the same evaluations as ``coverage.satisfied_with_support`` (its "nej" answers, its complement): one
per intervention finished in the period, the latest evaluation with a satisfied/not satisfied answer.
"""
from __future__ import annotations

import pandas as pd

from ..grouping import MISSING_GROUP, as_group
from ..schema import DISSATISFACTION_REASONS
from .cells import Spec, distribution
from .context import PeriodData
from .coverage import finished_interventions

GROUPS = ["unit", "sex", "age_group"]
# "Uppgift saknas" (no reason given) is a category, so that the categories add up to every "nej".
REASONS = list(DISSATISFACTION_REASONS) + [MISSING_GROUP]


def support_evaluations(d: PeriodData) -> pd.DataFrame:
    """Finished interventions' latest evaluation with a satisfied/not satisfied answer, with the reason."""
    iv = finished_interventions(d).drop(columns=["client_id"])
    ev = d.table("evaluations")[["intervention_id", "satisfied", "dissatisfaction_reason"]]
    ev = ev.dropna(subset=["satisfied"]).drop_duplicates("intervention_id", keep="last")
    return ev.merge(iv, on="intervention_id")


def dissatisfaction_reasons(d: PeriodData) -> Spec:
    """The answers "ej tillfredsställande" by the main reason given (category)."""
    ev = support_evaluations(d)
    ev = ev[(ev["satisfied"] == "nej").fillna(False)]
    return distribution(ev.assign(reason=as_group(ev["dissatisfaction_reason"])), "reason", REASONS, GROUPS)
