"""Barnenkät: children's and young people's own answers on trygghet, bemötande, kränkning, skola, hälsa and
tandvård; per question the share who gave the favourable answer ("vet ej" and answers off the scale left out).

The favourable answer is declared per question in the schema (``CHILD_FAVOURABLE``): "ja" for the five questions
asked in the positive, "nej" for B3 (has been kränkt or illa behandlad).
"""
from __future__ import annotations

import pandas as pd

from ..schema import CHILD_FAVOURABLE, CHILD_SURVEY_QUESTIONS, SURVEY_QUESTION_SCALES, SURVEY_SCALES
from .cells import Spec, share
from .context import PeriodData

GROUPS = ["unit", "target_group", "sex", "type"]


def child_answers(d: PeriodData) -> pd.DataFrame:
    """The barnenkät's answers on its scale, with `flag` = the favourable answer and `type` = the insats."""
    a = d.table("survey_answers")
    a = a[a["question_id"].isin(CHILD_SURVEY_QUESTIONS).fillna(False)]
    question = a["question_id"].astype(object)
    answer = pd.to_numeric(a["answer"], errors="coerce").astype(float)
    on_scale = pd.Series([v in SURVEY_SCALES[SURVEY_QUESTION_SCALES[q]]["answers"]
                          for q, v in zip(question, answer)], index=a.index, dtype=bool)
    favourable = pd.Series([v in CHILD_FAVOURABLE[q] for q, v in zip(question, answer)], index=a.index, dtype=bool)
    a = a[on_scale]
    return a.assign(flag=favourable[on_scale], type=a["intervention_type"])


def favourable_per_question(d: PeriodData) -> list[Spec]:
    """Category = the question; each question's share of favourable answers among those who answered it."""
    a = child_answers(d)
    return [share(a[a["question_id"] == q], "flag", GROUPS, category=q) for q in CHILD_SURVEY_QUESTIONS]
