"""The outsider's audit: how narrowly can each hidden quantity be pinned down from everything published?

Public variables are constants at their true values; hidden ones lie in [lower, upper] and satisfy every
equality and inequality. For each hidden variable that needs protection and each audited expression of a
suppressed cell that holds a hidden variable the audit finds the smallest and largest value (continuous LP with
HiGHS, bounds rounded inward to whole numbers). A suppressed primary cell that hides no protected variable fails
outright (its content can be read off); a suppressed cell that is not primary has nothing of its own to
protect. Whether a status was fixed by an earlier publication plays no part in the verdict. How:

- The problem splits into independent components of hidden variables joined by relations. A component of one
  variable is bounded exactly by its own relations, without LP.
- Bound propagation gives outer bounds; the true values and every LP solution are feasible points and give
  inner bounds. A quantity is settled when both meet, or (unless exact=True) as soon as feasible points show
  that it varies by at least p.
- The remaining LPs run for all components at once: each round one target per component, one LP for all of
  them (the components are independent, so each one's part of the solution is its own optimum); when few
  components are left, each gets its own small LP. Re-solves start from the last basis (primal simplex).
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
from ..atomic import write_text_atomic
from ..formatting import integer
from ..tables import write_atomic

EPS = 1e-9
AUDIT_FILE = "granskning"
KINDS = ("variable", "expression", "cell")


@dataclass
class AuditResult:
    """One row per audited quantity: kind "variable" (a hidden count), "expression" (e.g. a complement) or
    "cell" (a primary cell whose content is readable from other published cells); min and max after
    rounding inward; ok when max − min ≥ p; exact when both bounds are proven, not just seen."""
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
    js = write_text_atomic(folder / f"{AUDIT_FILE}.json", json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
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
    """Independent blocks of hidden variables (each a component joined by relations) and the targets (linear
    forms) to bound over them. Columns, relations and targets are stored block after block."""
    a_ptr: np.ndarray  # relations, CSC
    a_idx: np.ndarray
    a_val: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    x0: np.ndarray  # the true values: always a feasible point
    out_lo: np.ndarray  # bounds implied by the relations (bound propagation)
    out_hi: np.ndarray
    t_row: np.ndarray  # targets as entries (target, column, coefficient), sorted by target
    t_col: np.ndarray
    t_val: np.ndarray
    round_: np.ndarray  # per target: bounds are whole numbers
    need: np.ndarray  # per target: bounds must be exact (part of an expression spanning components)
    col_start: np.ndarray  # per block: first column, relation and target (and one past the end)
    row_start: np.ndarray
    target_start: np.ndarray

    @property
    def n_targets(self) -> int:
        return len(self.round_)

    @property
    def n_blocks(self) -> int:
        return len(self.col_start) - 1

    @property
    def block(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_blocks), np.diff(self.target_start))

    def values(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.t_row, weights=self.t_val * x[self.t_col], minlength=self.n_targets)

    def objective(self, sign: np.ndarray) -> np.ndarray:
        """Cost vector of Σ sign[t] · target t."""
        return np.bincount(self.t_col, weights=sign[self.t_row] * self.t_val, minlength=len(self.x0))

    def outer(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds of each target implied by the propagated column bounds."""
        pos = self.t_val > 0
        with np.errstate(invalid="ignore"):
            low = np.where(pos, self.t_val * self.out_lo[self.t_col], self.t_val * self.out_hi[self.t_col])
            high = np.where(pos, self.t_val * self.out_hi[self.t_col], self.t_val * self.out_lo[self.t_col])
        return (np.bincount(self.t_row, weights=low, minlength=self.n_targets),
                np.bincount(self.t_row, weights=high, minlength=self.n_targets))

    def part(self, b: int) -> _Component:
        """Block b alone, with local indices."""
        c0, c1 = self.col_start[b], self.col_start[b + 1]
        r0, r1 = self.row_start[b], self.row_start[b + 1]
        q0, q1 = self.target_start[b], self.target_start[b + 1]
        e0, e1 = np.searchsorted(self.t_row, [q0, q1])
        ptr = self.a_ptr[c0:c1 + 1]
        return _Component(
            a_ptr=ptr - ptr[0], a_idx=self.a_idx[ptr[0]:ptr[-1]] - r0, a_val=self.a_val[ptr[0]:ptr[-1]],
            row_lo=self.row_lo[r0:r1], row_hi=self.row_hi[r0:r1], col_lo=self.col_lo[c0:c1],
            col_hi=self.col_hi[c0:c1], x0=self.x0[c0:c1], out_lo=self.out_lo[c0:c1], out_hi=self.out_hi[c0:c1],
            t_row=self.t_row[e0:e1] - q0, t_col=self.t_col[e0:e1] - c0, t_val=self.t_val[e0:e1],
            round_=self.round_[q0:q1], need=self.need[q0:q1], col_start=np.array([0, c1 - c0]),
            row_start=np.array([0, r1 - r0]), target_start=np.array([0, q1 - q0]))


class _Seen:
    """What is known of each target: the extremes seen at feasible points (inner bounds), the propagated
    bounds (outer), which sides an LP has proven, and which targets are settled otherwise."""

    def __init__(self, c: _Component, p: int, may_stop: np.ndarray) -> None:
        self.p, self.round_, self.may_stop = p, c.round_, may_stop
        self.lo = c.values(c.x0)
        self.hi = self.lo.copy()
        self.out_lo, self.out_hi = c.outer()
        self.done_lo = np.zeros(c.n_targets, bool)
        self.done_hi = np.zeros(c.n_targets, bool)
        self.closed = np.zeros(c.n_targets, bool)

    def view(self, q0: int, q1: int) -> _Seen:
        """The same state for targets q0..q1 (numpy views: updates reach this object)."""
        out = object.__new__(_Seen)
        out.p = self.p
        for name, val in vars(self).items():
            if isinstance(val, np.ndarray):
                setattr(out, name, val[q0:q1])
        return out

    def rounded(self, lo, hi):
        return np.where(self.round_, np.ceil(lo - EPS), lo), np.where(self.round_, np.floor(hi + EPS), hi)

    def proven(self) -> np.ndarray:
        return (self.done_lo | (self.lo <= self.out_lo + EPS)) & (self.done_hi | (self.hi >= self.out_hi - EPS))

    def open(self) -> np.ndarray:
        lo, hi = self.rounded(self.lo, self.hi)
        return ~(self.closed | self.proven() | (self.may_stop & (hi - lo >= self.p)))

    def close(self, mask: np.ndarray) -> None:
        """Settle `mask` on the propagated bounds."""
        self.lo[mask], self.hi[mask] = self.out_lo[mask], self.out_hi[mask]
        self.closed |= mask

    def see(self, y: np.ndarray) -> None:
        np.minimum(self.lo, y, out=self.lo)
        np.maximum(self.hi, y, out=self.hi)


class _Solver:
    """Bounds of the targets of a batch of components (one HiGHS instance, reused)."""

    FEW_BLOCKS = 8  # below this many active blocks, solve each block's own small LP instead of the batch

    def __init__(self, p: int, exact: bool, exact_failures: bool = True, lp: bool = True,
                 remember: bool = False, stop_at_failure: bool = False) -> None:
        """exact: solve every bound; exact_failures: solve the bounds of failing targets too (else the
        propagated bounds show them failing); lp=False: propagated bounds only, no LP; remember: the
        suppressed set only grows between calls (as in protect), so a target once seen wide stays wide and
        its feasible points stay feasible; stop_at_failure: stop as soon as one target is certainly too
        narrow (the bounds of the others are then incomplete and not kept: for a yes/no answer)."""
        self.p, self.exact, self.exact_failures, self.lp = p, exact, exact_failures, lp
        self.remember, self.stop_at_failure, self.aborted = remember, stop_at_failure, False
        self.wide = self.wide_lo = self.wide_hi = np.zeros(0)  # per target key: seen wide, extremes seen
        self.last: np.ndarray | None = None
        self.highs = None
        self.solves = 0
        self.cache: dict = {}

    def start(self, suppressed: np.ndarray, n_keys: int) -> None:
        if len(self.wide) != n_keys or (self.last is not None and (self.last & ~suppressed).any()):
            # first call, or a cell was published again: what was wide may no longer be
            self.wide, self.wide_lo, self.wide_hi = np.zeros(n_keys, bool), np.zeros(n_keys), np.zeros(n_keys)
        self.last = suppressed.copy()

    def _model(self, c: _Component) -> None:
        """Pass the LP with a zero objective. Upper bounds are the propagated ones (valid for every feasible
        point) and BIG where none is finite, so that no LP is unbounded; a bound at BIG counts as infinite."""
        import highspy
        if self.highs is None:
            self.highs = _new_highs()
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(c.x0), len(c.row_lo)
        lp.col_cost_ = np.zeros(len(c.x0))
        lp.col_lower_ = c.col_lo
        lp.col_upper_ = np.minimum(np.minimum(c.col_hi, c.out_hi), _big(c))
        lp.row_lower_ = np.maximum(c.row_lo, -inf)
        lp.row_upper_ = np.minimum(c.row_hi, inf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = c.a_ptr.astype(np.int32)
        lp.a_matrix_.index_ = c.a_idx.astype(np.int32)
        lp.a_matrix_.value_ = c.a_val.astype(float)
        self.highs.passModel(lp)
        self._all = np.arange(len(c.x0), dtype=np.int32)

    def _minimise(self, cost: np.ndarray) -> np.ndarray:
        """A point minimising cost·x."""
        import highspy
        h = self.highs
        h.changeColsCost(len(cost), self._all, cost)
        h.run()
        self.solves += 1
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"Granskningens linjärprogram kunde inte lösas ({h.modelStatusToString(status)}).")
        return np.asarray(h.getSolution().col_value)

    def bounds(self, c: _Component):
        """(lo, hi, exact) per target."""
        if np.isnan(c.x0).any():  # true values unknown (an outsider's audit): any feasible point will do
            c.x0 = np.zeros(len(c.x0))
            self._model(c)
            c.x0 = self._minimise(np.zeros(len(c.x0)))
        seen = _Seen(c, self.p, ~c.need & (not self.exact))
        if not self.exact_failures:  # narrow even by the propagated bounds: fails, no LP needed
            lo, hi = seen.rounded(seen.out_lo, seen.out_hi)
            seen.close(seen.open() & ~c.need & (hi - lo < self.p))
        if not self.lp:  # the rest pass on their propagated bounds
            seen.close(seen.open())
        self.aborted = False
        if self.stop_at_failure and self._failing(c, seen):
            self.aborted = True
        elif seen.open().any():
            self._model(c)
            self._together(c, seen)
            if c.n_blocks > 1:
                self._rounds(c, seen, self.FEW_BLOCKS)
            active = np.unique(c.block[seen.open()]) if not self.aborted else ()
            for b in active if c.n_blocks > 1 else ():
                part = c.part(b)
                self._model(part)
                self._rounds(part, seen.view(c.target_start[b], c.target_start[b + 1]), 1)
                if self.aborted:
                    break
            if c.n_blocks == 1 and not self.aborted:
                self._rounds(c, seen, 1)
        big = _big(c) / 2
        lo = np.where(seen.lo <= -big, -np.inf, seen.lo)
        return lo, np.where(seen.hi >= big, np.inf, seen.hi), seen.proven() & ~seen.closed

    def _failing(self, c: _Component, seen: _Seen) -> bool:
        """Whether a target is certainly too narrow: its proven (else propagated) bounds are less than p
        apart (a part of an expression over several components is no target of its own)."""
        lo = np.where(seen.done_lo | seen.closed, seen.lo, seen.out_lo)
        hi = np.where(seen.done_hi | seen.closed, seen.hi, seen.out_hi)
        lo, hi = seen.rounded(lo, hi)
        return bool((~c.need & (hi - lo < self.p)).any())

    def _together(self, c: _Component, seen: _Seen, rounds: int = 8) -> None:
        """Witnesses for many targets at once: all open targets up together, then down; then open targets
        pushed in mixed directions (a fixed pseudo-random pattern and its opposite), while that settles
        some."""
        rng = np.random.default_rng(12345)
        sign = np.ones(c.n_targets)
        for i in range(rounds):
            before = int(seen.open().sum())
            if before == 0:
                return
            if i:
                sign = np.where(rng.random(c.n_targets) < 0.5, -1.0, 1.0)
            for s in (-1.0, 1.0):
                seen.see(c.values(self._minimise(c.objective(s * sign * seen.open()))))
            if int(seen.open().sum()) >= before and i:
                return

    def _rounds(self, c: _Component, seen: _Seen, min_blocks: int) -> None:
        """Each round, one open target per block gets its own LP (its maximum, then its minimum); all blocks
        share one LP, whose part in each block is that block's optimum and a feasible point for the rest.
        Stops when fewer than `min_blocks` blocks are still open."""
        block = c.block
        while True:
            cand = np.flatnonzero(seen.open())
            up = ~seen.done_hi[cand] & (seen.hi[cand] < seen.out_hi[cand] - EPS)
            down = ~seen.done_lo[cand] & (seen.lo[cand] > seen.out_lo[cand] + EPS)
            cand, up = cand[up | down], up[up | down]
            first = np.unique(block[cand], return_index=True)[1]
            if len(first) == 0 or len(first) < min_blocks:
                return
            pick, up = cand[first], up[first]
            sign = np.zeros(c.n_targets)
            sign[pick] = np.where(up, -1.0, 1.0)
            y = c.values(self._minimise(c.objective(sign)))
            seen.hi[pick[up]] = y[pick[up]]
            seen.lo[pick[~up]] = y[pick[~up]]
            seen.done_hi[pick[up]] = True
            seen.done_lo[pick[~up]] = True
            seen.see(y)
            if self.stop_at_failure and self._failing(c, seen):
                self.aborted = True
                return


def _big(c: _Component) -> float:
    return max(1e7, 1e3 * float(np.max(np.abs(c.x0), initial=0.0)))


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
    rows = np.flatnonzero(np.bincount(rel_h.indices, minlength=rel_h.shape[0]))
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


def _targets(linked: LinkedSet, suppressed, hidden, solver: _Solver, everywhere=None):
    """What the attacker bounds: protected hidden variables (ids 0..nv-1) and audited expressions of
    suppressed cells (nv..) that hold a hidden variable; an expression of public variables only is public
    (a suppressed primary cell that hides nothing fails as a "cell"). `hidden` may be part of the hidden
    variables (whole components, see audit's focus): expressions with hidden variables outside it are left out
    (`everywhere`: all hidden variables). Returns the targets with their entries (target id, hidden column,
    coefficient), leaving out targets the solver already knows to be wide."""
    everywhere = hidden if everywhere is None else everywhere
    h_idx = np.flatnonzero(hidden)
    local = np.full(linked.n_variables, -1)
    local[h_idx] = np.arange(len(h_idx))
    target_vars = np.flatnonzero(hidden & linked.protect)
    nv = len(target_vars)
    terms = linked.expression_terms
    inside = terms @ hidden.astype(np.int64)
    audited_expr = np.flatnonzero(suppressed[linked.expression_cell] & (inside > 0)
                                  & (inside == terms @ everywhere.astype(np.int64)))
    e = linked.expressions[audited_expr]
    e_h = e[:, h_idx].tocoo()
    t_key = np.concatenate([target_vars, linked.n_variables + audited_expr])  # stable across calls
    t_id = np.concatenate([np.arange(nv), nv + e_h.row]).astype(np.int64)
    t_col = np.concatenate([local[target_vars], e_h.col]).astype(np.int64)
    t_val = np.concatenate([np.ones(nv), e_h.data])
    known = solver.wide[t_key]
    keep = ~known[t_id]
    return target_vars, audited_expr, e, t_key, known, t_id[keep], t_col[keep], t_val[keep]


def audit(linked: LinkedSet, suppressed, exact: bool = False, _solver: _Solver | None = None,
          focus: np.ndarray | None = None) -> AuditResult:
    """Attack the publication in which the cells marked in `suppressed` are hidden.

    What is audited: every hidden variable that needs protection, every audited expression (e.g. a
    complement) of a suppressed cell that holds a hidden variable, and every suppressed primary cell that
    hides no protected variable (its content can be read off: kind "cell"). A suppressed cell that is not
    primary protects others and has nothing of its own to protect: if it hides nothing, that is no failure
    (protect publishes such cells again). Whether a status was fixed by an earlier publication plays no part.

    exact=False (the default) stops as soon as feasible points show that a quantity varies by at least p: its
    min and max are then the extremes seen, the true interval is at least as wide, and `exact` is False in the
    table. exact=True solves the LPs for every quantity, so every min and max is exact (slower). Failing
    quantities are always exact.

    focus (a mask over variables, for protect's local checks): audit only the hidden variables in it; it must
    hold whole components (hidden variables joined by relations or by an audited expression). Primary cells
    are still checked everywhere.
    """
    start = time.perf_counter()
    if linked.values_known:  # an outsider has nothing to check hidden values against
        linked.check_relations()
    p = linked.protection
    suppressed = np.asarray(suppressed, dtype=bool)
    if suppressed.shape != (linked.n_cells,):
        raise ValueError(f"'suppressed' ska ha en rad per cell ({linked.n_cells}).")
    solver = _solver or _Solver(p, exact)
    solver.start(suppressed, linked.n_variables + len(linked.expression_cell))
    everywhere = linked.hidden(suppressed)
    hidden = everywhere if focus is None else everywhere & np.asarray(focus, dtype=bool)
    q = _attack(linked, suppressed, hidden, everywhere, solver)
    target_vars, audited_expr, e, mn, mx, width, ex = (q.target_vars, q.audited_expr, q.e, q.mn, q.mx, q.width,
                                                       q.ex)
    nv = len(target_vars)
    table = pd.DataFrame({
        "label": pd.Series(np.concatenate([linked.variable_label[target_vars],
                                           linked.expression_label[audited_expr]]), dtype=object),
        "kind": pd.Series(np.repeat(np.array(KINDS[:2], dtype=object), [nv, len(audited_expr)]), dtype=object),
        "index": np.concatenate([target_vars, audited_expr]).astype(np.int64),
        "value": np.concatenate([linked.value[target_vars], e @ linked.value]) if linked.values_known else np.nan,
        "min": mn, "max": mx, "width": width, "ok": width >= p, "exact": ex})
    exposed = _exposed_cells(linked, suppressed, everywhere)
    if exposed is not None:
        table = pd.concat([table, exposed], ignore_index=True)
    failed = ~table["ok"].to_numpy()
    pinned = int((failed & (table["width"].to_numpy() <= 0)).sum())
    return AuditResult(table=table, passed=not failed.any(), protection=p, audited=len(table),
                       hidden=int(hidden.sum()), pinned=pinned, too_narrow=int(failed.sum()) - pinned, exact=exact,
                       seconds=time.perf_counter() - start, lp_solves=solver.solves, components=q.components,
                       method=method_texts(protection=p)["audit"])


@dataclass
class _Attack:
    target_vars: np.ndarray
    audited_expr: np.ndarray
    e: sparse.csr_matrix
    mn: np.ndarray
    mx: np.ndarray
    width: np.ndarray
    ex: np.ndarray
    components: int


def _attack(linked: LinkedSet, suppressed: np.ndarray, hidden: np.ndarray, everywhere: np.ndarray,
            solver: _Solver) -> _Attack:
    """The bounds of every target among the `hidden` variables (all of them, or whole components of them)."""
    p = linked.protection
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
    if not linked.values_known:
        x_true = np.full(len(g_vars), np.nan)  # the solver finds a feasible point of its own

    # Targets as entries (target, position, coefficient), one target row per (component, target).
    target_vars, audited_expr, e, t_key, known, t_id, t_col, t_val = _targets(linked, suppressed, hidden, solver,
                                                                              everywhere)
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
    row_round = is_var | np.concatenate([np.ones(nv, bool), integral])[row_target]
    row_need = ~is_var & (parts[row_target] > 1)
    row_key = t_key[row_target]
    entry_start = np.searchsorted(t_comp, np.arange(n_comp + 1))
    trow_start = np.searchsorted(row_comp_of, np.arange(n_comp + 1))

    lo = np.concatenate([np.zeros(nv), e @ np.where(everywhere, 0.0, linked.value)])  # constants of expressions
    hi = lo.copy()
    ex = np.ones(n_t, bool)
    size = np.diff(comp_start)
    comps = np.flatnonzero(np.bincount(row_comp_of, minlength=n_comp))
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
    keys, todo = [], []
    for comp in multi:  # the variables, the targets and whether they must be exact fix the result
        q0, q1 = trow_start[comp], trow_start[comp + 1]
        key = (g_vars[comp_start[comp]:comp_start[comp + 1]].tobytes(), row_key[q0:q1].tobytes(),
               row_need[q0:q1].tobytes())
        keys.append(key)
        if key not in solver.cache:
            todo.append(comp)
    keys = dict(zip(multi, keys))
    if todo:  # all new components in one batch
        col_r = [np.arange(comp_start[c], comp_start[c + 1]) for c in todo]
        row_r = [np.arange(row_start[c], row_start[c + 1]) for c in todo]
        trow_r = [np.arange(trow_start[c], trow_start[c + 1]) for c in todo]
        cols, rows, trows = (np.concatenate(r) for r in (col_r, row_r, trow_r))
        ents = np.concatenate([np.arange(entry_start[c], entry_start[c + 1]) for c in todo])
        sub = a[:, cols]
        row_new = np.full(a.shape[0], -1)
        row_new[rows] = np.arange(len(rows))
        col_new = np.full(len(h_idx), -1)
        col_new[cols] = np.arange(len(cols))
        trow_new = np.full(len(row_target), -1)
        trow_new[trows] = np.arange(len(trows))
        o_lo, o_hi = _propagate(sub, row_lo, row_hi, lower[cols], upper[cols])
        starts = [np.concatenate([[0], np.cumsum([len(x) for x in r])]) for r in (col_r, row_r, trow_r)]
        b_lo, b_hi, b_ex = solver.bounds(_Component(
            a_ptr=sub.indptr, a_idx=row_new[sub.indices], a_val=sub.data, row_lo=row_lo[rows],
            row_hi=row_hi[rows], col_lo=lower[cols], col_hi=upper[cols], x0=x_true[cols], out_lo=o_lo, out_hi=o_hi,
            t_row=trow_new[t_row[ents]], t_col=col_new[t_pos[ents]], t_val=t_val[ents], round_=row_round[trows],
            need=row_need[trows], col_start=starts[0], row_start=starts[1], target_start=starts[2]))
        if solver.aborted:  # a target is too narrow: the bounds of the others are incomplete
            return _Attack(target_vars, audited_expr, e, np.zeros(n_t), np.zeros(n_t), np.zeros(n_t),
                           np.zeros(n_t, bool), int(n_comp))
        for i, c in enumerate(todo):
            q0, q1 = starts[2][i], starts[2][i + 1]
            solver.cache[keys[c]] = (b_lo[q0:q1], b_hi[q0:q1], b_ex[q0:q1])
    if len(multi):
        rows_of = np.concatenate([np.arange(trow_start[c], trow_start[c + 1]) for c in multi])
        found = [solver.cache[keys[c]] for c in multi]
        ids = row_target[rows_of]
        np.add.at(lo, ids, np.concatenate([f[0] for f in found]))
        np.add.at(hi, ids, np.concatenate([f[1] for f in found]))
        np.logical_and.at(ex, ids, np.concatenate([f[2] for f in found]))
    lo[known], hi[known], ex[known] = solver.wide_lo[t_key[known]], solver.wide_hi[t_key[known]], False

    rounded = np.concatenate([np.ones(nv, bool), integral])
    mn = np.where(rounded, np.ceil(lo - EPS), lo) + 0.0  # + 0.0: no negative zero
    mx = np.where(rounded, np.floor(hi + EPS), hi)
    width = mx - mn
    if solver.remember:
        new = (width >= p) & (parts <= 1) & ~known
        solver.wide[t_key[new]] = True
        solver.wide_lo[t_key[new]], solver.wide_hi[t_key[new]] = lo[new], hi[new]
    return _Attack(target_vars, audited_expr, e, mn, mx, width, ex, int(n_comp))


def failing_groups(linked: LinkedSet, suppressed: np.ndarray, group: np.ndarray, solver: _Solver) -> set[int]:
    """The groups with a quantity that is too narrow. `group` numbers the hidden variables to audit (-1:
    not audited); every group must hold whole components (see audit's focus), so that the groups are
    independent and one attack answers for all of them. With solver.stop_at_failure the first failure stops
    the attack and every group counts as failing. The same attack as audit, without its table (protect's
    cleanup asks this many times); primary cells that can be read off are not looked at here."""
    solver.start(suppressed, linked.n_variables + len(linked.expression_cell))
    everywhere = linked.hidden(suppressed)
    hidden = everywhere & (group >= 0)
    if not hidden.any():
        return set()
    q = _attack(linked, suppressed, hidden, everywhere, solver)
    if solver.aborted:
        return set(np.unique(group[hidden]).tolist())
    bad = q.width < linked.protection
    nv = len(q.target_vars)
    out = set(group[q.target_vars[bad[:nv]]].tolist())
    for x in q.audited_expr[bad[nv:]]:
        terms = linked.expressions[x].indices
        out.update(group[terms[hidden[terms]]].tolist())
    return out


def _exposed_cells(linked: LinkedSet, suppressed: np.ndarray, hidden: np.ndarray) -> pd.DataFrame | None:
    """Suppressed primary cells that hide no protected variable: every count they show is public elsewhere
    (their expressions too, then), so their content can be read off. Whether the status was fixed by an
    earlier publication does not matter; a suppressed cell that is not primary has nothing of its own to
    protect."""
    covered = (linked.shows @ (hidden & linked.protect).astype(float)) > 0
    bad = np.flatnonzero(suppressed & linked.primary & linked.shows_any & ~covered)
    if not len(bad):
        return None
    return pd.DataFrame({"label": pd.Series(linked.cell_label[bad], dtype=object), "kind": "cell",
                         "index": bad.astype(np.int64), "value": np.nan, "min": np.nan, "max": np.nan,
                         "width": 0.0, "ok": False, "exact": True})
