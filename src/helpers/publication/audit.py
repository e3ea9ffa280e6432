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
    out_lo: np.ndarray  # per column: bounds implied by the relations (bound propagation)
    out_hi: np.ndarray

    @property
    def n_targets(self) -> int:
        return len(self.var_of)

    def values(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.t_row, weights=self.t_val * x[self.t_col], minlength=self.n_targets)

    def outer(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds of each target implied by the propagated column bounds."""
        pos = self.t_val > 0
        with np.errstate(invalid="ignore"):
            low = np.where(pos, self.t_val * self.out_lo[self.t_col], self.t_val * self.out_hi[self.t_col])
            high = np.where(pos, self.t_val * self.out_hi[self.t_col], self.t_val * self.out_lo[self.t_col])
        return (np.bincount(self.t_row, weights=low, minlength=self.n_targets),
                np.bincount(self.t_row, weights=high, minlength=self.n_targets))


class _Solver:
    """Bounds of the targets of one component at a time (one HiGHS instance, reused)."""

    def __init__(self, p: int, exact: bool, exact_failures: bool = True, lp: bool = True,
                 remember: bool = False) -> None:
        """exact: solve every bound; exact_failures: solve the bounds of failing targets too (else the
        propagated bounds show them failing); lp=False: propagated bounds only, no LP; remember: the
        suppressed set only grows between calls (as in protect), so a target once seen wide stays wide and
        its feasible points stay feasible."""
        self.p, self.exact, self.exact_failures, self.lp = p, exact, exact_failures, lp
        self.remember = remember
        self.wide: dict[int, tuple[float, float]] = {}  # target key -> extremes seen
        self.last: np.ndarray | None = None
        self.highs = None
        self.solves = 0
        self.cache: dict = {}

    def start(self, suppressed: np.ndarray) -> None:
        if self.last is not None and (self.last & ~suppressed).any():
            self.wide.clear()  # a cell was published again: what was wide may no longer be
        self.last = suppressed.copy()

    def _load(self, ptr, idx, val, row_lo, row_hi, col_lo, col_hi) -> None:
        """Pass an LP with the constraint matrix in CSC arrays and a zero objective."""
        import highspy
        if self.highs is None:
            self.highs = _new_highs()
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(col_lo), len(row_lo)
        lp.col_cost_ = np.zeros(len(col_lo))
        lp.col_lower_ = np.maximum(col_lo, -inf)
        lp.col_upper_ = np.minimum(col_hi, inf)
        lp.row_lower_ = np.maximum(row_lo, -inf)
        lp.row_upper_ = np.minimum(row_hi, inf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = ptr.astype(np.int32)
        lp.a_matrix_.index_ = idx.astype(np.int32)
        lp.a_matrix_.value_ = val.astype(float)
        self.highs.passModel(lp)
        self._all = np.arange(len(col_lo), dtype=np.int32)

    def _model(self, c: _Component) -> None:
        self._load(c.a_ptr, c.a_idx, c.a_val, c.row_lo, c.row_hi, c.col_lo, c.col_hi)

    def _together(self, c: _Component, sel: np.ndarray, up: bool, goal: np.ndarray) -> np.ndarray | None:
        """One LP that moves every selected target towards its goal at once: an extra column z per target with
        z − target ≤ 0 and z ≤ goal, maximise Σ z (mirrored downwards). Returns the x part of the solution."""
        m, k, n = len(c.row_lo), len(c.x0), len(sel)
        new_row = np.full(c.n_targets, -1)
        new_row[sel] = np.arange(n)
        ent = new_row[c.t_row] >= 0
        cols = np.concatenate([np.repeat(np.arange(k), np.diff(c.a_ptr)), c.t_col[ent], k + np.arange(n)])
        rows = np.concatenate([c.a_idx, m + new_row[c.t_row[ent]], m + np.arange(n)])
        vals = np.concatenate([c.a_val, -c.t_val[ent], np.ones(n)])
        order = np.lexsort((rows, cols))
        ptr = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=k + n))])
        none, zero = np.full(n, np.inf), np.zeros(n)
        self._load(ptr, rows[order], vals[order],
                   np.concatenate([c.row_lo, -none if up else zero]), np.concatenate([c.row_hi, zero if up else none]),
                   np.concatenate([c.col_lo, -none if up else goal]), np.concatenate([c.col_hi, goal if up else none]))
        x = self._minimise(np.concatenate([np.zeros(k), np.full(n, -1.0 if up else 1.0)]))[1]
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

    def bounds(self, c: _Component):
        """(lo, hi, exact) per target of a component of two or more variables."""
        return self._bounds(c)

    def _bounds(self, c: _Component):
        n, k, p = c.n_targets, len(c.x0), self.p
        wlo = c.values(c.x0)  # lowest and highest values seen at feasible points
        whi = wlo.copy()
        olo, ohi = c.outer()  # no feasible point lies outside
        done_lo = np.zeros(n, bool)
        done_hi = np.zeros(n, bool)
        may_stop = ~c.need & (not self.exact)

        def rounded(lo, hi, whole=c.round_):
            return np.where(whole, np.ceil(lo - EPS), lo), np.where(whole, np.floor(hi + EPS), hi)

        def proven():
            return (done_lo | (wlo <= olo + EPS)) & (done_hi | (whi >= ohi - EPS))

        def open_targets():
            lo, hi = rounded(wlo, whi)
            return ~(proven() | (may_stop & (hi - lo >= p)))

        def see(x):
            if x is not None:
                y = c.values(x)
                np.minimum(wlo, y, out=wlo)
                np.maximum(whi, y, out=whi)

        open_ = open_targets()
        if not self.exact_failures:  # narrow even by the outer bounds: fails, no LP needed
            lo, hi = rounded(olo, ohi)
            narrow = open_ & ~c.need & (hi - lo < p)
            wlo[narrow], whi[narrow] = olo[narrow], ohi[narrow]
            open_ &= ~narrow
        if not self.lp:  # the rest pass on their propagated bounds
            wlo[open_], whi[open_] = olo[open_], ohi[open_]
            open_[:] = False
        if not open_.any():
            return wlo, whi, proven()
        # Push every open target up to p above the lowest value seen, all in one LP, then down likewise, while
        # that settles a good share of them.
        up, poor, passes = True, 0, 0
        while (open_ & may_stop).sum() >= 3 and poor < 1 and passes < 3:
            before = open_.sum()
            sel = np.flatnonzero(open_ & may_stop)
            lo, hi = rounded(wlo[sel], whi[sel], c.round_[sel])
            see(self._together(c, sel, up, lo + p if up else hi - p))
            open_ &= open_targets()
            poor = poor + 1 if before - open_.sum() < max(3, 0.2 * before) else 0
            up, passes = not up, passes + 1
        if open_.any():
            self._model(c)
        # The rest one by one: the maximum, then the minimum, each solution a witness for the others.
        ptr = np.searchsorted(c.t_row, np.arange(n + 1))
        for t in np.flatnonzero(open_):
            for up in (True, False):
                if not open_targets()[t]:
                    break
                done = done_hi if up else done_lo
                if done[t] or (whi[t] >= ohi[t] - EPS if up else wlo[t] <= olo[t] + EPS):
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


def _propagate(a: sparse.csc_matrix, row_lo, row_hi, lo, hi, rounds: int = 30):
    """Bound propagation: each relation bounds each of its variables by the others' bounds; repeated until
    nothing tightens (or `rounds` times). The result contains every feasible point."""
    lo, hi = lo.astype(float).copy(), hi.astype(float).copy()
    if a.nnz == 0:
        return lo, hi
    m = a.shape[0]
    r, j, v = a.indices, np.repeat(np.arange(a.shape[1]), np.diff(a.indptr)), a.data
    starts = a.indptr[:-1][np.diff(a.indptr) > 0]
    cols = j[starts]
    pos = v > 0
    for _ in range(rounds):
        cmin = np.where(pos, v * lo[j], v * hi[j])
        cmax = np.where(pos, v * hi[j], v * lo[j])
        inf_min, inf_max = np.isinf(cmin), np.isinf(cmax)
        fmin, fmax = np.where(inf_min, 0.0, cmin), np.where(inf_max, 0.0, cmax)
        res_min = np.bincount(r, fmin, m)[r] - fmin
        res_min[np.bincount(r, inf_min, m)[r] - inf_min > 0] = -np.inf
        res_max = np.bincount(r, fmax, m)[r] - fmax
        res_max[np.bincount(r, inf_max, m)[r] - inf_max > 0] = np.inf
        top = row_hi[r] - res_min  # v·x ≤ top
        bottom = row_lo[r] - res_max  # v·x ≥ bottom
        new_lo = np.maximum.reduceat(np.where(pos, bottom / v, top / v), starts)
        new_hi = np.minimum.reduceat(np.where(pos, top / v, bottom / v), starts)
        tighter = (new_lo > lo[cols] + 1e-7) | (new_hi < hi[cols] - 1e-7)
        lo[cols] = np.maximum(lo[cols], new_lo)
        hi[cols] = np.minimum(hi[cols], new_hi)
        if not tighter.any():
            break
    return lo, np.maximum(hi, lo)


def _integral(m: sparse.csr_matrix) -> np.ndarray:
    """Rows whose coefficients are all whole numbers."""
    frac = sparse.csr_matrix((np.abs(m.data - np.round(m.data)) > EPS, m.indices, m.indptr), shape=m.shape)
    return np.asarray(frac.sum(axis=1)).ravel() == 0


def _components(linked: LinkedSet, hidden: np.ndarray):
    """Hidden variables joined through relations that contain two or more of them.

    Returns the number of components, the component of each hidden variable, the relations that hold a
    hidden variable (restricted to the hidden columns, CSC) with the component of each, and their bounds."""
    h_idx = np.flatnonzero(hidden)
    rel_h = linked.relations_by_variable[:, h_idx]  # CSC: cheap column selection
    rows = np.unique(rel_h.indices)
    new_index = np.full(rel_h.shape[0], -1)
    new_index[rows] = np.arange(len(rows))
    b = sparse.csc_matrix((rel_h.data, new_index[rel_h.indices], rel_h.indptr), shape=(len(rows), len(h_idx)))
    col = np.repeat(np.arange(len(h_idx)), np.diff(b.indptr))
    n = len(h_idx) + len(rows)
    graph = sparse.csr_matrix((np.ones(len(col), np.int8), (col, len(h_idx) + b.indices)), shape=(n, n))
    n_comp, labels = connected_components(graph, directed=False)
    rhs = -(linked.relations @ np.where(hidden, 0.0, linked.value))[rows]  # public variables are constants
    row_lo = np.where(rows < linked.equalities.shape[0], rhs, -np.inf)
    return n_comp, labels[:len(h_idx)], b, labels[len(h_idx):], row_lo, rhs


def _slice(a: sparse.csc_matrix, c0: int, c1: int, r0: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns c0..c1 of a block-diagonal CSC matrix whose block starts at row r0, as local CSC arrays."""
    ptr = a.indptr[c0:c1 + 1]
    return ptr - ptr[0], a.indices[ptr[0]:ptr[-1]] - r0, a.data[ptr[0]:ptr[-1]]


def _targets(linked: LinkedSet, suppressed, hidden, solver: _Solver):
    """What the attacker bounds: protected hidden variables (ids 0..nv-1) and audited expressions of
    suppressed cells (nv..). Returns them with their entries (target id, hidden column, coefficient),
    leaving out targets the solver already knows to be wide."""
    h_idx = np.flatnonzero(hidden)
    local = np.full(linked.n_variables, -1)
    local[h_idx] = np.arange(len(h_idx))
    target_vars = np.flatnonzero(hidden & linked.protect)
    nv = len(target_vars)
    audited_expr = np.flatnonzero(suppressed[linked.expression_cell])
    e = linked.expressions[audited_expr]
    e_h = e[:, h_idx].tocoo()
    t_key = np.concatenate([target_vars, -1 - audited_expr])  # stable across calls
    t_id = np.concatenate([np.arange(nv), nv + e_h.row]).astype(np.int64)
    t_col = np.concatenate([local[target_vars], e_h.col]).astype(np.int64)
    t_val = np.concatenate([np.ones(nv), e_h.data])
    known = np.array([k in solver.wide for k in t_key], dtype=bool) if solver.wide else np.zeros(len(t_key), bool)
    keep = ~known[t_id]
    return target_vars, audited_expr, e, t_key, known, t_id[keep], t_col[keep], t_val[keep]


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
    solver.start(suppressed)
    hidden = linked.hidden(suppressed)
    h_idx = np.flatnonzero(hidden)
    n_comp, var_comp, b, row_comp, row_lo, row_hi = _components(linked, hidden)

    # Hidden variables and relations in component order: component c owns a contiguous block of each.
    var_order = np.argsort(var_comp, kind="stable")
    pos = np.empty(len(h_idx), dtype=np.int64)  # position of a hidden variable in component order
    pos[var_order] = np.arange(len(h_idx))
    comp_start = np.searchsorted(var_comp[var_order], np.arange(n_comp + 1))
    row_order = np.argsort(row_comp, kind="stable")
    row_start = np.searchsorted(row_comp[row_order], np.arange(n_comp + 1))
    rank = np.empty(len(row_order), dtype=np.int64)
    rank[row_order] = np.arange(len(row_order))
    b = b[:, var_order]
    a = sparse.csc_matrix((b.data, rank[b.indices], b.indptr), shape=b.shape)
    a.sort_indices()
    row_lo, row_hi = row_lo[row_order], row_hi[row_order]
    g_vars = h_idx[var_order]
    x_true, lower, upper = linked.value[g_vars], linked.lower[g_vars], linked.upper[g_vars]

    # Targets as entries (target, position, coefficient), one target row per (component, target).
    target_vars, audited_expr, e, t_key, known, t_id, t_col, t_val = _targets(linked, suppressed, hidden, solver)
    nv, n_t = len(target_vars), len(t_key)
    integral = _integral(e)
    t_pos = pos[t_col]
    t_comp = var_comp[var_order][t_pos]
    order = np.lexsort((t_pos, t_id, t_comp))
    t_id, t_pos, t_val, t_comp = t_id[order], t_pos[order], t_val[order], t_comp[order]
    new_row = np.ones(len(t_id), bool)
    new_row[1:] = (t_id[1:] != t_id[:-1]) | (t_comp[1:] != t_comp[:-1])
    t_row = np.cumsum(new_row) - 1
    row_target, row_comp_of = t_id[new_row], t_comp[new_row]
    parts = np.bincount(row_target, minlength=n_t)  # components an expression touches
    is_var = row_target < nv
    row_var = np.where(is_var, t_pos[new_row], -1)
    row_round = is_var | np.concatenate([np.ones(nv, bool), integral])[row_target]
    row_need = ~is_var & (parts[row_target] > 1)
    row_key = t_key[row_target]
    entry_start = np.searchsorted(t_comp, np.arange(n_comp + 1))
    trow_start = np.searchsorted(row_comp_of, np.arange(n_comp + 1))

    lo = np.concatenate([np.zeros(nv), e @ np.where(hidden, 0.0, linked.value)])  # constants of expressions
    hi = lo.copy()
    ex = np.ones(n_t, bool)
    size = np.diff(comp_start)
    comps = np.unique(row_comp_of)
    # One variable alone: its relations bound it exactly (one round of propagation), no LP.
    single = comps[size[comps] == 1]
    if len(single):
        cols = comp_start[single]
        sub = a[:, cols]
        s_lo, s_hi = _propagate(sub, row_lo, row_hi, lower[cols], upper[cols], rounds=1)
        where = np.full(len(h_idx), -1)
        where[cols] = np.arange(len(cols))
        sel = where[t_pos] >= 0
        v, j = t_val[sel], where[t_pos[sel]]
        with np.errstate(invalid="ignore"):
            np.add.at(lo, t_id[sel], np.where(v > 0, v * s_lo[j], v * s_hi[j]))
            np.add.at(hi, t_id[sel], np.where(v > 0, v * s_hi[j], v * s_lo[j]))
    # Larger components: cached by their variables and targets; bound propagation for the new ones.
    multi = comps[size[comps] > 1]
    keys, todo = {}, []
    for comp in multi:
        e0, e1 = entry_start[comp], entry_start[comp + 1]
        q0, q1 = trow_start[comp], trow_start[comp + 1]
        key = (g_vars[comp_start[comp]:comp_start[comp + 1]].tobytes(), row_key[q0:q1].tobytes(),
               (t_row[e0:e1] - q0).tobytes(), (t_pos[e0:e1] - comp_start[comp]).tobytes(), t_val[e0:e1].tobytes(),
               row_need[q0:q1].tobytes())
        keys[comp] = key
        if key not in solver.cache:
            todo.append(comp)
    out_lo, out_hi = lower.copy(), upper.copy()
    if todo:
        cols = np.concatenate([np.arange(comp_start[c], comp_start[c + 1]) for c in todo])
        out_lo[cols], out_hi[cols] = _propagate(a[:, cols], row_lo, row_hi, lower[cols], upper[cols])
    for comp in multi:
        c0, c1 = comp_start[comp], comp_start[comp + 1]
        e0, e1 = entry_start[comp], entry_start[comp + 1]
        q0, q1 = trow_start[comp], trow_start[comp + 1]
        if keys[comp] not in solver.cache:
            r0, r1 = row_start[comp], row_start[comp + 1]
            a_ptr, a_idx, a_val = _slice(a, c0, c1, r0)
            solver.cache[keys[comp]] = solver.bounds(_Component(
                a_ptr=a_ptr, a_idx=a_idx, a_val=a_val, row_lo=row_lo[r0:r1], row_hi=row_hi[r0:r1],
                col_lo=lower[c0:c1], col_hi=upper[c0:c1], x0=x_true[c0:c1], t_row=t_row[e0:e1] - q0,
                t_col=t_pos[e0:e1] - c0, t_val=t_val[e0:e1],
                var_of=np.where(row_var[q0:q1] >= 0, row_var[q0:q1] - c0, -1), round_=row_round[q0:q1],
                need=row_need[q0:q1], out_lo=out_lo[c0:c1], out_hi=out_hi[c0:c1]))
        wlo, whi, wex = solver.cache[keys[comp]]
        ids = row_target[q0:q1]
        lo[ids] += wlo
        hi[ids] += whi
        ex[ids] &= wex
    for t in np.flatnonzero(known):
        lo[t], hi[t] = solver.wide[t_key[t]]
        ex[t] = False

    rounded = np.concatenate([np.ones(nv, bool), integral])
    mn = np.where(rounded, np.ceil(lo - EPS), lo) + 0.0  # + 0.0: no negative zero
    mx = np.where(rounded, np.floor(hi + EPS), hi)
    width = mx - mn
    if solver.remember:
        for t in np.flatnonzero((width >= p) & (parts <= 1) & ~known):
            solver.wide[int(t_key[t])] = (lo[t], hi[t])
    table = pd.DataFrame({
        "label": np.concatenate([linked.variable_label[target_vars], linked.expression_label[audited_expr]]),
        "kind": ["variable"] * nv + ["expression"] * len(audited_expr),
        "index": np.concatenate([target_vars, audited_expr]).astype(np.int64),
        "value": np.concatenate([linked.value[target_vars], e @ linked.value]),
        "min": mn, "max": mx, "width": width, "ok": width >= p, "exact": ex})
    exposed = _exposed_cells(linked, suppressed, hidden)
    if len(exposed):
        table = pd.concat([table, exposed], ignore_index=True)
    failed = ~table["ok"].to_numpy()
    pinned = int((failed & (table["width"].to_numpy() <= 0)).sum())
    return AuditResult(table=table, passed=not failed.any(), protection=p, audited=len(table),
                       hidden=len(h_idx), pinned=pinned, too_narrow=int(failed.sum()) - pinned, exact=exact,
                       seconds=time.perf_counter() - start, lp_solves=solver.solves, components=int(n_comp),
                       method=method_texts(protection=p)["audit"])


def _exposed_cells(linked: LinkedSet, suppressed: np.ndarray, hidden: np.ndarray) -> pd.DataFrame:
    """Primary (or earlier suppressed) cells that hide nothing: every variable they show is public elsewhere
    and no audited expression stands for them. Such a cell is pinned: its content can be read off."""
    sensitive = np.flatnonzero(suppressed & (linked.primary | linked.fixed_suppressed) & linked.shows_any
                               & ~linked.has_expression)
    covered = (linked.shows[sensitive] @ (hidden & linked.protect).astype(float)) > 0
    bad = sensitive[~covered]
    return pd.DataFrame({"label": linked.cell_label[bad], "kind": "cell", "index": bad.astype(np.int64),
                         "value": np.nan, "min": np.nan, "max": np.nan, "width": 0.0, "ok": False, "exact": True})
