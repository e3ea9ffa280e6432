"""Reading the publication: every report, file, figure and text is a view of its cells.

The organisation's breakdown by unit is the units' own total cells, and an indicator declared as a view of another
(``Indicator.view``) shows that indicator's cells: a number is one cell, whichever table shows it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..config import Config
from ..grouping import TOTAL_GROUP
from ..indicators.registry import INDICATORS, REGISTRY

ORG = "hela"  # the scope code of the whole organisation
PUBLISHED = "publicerad"
SUPPRESSED = "undertryckt"
NOT_APPLICABLE = "ej tillämplig"
NUMBERS = ["numerator", "denominator", "value", "ci_low", "ci_high", "n"]
TABLE_COLUMNS = ["indicator", "period", "grouping", "group", "category", "numerator", "denominator", "value",
                 "ci_low", "ci_high", "n", "suppressed"]
ORDER = {i.name: k for k, i in enumerate(INDICATORS)}


def _alias_rows(cells: pd.DataFrame, config: Config) -> pd.DataFrame:
    parts = []
    for ind in INDICATORS:
        if ind.view is None:
            continue
        v = ind.view
        category = v.category_in(config)
        rows = cells[(cells["indicator"] == v.of) & ((cells["category"] == category) | (cells["status"] == NOT_APPLICABLE))]
        if v.groupings is not None:
            rows = rows[rows["grouping"].isin(("total",) + tuple(v.groupings))]
        parts.append(rows.assign(indicator=ind.name, category="", kind=ind.kind))
    return pd.concat(parts, ignore_index=True) if parts else cells.iloc[0:0]


def _unit_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """The organisation's cells per unit: each unit's total cells, as they are."""
    wants_unit = {i.name for i in INDICATORS if "unit" in i.groupings}
    rows = cells[(cells["scope"] != ORG) & (cells["grouping"] == "total") & (cells["status"] != NOT_APPLICABLE)
                 & cells["indicator"].isin(wants_unit)]
    return rows.assign(group=rows["scope"], scope=ORG, grouping="unit")


class Publication:
    """The published cells of one period (numbers of suppressed cells are absent) with the views readers see."""

    def __init__(self, cells: pd.DataFrame, config: Config, period: str, meta: dict | None = None):
        self.period = str(period)
        self.config = config
        self.meta = meta or {}
        self.cells = cells.reset_index(drop=True)
        with_alias = pd.concat([self.cells, _alias_rows(self.cells, config)], ignore_index=True)
        full = pd.concat([with_alias, _unit_rows(with_alias)], ignore_index=True)
        key = pd.DataFrame({"i": full["indicator"].map(ORDER), "p": full["period"],
                            "s": full["scope"] != ORG, "g": full["grouping"] != "total",
                            "u": full["grouping"] != "unit"})
        self.view = full.loc[key.sort_values(["i", "p", "s", "g", "u"], kind="stable").index].reset_index(drop=True)
        v = self.view
        self._at = dict(zip(zip(v["indicator"], v["scope"], v["period"], v["grouping"], v["group"], v["category"]),
                            range(len(v))))
        self._by_scope = {s: part for s, part in v.groupby("scope", sort=False)}
        now = v[(v["period"] == self.period) & (v["status"] != NOT_APPLICABLE)]
        self._applicable = set(zip(now["indicator"], now["scope"]))

    # -- selections -----------------------------------------------------------------------------------
    def scope(self, scope: str | None = None, period: str | None = "current", applicable: bool = True) -> pd.DataFrame:
        """The cells a report of `scope` (None = the whole organisation) shows, for one period (default: the
        publication's) or all (period=None)."""
        v = self._by_scope.get(scope or ORG, self.view.iloc[0:0])
        if period is not None:
            v = v[v["period"] == (self.period if period == "current" else str(period))]
        if applicable:
            v = v[v["status"] != NOT_APPLICABLE]
        return v

    def applies(self, indicator: str, scope: str | None = None) -> bool:
        return (indicator, scope or ORG) in self._applicable

    def indicators(self, scope: str | None = None) -> list[str]:
        """The indicators that apply in a scope, in the registry's order."""
        names = self.scope(scope)["indicator"].drop_duplicates()
        return sorted(names, key=lambda n: ORDER.get(n, len(ORDER)))

    def cell(self, indicator: str, scope: str | None = None, period: str | None = None, grouping: str = "total",
             group: str = TOTAL_GROUP, category: str = "") -> pd.Series | None:
        i = self._at.get((indicator, scope or ORG, period or self.period, grouping, group, category))
        return None if i is None else self.view.iloc[i]

    def tables(self, scope: str | None = None) -> dict[str, pd.DataFrame]:
        """Per indicator, every period's applicable cells of `scope` in the indicator-table format the analysis
        reads (a `suppressed` column; suppressed cells carry no numbers)."""
        v = self.scope(scope, period=None)
        t = v.assign(suppressed=v["status"] == SUPPRESSED)[TABLE_COLUMNS]
        rows = v.groupby("indicator", sort=False).indices
        out = {name: t.iloc[rows[name]].reset_index(drop=True) for name in pd.unique(v["indicator"])}
        return dict(sorted(out.items(), key=lambda kv: ORDER.get(kv[0], len(ORDER))))

    def periods(self) -> list[str]:
        return sorted(self.cells["period"].unique())


def published_numbers(cells: pd.DataFrame) -> pd.DataFrame:
    """Blank every number of a suppressed or not-applicable cell: what may leave the building."""
    out = cells.copy()
    hidden = out["status"] != PUBLISHED
    out.loc[hidden, NUMBERS] = np.nan
    return out


def unit_label(config: Config, scope: str) -> str:
    return "Hela verksamheten" if scope == ORG else config.unit_name(scope)


def registry_label(name: str) -> str:
    return REGISTRY[name].label if name in REGISTRY else name
