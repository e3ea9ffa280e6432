"""The publication's cells as a linked set: the quantities they reveal and how those quantities relate.

Every published number is a variable that an outsider could try to solve for: a share's numerator and denominator,
a count, the n (and sum) of a mean, the n of a median. Variables with the same meaning are one variable, whichever
cells show them: the denominator of all categories of a distribution, and the bases of indicators that count the
same population (``Indicator.population``, e.g. all interventions finished in the period). The relations are
those an outsider knows from the definitions:
- the groups of a grouping add up to the total (every row falls in exactly one group, "Uppgift saknas" included);
- the organisation is the sum of its units, plus rows that belong to no unit (or minus rows counted in two);
- the categories of a distribution add up to its base;
- a count shown as a category of one indicator and counted by another is one quantity (``SHARED_COUNTS``), and a
  base that is another share's complement equals its denominator − numerator (``COMPLEMENT_BASES``);
- a numerator is at most its denominator; the complement (denominator − numerator) is audited like a count;
- a mean's sum is additive, and the mean rating is the weighted sum of the rating distribution.
Earlier periods are related to the current one only through the cells themselves (shown side by side).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from ..indicators.registry import COMPLEMENT_BASES, REGISTRY, SHARED_COUNTS, WEIGHTED_SUMS
from .compute import ORG


# Means of quantities that can be negative (a change in score): their sums are left out of the linked set, which
# only holds non-negative quantities; their n are in it like every other n.
SIGNED_MEANS = {"forandring_medel"}


@dataclass
class Model:
    """A neutral description of the linked set (converted to the protection engine's structure)."""
    var_keys: list[tuple] = field(default_factory=list)
    var_values: list[float] = field(default_factory=list)
    var_protect: list[bool] = field(default_factory=list)
    var_lower: list[float] = field(default_factory=list)
    var_labels: list[str] = field(default_factory=list)
    cell_rows: list[int] = field(default_factory=list)  # index into the cells frame
    shows: list[tuple[int, int]] = field(default_factory=list)  # (cell position, variable)
    equalities: list[tuple[dict[int, float], str]] = field(default_factory=list)  # Σ coef·x = 0, label
    inequalities: list[tuple[dict[int, float], str]] = field(default_factory=list)  # Σ coef·x ≤ 0, label
    expressions: list[tuple[int, dict[int, float], str]] = field(default_factory=list)  # (cell position, …)
    known_rests: dict[str, float] | None = None  # outsider's audit: relations with a rest, from the publication
    rests: dict[str, float] = field(default_factory=dict)  # relation label -> sign of its rest
    not_additive: list[str] = field(default_factory=list)  # groupings whose parts do not add up (a wrong definition)
    disagreements: list[str] = field(default_factory=list)  # one quantity shown with two values (a wrong definition)
    _index: dict[tuple, int] = field(default_factory=dict)

    def variable(self, key: tuple, value: float, label: str, protect: bool = True, lower: float = 0.0) -> int:
        """The variable of `key` (made once); a value not known yet (NaN: a hidden cell) is filled in by any cell
        that shows it."""
        if key in self._index:
            v = self._index[key]
            if self.var_values[v] != self.var_values[v] and value == value:
                self.var_values[v] = float(value)
            elif value == value and abs(self.var_values[v] - float(value)) > 1e-9:
                self.disagreements.append(f"{label} ({float(value):g}) och {self.var_labels[v]} "
                                          f"({self.var_values[v]:g})")
            return v
        self._index[key] = len(self.var_keys)
        self.var_keys.append(key)
        self.var_values.append(float(value))
        self.var_protect.append(protect)
        self.var_lower.append(lower)
        self.var_labels.append(label)
        return self._index[key]


def _value(x) -> float:
    return float(x)  # NaN: an empty group (0) or, in a published file, a hidden number; settled in build_model


def build_model(cells: pd.DataFrame, known_rests: dict[str, float] | None = None) -> Model:
    """The linked set of the applicable cells (the frame's rows, in order; not-applicable cells are left out).
    `known_rests`: an outsider's audit of published cells (hidden values unknown) names the relations with a rest."""
    m = Model(known_rests=known_rests)
    sums_of: dict[tuple, int] = {}
    rows = cells[cells["applicable"]]
    cols = [rows[c].tolist() for c in ("indicator", "scope", "period", "grouping", "group", "category",
                                       "numerator", "denominator", "n")]
    for pos, (i, name, scope, period, grouping, group, category, num_v, den_v, n_v) in \
            enumerate(zip(rows.index, *cols)):
        ind = REGISTRY[name]
        kind = ind.kind
        place = (scope, period, grouping, group)
        where = "hela verksamheten" if scope == ORG else f"enhet {scope}"
        label = f"{name} {period}, {where}, " + ("totalt" if grouping == "total" else f"{grouping}={group}") + \
            (f", kategori {category}" if category else "")
        m.cell_rows.append(i)
        base_cat = "" if ind.distribution or kind in ("mean", "median") else category
        base = m.variable(("base",) + _shared(ind.name, period).get(base_cat, (ind.base, base_cat)) + place,
                          _value(n_v if kind in ("mean", "median", "count") else den_v),
                          f"{label}: {'antal' if kind == 'count' else 'n'}")
        m.shows.append((pos, base))
        if kind == "share":
            source, source_category = ind.numerator_of or (name, category)
            num = m.variable(("num", source, source_category) + place, _value(num_v), f"{label}: täljare")
            m.shows.append((pos, num))
            m.expressions.append((pos, {base: 1.0, num: -1.0}, f"{label}: nämnare − täljare"))
            if not ind.distribution:
                m.inequalities.append(({num: 1.0, base: -1.0}, f"{label}: täljare ≤ nämnare"))
        elif kind == "mean" and name not in SIGNED_MEANS:
            key = ("sum", name, category) + place
            s = m.variable(key, _value(num_v), f"{label}: summa", protect=False)
            m.shows.append((pos, s))
            sums_of[key] = s
    m.var_values = [0.0 if v != v else v for v in m.var_values]  # an empty group's share reveals 0 of 0
    _grouping_sums(m)
    _scope_sums(m)
    _distribution_sums(m, rows)
    _weighted_sums(m, sums_of)
    _complement_bases(m)
    return m


@lru_cache(maxsize=None)
def _shared(name: str, period: str) -> dict[str, tuple[str, str]]:
    """The indicator's categories that are another population's count in `period`: category -> (population,
    category)."""
    return {pattern.format(period=period): target for (of, pattern), target in SHARED_COUNTS.items() if of == name}


def _families(m: Model, kinds=("base", "num", "sum")) -> dict[tuple, dict[tuple[str, str], int]]:
    """Variables by family (everything but the grouping and group), then by (grouping, group)."""
    out: dict[tuple, dict[tuple[str, str], int]] = defaultdict(dict)
    for v, key in enumerate(m.var_keys):
        if key[0] in kinds:
            out[key[:5]][(key[5], key[6])] = v
    return out


def _equation(m: Model, total: int, parts: list[int], label: str, allow_rest: bool) -> None:
    """total = Σ parts. Where the parts leave something out (rows of no unit) or count something twice, a
    never-published rest closes the gap: total = Σ parts ± rest, rest ≥ 0. With ``m.known_rests`` (an outsider's
    audit of published files) which relations have a rest comes from the publication, not from hidden values."""
    eq = {total: 1.0}
    for p in parts:
        eq[p] = eq.get(p, 0.0) - 1.0
    if m.known_rests is not None:
        sign, gap = m.known_rests.get(label), 0.0
    else:
        gap = m.var_values[total] - sum(m.var_values[p] for p in parts)
        sign = None if abs(gap) <= 1e-9 else (1.0 if gap > 0 else -1.0)
        if sign is not None and not allow_rest:
            m.not_additive.append(label)
            return
    if sign is not None:
        rest = m.variable(("rest", label), abs(gap), f"{label}: rest", protect=False)
        eq[rest] = -sign
        m.rests[label] = sign
    m.equalities.append((eq, label))


def _grouping_sums(m: Model) -> None:
    for family, members in _families(m).items():
        total = members.get(("total", "Totalt"))
        if total is None:
            continue
        by_grouping: dict[str, list[int]] = defaultdict(list)
        for (grouping, _), v in members.items():
            if grouping != "total":
                by_grouping[grouping].append(v)
        for grouping, parts in by_grouping.items():
            _equation(m, total, parts, f"{family[1]} {family[4]} {family[3]}: {grouping} summerar till totalen",
                      allow_rest=False)


def _scope_sums(m: Model) -> None:
    by_place: dict[tuple, dict[str, int]] = defaultdict(dict)
    for v, key in enumerate(m.var_keys):
        if key[0] in ("base", "num", "sum"):
            by_place[(key[0], key[1], key[2], key[4], key[5], key[6])][key[3]] = v
    for place, scopes in by_place.items():
        if ORG not in scopes or len(scopes) < 2:
            continue
        parts = [v for s, v in scopes.items() if s != ORG]
        _equation(m, scopes[ORG], parts, f"{place[1]} {place[3]} {place[4]}={place[5]}: enheterna och helheten",
                  allow_rest=True)


def _distribution_sums(m: Model, cells: pd.DataFrame) -> None:
    """A distribution's categories add up to its base, where all its categories are published (a category shown
    on its own by another indicator, e.g. planned endings per provider, is no distribution there)."""
    categories = {name: set(part["category"]) for name, part in cells.groupby("indicator")}
    members: dict[tuple, list[int]] = defaultdict(list)
    base_of: dict[tuple, int] = {}
    for v, key in enumerate(m.var_keys):
        if key[0] == "num" and REGISTRY[key[1]].distribution:
            place = (key[1], key[3], key[4], key[5], key[6])
            members[place].append(v)
            base_of[place] = m._index[("base", REGISTRY[key[1]].base, "", key[3], key[4], key[5], key[6])]
    for place, parts in members.items():
        if place[0] not in categories or len(parts) < len(categories[place[0]]):
            continue  # not all categories are shown (or only another indicator's share of one of them)
        eq = {base_of[place]: 1.0}
        for p in parts:
            eq[p] = -1.0
        m.equalities.append((eq, f"{place[0]} {place[2]}: kategorierna summerar till basen"))


def _weighted_sums(m: Model, sums_of: dict[tuple, int]) -> None:
    for mean_name, (dist_name, weights) in WEIGHTED_SUMS.items():
        for key, s in sums_of.items():
            if key[1] != mean_name:
                continue
            eq = {s: 1.0}
            for category, w in weights.items():
                v = m._index.get(("num", dist_name, category) + key[3:])
                if v is None:
                    break
                eq[v] = -w
            else:
                m.equalities.append((eq, f"{mean_name} {key[4]}: summan är den viktade fördelningen"))


def _complement_bases(m: Model) -> None:
    """A base that is another share's complement: base + numerator = denominator, place by place."""
    for v, key in enumerate(m.var_keys):
        if key[0] != "base" or key[1] not in COMPLEMENT_BASES or key[2]:
            continue
        share = COMPLEMENT_BASES[key[1]]
        num = m._index.get(("num", share, "") + key[3:])
        den = m._index.get(("base", REGISTRY[share].base, "") + key[3:])
        if num is not None and den is not None:
            m.equalities.append(({v: 1.0, num: 1.0, den: -1.0},
                                 f"{key[1]} {key[4]} {key[5]}={key[6]}, {key[3]}: basen är {share}s nämnare − täljare"))


def violated(m: Model, tolerance: float = 1e-6) -> list[str]:
    """Relations the true values do not satisfy (a wrong declaration)."""
    x = np.asarray(m.var_values)
    bad = [f"{label} (delarna summerar inte till totalen)" for label in m.not_additive]
    bad += [f"samma uppgift med olika värden: {label}" for label in m.disagreements]
    bad += [label for eq, label in m.equalities if abs(sum(c * x[v] for v, c in eq.items())) > tolerance]
    bad += [label for eq, label in m.inequalities if sum(c * x[v] for v, c in eq.items()) > tolerance]
    return bad
