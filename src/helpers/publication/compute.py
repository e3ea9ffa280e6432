"""Step 5's cells: every indicator × scope (the whole organisation and each unit) × grouping × group × category ×
period, computed once from the same rows.

An indicator's rows carry the unit they belong to; a unit's cells are built from its rows with the same builder as
the organisation's, so a unit's figure is the same number wherever it appears. The organisation's breakdown by unit
is not computed at all: it is a view of the units' totals (``views``). An indicator that does not concern a unit's
verksamhetsområden gets one "ej tillämpligt" cell there instead of "0 of n".
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import sharing
from ..config import Config, load_config, period_paths
from ..filehash import file_hash
from ..grouping import TOTAL_GROUP
from ..indicators.cells import build_all
from ..indicators.context import PeriodData
from ..indicators.registry import INDICATORS, REGISTRY, Indicator
from .views import ORG

KEY = ["indicator", "scope", "period", "grouping", "group", "category"]
VALUES = ["numerator", "denominator", "value", "ci_low", "ci_high", "n"]
COLUMNS = ["cell_id"] + KEY + VALUES + ["kind", "applicable"]


class ComputeError(RuntimeError):
    """An indicator that cannot be computed (Swedish message naming it, the period and the folder)."""


def as_config(config) -> Config:
    return config if isinstance(config, Config) else load_config(config)


def scopes(config: Config) -> list[str]:
    """The whole organisation first, then the units in the config's order."""
    if ORG in config.units:
        raise ComputeError(f"Enhetskoden '{ORG}' är reserverad för hela verksamheten; byt kod på enheten.")
    return [ORG, *config.units]


def computed_indicators(names=None) -> list[Indicator]:
    """The indicators that have cells of their own (views read another indicator's cells)."""
    chosen = INDICATORS if names is None else [REGISTRY[n] for n in names]
    return [i for i in chosen if i.view is None]


def cell_ids(df: pd.DataFrame) -> pd.Series:
    """A readable, stable id per cell: indicator|scope|period|grouping|group|category."""
    parts = [df[c].astype(object).astype(str) for c in KEY]
    out = parts[0]
    for p in parts[1:]:
        out = out + "|" + p
    return out


def not_applicable(indicator: str, scopes: list[str], period: str) -> pd.DataFrame:
    """One "ej tillämpligt" total cell per scope."""
    n = len(scopes)
    return pd.DataFrame({"indicator": [indicator] * n, "scope": list(scopes), "period": [period] * n,
                         "grouping": ["total"] * n, "group": [TOTAL_GROUP] * n, "category": [""] * n,
                         **{v: np.full(n, np.nan) for v in VALUES}, "applicable": np.zeros(n, dtype=bool)})


def indicator_cells(ind: Indicator, data: PeriodData, scope_list: list[str]) -> pd.DataFrame:
    """One indicator's cells for one period in every scope."""
    try:
        specs = ind.compute(data)
    except (KeyError, ValueError, TypeError) as exc:
        raise ComputeError(f"Indikatorn '{ind.name}' kunde inte beräknas för period {data.period} "
                           f"({data.processed_dir}): {exc}") from exc
    units = [s for s in scope_list if s != ORG and data.config.applies(s, ind.areas)]
    cells = build_all(specs, units, ORG, drop=("unit",)).assign(indicator=ind.name, period=data.period,
                                                                applicable=True)
    absent = [s for s in scope_list if s != ORG and s not in units]
    out = pd.concat([cells, not_applicable(ind.name, absent, data.period)], ignore_index=True) if absent else cells
    out["kind"] = ind.kind
    return out


def earlier_periods(period: str, data_dir) -> list[str]:
    """Years before `period` that have a processed folder, oldest first."""
    base = period_paths(period, data_dir).data_dir / "processed"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir()
                  if p.is_dir() and p.name.isdigit() and len(p.name) == 4 and int(p.name) < int(period))


def _work(period: str, data_dir, cfg: Config, earlier: bool, names, tables, only) -> list[tuple]:
    """(period data, indicator, scopes, key) in the order compute_cells goes through them; the key is None where
    nothing is shared (no runner, or tables given directly)."""
    periods = (earlier_periods(period, data_dir) if earlier else []) + [period]
    if only is not None:
        periods = [p for p in periods if p in only]
    scope_list = scopes(cfg)
    work = []
    for p in periods:
        processed = period_paths(p, data_dir).processed_for(p)
        given = tables if p == period else None
        data = PeriodData(p, processed, cfg, given)
        inputs = _inputs(Path(processed)) if given is None and sharing.active() else None
        work += [(data, ind, scope_list, None if inputs is None else sharing.digest("celler", ind.name, p, scope_list,
                                                                                  cfg, inputs))
                 for ind in computed_indicators(names)]
    return work


def _inputs(processed: Path) -> list[tuple[str, str]]:
    """What a period's cells are computed from besides the config: its processed tables, by content."""
    return [(f.name, file_hash(f)) for f in sorted(processed.glob("*.parquet"))]


def compute_cells(period: str, data_dir="data", config=None, earlier: bool = True, names=None,
                  tables: dict[str, pd.DataFrame] | None = None, only: list[str] | None = None) -> pd.DataFrame:
    """Every cell of the period (and of earlier periods with processed data) in every scope, unprotected.

    `tables` gives the period's tables directly (tests) instead of reading data/processed; `only` limits the
    periods computed (the publication does not compute again what an earlier one fixed). Under the runner, an
    indicator's cells that a spare process computed ahead (``compute_ahead``) are taken from it."""
    cfg = as_config(config)
    period = str(period)
    frames = []
    for data, ind, scope_list, key in _work(period, data_dir, cfg, earlier, names, tables, only):
        compute = (lambda d=data, i=ind, s=scope_list: indicator_cells(i, d, s))
        frames.append(compute() if key is None else sharing.shared(key, compute))
    out = pd.concat(frames, ignore_index=True)
    for c in ("indicator", "scope", "period", "grouping", "group", "category"):
        out[c] = out[c].astype(str)
    out["applicable"] = out["applicable"].astype(bool)
    out["cell_id"] = cell_ids(out)
    return out[COLUMNS]


def compute_ahead(period: str, data_dir, config, only: list[str] | None = None) -> int:
    """In a spare process of the runner while the kernel runs step 5: compute indicators' cells from the last
    one backwards, into the run's shared folder, until meeting what the kernel (going forwards) has done or is
    doing. Writes nothing else; returns how many it computed. A failing indicator is left for the kernel, which
    reports it in its cell."""
    cfg = as_config(config)
    done = 0
    for data, ind, scope_list, key in reversed(_work(str(period), data_dir, cfg, True, None, None, only)):
        try:
            if sharing.shared(key, lambda: indicator_cells(ind, data, scope_list), ahead=True) is sharing.TAKEN:
                break
        except Exception:  # noqa: BLE001  (the kernel computes it again and says what is wrong)
            break
        done += 1
    return done


def processed_exists(period: str, data_dir) -> bool:
    folder = Path(period_paths(period, data_dir).processed_for(period))
    return folder.is_dir() and any(folder.glob("*.parquet"))


def compute_indicator(name: str, period: str, data_dir="data", config=None, unit: str | None = None,
                      earlier: bool = False, tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One indicator's cells in one scope as a report shows them (the organisation's breakdown by unit is the
    units' totals; a view shows its source's cells), before secondary protection: `suppressed` marks the cells
    the primary rules hide. For analysts and tests; the publication is made by ``publish.build``."""
    from .primary import primary_mask
    from .views import NOT_APPLICABLE, PUBLISHED, SUPPRESSED, Publication

    cfg = as_config(config)
    ind = REGISTRY[name]
    source = ind.view.of if ind.view else name
    cells = compute_cells(period, data_dir, cfg, earlier=earlier, names=[source], tables=tables)
    status = np.where(cells["applicable"], PUBLISHED, NOT_APPLICABLE)
    status[(primary_mask(cells, cfg.min_cell, cfg.min_group) & cells["applicable"]).to_numpy()] = SUPPRESSED
    pub = Publication(cells.assign(status=status), cfg, str(period))
    return pub.tables(unit).get(name, pd.DataFrame(columns=["indicator", "period", "grouping", "group"]))
