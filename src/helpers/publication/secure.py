"""The publication's cells through the protection engine: costs, fixed statuses, the audit's verdict in Swedish."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .audit import AuditResult as Audit, audit, write_audit  # noqa: F401 (re-exported)
from .compute import ORG
from .linked import METHOD_NAME, LinkedSetBuilder, method_texts  # noqa: F401 (re-exported)
from .primary import PRIMARY, SECONDARY
from .protect import ProtectionError, protect as run_protect  # noqa: F401 (re-exported)
from .relations import Model
from .views import PUBLISHED, SUPPRESSED

EARLIER = "fastställd tidigare"


def protection_range(config) -> int:
    """How wide the outsider's interval for a hidden count must be (config `rojandekontroll.skyddsintervall`)."""
    value = (config.get("rojandekontroll") or {}).get("skyddsintervall")
    return int(value) if value is not None else config.min_cell


def costs(cells: pd.DataFrame, period: str) -> np.ndarray:
    """The price of hiding each cell: its size, much more for totals and the whole organisation, more for the
    report's own period; zeros and small cells are cheap, so they are hidden first."""
    size = np.where(cells["kind"] == "share", cells["denominator"],
                    np.where(cells["kind"] == "count", cells["value"], cells["n"])).astype(float)
    size = np.nan_to_num(size, nan=0.0)
    weight = np.where(cells["grouping"] == "total", 50.0, 1.0) * np.where(cells["scope"] == ORG, 5.0, 1.0)
    weight *= np.where(cells["period"] == str(period), 2.0, 1.0)
    return (1.0 + size) * weight


@dataclass
class Secured:
    cells: pd.DataFrame
    audit: Audit


def linked_set(cells: pd.DataFrame, model: Model, fixed: np.ndarray, protection: int, period: str,
               zeros: tuple[set, set] | None = None):
    """The engine's linked set for the applicable cells of the model (same order as model.cell_rows).

    A zero counts no one: a hidden count or complement known to be 0 reveals no person, so it needs no range of
    its own unless a primary cell shows it (0 of 7 tells something about all 7: that cell keeps its duty).
    `zeros` (variables, expressions) names them where the values are not known (an outsider's audit)."""
    b = LinkedSetBuilder(protection=protection)
    rows = cells.loc[model.cell_rows]
    primary = (rows["reason"] == PRIMARY).to_numpy()
    values = np.asarray(model.var_values, dtype=float)
    if zeros is None:
        in_primary = {var for pos, var in model.shows if primary[pos]}
        zero_vars = {v for v in np.flatnonzero((values == 0) & (np.asarray(model.var_lower) == 0))
                     if v not in in_primary}
        zero_exprs = {i for i, (pos, expr, _) in enumerate(model.expressions)
                      if not primary[pos] and sum(values[v] * c for v, c in expr.items()) == 0}
    else:
        zero_vars, zero_exprs = zeros
    for v, (value, protect, lower, label) in enumerate(zip(values, model.var_protect, model.var_lower,
                                                            model.var_labels)):
        b.add_variable(label, value, protect=protect and v not in zero_vars, lower=lower)
    price = costs(rows, period)
    status = rows["status"].to_numpy()
    fix = fixed[np.asarray(model.cell_rows)]
    for pos, cell_id in enumerate(rows["cell_id"]):
        state = None if not fix[pos] else ("published" if status[pos] == PUBLISHED else "suppressed")
        # A cell fixed by an earlier publication keeps its primary flag: what a hidden cell must protect does
        # not depend on whether its status can still change.
        b.add_cell(cell_id, primary=bool(primary[pos]), cost=float(price[pos]), fixed=state)
    for pos, var in model.shows:
        b.shows(pos, var)
    for eq, label in model.equalities:
        b.relation(eq, label)
    for ineq, label in model.inequalities:
        b.inequality(ineq, label)
    for i, (pos, expr, label) in enumerate(model.expressions):
        if i not in zero_exprs:
            b.audit_expression(pos, expr, label)
    return b.build(check=False)


def protect(cells: pd.DataFrame, model: Model, fixed: np.ndarray, config, period: str | None = None) -> Secured:
    """Secondary suppression over the linked set, then the outsider's audit; statuses written into the cells."""
    period = period or max(cells["period"])
    # Every hidden count gets its range where that is possible (the heuristic then also hides fewer cells on the
    # demo: zeros guide it to cheap partners); only when it is not, zeros no one's count are let go (see
    # linked_set), which a unit without any activity of a kind needs.
    try:
        result = run_protect(linked_set(cells, model, fixed, protection_range(config), period, (set(), set())))
    except ProtectionError:
        result = run_protect(linked_set(cells, model, fixed, protection_range(config), period))
    suppressed = np.asarray(result.suppressed, dtype=bool)
    if len(suppressed) != len(model.cell_rows):
        raise ProtectionError("skyddet gav fel antal celler")
    out = cells.copy()
    rows = np.asarray(model.cell_rows)
    was_primary = (out.loc[rows, "reason"] == PRIMARY).to_numpy()
    frozen = fixed[rows]
    new_status = np.where(suppressed, SUPPRESSED, PUBLISHED)
    out.loc[rows, "status"] = np.where(frozen, out.loc[rows, "status"].to_numpy(), new_status)
    reason = np.where(suppressed & was_primary, PRIMARY, np.where(suppressed, SECONDARY, ""))
    out.loc[rows, "reason"] = np.where(frozen, out.loc[rows, "reason"].to_numpy(), reason)
    return Secured(out, result.audit)
