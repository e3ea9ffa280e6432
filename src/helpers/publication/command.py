"""`uppfoljning audit --period P`: attack what is already published, as an outsider holding every file would.

Reads only the published cells (``reports/<P>/publikation/celler.parquet`` and every other period's publication
beside it that shows the same periods), declares the relations an outsider knows from the definitions and asks,
for every hidden count, how narrowly all of it together pins the value down. Nothing internal is needed; when the
internal cells are there too, the audit's table also shows the true values, for the analyst's eyes only.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import PROJECT_ROOT, load_config, period_paths
from ..console import say
from . import secure, store
from .relations import build_model
from .views import NOT_APPLICABLE, PUBLISHED, SUPPRESSED

INTERNAL = store.INTERNAL


def published_set(reports_dir: Path, period: str) -> tuple[pd.DataFrame, list[Path], dict[str, float]]:
    """Every published cell an outsider can combine with the period's: its own publication and the other
    periods' publications under the same reports folder, each cell once. Inconsistent copies are an error."""
    own = reports_dir / str(period) / store.FOLDER
    if not (own / store.PUBLISHED_FILE).exists():
        raise FileNotFoundError(f"Det finns ingen publikation för {period} i {own}. Kör `uppfoljning run "
                                f"--period {period}` först.")
    files = [own] + sorted(p.parent for p in reports_dir.glob(f"*/{store.FOLDER}/{store.PUBLISHED_FILE}")
                           if p.parent != own)
    read = [store.read_published(f) for f in files]
    cells = pd.concat([cells for cells, _ in read], ignore_index=True)
    rests = {k: float(v) for _, meta in read for k, v in (meta.get("samband_med_rest") or {}).items()}
    numbers = ["numerator", "denominator", "value", "n"]
    dup = cells[cells.duplicated("cell_id", keep=False)]
    if len(dup):
        spread = dup.groupby("cell_id").agg(status=("status", "nunique"),
                                            **{c: (c, lambda s: s.round(9).nunique(dropna=False)) for c in numbers})
        bad = spread[(spread > 1).any(axis=1)]
        if len(bad):
            raise ValueError(f"{len(bad)} celler publiceras med olika värden eller status i olika filer, t.ex. "
                             f"{bad.index[0]}: publikationerna måste göras om i tidsordning.")
    return cells.drop_duplicates("cell_id").reset_index(drop=True), files, rests


def audit_published(reports_dir: Path, period: str, config) -> "secure.Audit":
    cells, _, rests = published_set(reports_dir, period)
    cells = cells.assign(applicable=cells["status"] != NOT_APPLICABLE,
                         reason=np.where(cells["status"] == SUPPRESSED, "sekundär", ""))
    model = build_model(cells, known_rests=rests)
    fixed = np.ones(len(cells), dtype=bool)  # what is published is published
    hidden = (cells.loc[model.cell_rows, "status"] != PUBLISHED).to_numpy()
    protection = secure.protection_range(config)

    def attack(zeros=(set(), set())):
        linked = secure.linked_set(cells, model, fixed, protection, period, zeros)
        linked.hidden_values_known = False  # an outsider sees placeholders where cells are hidden
        return secure.audit(linked, hidden)

    result = attack()
    zeros = structural_zeros(result, model)
    if zeros[0] or zeros[1]:  # pinned at 0: counts of no one, as in the publication's own rule
        result = attack(zeros)
        result.structural_zeros = len(zeros[0]) + len(zeros[1])
    return result


def structural_zeros(result, model) -> tuple[set, set]:
    """Hidden counts and complements the attacker pins at exactly 0 (variables, expressions by index)."""
    failed = result.failures()
    pinned = failed[(failed["min"] == 0) & (failed["max"] == 0)]
    variables = {int(i) for i in pinned.loc[pinned["kind"] == "variable", "index"]
                 if model.var_lower[int(i)] == 0}
    expressions = {int(i) for i in pinned.loc[pinned["kind"] == "expression", "index"]}
    return variables, expressions


def cli_audit(args) -> int:
    """Exit 0 when no hidden value can be recovered or pinned narrower than the protection range, 1 otherwise."""
    try:
        cfg = load_config(args.config)
        period = str(args.period or cfg.get("default_period"))
        reports = Path(args.reports_dir) if args.reports_dir else PROJECT_ROOT / "reports"
        result = audit_published(reports, period, cfg)
    except (FileNotFoundError, ValueError) as exc:
        say(f"FEL: {exc}", file=sys.stderr)
        return 2
    folder = Path(args.output) if args.output else \
        period_paths(period, args.data_dir).processed_for(period) / "granskning" / "utifran"
    written = secure.write_audit(result, folder)
    say(result.summary())
    if getattr(result, "structural_zeros", 0):
        say(f"{result.structural_zeros} dolda antal kan räknas fram till 0: en nolla gäller ingen person och röjer "
            "inget.")
    say(f"Metod: {secure.METHOD_NAME}.")
    if not result.passed:
        for _, row in result.failures().head(20).iterrows():
            say(f"  - {row['label']}: kan ringas in till {row['min']:g}–{row['max']:g}")
    say(f"Resultatet (internt, inte för publicering): {written[0]}")
    return 0 if result.passed else 1
