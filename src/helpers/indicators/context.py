"""One period's processed tables and the setting they are read in.

Indicators compute on the whole organisation's rows; every row carries the unit it belongs to, so the publication
can build each unit's cells from the same rows (one population, one definition for a unit wherever it appears).
"""
from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from ..config import Config
from ..grouping import ClientGroups, as_group
from ..tables import load_table


class PeriodData:
    """Lazily loaded, cached tables of one period (calendar year)."""

    def __init__(self, period: str, processed_dir: str | Path, config: Config,
                 tables: dict[str, pd.DataFrame] | None = None):
        self.period = str(period)
        self.year = int(period)
        self.start = pd.Timestamp(f"{self.year}-01-01")
        self.end = pd.Timestamp(f"{self.year}-12-31")
        self.processed_dir = Path(processed_dir)
        self.config = config
        self._given = tables or {}
        self._cache: dict[str, pd.DataFrame] = {}

    # -- settings -------------------------------------------------------------------------------
    def setting(self, key: str, default):
        """A value from the config's `indikatorer:` section."""
        return (self.config.get("indikatorer") or {}).get(key, default)

    def once(self, key: str, make):
        """``make()`` the first time `key` is asked for in this period, the same object afterwards (shared:
        callers must not change it in place)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # -- tables ---------------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        def read():
            if name in self._given:
                from ..tables import coerce
                return coerce(name, self._given[name])
            return load_table(self.processed_dir, name, bookkeeping=False)
        return self.once(name, read)

    def _case_units(self) -> pd.Series:
        cases = self.table("cases").drop_duplicates("case_id")
        return pd.Series(cases["unit"].to_numpy(), index=cases["case_id"].astype(object))

    def _with_case_unit(self, name: str) -> pd.DataFrame:
        """Investigations and placements: their own unit, else the unit of their case."""
        def derive():
            df = self.table(name).copy()
            via_case = df["case_id"].astype(object).map(self._case_units())
            df["unit"] = df["unit"].astype("string").fillna(via_case.astype("string"))
            return df
        return self.once(f"_{name}", derive)

    def investigations(self) -> pd.DataFrame:
        return self._with_case_unit("investigations")

    def placements(self) -> pd.DataFrame:
        return self._with_case_unit("placements")

    def _latest_units(self, area: str | None) -> pd.Series:
        """Per client, the unit of the most recently opened case among the units that work with `area`."""
        def derive():
            cases = self.table("cases")[["client_id", "unit", "opened"]].dropna(subset=["unit"])
            units = self.config.units_for_area(area)
            if units is not None:
                cases = cases[cases["unit"].isin(units)]
            latest = cases.sort_values(["client_id", "opened", "unit"]).drop_duplicates("client_id", keep="last")
            return pd.Series(latest["unit"].to_numpy(), index=latest["client_id"].astype(object))
        return self.once(f"_latest_units:{area}", derive)

    def client_unit(self, client_ids: pd.Series, area: str | None = None) -> pd.Series:
        """The unit of each client's most recently opened case, among the units that work with `area`
        (all units when none declares its areas); missing when the client has no such case."""
        return pd.Series(client_ids.astype(object).map(self._latest_units(area)).to_numpy(), index=client_ids.index,
                         dtype="string")

    # -- enriched frames ------------------------------------------------------------------------
    def with_clients(self, df: pd.DataFrame) -> pd.DataFrame:
        """Add sex and age group (age at the period's end) by client_id."""
        return self.once("_client_groups", lambda: ClientGroups(self.table("clients"), self.year)).add(df)

    def interventions(self) -> pd.DataFrame:
        """Interventions with sex, age group and the case's target group as grouping columns."""
        def derive():
            iv = self.table("interventions").copy()
            cases = self.table("cases")[["case_id", "target_group"]].drop_duplicates("case_id")
            iv = iv.merge(cases, on="case_id", how="left")
            iv["target_group"] = as_group(iv["target_group"])
            return self.with_clients(iv)
        return self.once("_interventions", derive)

    def active(self, start: pd.Series, end: pd.Series) -> pd.Series:
        """Rows running at some time during the period."""
        return (start <= self.end) & (end.isna() | (end >= self.start))

    def within(self, dates: pd.Series) -> pd.Series:
        return ((dates >= self.start) & (dates <= self.end)).fillna(False)


def per_period(derive):
    """Derive a frame once per period: indicators that share rows (e.g. the support recipients) reuse them.
    The frame is shared, so callers must not change it in place."""
    key = f"{derive.__module__}.{derive.__qualname__}"

    @functools.wraps(derive)
    def cached(d: PeriodData) -> pd.DataFrame:
        return d.once(key, lambda: derive(d))
    return cached


def member(values: pd.Series, other) -> pd.Series:
    """`values.isin(other)` through a hash table on plain objects."""
    keys = pd.Index(pd.Series(other).dropna().astype(object).unique())
    return pd.Series(pd.Series(values).astype(object).isin(keys).to_numpy(), index=values.index)
