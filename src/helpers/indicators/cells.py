"""Builders for the tidy indicator cells: one row per scope, grouping, group and category.

An indicator returns a ``Spec``: its rows (each carrying the ``unit`` it belongs to) and how they become cells.
``Spec.cells(units, org)`` builds the cells of the whole organisation (scope ``org``, every row) and of each unit
(the unit's rows) in one vectorised pass: one population and one definition for every scope.

Within a scope the total row (grouping "total", group "Totalt") comes first, then one block per grouping column
with its groups sorted. Columns: scope, grouping, group, category, numerator, denominator, value, ci_low, ci_high, n.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..grouping import TOTAL_GROUP, as_group
from .stats import wilson

CELL_COLUMNS = ["grouping", "group", "category", "numerator", "denominator", "value", "ci_low", "ci_high", "n"]
SCOPED_COLUMNS = ["scope"] + CELL_COLUMNS
_KEY = ["scope", "grouping", "group"]
_ONLY = "__alla"  # the scope name used when no units are asked for


def _long(df: pd.DataFrame, groupings: list[str], units: list[str], org: str, values: dict) -> pd.DataFrame:
    """The rows once per grouping (total first) in the organisation's scope, and again in their unit's scope."""
    n = len(df)
    unit = None
    if units and "unit" in df:
        unit = df["unit"].astype(object).where(df["unit"].notna(), None).to_numpy()
        in_scope = np.isin(unit, np.asarray(units, dtype=object))
    blocks = []
    for g in ["total"] + [g for g in groupings if g in df]:
        grp = np.full(n, TOTAL_GROUP, dtype=object) if g == "total" else as_group(df[g]).to_numpy(dtype=object)
        blocks.append(pd.DataFrame({"scope": org, "grouping": g, "group": grp, **values}))
        if unit is not None:
            blocks.append(pd.DataFrame({"scope": unit[in_scope], "grouping": g, "group": grp[in_scope],
                                        **{k: np.asarray(v)[in_scope] for k, v in values.items()}}))
    return pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(columns=_KEY + list(values))


def _order(out: pd.DataFrame, scopes: list[str], groupings: list[str], categories: list[str] | None = None
           ) -> pd.DataFrame:
    """Scopes in the given order, the total first, groupings in declared order, groups sorted."""
    gorder = {g: i for i, g in enumerate(["total"] + list(groupings))}
    sort = pd.DataFrame({"s": out["scope"].map({s: i for i, s in enumerate(scopes)}),
                         "g": out["grouping"].map(gorder), "v": out["group"].astype(str)})
    by = ["s", "g", "v"]
    if categories is not None:
        sort["c"] = out["category"].map({c: i for i, c in enumerate(categories)})
        by.append("c")
    return out.loc[sort.sort_values(by, kind="stable").index].reset_index(drop=True)


def _with_totals(agg: pd.DataFrame, scopes: list[str], empty: dict) -> pd.DataFrame:
    """Every scope gets its total row, with `empty` values when it has no rows."""
    have = set(agg.loc[agg["grouping"] == "total", "scope"])
    missing = [{"scope": s, "grouping": "total", "group": TOTAL_GROUP, **empty} for s in scopes if s not in have]
    return pd.concat([agg, pd.DataFrame(missing)], ignore_index=True) if missing else agg


def _finish(out: pd.DataFrame, category, interval: bool, scopes, groupings, categories=None) -> pd.DataFrame:
    if category is not None:
        out["category"] = category
    num, den = out["numerator"].to_numpy(float), out["denominator"].to_numpy(float)
    if interval:
        out["ci_low"], out["ci_high"] = wilson(num, den)
    else:
        out["ci_low"] = out["ci_high"] = np.nan
    out = _order(out, scopes, groupings, categories)
    for c in ("scope", "grouping", "group", "category"):
        out[c] = out[c].astype(str)
    for c in ("numerator", "denominator", "value", "ci_low", "ci_high", "n"):
        out[c] = out[c].astype(float)
    return out[SCOPED_COLUMNS]


def _scopes(units: list[str], org: str) -> list[str]:
    return [org] + [u for u in units if u != org]


def scoped_share(df, groupings, units, org, flag: str, category: str = "") -> pd.DataFrame:
    """Share of rows where `flag` is true: numerator = true rows, denominator = n = rows; Wilson interval."""
    f = df[flag].fillna(False).astype(bool).to_numpy(float) if len(df) else np.array([], float)
    agg = _long(df, groupings, units, org, {"f": f}).groupby(_KEY, sort=False)["f"].agg(["sum", "count"])
    agg = _with_totals(agg.reset_index(), _scopes(units, org), {"sum": 0.0, "count": 0.0})
    with np.errstate(invalid="ignore", divide="ignore"):
        value = agg["sum"].to_numpy(float) / agg["count"].to_numpy(float)
    out = agg[_KEY].assign(numerator=agg["sum"], denominator=agg["count"], value=value, n=agg["count"])
    return _finish(out, category, True, _scopes(units, org), groupings)


def scoped_distribution(df, groupings, units, org, column: str, categories: list[str]) -> pd.DataFrame:
    """Rows of `column` over `categories` per group: numerator = rows in the category, denominator = n = the
    group's rows in any of the categories, value = share, Wilson interval."""
    cat = df[column].astype("string").to_numpy(dtype=object, na_value=None) if len(df) else np.array([], object)
    long = _long(df, groupings, units, org, {"c": cat})
    long = long[long["c"].isin(categories)]
    counts = long.groupby(_KEY + ["c"], sort=False).size().unstack("c", fill_value=0)
    counts = counts.reindex(columns=categories, fill_value=0).reset_index()
    counts = _with_totals(counts, _scopes(units, org), {c: 0 for c in categories})
    base = counts[categories].sum(axis=1).to_numpy(float)
    rows = counts[_KEY].loc[counts.index.repeat(len(categories))].reset_index(drop=True)
    k = counts[categories].to_numpy(float).ravel()
    den = np.repeat(base, len(categories))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = k / den
    out = rows.assign(category=np.tile(np.asarray(categories, dtype=object), len(counts)), numerator=k,
                      denominator=den, value=value, n=den)
    return _finish(out, None, True, _scopes(units, org), groupings, list(categories))


def scoped_count(df, groupings, units, org, unique: str | None = None, category: str = "",
                 levels: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Rows (or distinct `unique` values) per group: numerator = value = n, no denominator. `levels` lists the
    groups a grouping always shows (with 0), e.g. the twelve months."""
    values = {"u": df[unique].astype(object).to_numpy()} if unique else {"u": np.ones(len(df))}
    long = _long(df, groupings, units, org, values)
    grouped = long.groupby(_KEY, sort=False)["u"]
    agg = (grouped.nunique() if unique else grouped.size()).astype(float).rename("k").reset_index()
    scopes = _scopes(units, org)
    agg = _with_totals(agg, scopes, {"k": 0.0})
    for g, wanted in (levels or {}).items():
        if g not in groupings:
            continue
        have = set(zip(agg.loc[agg["grouping"] == g, "scope"], agg.loc[agg["grouping"] == g, "group"]))
        add = [{"scope": s, "grouping": g, "group": lvl, "k": 0.0} for s in scopes for lvl in wanted
               if (s, lvl) not in have]
        if add:
            agg = pd.concat([agg, pd.DataFrame(add)], ignore_index=True)
    out = agg[_KEY].assign(numerator=agg["k"], denominator=np.nan, value=agg["k"], n=agg["k"])
    return _finish(out, category, False, scopes, groupings)


def scoped_stat(df, groupings, units, org, column: str, how: str, category: str = "") -> pd.DataFrame:
    """Median or mean of `column` per group; n = rows with a value. For means numerator = sum and denominator
    = n, so a mean can be checked (and protected) like a share."""
    x = pd.to_numeric(df[column], errors="coerce").astype(float) if len(df) else pd.Series([], dtype=float)
    ok = x.notna().to_numpy()
    long = _long(df[ok], groupings, units, org, {"x": x.to_numpy()[ok]})
    agg = long.groupby(_KEY, sort=False)["x"].agg(["median", "mean", "sum", "count"]).reset_index()
    agg = _with_totals(agg, _scopes(units, org), {"median": np.nan, "mean": np.nan, "sum": 0.0, "count": 0.0})
    if how == "median":
        out = agg[_KEY].assign(numerator=np.nan, denominator=np.nan, value=agg["median"], n=agg["count"])
    else:
        out = agg[_KEY].assign(numerator=agg["sum"], denominator=agg["count"], value=agg["mean"], n=agg["count"])
    return _finish(out, category, False, _scopes(units, org), groupings)


@dataclass
class Spec:
    """One indicator's rows and how they become cells (see the module docstring)."""
    builder: Callable[..., pd.DataFrame]
    rows: pd.DataFrame
    groupings: list[str]
    params: dict = field(default_factory=dict)
    keep: Callable[[pd.DataFrame], pd.DataFrame] | None = None  # drops cells the indicator does not publish

    def cells(self, units: list[str] = (), org: str = _ONLY, drop: tuple[str, ...] = ()) -> pd.DataFrame:
        out = self.builder(self.rows, [g for g in self.groupings if g not in drop], list(units), org, **self.params)
        return self.keep(out).reset_index(drop=True) if self.keep else out


def share(df: pd.DataFrame, flag: str, groupings: list[str], category: str = "") -> Spec:
    return Spec(scoped_share, df, list(groupings), {"flag": flag, "category": category})


def distribution(df: pd.DataFrame, column: str, categories: list[str], groupings: list[str]) -> Spec:
    return Spec(scoped_distribution, df, list(groupings), {"column": column, "categories": list(categories)})


def count(df: pd.DataFrame, groupings: list[str], unique: str | None = None, category: str = "",
          levels: dict[str, list[str]] | None = None) -> Spec:
    return Spec(scoped_count, df, list(groupings), {"unique": unique, "category": category, "levels": levels})


def stat(df: pd.DataFrame, column: str, groupings: list[str], how: str, category: str = "") -> Spec:
    return Spec(scoped_stat, df, list(groupings), {"column": column, "how": how, "category": category})


def specs_of(result) -> list[Spec]:
    """An indicator returns one spec or a list (e.g. one per month series); always a list here."""
    return list(result) if isinstance(result, (list, tuple)) else [result]


def build_all(result, units: list[str] = (), org: str = _ONLY, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """All cells of an indicator's spec(s) in every scope."""
    parts = [s.cells(units, org, drop) for s in specs_of(result)]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def unscoped(cells: pd.DataFrame) -> pd.DataFrame:
    return cells.drop(columns="scope")[CELL_COLUMNS]


# One scope, the rows as they are: the builders used directly (tests, figures of small frames).
def share_cells(df, flag, groupings, category="") -> pd.DataFrame:
    return unscoped(share(df, flag, groupings, category).cells())


def distribution_cells(df, column, categories, groupings) -> pd.DataFrame:
    return unscoped(distribution(df, column, categories, groupings).cells())


def count_cells(df, groupings, unique=None, category="", levels=None) -> pd.DataFrame:
    return unscoped(count(df, groupings, unique, category, levels).cells())


def stat_cells(df, column, groupings, how, category="") -> pd.DataFrame:
    return unscoped(stat(df, column, groupings, how, category).cells())
