"""A plain differencing attacker for the tests, independent of helpers.publication.relations: it reads the published
cells, knows the indicators' definitions from the registry (which indicators count the same population) and does
sums and differences by hand, as a curious reader with a spreadsheet would:

- A: the groups of a grouping against the total (one group hidden: total − the others), and a hidden total
  rebuilt from another grouping whose groups are all published (lex Sarah 9 − 8 = 1 is the first kind);
- B: the whole organisation against its units (one unit hidden: organisation − the others, or a hidden
  organisation from all its units);
- C: the categories of a distribution against its base;
- D: a base one indicator hides and another with the same population publishes;
- complements: a hidden share's denominator − numerator once both are known.

Every recovery is checked against the true (internal) values, so only true recoveries count; recovered values are
used again until nothing new is found. Only relations that hold on the true values are used (the attacker knows
the definitions, e.g. that a grouping with "Uppgift saknas" adds up).
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from helpers.indicators.registry import REGISTRY

ORG = "hela"


def _quantities(cells: pd.DataFrame, internal: pd.DataFrame) -> pd.DataFrame:
    """One row per quantity a cell shows: its key (shared bases and numerators pooled), published value (NaN when
    hidden) and true value."""
    true = internal.set_index("cell_id")
    rows = []
    for r in cells[cells["status"] != "ej tillämplig"].itertuples():
        ind = REGISTRY[r.indicator]
        t = true.loc[r.cell_id]
        shown = r.status == "publicerad"
        place = (r.scope, r.period, r.grouping, r.group)

        def add(q, key, published, truth):
            rows.append({"q": q, "key": key, "v": published if shown else np.nan, "true": float(truth),
                         "cell": r.cell_id, "indicator": r.indicator, "shown": shown})
        if r.kind == "count":
            add("antal", ("count", r.indicator, r.category) + place, r.value, t["value"])
        elif r.kind == "share":
            source, category = ind.numerator_of or (r.indicator, r.category)
            add("täljare", ("num", source, category) + place, r.numerator, t["numerator"])
            base_cat = "" if ind.distribution else r.category
            add("nämnare", ("base", ind.base, base_cat) + place, r.denominator, t["denominator"])
        else:
            add("n", ("base", ind.base, "") + place, r.n, t["n"])
    return pd.DataFrame(rows)


def attack(published: pd.DataFrame, internal: pd.DataFrame, low: int = 1, high: int = 4) -> dict[str, tuple]:
    """Hidden quantities recovered exactly whose true value is low..high: label -> (way, value)."""
    q = _quantities(published, internal)
    truth = q.groupby("key")["true"].first().to_dict()
    known = q[q["shown"]].groupby("key")["v"].first().to_dict()
    hidden_keys = set(q.loc[~q["shown"], "key"])
    label = q.loc[~q["shown"]].groupby("key")["cell"].first().to_dict()
    found: dict[str, tuple] = {}
    for k in hidden_keys & set(known):  # D: a base one indicator hides and another publishes
        if low <= truth[k] <= high:
            found[f"{label[k]} ({k[0]})"] = ("D annan indikator", truth[k])

    def learn(key, value, way) -> bool:
        if key in known or value is None or not np.isfinite(value) or abs(value - truth[key]) > 1e-9:
            return False
        known[key] = value
        if key in hidden_keys and low <= truth[key] <= high:
            found.setdefault(f"{label[key]} ({key[0]})", (way, truth[key]))
        return True

    def solve(total, parts, way) -> bool:
        """total = Σ parts, where it holds: one unknown among them is the difference."""
        if abs(truth[total] - sum(truth[p] for p in parts)) > 1e-9:
            return False
        unknown = [k for k in [total, *parts] if k not in known]
        if len(unknown) != 1:
            return False
        k = unknown[0]
        rest = sum(known[p] for p in parts if p != k)
        return learn(k, known[total] - rest if k != total else rest, way)

    keys = list(truth)
    by_grouping: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    by_scope: dict[tuple, dict[str, tuple]] = defaultdict(dict)
    for k in keys:
        kind, name, cat, scope, period, grouping, group = k
        by_grouping[(kind, name, cat, scope, period)][grouping].append(k)
        by_scope[(kind, name, cat, period, grouping, group)][scope] = k
    distributions = defaultdict(list)
    for k in keys:
        if k[0] == "num" and REGISTRY[k[1]].distribution:
            base = ("base", REGISTRY[k[1]].base, "") + k[3:]
            distributions[base].append(k)
    complements = q[q["q"] == "täljare"].merge(q[q["q"] == "nämnare"], on="cell", suffixes=("_num", "_den"))
    complements = list(zip(complements["key_num"], complements["key_den"], complements["cell"]))

    while True:
        new = False
        for groupings in by_grouping.values():
            totals = groupings.get("total", [])
            if len(totals) != 1:
                continue
            for grouping, parts in groupings.items():
                if grouping != "total":
                    way = "A total ur annan indelning" if totals[0] not in known else "A indelning mot total"
                    new |= solve(totals[0], parts, way)
        for scopes in by_scope.values():
            if ORG in scopes and len(scopes) > 1:
                new |= solve(scopes[ORG], [k for s, k in scopes.items() if s != ORG], "B helheten mot enheterna")
        for base, parts in distributions.items():
            if base in truth:
                new |= solve(base, parts, "C fördelning mot bas")
        for num, den, cell in complements:
            if num in known and den in known and low <= truth[den] - truth[num] <= high and \
                    (num in hidden_keys or den in hidden_keys):
                found.setdefault(f"{cell} (nämnare − täljare)", ("komplement", truth[den] - truth[num]))
        if not new:
            break
    return found
