"""Step 5 in one call: compute every cell once, protect the linked set, audit it like an outsider, write it.

Periods already published keep their cells exactly (values and statuses) wherever they are shown again, so this
year's publication and last year's cannot be differenced. Nothing is written unless the audit passes.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import period_paths
from . import store
from .compute import COLUMNS, as_config, compute_ahead, compute_cells, earlier_periods
from .primary import PRIMARY, SECONDARY, primary_mask
from .relations import build_model, violated
from .views import NOT_APPLICABLE, PUBLISHED, SUPPRESSED, Publication

if TYPE_CHECKING:  # imported where a publication is protected (see build)
    from . import secure

INTERNAL_COLUMNS = COLUMNS + ["status", "reason"]


class PublicationError(RuntimeError):
    """The publication cannot be protected or did not pass the audit (Swedish message); nothing was written."""


@dataclass
class Built:
    cells: pd.DataFrame  # internal: true values, status publicerad/undertryckt/ej tillämplig, reason
    audit: secure.Audit
    rests: dict[str, float] = field(default_factory=dict)  # relations whose parts leave a rest (public knowledge)
    seconds: dict[str, float] = field(default_factory=dict)
    frozen_periods: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        c = self.cells[self.cells["status"] != NOT_APPLICABLE]
        return {"celler": int(len(c)), "publicerade": int((c["status"] == PUBLISHED).sum()),
                "primära": int((c["reason"] == PRIMARY).sum()), "sekundära": int((c["reason"] == SECONDARY).sum()),
                "undertryckta": int((c["status"] == SUPPRESSED).sum()),
                "ej_tillämpliga": int((self.cells["status"] == NOT_APPLICABLE).sum()),
                "perioder": sorted(self.cells["period"].unique().tolist()),
                "fastställda_perioder": self.frozen_periods, "sekunder": self.seconds}


def frozen_cells(period: str, periods: list[str], data_dir) -> pd.DataFrame:
    """Cells of `periods` that earlier runs already published: a period's own publication first, else another
    period's publication that showed it. The current period's own earlier publication is not binding (a rerun)."""
    root = period_paths(period, data_dir).data_dir / "processed"
    found: dict[str, pd.DataFrame] = {}
    for q in periods:
        internal = store.read_internal(root / q) if q != period else None
        if internal is not None and (internal["period"] == q).any():
            found[q] = internal[internal["period"] == q]
    others = sorted(root.glob(f"*/{store.FOLDER}/{store.INTERNAL}")) if root.is_dir() else []
    for path in others:
        if path.parents[1].name == period:
            continue
        internal = pd.read_parquet(path)
        for q in periods:
            if q not in found and (internal["period"] == q).any():
                found[q] = internal[internal["period"] == q]
    return pd.concat(found.values(), ignore_index=True) if found else pd.DataFrame(columns=INTERNAL_COLUMNS)


def build(period: str, data_dir="data", config=None, tables=None, earlier: bool = True) -> Built:
    """Compute, protect and audit the publication of `period`; raise PublicationError if it cannot be made safe."""
    cfg = as_config(config)
    period = str(period)
    t0 = time.perf_counter()
    frozen, fresh_periods = _periods(period, data_dir, earlier, tables is None)
    fixed_periods = sorted(frozen["period"].unique().tolist()) if len(frozen) else []
    computed = compute_cells(period, data_dir, cfg, earlier=earlier, tables=tables, only=fresh_periods) \
        if fresh_periods else pd.DataFrame(columns=COLUMNS)
    t1 = time.perf_counter()
    computed = computed.assign(status=np.where(computed["applicable"], PUBLISHED, NOT_APPLICABLE), reason="")
    primary = primary_mask(computed, cfg.min_cell, cfg.min_group) & computed["applicable"]
    computed.loc[primary, ["status", "reason"]] = [SUPPRESSED, PRIMARY]
    cells = pd.concat([frozen[INTERNAL_COLUMNS], computed[INTERNAL_COLUMNS]], ignore_index=True)
    fixed = np.r_[np.ones(len(frozen), bool), np.zeros(len(computed), bool)]
    model = build_model(cells)
    wrong = violated(model)
    if wrong:
        raise PublicationError("Indikatorernas samband stämmer inte med värdena (ett fel i definitionerna): "
                               + "; ".join(wrong[:5]))
    t2 = time.perf_counter()
    from . import secure  # here: the protection engine loads scipy, which computing cells (cells_ahead) does not need
    try:
        result = secure.protect(cells, model, fixed, cfg, period)
    except secure.ProtectionError as exc:
        raise PublicationError(f"Publikationen för {period} kan inte skyddas: {exc}") from None
    cells = result.cells
    t3 = time.perf_counter()
    if not result.audit.passed:
        raise PublicationError(f"Publikationen för {period} stoppades av granskningen: {result.audit.summary()} "
                               f"Till exempel: {_examples(result.audit)}")
    built = Built(cells, result.audit, model.rests, {"beräkna": round(t1 - t0, 2), "samband": round(t2 - t1, 2),
                                        "skydda_och_granska": round(t3 - t2, 2)}, fixed_periods)
    return built


def _periods(period: str, data_dir, earlier: bool = True, keep_frozen: bool = True) -> tuple[pd.DataFrame, list]:
    """The cells earlier publications fixed, and the periods left to compute."""
    periods = (earlier_periods(period, data_dir) if earlier else []) + [period]
    frozen = frozen_cells(period, periods, data_dir) if keep_frozen else pd.DataFrame(columns=INTERNAL_COLUMNS)
    fixed = set(frozen["period"].unique()) if len(frozen) else set()
    return frozen, [p for p in periods if p not in fixed]


def cells_ahead(period: str, data_dir="data", config=None) -> int:
    """The runner's spare process's part of step 5 (``compute.compute_ahead``), for the periods ``build`` computes."""
    return compute_ahead(str(period), data_dir, as_config(config), only=_periods(str(period), data_dir)[1])


def _examples(audit, k: int = 5) -> str:
    bad = audit.failures().head(k)
    return "; ".join(f"{r['label']} (kan ringas in till {r['min']:g}–{r['max']:g})" for _, r in bad.iterrows())


def write(built: Built, period: str, out_dir, data_dir="data", config=None) -> dict[str, Path]:
    """Write the internal cells and audit (data/processed/<period>/) and the published files (<out_dir>)."""
    from . import secure
    cfg = as_config(config)
    processed = period_paths(str(period), data_dir).processed_for(str(period))
    files = {"intern": store.write_internal(built.cells, processed)}
    files.update(zip(("granskning", "granskning_celler"), secure.write_audit(built.audit, Path(processed) / "granskning")))
    meta = {"kommun": cfg.municipality, "metod": secure.METHOD_NAME, "tröskel": cfg.min_cell, "samband_med_rest": built.rests,
            "min_grupp": cfg.min_group, "skyddsintervall": secure.protection_range(cfg), **built.summary()}
    meta.pop("sekunder", None)
    meta["granskning"] = built.audit.summary()
    files.update(store.write_published(built.cells, Path(out_dir), cfg, str(period), meta))
    return files


def publication(out_dir, config, period) -> Publication:
    return store.load_publication(Path(out_dir) / store.FOLDER, as_config(config), str(period))
