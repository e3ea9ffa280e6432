"""Derived grouping columns (age group, month, …) shared by sampling, indicators and the report."""
from __future__ import annotations

import numpy as np
import pandas as pd

MISSING_GROUP = "Uppgift saknas"
TOTAL_GROUP = "Totalt"

# Age bands (inclusive lower, inclusive upper); the last is open-ended.
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 12, "0–12 år"),
    (13, 17, "13–17 år"),
    (18, 20, "18–20 år"),
    (21, 24, "21–24 år"),
    (25, 44, "25–44 år"),
    (45, 64, "45–64 år"),
    (65, None, "65 år och äldre"),
)
AGE_GROUPS = tuple(label for _, _, label in AGE_BANDS)

# Swedish names of the grouping columns, for tables and the data dictionary.
GROUPING_LABELS = {
    "total": "Totalt",
    "unit": "Enhet",
    "sex": "Kön",
    "age_group": "Åldersgrupp",
    "target_group": "Målgrupp",
    "type": "Typ av insats",
    "provider": "Utförare",
    "provider_type": "Utförartyp",
    "month": "Månad",
    "instrument": "Instrument",
    "question_id": "Fråga",
    "category_type": "Kategori",
    "incident_type": "Typ av ärende",
    "form": "Placeringsform",
    "legal_basis": "Lagrum",
    "area": "Livsområde",
    "extended": "Förlängd utredning",
}


def age_at_period_end(birth_year: pd.Series, period: str | int) -> pd.Series:
    """Age in whole years reached during the period's calendar year (year - birth year)."""
    return int(period) - pd.to_numeric(birth_year, errors="coerce").astype("Float64")


def age_group(age: pd.Series) -> pd.Series:
    """Age in years -> the Swedish age-group label ("Uppgift saknas" when unknown or negative)."""
    a = pd.to_numeric(age, errors="coerce").astype(float).to_numpy()
    out = np.full(a.shape, MISSING_GROUP, dtype=object)
    for low, high, label in AGE_BANDS:
        hit = (a >= low) if high is None else ((a >= low) & (a <= high))
        out[hit] = label
    return pd.Series(out, index=age.index, dtype="string")


def month_label(dates: pd.Series) -> pd.Series:
    """Dates -> 'ÅÅÅÅ-MM' (missing dates -> "Uppgift saknas")."""
    d = pd.to_datetime(dates, errors="coerce")
    return d.dt.strftime("%Y-%m").astype("string").fillna(MISSING_GROUP)


def period_months(period: str | int) -> list[str]:
    return [f"{int(period)}-{m:02d}" for m in range(1, 13)]


def as_group(values: pd.Series) -> pd.Series:
    """A grouping column as strings, with missing values named."""
    s = values.astype("string").fillna(MISSING_GROUP)
    return s.mask(s == "", MISSING_GROUP)


class ClientGroups:
    """Each client's `sex` and `age_group` (age at the period's end), looked up by client_id: the clients table
    is indexed once and every frame gets its columns by position instead of a merge."""

    def __init__(self, clients: pd.DataFrame, period: str | int):
        c = clients[["client_id", "sex", "birth_year"]].drop_duplicates("client_id")
        self.index = pd.Index(c["client_id"])
        # position -1 (not a client) picks the last entry: unknown
        self.sex = np.append(as_group(c["sex"]).to_numpy(dtype=object), MISSING_GROUP)
        self.age = np.append(age_group(age_at_period_end(c["birth_year"], period)).to_numpy(dtype=object),
                             MISSING_GROUP)

    def add(self, df: pd.DataFrame) -> pd.DataFrame:
        """`df` (with a fresh row index, as after a merge) with `sex` and `age_group` last."""
        pos = self.index.get_indexer(df["client_id"])
        out = df.drop(columns=[x for x in ("sex", "age_group") if x in df]).reset_index(drop=True)
        out["sex"] = pd.Series(self.sex[pos], dtype="string")
        out["age_group"] = pd.Series(self.age[pos], dtype="string")
        return out
