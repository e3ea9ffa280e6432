"""Builders for the tidy indicator cells: one row per grouping, group and category.

Every builder returns the total row (grouping "total", group "Totalt") first and then one block per
grouping column. Columns: grouping, group, category, numerator, denominator, value, ci_low, ci_high, n.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..grouping import TOTAL_GROUP, as_group
from .stats import wilson

CELL_COLUMNS = ["grouping", "group", "category", "numerator", "denominator", "value", "ci_low", "ci_high", "n"]


def _keys(df: pd.DataFrame, groupings: list[str]):
    """(grouping name, key series) for the total and each grouping column present in df."""
    yield "total", pd.Series(TOTAL_GROUP, index=df.index, dtype="string")
    for g in groupings:
        if g in df:
            yield g, as_group(df[g])


def _frame(grouping: str, groups, category, numerator, denominator, value, n, interval: bool) -> pd.DataFrame:
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    if interval:
        low, high = wilson(num, den)
    else:
        low = high = np.full(len(num), np.nan)
    return pd.DataFrame({"grouping": grouping, "group": pd.Series(list(groups), dtype=object),
                         "category": pd.Series(category if not isinstance(category, str) else [category] * len(num),
                                               dtype=object),
                         "numerator": num, "denominator": den, "value": np.asarray(value, dtype=float),
                         "ci_low": low, "ci_high": high, "n": np.asarray(n, dtype=float)})


def _finish(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("grouping", "group", "category") else float)
                             for c in CELL_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    for c in ("grouping", "group", "category"):
        out[c] = out[c].astype(str)
    return out[CELL_COLUMNS]


def share_cells(df: pd.DataFrame, flag: str, groupings: list[str], category: str = "") -> pd.DataFrame:
    """Share of rows where `flag` is true: numerator = true rows, denominator = n = all rows, Wilson CI."""
    parts = []
    f = df[flag].fillna(False).astype(bool).astype(float)
    for g, key in _keys(df, groupings):
        agg = f.groupby(key, sort=True).agg(["sum", "count"])
        if g == "total" and agg.empty:
            agg = pd.DataFrame({"sum": [0.0], "count": [0.0]}, index=[TOTAL_GROUP])
        with np.errstate(invalid="ignore", divide="ignore"):
            value = agg["sum"].to_numpy(float) / agg["count"].to_numpy(float)
        parts.append(_frame(g, agg.index, category, agg["sum"], agg["count"], value, agg["count"], True))
    return _finish(parts)


def distribution_cells(df: pd.DataFrame, column: str, categories: list[str], groupings: list[str]) -> pd.DataFrame:
    """Distribution of `column` over `categories` per group: numerator = rows in the category,
    denominator = n = rows of the group (all categories), value = share, Wilson CI."""
    parts = []
    cat = df[column].astype("string")
    for g, key in _keys(df, groupings):
        tab = pd.crosstab(key, cat).reindex(columns=categories, fill_value=0) if len(df) else \
            pd.DataFrame(0, index=pd.Index([], dtype=object), columns=categories)
        if g == "total" and tab.empty:
            tab = pd.DataFrame(0, index=[TOTAL_GROUP], columns=categories)
        tab = tab.sort_index()
        den = tab.sum(axis=1)
        long = tab.stack().rename("k").reset_index()
        long.columns = ["group", "category", "k"]
        d = den.reindex(long["group"]).to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = long["k"].to_numpy(float) / d
        parts.append(_frame(g, long["group"], list(long["category"].astype(str)), long["k"], d, value, d, True))
    return _finish(parts)


def count_cells(df: pd.DataFrame, groupings: list[str], unique: str | None = None, category: str = "",
                levels: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Number of rows (or distinct `unique` values) per group: numerator = value = n, denominator NaN.

    `levels` lists the groups that must appear (with 0) for a grouping, e.g. the twelve months.
    """
    parts = []
    levels = levels or {}
    for g, key in _keys(df, groupings):
        if unique:
            agg = df[unique].groupby(key, sort=True).nunique()
        else:
            agg = key.groupby(key, sort=True).size()
        agg = agg.astype(float)
        if g == "total" and agg.empty:
            agg = pd.Series([0.0], index=[TOTAL_GROUP])
        if g in levels:
            agg = agg.reindex(sorted(set(levels[g]) | set(agg.index)), fill_value=0.0)
        nan = np.full(len(agg), np.nan)
        parts.append(_frame(g, agg.index, category, agg, nan, agg, agg, False))
    return _finish(parts)


def stat_cells(df: pd.DataFrame, column: str, groupings: list[str], how: str, category: str = "") -> pd.DataFrame:
    """Median or mean of `column` per group; n = rows with a value. For means numerator = sum and
    denominator = n, so a mean can be checked (and its suppression protected) like a share."""
    parts = []
    x = pd.to_numeric(df[column], errors="coerce").astype(float)
    ok = x.notna()
    for g, key in _keys(df, groupings):
        agg = x[ok].groupby(key[ok], sort=True).agg(["median", "mean", "sum", "count"])
        if g == "total" and agg.empty:
            agg = pd.DataFrame({"median": [np.nan], "mean": [np.nan], "sum": [0.0], "count": [0.0]},
                               index=[TOTAL_GROUP])
        if how == "median":
            nan = np.full(len(agg), np.nan)
            parts.append(_frame(g, agg.index, category, nan, nan, agg["median"], agg["count"], False))
        else:
            parts.append(_frame(g, agg.index, category, agg["sum"], agg["count"], agg["mean"], agg["count"], False))
    return _finish(parts)
