"""The outsider's audit: how narrowly can each hidden quantity be pinned down from everything published?

Public variables are constants at their true values; hidden ones lie in [lower, upper] and satisfy every
equality and inequality. For each hidden variable that needs protection and each audited expression of a
suppressed cell the audit finds the smallest and largest value (continuous LP with HiGHS, bounds rounded inward
to whole numbers). The problem splits into independent components of hidden variables joined by relations;
every LP solution is a feasible point, so a quantity already seen to vary by at least p needs no LP of its own.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .linked import LinkedSet, method_texts
from ..formatting import integer
from ..tables import replace_atomic, write_atomic

EPS = 1e-9
AUDIT_FILE = "granskning"
KINDS = ("variable", "expression", "cell")


@dataclass
class AuditResult:
    table: pd.DataFrame  # label, kind, index, value, min, max, width, ok, exact
    passed: bool
    protection: int
    audited: int
    hidden: int
    pinned: int
    too_narrow: int
    exact: bool
    seconds: float
    lp_solves: int
    components: int
    method: str

    def failures(self) -> pd.DataFrame:
        return self.table[~self.table["ok"]]

    def summary(self) -> str:
        """One Swedish sentence for the command line and the report."""
        p, n = self.protection, integer(self.audited)
        if self.passed:
            return (f"Granskningen gick igenom: 0 av {n} dolda uppgifter kan räknas fram eller ringas in "
                    f"snävare än {p}.")
        bad = integer(self.pinned + self.too_narrow)
        return (f"Granskningen gick inte igenom: {bad} av {n} dolda uppgifter kan räknas fram exakt "
                f"({integer(self.pinned)}) eller ringas in snävare än {p} ({integer(self.too_narrow)}).")

    def as_dict(self) -> dict:
        return {"godkänd": self.passed, "skyddsintervall": self.protection, "granskade": self.audited,
                "dolda_variabler": self.hidden, "exakt_framräknade": self.pinned, "för_snäva": self.too_narrow,
                "exakta_intervall": self.exact, "sekunder": round(self.seconds, 3), "lp_lösningar": self.lp_solves,
                "komponenter": self.components, "metod": self.method, "sammanfattning": self.summary()}


def write_audit(result: AuditResult, folder) -> tuple[Path, Path]:
    """granskning.json (summary and method) and granskning.parquet (one row per audited quantity)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    js = replace_atomic(folder / f"{AUDIT_FILE}.json", lambda tmp: Path(tmp).write_text(
        json.dumps(result.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"))
    pq = write_atomic(result.table, folder / f"{AUDIT_FILE}.parquet")
    return js, pq


def _new_highs():
    """One HiGHS instance, silent, primal simplex without presolve: after a change of objective the last
    basis is still feasible, so each re-solve starts from it."""
    try:  # the bare core class does not print the banner on construction
        from highspy._core import _Highs as Highs
    except ImportError:  # pragma: no cover - other highspy layouts
        from highspy import Highs
    h = Highs()
    for key, val in (("output_flag", False), ("presolve", "off"), ("solver", "simplex"), ("threads", 1),
                     ("simplex_scale_strategy", 0), ("simplex_strategy", 4)):
        h.setOptionValue(key, val)
    return h


@dataclass
class _Component:
    """One LP: hidden variables joined by relations, and the targets (linear forms) to bound over them."""
    a_ptr: np.ndarray  # relations, CSC over the component's columns
    a_idx: np.ndarray
    a_val: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    x0: np.ndarray  # the true values: always a feasible point
    t_row: np.ndarray  # targets as entries (row, column, coefficient), sorted by row
    t_col: np.ndarray
    t_val: np.ndarray
    var_of: np.ndarray  # per target: its column if it is one variable, else -1
    round_: np.ndarray  # per target: bounds are whole numbers
    need: np.ndarray  # per target: bounds must be exact (part of an expression spanning components)

    @property
    def n_targets(self) -> int:
        return len(self.var_of)

    def values(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.t_row, weights=self.t_val * x[self.t_col], minlength=self.n_targets)

    def direction(self, weights: np.ndarray) -> np.ndarray:
        return np.bincount(self.t_col, weights=self.t_val * weights[self.t_row], minlength=len(self.x0))


class _Solver:
    """Bounds of the targets of one component at a time (one HiGHS instance, reused)."""

    def __init__(self, p: int, exact: bool) -> None:
        self.p, self.exact = p, exact
        self.highs = None
        self.solves = 0
        self.cache: dict = {}

    def _load(self, a: sparse.csc_matrix, row_lo, row_hi, col_lo, col_hi) -> None:
        import highspy
        if self.highs is None:
            self.highs = _new_highs()
        inf = highspy.kHighsInf
        m, k = a.shape
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = k, m
        lp.col_cost_ = np.zeros(k)
        lp.col_lower_ = np.maximum(col_lo, -inf)
        lp.col_upper_ = np.minimum(col_hi, inf)
        lp.row_lower_ = np.maximum(row_lo, -inf)
        lp.row_upper_ = np.minimum(row_hi, inf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(float)
        self.highs.passModel(lp)
        self._all = np.arange(k, dtype=np.int32)

    def _model(self, c: _Component) -> None:
        a = sparse.csc_matrix((c.a_val, c.a_idx, c.a_ptr), shape=(len(c.row_lo), len(c.x0)))
        self._load(a, c.row_lo, c.row_hi, c.col_lo, c.col_hi)

    def _together(self, c: _Component, sel: np.ndarray, up: bool, goal: np.ndarray) -> np.ndarray | None:
        """One LP that moves every selected target towards its goal at once: with an extra column z per target,
        z ≤ target ≤ … and z ≤ goal (up), maximise Σ z; mirrored downwards. Returns the x part of the solution."""
        m, k = len(c.row_lo), len(c.x0)
        n = len(sel)
        new_row = np.full(c.n_targets, -1)
        new_row[sel] = np.arange(n)
        ent = new_row[c.t_row] >= 0
        a = sparse.csc_matrix((c.a_val, c.a_idx, c.a_ptr), shape=(m, k)).tocoo()
        rows = np.concatenate([a.row, m + new_row[c.t_row[ent]], m + np.arange(n)])
        cols = np.concatenate([a.col, c.t_col[ent], k + np.arange(n)])
        vals = np.concatenate([a.data, -c.t_val[ent], np.ones(n)])
        big = sparse.csc_matrix((vals, (rows, cols)), shape=(m + n, k + n))
        inf = np.full(n, np.inf)
        self._load(big, np.concatenate([c.row_lo, -inf if up else np.zeros(n)]),
                   np.concatenate([c.row_hi, np.zeros(n) if up else inf]),
                   np.concatenate([c.col_lo, -inf if up else goal]), np.concatenate([c.col_hi, goal if up else inf]))
        cost = np.concatenate([np.zeros(k), np.full(n, -1.0 if up else 1.0)])
        x = self._minimise(cost)[1]
        return None if x is None else x[:k]

    def _minimise(self, cost: np.ndarray) -> tuple[float, np.ndarray | None]:
        """Minimum of cost·x and a minimising point; -inf and None when unbounded."""
        import highspy
        h = self.highs
        h.changeColsCost(len(cost), self._all, cost)
        h.run()
        self.solves += 1
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return -np.inf, None
        raise RuntimeError(f"Granskningens linjärprogram kunde inte lösas (status: {h.modelStatusToString(status)}).")

    def bounds(self, key, c: _Component):
        """(lo, hi, exact) per target, cached by the component's variables and targets."""
        if key not in self.cache:
            self.cache[key] = _single(c) if len(c.x0) == 1 else self._bounds(c)
        return self.cache[key]

    def _bounds(self, c: _Component):
        n, k, p = c.n_targets, len(c.x0), self.p
        wlo = c.values(c.x0)
        whi = wlo.copy()
        done_lo = np.zeros(n, bool)
        done_hi = np.zeros(n, bool)
        v_lo = np.where(c.var_of >= 0, c.col_lo[np.maximum(c.var_of, 0)], np.nan)  # a variable seen at its own
        v_hi = np.where(c.var_of >= 0, c.col_hi[np.maximum(c.var_of, 0)], np.nan)  # bound has that bound proven
        may_stop = ~c.need & (not self.exact)

        def proven():
            return (done_lo | (wlo <= v_lo + EPS)) & (done_hi | (whi >= v_hi - EPS))

        def open_targets():
            lo = np.where(c.round_, np.ceil(wlo - EPS), wlo)
            hi = np.where(c.round_, np.floor(whi + EPS), whi)
            return ~(proven() | (may_stop & (hi - lo >= p)))

        def see(x):
            if x is not None:
                y = c.values(x)
                np.minimum(wlo, y, out=wlo)
                np.maximum(whi, y, out=whi)

        open_ = open_targets()
        if not open_.any():
            return wlo, whi, proven()
        # Push every open target up to p above the lowest value seen, all in one LP, then down likewise, while
        # that settles a good share of them.
        up, poor = True, 0
        while may_stop.any() and open_.sum() >= 2 and poor < 2:
            before = open_.sum()
            sel = np.flatnonzero(open_ & may_stop)
            if up:
                goal = np.where(c.round_, np.ceil(wlo - EPS), wlo)[sel] + p
            else:
                goal = np.where(c.round_, np.floor(whi + EPS), whi)[sel] - p
            see(self._together(c, sel, up, goal))
            open_ = open_targets()
            poor = poor + 1 if before - open_.sum() < max(1, 0.1 * before) else 0
            up = not up
        if open_.any():
            self._model(c)
        # The rest one by one: the maximum, then the minimum, each solution a witness for the others.
        ptr = np.searchsorted(c.t_row, np.arange(n + 1))
        for t in np.flatnonzero(open_):
            for up in (True, False):
                if not open_targets()[t]:
                    break
                done = done_hi if up else done_lo
                seen_bound = whi[t] >= v_hi[t] - EPS if up else wlo[t] <= v_lo[t] + EPS
                if done[t] or seen_bound:
                    continue
                row = np.zeros(k)
                row[c.t_col[ptr[t]:ptr[t + 1]]] = c.t_val[ptr[t]:ptr[t + 1]]
                val, x = self._minimise(-row if up else row)
                see(x)
                if up:
                    whi[t] = -val
                else:
                    wlo[t] = val
                done[t] = True
        return wlo, whi, proven()


def _single(c: _Component):
    """Exact bounds when the component is one variable: its bounds cut by each relation a·x ∈ [lo, hi]."""
    lower, upper = c.col_lo[0], c.col_hi[0]
    for a, rlo, rhi in zip(c.a_val, c.row_lo[c.a_idx], c.row_hi[c.a_idx]):
        a_lo, a_hi = sorted((rlo / a, rhi / a))
        lower, upper = max(lower, a_lo), min(upper, a_hi)
    coef = np.zeros(c.n_targets)
    coef[c.t_row] = c.t_val
    with np.errstate(invalid="ignore"):
        ends = np.stack([coef * lower, coef * upper])
    return ends.min(axis=0), ends.max(axis=0), np.ones(c.n_targets, bool)


def _integral(m: sparse.csr_matrix) -> np.ndarray:
    """Rows whose coefficients are all whole numbers."""
    frac = sparse.csr_matrix((np.abs(m.data - np.round(m.data)) > EPS, m.indices, m.indptr), shape=m.shape)
    return np.asarray(frac.sum(axis=1)).ravel() == 0


def _components(linked: LinkedSet, hidden: np.ndarray):
    """Hidden variables joined through relations that contain two or more of them.

    Returns the number of components, the component of each hidden variable and of each relation that holds
    a hidden variable, those relations restricted to the hidden columns, and their bounds."""
    h_idx = np.flatnonzero(hidden)
    rel = linked.relations
    rel_h = rel[:, h_idx].tocsr()
    rows = np.flatnonzero(np.diff(rel_h.indptr) > 0)
    b = rel_h[rows]
    if len(rows):
        pattern = (b != 0).astype(np.int8)
        graph = sparse.bmat([[None, pattern.T], [pattern, None]], format="csr")
    else:
        graph = sparse.csr_matrix((len(h_idx), len(h_idx)))
    n_comp, labels = connected_components(graph, directed=False)
    rhs = -(rel @ np.where(hidden, 0.0, linked.value))[rows]  # public variables are constants
    row_lo = np.where(rows < linked.equalities.shape[0], rhs, -np.inf)
    return n_comp, labels[:len(h_idx)], labels[len(h_idx):], b, row_lo, rhs


def audit(linked: LinkedSet, suppressed, exact: bool = False, _solver: _Solver | None = None) -> AuditResult:
    """Attack the publication in which the cells marked in `suppressed` are hidden.

    exact=False (the default) stops as soon as feasible points show that a quantity varies by at least p: its
    min and max are then the extremes seen, the true interval is at least as wide, and `exact` is False in the
    table. exact=True solves the LPs for every quantity, so every min and max is exact (slower). Failing
    quantities are always exact.
    """
    start = time.perf_counter()
    if not linked._checked:
        linked.check_relations()
    p = linked.protection
    suppressed = np.asarray(suppressed, dtype=bool)
    if suppressed.shape != (linked.n_cells,):
        raise ValueError(f"'suppressed' ska ha en rad per cell ({linked.n_cells}).")
    solver = _solver or _Solver(p, exact)
    hidden = linked.hidden(suppressed)
    h_idx = np.flatnonzero(hidden)
    n_comp, var_comp, row_comp, b, row_lo, row_hi = _components(linked, hidden)

    # Hidden variables and relations in component order: component c owns a contiguous block of each.
    var_order = np.argsort(var_comp, kind="stable")
    pos = np.empty(len(h_idx), dtype=np.int64)  # position of a hidden variable in component order
    pos[var_order] = np.arange(len(h_idx))
    comp_start = np.searchsorted(var_comp[var_order], np.arange(n_comp + 1))
    row_order = np.argsort(row_comp, kind="stable")
    row_start = np.searchsorted(row_comp[row_order], np.arange(n_comp + 1))
    a = b[row_order][:, var_order].tocsc()
    row_lo, row_hi = row_lo[row_order], row_hi[row_order]
    g_vars = h_idx[var_order]
    x_true, lower, upper = linked.value[g_vars], linked.lower[g_vars], linked.upper[g_vars]

    # Targets: protected hidden variables (ids 0..nv-1), then audited expressions (nv..), as entries
    # (target, position, coefficient); an expression has one target row per component it touches.
    local = np.full(linked.n_variables, -1)
    local[h_idx] = np.arange(len(h_idx))
    target_vars = np.flatnonzero(hidden & linked.protect)
    nv = len(target_vars)
    audited_expr = np.flatnonzero(suppressed[linked.expression_cell])
    e = linked.expressions[audited_expr]
    e_h = e[:, h_idx].tocoo()
    integral = _integral(e)
    t_id = np.concatenate([np.arange(nv), nv + e_h.row]).astype(np.int64)
    t_pos = pos[np.concatenate([local[target_vars], e_h.col]).astype(np.int64)]
    t_val = np.concatenate([np.ones(nv), e_h.data])
    t_comp = var_comp[var_order][t_pos]
    order = np.lexsort((t_pos, t_id, t_comp))
    t_id, t_pos, t_val, t_comp = t_id[order], t_pos[order], t_val[order], t_comp[order]
    new_row = np.ones(len(t_id), bool)
    new_row[1:] = (t_id[1:] != t_id[:-1]) | (t_comp[1:] != t_comp[:-1])
    t_row = np.cumsum(new_row) - 1  # one row per (component, target)
    row_target = t_id[new_row]
    row_comp_of = t_comp[new_row]
    parts = np.bincount(row_target, minlength=nv + len(audited_expr))  # components an expression touches
    is_var = row_target < nv
    row_var = np.where(is_var, t_pos[new_row], -1)
    row_round = np.where(is_var, True, integral[np.maximum(row_target - nv, 0)] if len(audited_expr) else True)
    row_need = ~is_var & (parts[row_target] > 1)
    row_key = np.where(is_var, target_vars[np.minimum(row_target, max(nv - 1, 0))] if nv else -1,
                       -1 - audited_expr[np.maximum(row_target - nv, 0)] if len(audited_expr) else -1)
    entry_start = np.searchsorted(t_comp, np.arange(n_comp + 1))
    trow_start = np.searchsorted(row_comp_of, np.arange(n_comp + 1))

    lo = np.concatenate([np.zeros(nv), e @ np.where(hidden, 0.0, linked.value)])  # constants of expressions
    hi = lo.copy()
    ex = np.ones(len(lo), bool)
    for comp in np.unique(t_comp):
        c0, c1 = comp_start[comp], comp_start[comp + 1]
        r0, r1 = row_start[comp], row_start[comp + 1]
        e0, e1 = entry_start[comp], entry_start[comp + 1]
        q0, q1 = trow_start[comp], trow_start[comp + 1]
        ptr = a.indptr[c0:c1 + 1]
        comp_data = _Component(
            a_ptr=ptr - ptr[0], a_idx=a.indices[ptr[0]:ptr[-1]] - r0, a_val=a.data[ptr[0]:ptr[-1]],
            row_lo=row_lo[r0:r1], row_hi=row_hi[r0:r1], col_lo=lower[c0:c1], col_hi=upper[c0:c1],
            x0=x_true[c0:c1], t_row=t_row[e0:e1] - q0, t_col=t_pos[e0:e1] - c0, t_val=t_val[e0:e1],
            var_of=np.where(row_var[q0:q1] >= 0, row_var[q0:q1] - c0, -1), round_=row_round[q0:q1],
            need=row_need[q0:q1])
        key = (g_vars[c0:c1].tobytes(), row_key[q0:q1].tobytes(), comp_data.t_row.tobytes(),
               comp_data.t_col.tobytes(), comp_data.t_val.tobytes(), comp_data.need.tobytes())
        wlo, whi, wex = solver.bounds(key, comp_data)
        ids = row_target[q0:q1]
        lo[ids] += wlo
        hi[ids] += whi
        ex[ids] &= wex

    rounded = np.concatenate([np.ones(nv, bool), integral])
    mn = np.where(rounded, np.ceil(lo - EPS), lo) + 0.0  # + 0.0: no negative zero
    mx = np.where(rounded, np.floor(hi + EPS), hi)
    width = mx - mn
    table = pd.DataFrame({
        "label": np.concatenate([linked.variable_label[target_vars], linked.expression_label[audited_expr]]),
        "kind": ["variable"] * nv + ["expression"] * len(audited_expr),
        "index": np.concatenate([target_vars, audited_expr]).astype(np.int64),
        "value": np.concatenate([linked.value[target_vars], e @ linked.value]),
        "min": mn, "max": mx, "width": width, "ok": width >= p, "exact": ex})
    exposed = _exposed_cells(linked, suppressed, hidden)
    if len(exposed):
        table = pd.concat([table, exposed], ignore_index=True)
    pinned = int(((table["width"] <= 0) & ~table["ok"]).sum())
    narrow = int((~table["ok"]).sum()) - pinned
    return AuditResult(table=table, passed=bool(table["ok"].all()), protection=p, audited=len(table),
                       hidden=len(h_idx), pinned=pinned, too_narrow=narrow, exact=exact,
                       seconds=time.perf_counter() - start, lp_solves=solver.solves, components=int(n_comp),
                       method=method_texts(protection=p)["audit"])


def _exposed_cells(linked: LinkedSet, suppressed: np.ndarray, hidden: np.ndarray) -> pd.DataFrame:
    """Primary (or earlier suppressed) cells that hide nothing: every variable they show is public elsewhere
    and no audited expression stands for them. Such a cell is pinned: its content can be read off."""
    sensitive = suppressed & (linked.primary | (linked.fixed == "suppressed"))
    shown = np.diff(linked.shows.indptr) > 0
    covered = (linked.shows @ (hidden & linked.protect).astype(float)) > 0
    has_expr = np.zeros(linked.n_cells, bool)
    has_expr[linked.expression_cell] = True
    bad = np.flatnonzero(sensitive & shown & ~covered & ~has_expr)
    return pd.DataFrame({"label": linked.cell_label[bad], "kind": "cell", "index": bad.astype(np.int64),
                         "value": np.nan, "min": np.nan, "max": np.nan, "width": 0.0, "ok": False, "exact": True})
