"""Brukarenkät: share of positive answers per question (1–2 on the 1–5 scale; 9 = vet ej left out)."""
from __future__ import annotations

import pandas as pd

from ..schema import SURVEY_QUESTIONS
from .cells import Spec, share
from .context import PeriodData, per_period

GROUPS = ["unit", "target_group", "sex"]


@per_period
def _answers(d: PeriodData) -> pd.DataFrame:
    positive = [int(x) for x in d.setting("positiva_svar", [1, 2])]
    a = d.table("survey_answers")
    a = a[a["answer"].between(1, 5).fillna(False)]
    return a.assign(flag=a["answer"].isin(positive))


def positive_per_question(d: PeriodData) -> list[Spec]:
    """Category = the question; each question's share among those who answered it (not 'vet ej')."""
    a = _answers(d)
    return [share(a[a["question_id"] == q], "flag", GROUPS, category=q) for q in SURVEY_QUESTIONS]


def situation_improved(d: PeriodData) -> Spec:
    """The question on whether the situation has changed for the better (default Q7)."""
    q = str(d.setting("fraga_forandring", "Q7"))
    a = _answers(d)
    return share(a[a["question_id"] == q], "flag", GROUPS)
