"""What the follow-up register holds for each intervention: goals and their follow-ups, measurements before,
during and after, the client's own evaluation; and the monthly payments of försörjningsstöd."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ..schema import DISSATISFACTION_REASONS, INSTRUMENTS
from .calendar import days, months_between

AREAS = {
    "barn_unga": {"Skola och förskola": "Gå till skolan varje dag", "Hälsa": "Regelbundna läkar- och tandvårdsbesök",
                  "Familj och relationer": "Färre konflikter hemma", "Fritid och kamrater": "Ha en fritidsaktivitet",
                  "Beteende": "Inga nya polisanmälningar", "Trygghet": "Känna sig trygg hemma"},
    "vuxna_missbruk": {"Missbruk": "Minska alkohol- eller drogbruket", "Boende": "Behålla sitt boende",
                       "Sysselsättning": "Ha en daglig sysselsättning", "Psykisk hälsa": "Må bättre psykiskt",
                       "Fysisk hälsa": "Sova och äta regelbundet", "Relationer": "Återuppta kontakt med familjen"},
    "ekonomiskt_bistand": {"Försörjning": "Bli självförsörjande", "Sysselsättning": "Delta i arbetsträning",
                           "Boende": "Få ett eget hyreskontrakt", "Hälsa": "Utreda arbetsförmågan",
                           "Ekonomi": "Göra en budget och betala skulder"},
}
INTERIM = ("positiv_uppfyllt", "positiv_ej_uppfyllt", "ingen_forandring", "negativ", "ej_bedomt")
INTERIM_P = (.15, .4, .3, .08, .07)
FINAL_P = {"planerad": (.48, .26, .12, .05, .09), "avbrott": (.1, .22, .3, .25, .13),
           "annan": (.25, .3, .2, .1, .15)}
RATING_P = {"planerad": (.02, .02, .03, .05, .08, .12, .18, .22, .16, .12),
            "avbrott": (.08, .08, .1, .12, .14, .14, .12, .1, .07, .05)}
# Ekonomiskt bistånd "ej tillfredsställande": the main reason given; some give none.
REASON_P = dict(zip(DISSATISFACTION_REASONS, (.3, .2, .25, .1, .08, .07)))
NO_REASON = .12


@dataclass
class Register:
    goals: list[dict] = field(default_factory=list)
    followups: list[dict] = field(default_factory=list)
    measurements: list[dict] = field(default_factory=list)
    evaluations: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)


def follow_up(rng: np.random.Generator, year: int, interventions: list[dict],
              reasons: np.random.Generator) -> Register:
    """The register's rows for a cohort's interventions; `reasons` draws the reasons for "ej tillfredsställande"
    (a stream of its own, so that adding them left every other draw as it was)."""
    reg = Register()
    for rec in interventions:
        _goals(rng, year, rec, reg)
        _measurements(rng, year, rec, reg)
        _evaluation(rng, rec, reg, reasons)
        if rec["type"] == "ekonomiskt_bistand":
            _payments(rng, rec, reg)
    return reg


def _goals(rng, year, rec, reg: Register) -> None:
    p_goal = .7 if rec["type"] == "ekonomiskt_bistand" else .87
    if rng.random() >= p_goal:
        return
    areas = list(AREAS[rec["unit"]])
    n = int(rng.choice((1, 2, 3), p=(.7, .25, .05)))
    for area in rng.choice(areas, size=n, replace=False):
        set_on = min(rec["end"], rec["start"] + days(rng.integers(0, 31)))
        goal = {"goal_id": f"MAL-{year}-{len(reg.goals) + 1:06d}", "intervention": rec, "person": rec["person"],
                "set_on": set_on, "area": str(area), "text": AREAS[rec["unit"]][str(area)]}
        reg.goals.append(goal)
        # Follow-ups roughly every six months, some late; a few goals are never followed up while running.
        dates = []
        if rng.random() > .08:
            day = set_on
            while True:
                day = day + days(rng.integers(150, 191) if rng.random() < .85 else rng.integers(200, 301))
                if day >= rec["end"]:
                    break
                dates.append(day)
        final = rec["end"] + days(rng.integers(0, 21))
        if rng.random() < .85 and (not dates or (final - dates[-1]).days > 30):
            dates.append(final)
        for i, day in enumerate(dates):
            is_final = day > rec["end"] or day == rec["end"]
            p = FINAL_P[rec["end_reason"]] if is_final else INTERIM_P
            reg.followups.append({"goal": goal, "date": day, "attainment": INTERIM[int(rng.choice(5, p=p))]})


def _instruments(rng, rec) -> list[str]:
    unit, itype, reason = rec["unit"], rec["type"], rec["case"]["reason"]
    if unit == "vuxna_missbruk":
        if rng.random() >= .85:
            return []
        if itype == "boendestod":
            return ["problemdagar"]
        main = {"Alkohol": ["AUDIT"], "Narkotika": ["DUDIT"], "Blandmissbruk": ["AUDIT", "DUDIT"],
                "Läkemedel": ["DUDIT"]}.get(reason, ["egen_skala"])
        if rng.random() < .4 and main != ["egen_skala"]:
            main = main + ["ASI_alkohol" if main[0] == "AUDIT" else "ASI_narkotika"]
        return main
    if unit == "barn_unga":
        if rec["person"].age_on(rec["start"]) >= 13:
            u = rng.random()
            return ["KASAM13"] if u < .45 else (["egen_skala"] if u < .75 else [])
        return ["egen_skala"] if rng.random() < .55 else []
    p = .6 if itype == "arbetsmarknadsinsats" else .25
    return ["egen_skala"] if rng.random() < p else []


def _baseline(rng, instrument: str) -> float:
    spec = INSTRUMENTS[instrument]
    value = {"AUDIT": lambda: rng.normal(19, 7), "DUDIT": lambda: rng.normal(20, 9),
             "ASI_alkohol": lambda: rng.integers(3, 10), "ASI_narkotika": lambda: rng.integers(3, 10),
             "KASAM13": lambda: rng.normal(50, 12), "egen_skala": lambda: rng.integers(1, 7),
             "problemdagar": lambda: rng.integers(6, 31)}[instrument]()
    return float(np.clip(round(float(value)), spec["min"], spec["max"]))


def _measurements(rng, year, rec, reg: Register) -> None:
    for instrument in _instruments(rng, rec):
        spec = INSTRUMENTS[instrument]
        width, sign = spec["max"] - spec["min"], (-1 if spec["better"] == "lower" else 1)
        before = _baseline(rng, instrument)
        broke = rec["end_reason"] == "avbrott"
        u = rng.random()
        if u < (.35 if broke else .63):
            change = sign * max(1, round(width * rng.uniform(.08, .4)))
        elif u < (.6 if broke else .78):
            change = 0
        else:
            change = -sign * max(1, round(width * rng.uniform(.04, .15)))
        after = float(np.clip(before + change, spec["min"], spec["max"]))

        def add(occasion, day, score):
            reg.measurements.append({"measurement_id": f"MTN-{year}-{len(reg.measurements) + 1:06d}",
                                     "intervention": rec, "person": rec["person"], "instrument": instrument,
                                     "occasion": occasion, "date": day, "score": score})

        add("fore", rec["start"] - days(rng.integers(0, 15)), before)
        if (rec["end"] - rec["start"]).days > 180 and rng.random() < .5:
            mid = round(before + (after - before) * rng.uniform(.3, .7))
            add("under", rec["start"] + (rec["end"] - rec["start"]) / 2, float(mid))
        missing = {"planerad": .18, "avbrott": .6, "annan": .4}[rec["end_reason"]]
        if rng.random() < missing:
            continue                                  # bortfall: no measurement after
        add("efter", rec["end"] + days(rng.integers(0, 15)), after)
        if rng.random() < .45:
            later = float(np.clip(round(after + rng.normal(0, .05 * width)), spec["min"], spec["max"]))
            add("uppfoljning", rec["end"] + days(rng.integers(150, 211)), later)


def _evaluation(rng, rec, reg: Register, reasons: np.random.Generator) -> None:
    if rng.random() >= {"planerad": .72, "avbrott": .3, "annan": .5}[rec["end_reason"]]:
        return
    ev = {"intervention": rec, "person": rec["person"], "date": rec["end"] + days(rng.integers(0, 22)),
          "rating": None, "satisfied": None, "reason": None}
    if rec["type"] == "ekonomiskt_bistand":
        ev["satisfied"] = "ja" if rng.random() < .8 else "nej"
        if ev["satisfied"] == "nej" and reasons.random() >= NO_REASON:
            ev["reason"] = DISSATISFACTION_REASONS[int(reasons.choice(len(REASON_P), p=list(REASON_P.values())))]
    else:
        p = RATING_P["avbrott" if rec["end_reason"] == "avbrott" else "planerad"]
        ev["rating"] = int(rng.choice(10, p=p)) + 1
    reg.evaluations.append(ev)


def _payments(rng, rec, reg: Register) -> None:
    base = rec.get("monthly_amount", 8000.0)
    for i, (y, m) in enumerate(months_between(rec["start"], rec["end"])):
        if i and rng.random() < .06:
            continue                                  # a month without payment (income that month)
        amount = round(base * rng.uniform(.85, 1.15)) + (.5 if rng.random() < .2 else 0.0)
        reg.payments.append({"person": rec["person"], "intervention": rec, "month": dt.date(y, m, 1),
                             "amount": float(amount)})
