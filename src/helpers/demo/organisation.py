"""Organisation-level data of one year: the anonymous user survey and incidents (synpunkter, klagomål,
lex Sarah, IVO)."""
from __future__ import annotations

import datetime as dt

import numpy as np

from ..schema import CHILD_FAVOURABLE, CHILD_SURVEY_QUESTIONS, SURVEY_QUESTIONS
from .calendar import days

UNIT_SHARES = {"barn_unga": .30, "vuxna_missbruk": .20, "ekonomiskt_bistand": .50}
# Incidents a year at 5 000 clients (scaled by size).
INCIDENTS = {"synpunkt": 40, "klagomal": 25, "lex_sarah": 8, "lex_sarah_ivo": 2, "ivo_tillsyn": 3}
CATEGORIES = ("Bemötande", "Handläggning", "Tillgänglighet", "Information", "Dokumentation", "Kompetens",
              "Vård och behandling", "Sekretess")
CATEGORY_P = (.26, .24, .14, .12, .08, .06, .06, .04)
SURVEY_GROUPS = {"barn_unga": (("vardnadshavare", .7), ("unga_13", .3)),
                 "vuxna_missbruk": (("vuxna", 1.0),), "ekonomiskt_bistand": (("vuxna", 1.0),)}


def survey(rng: np.random.Generator, year: int, clients: int) -> list[dict]:
    """One row per respondent and answered question; answers 1–2 positive, 3–5 not, 9 = vet ej."""
    rows = []
    n_resp = 0
    for unit, share in UNIT_SHARES.items():
        groups, p_groups = zip(*SURVEY_GROUPS[unit])
        men = .65 if unit == "vuxna_missbruk" else .45
        positive = {q: rng.uniform(.6, .88) for q in SURVEY_QUESTIONS}
        for _ in range(max(12, round(clients * share * .08))):
            n_resp += 1
            rid = f"R{year}-{n_resp:05d}"
            group = groups[int(rng.choice(len(groups), p=p_groups))]
            u = rng.random()
            sex = "man" if u < men else ("kvinna" if u < .95 else "okänt")
            for q in SURVEY_QUESTIONS:
                if rng.random() < .03:
                    continue                          # question left unanswered
                if rng.random() < .05:
                    answer = 9
                elif rng.random() < positive[q]:
                    answer = 1 if rng.random() < .45 else 2
                else:
                    answer = int(rng.choice((3, 4, 5), p=(.5, .3, .2)))
                rows.append({"respondent_id": rid, "survey": f"Brukarundersökning IFO {year}", "unit": unit,
                             "target_group": group, "sex": sex, "question_id": q, "answer": answer})
    return rows


# The barnenkät: children and young people 10–20 years with an insats from Barn och unga answer six questions
# (ja = 1, delvis = 2, nej = 3, vet ej = 9). Share giving the favourable answer per question, lower in HVB and
# jourhem; the few in jourhem and kontaktfamilj make small groups.
CHILD_INSATS = {"oppenvard": .5, "familjehem": .16, "konsulentstott_familjehem": .1, "HVB": .14, "jourhem": .04,
                "kontaktfamilj": .06}
CHILD_FAVOURABLE_P = {"B1": .82, "B2": .72, "B3": .85, "B4": .7, "B5": .62, "B6": .78}
CHILD_INSATS_SHIFT = {"HVB": -.14, "jourhem": -.1, "konsulentstott_familjehem": -.04}


def child_survey(rng: np.random.Generator, year: int, clients: int) -> list[dict]:
    """One row per respondent and answered question of the barnenkät (unit Barn och unga)."""
    rows = []
    kinds, p_kinds = zip(*CHILD_INSATS.items())
    for i in range(max(8, round(clients * UNIT_SHARES["barn_unga"] * .05))):
        rid = f"B{year}-{i + 1:05d}"
        kind = kinds[int(rng.choice(len(kinds), p=p_kinds))]
        age = int(rng.integers(10, 21))
        u = rng.random()
        sex = "kvinna" if u < .48 else ("man" if u < .95 else "okänt")
        for q in CHILD_SURVEY_QUESTIONS:
            if rng.random() < .04:
                continue                          # question left unanswered
            good = CHILD_FAVOURABLE[q][0]
            other = [a for a in (1, 2, 3) if a != good]
            if rng.random() < .05:
                answer = 9
            elif rng.random() < CHILD_FAVOURABLE_P[q] + CHILD_INSATS_SHIFT.get(kind, 0.0):
                answer = good
            else:
                answer = int(rng.choice(other, p=(.45, .55) if good == 3 else (.55, .45)))
            rows.append({"respondent_id": rid, "survey": f"Barn- och ungdomsenkät {year}", "unit": "barn_unga",
                         "target_group": "barn_0_12" if age <= 12 else "unga_13_20", "sex": sex,
                         "intervention_type": kind, "question_id": q, "answer": answer})
    return rows


def incidents(rng: np.random.Generator, year: int, clients: int) -> list[dict]:
    rows = []
    scale = clients / 5000
    units, shares = list(UNIT_SHARES), list(UNIT_SHARES.values())
    start = dt.date(year, 1, 1)
    span = (dt.date(year, 12, 31) - start).days + 1
    for kind, per_year in INCIDENTS.items():
        for _ in range(int(rng.poisson(per_year * scale))):
            rows.append({"type": kind, "date": start + days(rng.integers(0, span)),
                         "category": CATEGORIES[int(rng.choice(len(CATEGORIES), p=CATEGORY_P))],
                         "unit": units[int(rng.choice(3, p=shares))]})
    rows.sort(key=lambda r: (r["date"], r["type"]))
    for i, r in enumerate(rows, 1):
        r["incident_id"] = f"SN {year}/{i:04d}"
    return rows
