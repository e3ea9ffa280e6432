"""Organisation level: complaints and opinions, lex Sarah reports, IVO supervision, by category."""
from __future__ import annotations

import pandas as pd

from .cells import Spec, count
from .context import PeriodData

GROUPS = ["incident_type", "category_type", "unit"]


def _incidents(d: PeriodData, types: tuple[str, ...]) -> pd.DataFrame:
    i = d.table("incidents")
    i = i[d.within(i["date"]) & i["type"].isin(types)]
    return i.assign(incident_type=i["type"], category_type=i["category"])


def complaints(d: PeriodData) -> Spec:
    return count(_incidents(d, ("synpunkt", "klagomal")), GROUPS)


def lex_sarah(d: PeriodData) -> Spec:
    return count(_incidents(d, ("lex_sarah", "lex_sarah_ivo")), GROUPS)


def ivo_supervision(d: PeriodData) -> Spec:
    return count(_incidents(d, ("ivo_tillsyn",)), GROUPS[1:])
