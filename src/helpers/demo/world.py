"""The demo municipality as a whole: one pool of persons, and each year's cohort of new cases.

Everything is drawn from numpy Generators seeded by (seed, year, stream), so a year's cohort is the same
whichever periods are generated, and the same persons recur across years.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .casework import Cohort, adult_case, child_case, support_case
from .followup import Register, follow_up
from .organisation import UNIT_SHARES
from .people import Person, make_pool

# New cases a year per active client of the unit (the rest are carried over from earlier years).
NEW_PER_ACTIVE = {"barn_unga": .9, "vuxna_missbruk": .73, "ekonomiskt_bistand": .69}
AGES = {"barn_unga": (0, 20), "vuxna_missbruk": (18, 75), "ekonomiskt_bistand": (18, 80)}
HISTORY_YEARS = 3          # cohorts before a period that can still be active in it
POOL_FACTOR = 3.0          # persons in the pool per new case a year: how often persons recur


@dataclass(frozen=True)
class Population:
    children: tuple[Person, ...]
    adults: tuple[Person, ...]


def stream_rng(seed: int, year: int, stream: int) -> np.random.Generator:
    """Independent streams: 0 persons, 1 cases, 2 follow-up register, 3 survey, 4 incidents, 5 faults,
    6 the children's survey, 7 reasons for "ej tillfredsställande"."""
    return np.random.default_rng([seed, year, stream])


def new_cases_per_year(clients: int) -> dict[str, int]:
    return {u: max(3, round(clients * share * NEW_PER_ACTIVE[u])) for u, share in UNIT_SHARES.items()}


@lru_cache(maxsize=4)
def population(seed: int, clients: int) -> Population:
    rng = stream_rng(seed, 0, 0)
    n = new_cases_per_year(clients)
    taken: set[str] = set()
    children = make_pool(rng, int(n["barn_unga"] * POOL_FACTOR) + 20, dt.date(1996, 1, 1), dt.date(2024, 6, 30),
                         .52, 0, taken)
    adults = make_pool(rng, int((n["vuxna_missbruk"] + n["ekonomiskt_bistand"]) * POOL_FACTOR) + 40,
                       dt.date(1940, 1, 1), dt.date(2007, 12, 31), .55, len(children), taken)
    return Population(tuple(children), tuple(adults))


def _age_weight(unit: str, ages: np.ndarray) -> np.ndarray:
    lo, hi = AGES[unit]
    inside = (ages >= lo) & (ages <= hi)
    if unit == "barn_unga":
        w = np.where(ages >= 18, .25, np.where(ages >= 13, 1.6, 1.0))
    elif unit == "vuxna_missbruk":
        w = np.exp(-((ages - 38) / 14.0) ** 2) + .02
    else:
        w = np.exp(-((ages - 32) / 15.0) ** 2) + .1
    return np.where(inside, w, 0.0)


def _draw(rng, persons: tuple[Person, ...], unit: str, year: int, n: int) -> list[Person]:
    mid = dt.date(year, 7, 1)
    ages = np.array([p.age_on(mid) if p.birth < dt.date(year, 1, 1) else -1 for p in persons])
    w = _age_weight(unit, ages)
    n = min(n, int((w > 0).sum()))
    picked = rng.choice(len(persons), size=n, replace=False, p=w / w.sum())
    return [persons[i] for i in sorted(picked)]


@dataclass(frozen=True)
class Year:
    cohort: Cohort
    register: Register


@lru_cache(maxsize=16)
def cohort(seed: int, clients: int, year: int) -> Year:
    """The cases opened in `year` and all that follows from them."""
    pop = population(seed, clients)
    rng = stream_rng(seed, year, 1)
    c = Cohort(year)
    start = dt.date(year, 1, 1)
    span = (dt.date(year, 12, 31) - start).days + 1
    n = new_cases_per_year(clients)
    opened = lambda: start + dt.timedelta(days=int(rng.integers(0, span)))  # noqa: E731
    for person in _draw(rng, pop.children, "barn_unga", year, n["barn_unga"]):
        child_case(rng, c, person, opened())
    for person in _draw(rng, pop.adults, "vuxna_missbruk", year, n["vuxna_missbruk"]):
        adult_case(rng, c, person, opened())
    for person in _draw(rng, pop.adults, "ekonomiskt_bistand", year, n["ekonomiskt_bistand"]):
        support_case(rng, c, person, opened())
    return Year(c, follow_up(stream_rng(seed, year, 2), year, c.interventions, stream_rng(seed, year, 7)))


def years_for(period: int) -> range:
    return range(period - HISTORY_YEARS, period + 1)
