"""Ekonomiskt bistånd after finished support: why clients who answered "ej tillfredsställande" were not satisfied.

The rows are the same evaluations as ``coverage.satisfied_with_support`` (its "nej" answers, its complement): one
per intervention finished in the period, the latest evaluation with a satisfied/not satisfied answer.
"""
from __future__ import annotations

from ..grouping import MISSING_GROUP, as_group
from ..schema import DISSATISFACTION_REASONS
from .cells import Spec, distribution
from .context import PeriodData
from .coverage import not_satisfied, support_evaluations

GROUPS = ["unit", "sex", "age_group"]
# "Uppgift saknas" (no reason given) is a category, so that the categories add up to every "nej".
REASONS = list(DISSATISFACTION_REASONS) + [MISSING_GROUP]


def dissatisfaction_reasons(d: PeriodData) -> Spec:
    """The answers "ej tillfredsställande" by the main reason given (category)."""
    ev = support_evaluations(d)
    reason = as_group(ev["dissatisfaction_reason"]).where(not_satisfied(ev))  # a "ja" is in no category
    # Every group of the answers shows (a base of 0 where all said "ja"): the satisfaction share shows them all.
    return distribution(ev.assign(reason=reason), "reason", REASONS, GROUPS, every_group=True)
