"""One period's processed tables, restricted to a unit when asked, with the period's bounds."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..config import Config
from ..grouping import add_client_groupings, as_group
from ..tables import load_table

# Tables reached through another table when a unit is chosen: (key column, table it belongs to).
_THROUGH = {
    "sessions": ("intervention_id", "interventions"),
    "goals": ("intervention_id", "interventions"),
    "evaluations": ("intervention_id", "interventions"),
    "goal_followups": ("goal_id", "goals"),
    "placement_visits": ("placement_id", "placements"),
    "placement_reviews": ("placement_id", "placements"),
}
_BY_CLIENT = ("clients", "support_applications", "support_months")


class PeriodData:
    """Lazily loaded, cached tables of one period (calendar year) and the setting they are read in."""

    def __init__(self, period: str, processed_dir: str | Path, config: Config, unit: str | None = None,
                 tables: dict[str, pd.DataFrame] | None = None):
        self.period = str(period)
        self.year = int(period)
        self.start = pd.Timestamp(f"{self.year}-01-01")
        self.end = pd.Timestamp(f"{self.year}-12-31")
        self.processed_dir = Path(processed_dir)
        self.config = config
        self.unit = unit
        self._given = tables or {}
        self._raw: dict[str, pd.DataFrame] = {}
        self._cache: dict[str, pd.DataFrame] = {}

    # -- settings -------------------------------------------------------------------------------
    def setting(self, key: str, default):
        """A value from the config's `indikatorer:` section."""
        return (self.config.get("indikatorer") or {}).get(key, default)

    # -- tables ---------------------------------------------------------------------------------
    def raw(self, name: str) -> pd.DataFrame:
        if name not in self._raw:
            if name in self._given:
                from ..tables import coerce
                self._raw[name] = coerce(name, self._given[name])
            else:
                self._raw[name] = load_table(self.processed_dir, name)
        return self._raw[name]

    def table(self, name: str) -> pd.DataFrame:
        """A table restricted to the unit (when one is set)."""
        if name not in self._cache:
            self._cache[name] = self._restrict(name, self.raw(name))
        return self._cache[name]

    def _restrict(self, name: str, df: pd.DataFrame) -> pd.DataFrame:
        if self.unit is None:
            return df
        if name in ("cases", "interventions", "survey_answers", "incidents"):
            return df[df["unit"] == self.unit]
        if name in ("investigations", "placements"):
            unit_cases = self.raw("cases").loc[self.raw("cases")["unit"] == self.unit, "case_id"]
            own = (df["unit"] == self.unit).fillna(False)
            via_case = df["unit"].isna() & member(df["case_id"], unit_cases)
            return df[own | via_case]
        if name in _THROUGH:
            key, parent = _THROUGH[name]
            return df[member(df[key], self.table(parent)[key])]
        if name == "measurements":
            by_iv = member(df["intervention_id"], self.table("interventions")["intervention_id"])
            by_client = df["intervention_id"].isna() & member(df["client_id"], self.unit_clients())
            return df[by_iv | by_client]
        if name in _BY_CLIENT:
            return df[member(df["client_id"], self.unit_clients())]
        return df

    def unit_clients(self) -> pd.Index:
        """Clients with a case, intervention, investigation or placement in the unit."""
        if "_unit_clients" not in self._cache:
            ids = pd.concat([self.table(t)["client_id"] for t in
                             ("cases", "interventions", "investigations", "placements")])
            self._cache["_unit_clients"] = pd.DataFrame({"client_id": ids.dropna().unique()})
        return pd.Index(self._cache["_unit_clients"]["client_id"])

    # -- enriched frames ------------------------------------------------------------------------
    def with_clients(self, df: pd.DataFrame) -> pd.DataFrame:
        """Add sex and age group (age at the period's end) by client_id."""
        return add_client_groupings(df, self.raw("clients"), self.year)

    def interventions(self) -> pd.DataFrame:
        """Interventions with sex, age group and the case's target group as grouping columns."""
        if "_interventions" not in self._cache:
            iv = self.table("interventions").copy()
            cases = self.raw("cases")[["case_id", "target_group"]].drop_duplicates("case_id")
            iv = iv.merge(cases, on="case_id", how="left")
            iv["target_group"] = as_group(iv["target_group"])
            self._cache["_interventions"] = self.with_clients(iv)
        return self._cache["_interventions"]

    def active(self, start: pd.Series, end: pd.Series) -> pd.Series:
        """Rows running at some time during the period."""
        return (start <= self.end) & (end.isna() | (end >= self.start))

    def within(self, dates: pd.Series) -> pd.Series:
        return ((dates >= self.start) & (dates <= self.end)).fillna(False)


def member(values: pd.Series, other) -> pd.Series:
    """`values.isin(other)` through a hash table on plain objects (Arrow strings' isin is slow)."""
    keys = pd.Index(pd.Series(other).dropna().astype(object).unique())
    return pd.Series(pd.Series(values).astype(object).isin(keys).to_numpy(), index=values.index)
