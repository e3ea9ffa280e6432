"""One year's new cases in the demo municipality, with their whole life cycle.

A cohort holds the cases opened in one calendar year and everything that follows from them (investigations,
interventions, placements, visits, reviews), even when it happens in later years; the yearly exports then
take what was active during their period. Records are plain dicts with canonical values; the exports turn
them into the source systems' Swedish columns and codes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from .calendar import add_months, days
from .people import Person

# Intervention types per unit with their probability, duration range (days) and share broken off.
TYPE_MIX = {
    "barn_unga": {"oppenvard": .55, "kontaktfamilj": .12, "familjehem": .11, "konsulentstott_familjehem": .08,
                  "HVB": .08, "jourhem": .06},
    "vuxna_missbruk": {"behandling_missbruk": .55, "oppenvard": .15, "boendestod": .20, "HVB": .10},
}
DURATION = {"oppenvard": (60, 330), "behandling_missbruk": (60, 270), "boendestod": (120, 540),
            "kontaktfamilj": (180, 720), "HVB": (60, 365), "familjehem": (180, 1095),
            "konsulentstott_familjehem": (180, 1095), "jourhem": (14, 120), "arbetsmarknadsinsats": (60, 300)}
BREAK_OFF = {"oppenvard": .2, "behandling_missbruk": .3, "HVB": .3, "boendestod": .15, "kontaktfamilj": .1,
             "familjehem": .12, "konsulentstott_familjehem": .12, "jourhem": .05, "arbetsmarknadsinsats": .25,
             "ekonomiskt_bistand": 0.0}
PROVIDERS = {
    ("barn_unga", "oppenvard"): [("Familjeteamet", "intern"), ("Öppenvården Kompassen", "intern"),
                                 ("Familjecentrum Solrosen AB", "extern")],
    ("barn_unga", "kontaktfamilj"): [("Kontaktfamiljsenheten", "intern")],
    ("barn_unga", "familjehem"): [("Familjehemsenheten", "intern")],
    ("barn_unga", "konsulentstott_familjehem"): [("Familjehemskonsulenterna Norden AB", "extern"),
                                                 ("Stiftelsen Trädgårdshemmen", "extern")],
    ("barn_unga", "HVB"): [("HVB Björkgården AB", "extern"), ("HVB Tallåsen AB", "extern"),
                           ("Ungdomshemmet Måsen", "intern")],
    ("barn_unga", "jourhem"): [("Jourhemmet Lyktan", "intern"), ("Jourhemsgruppen Väst AB", "extern")],
    ("vuxna_missbruk", "behandling_missbruk"): [("Öppenvården Kompassen", "intern"),
                                               ("Mottagningen Vändpunkten AB", "extern")],
    ("vuxna_missbruk", "oppenvard"): [("Öppenvården Kompassen", "intern")],
    ("vuxna_missbruk", "boendestod"): [("Boendestödsteamet", "intern"), ("Omsorgsbolaget Hemmet AB", "extern")],
    ("vuxna_missbruk", "HVB"): [("Behandlingshemmet Lärkbacken AB", "extern"), ("Stiftelsen Ekbacken", "extern")],
    ("ekonomiskt_bistand", "ekonomiskt_bistand"): [("Försörjningsstödsenheten", "intern")],
    ("ekonomiskt_bistand", "arbetsmarknadsinsats"): [("Arbetsmarknadsenheten", "intern"),
                                                    ("Jobbcentrum Syd AB", "extern")],
}
DAILY_COST = {("barn_unga", "HVB"): (2800, 6500), ("vuxna_missbruk", "HVB"): (1800, 3600),
              ("barn_unga", "familjehem"): (350, 900), ("barn_unga", "konsulentstott_familjehem"): (1500, 3200),
              ("barn_unga", "jourhem"): (900, 2000)}
PLACEMENT_FORMS = {"HVB", "familjehem", "konsulentstott_familjehem", "jourhem"}
REASONS = {
    "barn_unga": ("Oro för barnets hälsa och utveckling", "Brister i omsorgen", "Våld i nära relation",
                  "Eget beteende: kriminalitet", "Eget beteende: missbruk", "Skolfrånvaro",
                  "Konflikter i familjen"),
    "vuxna_missbruk": ("Alkohol", "Narkotika", "Blandmissbruk", "Läkemedel", "Spel om pengar"),
    "ekonomiskt_bistand": ("Arbetslöshet", "Sjukskrivning utan ersättning", "Otillräcklig inkomst",
                           "Väntar på annan ersättning", "Etablering"),
}
REASON_P = {"barn_unga": (.28, .2, .14, .12, .07, .1, .09), "vuxna_missbruk": (.5, .22, .16, .07, .05),
            "ekonomiskt_bistand": (.42, .2, .18, .12, .08)}


@dataclass
class Cohort:
    """Everything that follows from the cases opened in one year."""
    year: int
    cases: list[dict] = field(default_factory=list)
    investigations: list[dict] = field(default_factory=list)
    interventions: list[dict] = field(default_factory=list)
    placements: list[dict] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    applications: list[dict] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def next_id(self, kind: str, width: int) -> str:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return f"{kind}-{self.year}-{self.counters[kind]:0{width}d}"


def _pick(rng: np.random.Generator, options, p=None):
    return options[int(rng.choice(len(options), p=p))]


def _target_group(unit: str, person: Person, day: dt.date) -> str:
    if unit == "barn_unga":
        return "barn_0_12" if person.age_on(day) < 13 else "unga_13_20"
    return "vuxna_missbruk" if unit == "vuxna_missbruk" else "vuxna_ekb"


def new_case(rng, cohort: Cohort, person: Person, unit: str, opened: dt.date) -> dict:
    prefix = {"barn_unga": "BU", "vuxna_missbruk": "VM", "ekonomiskt_bistand": "EB"}[unit]
    source_p = {"barn_unga": (.8, .15, .05), "vuxna_missbruk": (.3, .55, .15),
                "ekonomiskt_bistand": (0, 1, 0)}[unit]
    case = {"case_id": cohort.next_id(prefix, 5), "person": person, "unit": unit,
            "target_group": _target_group(unit, person, opened), "opened": opened,
            "source": _pick(rng, ("anmälan", "ansökan", "övrigt"), source_p),
            "reason": _pick(rng, REASONS[unit], REASON_P[unit]), "closed": None}
    cohort.cases.append(case)
    return case


def intervention(rng, cohort: Cohort, case: dict, itype: str, start: dt.date, length_days: int | None = None) -> dict:
    unit, person = case["unit"], case["person"]
    name, ptype = _pick(rng, PROVIDERS[(unit, itype)])
    if length_days is None:
        lo, hi = DURATION[itype]
        length_days = int(rng.integers(lo, hi + 1))
    u = rng.random()
    if u < BREAK_OFF[itype]:
        reason, length_days = "avbrott", max(7, int(length_days * rng.uniform(.2, .8)))
    elif u < BREAK_OFF[itype] + .07:
        reason = "annan"
    else:
        reason = "planerad"
    end = start + days(length_days)
    rec = {"intervention_id": cohort.next_id("I", 6), "case": case, "person": person, "unit": unit,
           "type": itype, "provider": name, "provider_type": ptype,
           "decided": max(case["opened"], start - days(rng.integers(0, 15))),
           "start": start, "end": end, "end_reason": reason, "planned_sessions": None, "daily_cost": None,
           "individual_sessions": None, "group_sessions": None, "relative_sessions": None,
           "visits_held": None, "visits_missed": None}
    _dose(rng, rec, length_days)
    if (unit, itype) in DAILY_COST:
        lo, hi = DAILY_COST[(unit, itype)]
        rec["daily_cost"] = round(rng.uniform(lo, hi) * 2) / 2
    cohort.interventions.append(rec)
    if itype in PLACEMENT_FORMS:
        _placement(rng, cohort, rec)
    return rec


def _dose(rng, rec: dict, length_days: int) -> None:
    """Planned dose and what was held: sessions for treatment, visits for support at home. The planned dose
    counts every session (individual, group, with relatives); about half of the treatments that end as planned
    hold all their sessions, broken-off ones a fraction. (The draws are those the generator has always made, so
    that every other record stays as it was: a Poisson draw takes a varying number of random numbers.)"""
    itype, done = rec["type"], {"planerad": rng.uniform(.8, 1.05), "avbrott": rng.uniform(.2, .7),
                                "annan": rng.uniform(.4, .9)}[rec["end_reason"]]
    if itype in ("oppenvard", "behandling_missbruk", "arbetsmarknadsinsats"):
        held = .85 + (done - .8) * 1.2 if rec["end_reason"] == "planerad" else done  # planned endings: .85–1.15
        individual = float(rng.integers(8, 41)) + (.5 if rng.random() < .2 else 0)
        group = float(rng.integers(4, 21)) if itype == "behandling_missbruk" else 0.0
        relatives = float(rng.poisson(2 if rec["unit"] == "barn_unga" else .7))
        rec["planned_sessions"] = individual + group + relatives
        rec["individual_sessions"] = int(round(individual * held))
        rec["group_sessions"] = int(round(group * held))
        rec["relative_sessions"] = int(round(relatives * held))
    elif itype in ("boendestod", "kontaktfamilj"):
        per_month = 4 if itype == "boendestod" else 2
        planned = float(max(2, round(length_days / 30 * per_month)))
        rec["planned_sessions"] = planned
        held = int(round(planned * min(done, 1.0)))
        rec["visits_held"] = held
        rec["visits_missed"] = int(rng.poisson(max(.3, planned - held) * .5))


def _placement(rng, cohort: Cohort, rec: dict) -> None:
    unit = rec["unit"]
    if unit == "barn_unga":
        p = (.5, .3, .2) if rec["type"] == "jourhem" else (.65, .2, .15)
        basis = _pick(rng, ("SoL", "LVU2", "LVU3"), p)
    else:
        basis = "SoL"
    pl = {"placement_id": cohort.next_id("P", 5), "case": rec["case"], "person": rec["person"], "unit": unit,
          "form": rec["type"], "legal_basis": basis, "start": rec["start"], "end": rec["end"]}
    cohort.placements.append(pl)
    if unit != "barn_unga":
        return
    # Social-worker visits: each child has a usual frequency; dates are unique per placement.
    per_year = _pick(rng, (1, 2, 3, 4, 6), (.1, .3, .25, .25, .1))
    talk_share = rng.uniform(.4, .95)
    step = 365 / per_year
    day = pl["start"] + days(rng.uniform(7, step))
    while day <= pl["end"]:
        cohort.visits.append({"placement": pl, "date": day, "individual_talk": bool(rng.random() < talk_share)})
        day = day + days(max(10, step * rng.uniform(.7, 1.3)))
    # Övervägande (SoL, 2 § LVU) or omprövning (3 § LVU) every six months; some late, a few missing.
    kind = "omprovning" if basis == "LVU3" else "overvagande"
    k = 1
    while (due := add_months(pl["start"], 6 * k)) <= pl["end"]:
        u = rng.random()
        if u < .8:
            cohort.reviews.append({"placement": pl, "date": due - days(rng.integers(0, 31)), "type": kind})
        elif u < .95:
            when = due + days(rng.integers(10, 61))
            if when <= pl["end"]:
                cohort.reviews.append({"placement": pl, "date": when, "type": kind})
        k += 1


def child_case(rng, cohort: Cohort, person: Person, opened: dt.date) -> None:
    """A report or application about a child: förhandsbedömning, investigation, maybe interventions."""
    case = new_case(rng, cohort, person, "barn_unga", opened)
    inv = {"investigation_id": cohort.next_id("U", 5), "case": case, "person": person, "unit": "barn_unga",
           "report_received": opened, "pre_assessment_date": None, "pre_assessment_decision": None,
           "investigation_start": None, "investigation_end": None, "extended": False, "outcome": None}
    cohort.investigations.append(inv)
    if case["source"] == "anmälan":
        u = rng.random()
        wait = rng.integers(0, 15) if u < .85 else (rng.integers(15, 31) if u < .97 else rng.integers(31, 61))
        inv["pre_assessment_date"] = opened + days(wait)
        inv["pre_assessment_decision"] = _pick(rng, ("inleda", "inte_inleda", "paford_pagaende"), (.5, .42, .08))
        if inv["pre_assessment_decision"] != "inleda":
            case["closed"] = inv["pre_assessment_date"] + days(rng.integers(0, 8))
            return
        inv["investigation_start"] = inv["pre_assessment_date"]
    else:
        inv["investigation_start"] = opened + days(rng.integers(0, 8))
    u = rng.random()
    if u < .78:
        length = rng.integers(30, 121)           # within four months
    elif u < .9:
        length, inv["extended"] = rng.integers(121, 201), True
    else:
        length = rng.integers(121, 161)          # late without a decision to extend
    inv["investigation_end"] = inv["investigation_start"] + days(length)
    inv["outcome"] = _pick(rng, ("insats", "ingen_insats", "hanvisning"), (.55, .35, .1))
    last = inv["investigation_end"]
    if inv["outcome"] == "insats":
        last = _series(rng, cohort, case, "barn_unga", inv["investigation_end"] + days(rng.integers(0, 31)), .15)
    case["closed"] = last + days(rng.integers(0, 31))


def adult_case(rng, cohort: Cohort, person: Person, opened: dt.date) -> None:
    """Substance abuse: most get an intervention, some a second one after the first."""
    case = new_case(rng, cohort, person, "vuxna_missbruk", opened)
    if rng.random() < .88:
        last = _series(rng, cohort, case, "vuxna_missbruk", opened + days(rng.integers(10, 61)), .2)
    else:
        last = opened + days(rng.integers(20, 91))
    case["closed"] = last + days(rng.integers(0, 31))


def _series(rng, cohort, case, unit, start, p_second) -> dt.date:
    mix = TYPE_MIX[unit]
    first = intervention(rng, cohort, case, _pick(rng, list(mix), list(mix.values())), start)
    last = first["end"]
    if rng.random() < p_second:
        second = intervention(rng, cohort, case, _pick(rng, list(mix), list(mix.values())),
                              last + days(rng.integers(0, 31)))
        last = second["end"]
    return last


def support_case(rng, cohort: Cohort, person: Person, opened: dt.date) -> None:
    """Ekonomiskt bistånd: an application at a first visit, a decision, months of support, maybe work training."""
    case = new_case(rng, cohort, person, "ekonomiskt_bistand", opened)
    u = rng.random()
    wait = rng.integers(5, 31) if u < .8 else (rng.integers(1, 5) if u < .9 else rng.integers(31, 61))
    decided = opened + days(wait)
    decision = _pick(rng, ("bifall", "delvis_bifall", "avslag"), (.75, .1, .15))
    cohort.applications.append({"application_id": cohort.next_id("ANS", 5), "case": case, "person": person,
                                "first_contact": opened, "decision_date": decided, "decision": decision})
    if decision == "avslag":
        case["closed"] = decided + days(rng.integers(0, 15))
        return
    u = rng.random()
    months = rng.integers(1, 4) if u < .33 else (rng.integers(4, 10) if u < .52 else rng.integers(10, 37))
    length = (add_months(decided, int(months)) - decided).days - int(rng.integers(1, 10))
    support = intervention(rng, cohort, case, "ekonomiskt_bistand", decided, max(20, length))
    support["monthly_amount"] = float(rng.uniform(3800, 15500))
    last = support["end"]
    if rng.random() < .3:
        work = intervention(rng, cohort, case, "arbetsmarknadsinsats", decided + days(rng.integers(15, 91)))
        last = max(last, work["end"])
    case["closed"] = last + days(rng.integers(0, 31))
