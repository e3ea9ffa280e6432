"""Overviews of a publication for the analyst (step 5's notebook) and for the report's method section."""
from __future__ import annotations

import pandas as pd

from ..config import period_paths
from ..formatting import display_table, format_value, integer
from ..indicators.registry import REGISTRY, UNIT_LABELS
from .compute import ORG, processed_exists
from .primary import PRIMARY, SECONDARY
from .views import NOT_APPLICABLE, SUPPRESSED, Publication, unit_label


class NoDataError(RuntimeError):
    """A period without processed data (Swedish message naming the folder and the step to run first)."""


def require_processed(period: str, data_dir) -> None:
    if not processed_exists(period, data_dir):
        folder = period_paths(period, data_dir).processed_for(period)
        raise NoDataError(f"Det finns inga bearbetade data för {period} i {folder}. Kör steg 2–4 (import) för "
                          f"perioden först; en period utan data ger ingen kvalitetsredovisning.")


def overview(pub: Publication, scope: str | None = None) -> pd.DataFrame:
    """One row per indicator of a scope: its total for the period as published, and how many cells it has."""
    v = pub.scope(scope)
    rows = []
    for name in pub.indicators(scope):
        part = v[v["indicator"] == name]
        first = part[part["grouping"] == "total"].head(1)
        row = first.iloc[0] if len(first) else None
        hidden = row is None or row["status"] == SUPPRESSED
        rows.append({"Indikator": REGISTRY[name].label, "Mått": UNIT_LABELS[REGISTRY[name].unit],
                     "Värde (totalt)": "X" if hidden else format_value(row["value"], REGISTRY[name].unit),
                     "n (totalt)": "X" if hidden else integer(row["n"]),
                     "Celler": int(len(part)), "Undertryckta": int((part["status"] == SUPPRESSED).sum())})
    return pd.DataFrame(rows)


def suppression_by_indicator(cells: pd.DataFrame, period: str) -> pd.DataFrame:
    """From the internal cells: per indicator, the period's cells, primary and secondary suppressions."""
    c = cells[(cells["period"] == str(period)) & (cells["status"] != NOT_APPLICABLE)]
    out = c.groupby("indicator", sort=False).agg(Celler=("cell_id", "size"),
                                                  Primära=("reason", lambda r: int((r == PRIMARY).sum())),
                                                  Sekundära=("reason", lambda r: int((r == SECONDARY).sum())))
    out.insert(0, "Indikator", [REGISTRY[n].label for n in out.index])
    return out.reset_index(drop=True)


def scopes_table(pub: Publication) -> pd.DataFrame:
    v = pub.cells[pub.cells["period"] == pub.period]
    rows = []
    for scope, part in v.groupby("scope", sort=False):
        rows.append({"Område": unit_label(pub.config, scope),
                     "Indikatorer som gäller": int(part.loc[part["status"] != NOT_APPLICABLE, "indicator"].nunique()),
                     "Ej tillämpliga": int(part.loc[part["status"] == NOT_APPLICABLE, "indicator"].nunique()),
                     "Celler": int((part["status"] != NOT_APPLICABLE).sum()),
                     "Undertryckta": int((part["status"] == SUPPRESSED).sum())})
    out = pd.DataFrame(rows)
    return out.assign(_o=[0 if r == unit_label(pub.config, ORG) else 1 for r in out["Område"]]) \
        .sort_values("_o", kind="stable").drop(columns="_o")


def show(df: pd.DataFrame, shares=()):
    return display_table(df, shares=shares)
