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

from ..grouping import TOTAL_GROUP
from .keys import long_keys
from .stats import wilson

CELL_COLUMNS = ["grouping", "group", "category", "numerator", "denominator", "value", "ci_low", "ci_high", "n"]
SCOPED_COLUMNS = ["scope"] + CELL_COLUMNS
_KEY = ["scope", "grouping", "group"]
_TEXT = ["scope", "grouping", "group", "category"]
_NUMBERS = ["numerator", "denominator", "value", "ci_low", "ci_high", "n"]
_ONLY = "__alla"  # the scope name used when no units are asked for


def _order(out: dict, scopes: list[str], groupings: list[str], categories: list[str] | None = None) -> np.ndarray:
    """Row positions: scopes in the given order, the total first, groupings in declared order, groups sorted."""
    def rank(column: str, order: list[str]) -> np.ndarray:  # unknown values last, like a missing sort key
        pos = {v: i for i, v in enumerate(order)}
        return np.array([pos.get(v, len(order)) for v in out[column]], dtype=np.int64)

    _, group = np.unique(np.array([str(v) for v in out["group"]], dtype=object), return_inverse=True)
    keys = [group.ravel(), rank("grouping", ["total"] + list(groupings)), rank("scope", scopes)]
    if categories is not None:
        keys.insert(0, rank("category", categories))
    return np.lexsort(keys)


def _with_totals(agg: dict, scopes: list[str], empty: dict) -> dict:
    """Every scope gets its total row, with `empty` values when it has no rows (columns of numpy arrays)."""
    have = set(agg["scope"][agg["grouping"] == "total"])
    missing = [s for s in scopes if s not in have]
    if not missing:
        return agg
    add = {"scope": missing, "grouping": ["total"] * len(missing), "group": [TOTAL_GROUP] * len(missing),
           **{c: [v] * len(missing) for c, v in empty.items()}}
    return {c: _appended(v, add[c]) for c, v in agg.items()}


def _appended(column: np.ndarray, values: list) -> np.ndarray:
    """`values` after the column's, as a numeric array stays numeric and text stays objects."""
    tail = np.asarray(values, dtype=object) if column.dtype == object else np.asarray(values)
    return np.concatenate([column, tail.reshape((len(values),) + column.shape[1:])])


def _finish(out: dict, category, interval: bool, scopes, groupings, categories=None) -> pd.DataFrame:
    """The cells frame from columns of numpy arrays: text columns as strings, numbers as floats, rows ordered."""
    if category is not None:
        out["category"] = np.full(len(out["scope"]), category, dtype=object)
    num, den = np.asarray(out["numerator"], float), np.asarray(out["denominator"], float)
    nan = np.full(len(num), np.nan)
    low, high = wilson(num, den) if interval else (nan, nan)
    order = _order(out, scopes, groupings, categories)
    values = {"numerator": num, "denominator": den, "value": out["value"], "ci_low": low, "ci_high": high,
              "n": out["n"]}
    frame = pd.DataFrame({**{c: np.asarray(out[c], dtype=object)[order] for c in _TEXT},
                          **{c: np.asarray(values[c], dtype=float)[order] for c in _NUMBERS}})
    # text is inferred as str already; only a column holding something else (or nothing) needs converting
    other = [c for c in _TEXT if frame[c].dtype != "str"]
    return frame.astype(dict.fromkeys(other, str)) if other else frame


def _scopes(units: list[str], org: str) -> list[str]:
    return [org] + [u for u in units if u != org]


def scoped_share(df, groupings, units, org, flag: str, category: str = "") -> pd.DataFrame:
    """Share of rows where `flag` is true: numerator = true rows, denominator = n = rows; Wilson interval."""
    f = df[flag].fillna(False).astype(bool).to_numpy(float) if len(df) else np.array([], float)
    lk = long_keys(df, groupings, units, org)
    rows = np.bincount(lk.key, minlength=lk.size)
    true = np.bincount(lk.key, weights=f[lk.rows], minlength=lk.size)
    keys = np.flatnonzero(rows)
    agg = _with_totals({**lk.columns(keys), "sum": true[keys], "count": rows[keys]}, _scopes(units, org),
                       {"sum": 0.0, "count": 0.0})
    with np.errstate(invalid="ignore", divide="ignore"):
        value = agg["sum"].astype(float) / agg["count"].astype(float)
    out = {**{c: agg[c] for c in _KEY}, "numerator": agg["sum"], "denominator": agg["count"], "value": value,
           "n": agg["count"]}
    return _finish(out, category, True, _scopes(units, org), groupings)


def scoped_distribution(df, groupings, units, org, column: str, categories: list[str],
                        every_group: bool = False) -> pd.DataFrame:
    """Rows of `column` over `categories` per group: numerator = rows in the category, denominator = n = the
    group's rows in any of the categories, value = share, Wilson interval. `every_group`: a group whose rows are
    in no category shows too, with a base of 0 (the distribution of a part of the rows: its groups are theirs,
    so a missing group does not tell that the part is empty there)."""
    codes, uniques = pd.factorize(df[column].astype("string") if len(df) else pd.Series([], dtype="string"))
    position = {c: i for i, c in enumerate(categories)}
    cat = np.array([position.get(u, -1) for u in uniques] + [-1], dtype=np.int64)[codes]
    lk = long_keys(df, groupings, units, org)
    c = cat[lk.rows]
    counted = c >= 0
    k = len(categories)
    tally = np.bincount(lk.key[counted] * k + c[counted], minlength=lk.size * k).reshape(lk.size, k)
    keys = np.flatnonzero(np.bincount(lk.key, minlength=lk.size) if every_group else tally.sum(axis=1))
    counts = _with_totals({**lk.columns(keys), "tally": tally[keys]}, _scopes(units, org), {"tally": [0] * k})
    den = np.repeat(counts["tally"].sum(axis=1).astype(float), k)
    num = counts["tally"].astype(float).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        value = num / den
    out = {**{c: np.repeat(counts[c], k) for c in _KEY},
           "category": np.tile(np.asarray(categories, dtype=object), len(counts["scope"])),
           "numerator": num, "denominator": den, "value": value, "n": den}
    return _finish(out, None, True, _scopes(units, org), groupings, list(categories))


def scoped_count(df, groupings, units, org, unique: str | None = None, category: str = "",
                 levels: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Rows (or distinct `unique` values) per group: numerator = value = n, no denominator. `levels` lists the
    groups a grouping always shows (with 0), e.g. the twelve months."""
    lk = long_keys(df, groupings, units, org)
    k = np.bincount(lk.key, minlength=lk.size)
    keys = np.flatnonzero(k)
    if unique:  # distinct non-missing values per key
        codes, uniques = pd.factorize(df[unique])
        u = codes[lk.rows]
        seen = u >= 0
        pairs = pd.unique(lk.key[seen] * (len(uniques) + 1) + u[seen])
        k = np.bincount(pairs // (len(uniques) + 1), minlength=lk.size)
    scopes = _scopes(units, org)
    agg = _with_totals({**lk.columns(keys), "k": k[keys].astype(float)}, scopes, {"k": 0.0})
    for g, wanted in (levels or {}).items():
        if g not in groupings:
            continue
        mine = agg["grouping"] == g
        have = set(zip(agg["scope"][mine], agg["group"][mine]))
        add = [(s, lvl) for s in scopes for lvl in wanted if (s, lvl) not in have]
        if add:
            extra = {"scope": [s for s, _ in add], "grouping": [g] * len(add), "group": [lvl for _, lvl in add],
                     "k": [0.0] * len(add)}
            agg = {c: _appended(v, extra[c]) for c, v in agg.items()}
    out = {**{c: agg[c] for c in _KEY}, "numerator": agg["k"], "denominator": np.full(len(agg["k"]), np.nan),
           "value": agg["k"], "n": agg["k"]}
    return _finish(out, category, False, scopes, groupings)


def scoped_stat(df, groupings, units, org, column: str, how: str, category: str = "") -> pd.DataFrame:
    """Median or mean of `column` per group; n = rows with a value. For means numerator = sum and denominator
    = n, so a mean can be checked (and protected) like a share."""
    x = pd.to_numeric(df[column], errors="coerce").astype(float) if len(df) else pd.Series([], dtype=float)
    ok = x.notna().to_numpy()
    lk = long_keys(df[ok], groupings, units, org)
    # groups numbered by first appearance, as pandas numbers string keys: it then picks the same summation
    # (reduceat when each group's rows are contiguous, else compensated), so sums and means agree to the bit
    grouped = pd.Series(x.to_numpy()[ok][lk.rows]).groupby(lk.key, sort=False)
    # only what `how` needs; the others stay missing
    stats = grouped.agg(["median"] if how == "median" else ["mean", "sum"])
    stats = stats.reindex(columns=["median", "mean", "sum"])
    keys = stats.index.to_numpy()
    agg = _with_totals({**lk.columns(keys), **{c: stats[c].to_numpy(float) for c in stats},
                        "count": np.bincount(lk.key, minlength=lk.size)[keys]}, _scopes(units, org),
                       {"median": np.nan, "mean": np.nan, "sum": 0.0, "count": 0.0})
    key = {c: agg[c] for c in _KEY}
    if how == "median":
        nan = np.full(len(agg["count"]), np.nan)
        out = {**key, "numerator": nan, "denominator": nan, "value": agg["median"], "n": agg["count"]}
    else:
        out = {**key, "numerator": agg["sum"], "denominator": agg["count"], "value": agg["mean"], "n": agg["count"]}
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


def distribution(df: pd.DataFrame, column: str, categories: list[str], groupings: list[str],
                 every_group: bool = False) -> Spec:
    return Spec(scoped_distribution, df, list(groupings), {"column": column, "categories": list(categories),
                                                           "every_group": every_group})


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
