"""Secondary suppression of the whole linked set, checked by the attacker's LP audit.

Method: a constraint-based heuristic in the manner of sdcTable's SIMPLEHEURISTIC (Meindl; Hundepool et al.
2012, Statistical Disclosure Control, ch. 4) combined with the attacker's LP problems, and a cleanup pass:

1. Start from the primary cells and the statuses fixed by an earlier publication; a variable is hidden when
   every cell that shows it is suppressed.
2. Stuck variables: while a hidden variable that needs protection is alone in an equality, or sits at its
   lower bound (a zero, a small count) with no hidden variable beside it that can give it room upwards,
   hide the cheapest variable of that equality that can (its cost is the sum of the costs of the published
   cells that must be suppressed to hide it). The hardest first: the one whose cheapest repair is dearest,
   since what it forces (often a total) can then serve the others.
3. Attacker check: audit (see audit.py), first with bound propagation alone (cheap; what it finds too narrow
   is too narrow), then with LP. For every quantity whose interval is narrower than p, hide the cheapest
   variable in an equality that involves it that can widen the interval, preferring equalities that already
   hold hidden variables, then go back to 2. Stop when the LP audit passes; if nothing is left to hide,
   raise ProtectionError. Cells are never published again in this loop, so an interval seen wide stays wide
   and is not looked at again.
4. Cleanup: try to publish every secondary cell again, most expensive first, and keep it published if the
   audit still passes (only the components of the variables it would make public are audited again).

Candidates are ranked by whether they can cover the whole shortfall p − width (an estimate from their values
and bounds), then by cost plus a look-ahead (hiding a variable also hides every variable that only the same
cells show, e.g. the zero category of a distribution whose base is hidden; each one that would be stuck
needs a partner, and that partner may need one in turn), then by index, so the same input always gives the
same output.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from math import isfinite

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .audit import AuditResult, _Solver, audit, failing_groups
from .linked import LinkedSet
from ..formatting import integer

DEAD_END = 1e12  # the price of a candidate that would be left alone in an equality with nothing else to hide
PRIMARY = "primär"
SECONDARY = "sekundär"
FIXED_EARLIER = "fastställd tidigare"


class ProtectionError(RuntimeError):
    """The linked set cannot be protected: nothing left to hide (Swedish message naming the cells)."""


@dataclass
class ProtectionResult:
    """Per cell: suppressed and why ("primär", "sekundär", "fastställd tidigare"; "" when published); per
    variable: hidden. `audit` is the audit that passed."""
    cells: pd.DataFrame  # label, primary, fixed, cost, suppressed, reason
    suppressed: np.ndarray
    hidden: np.ndarray  # per variable
    n_primary: int
    n_secondary: int
    n_fixed: int
    iterations: int
    seconds: float
    audit: AuditResult
    republished: int = 0  # secondary cells the cleanup published again

    def summary(self) -> str:
        n = self.n_primary + self.n_secondary + self.n_fixed
        return (f"Röjandekontrollen döljer {integer(n)} av {integer(len(self.suppressed))} celler: "
                f"{integer(self.n_primary)} primärt, {integer(self.n_secondary)} sekundärt och "
                f"{integer(self.n_fixed)} enligt en tidigare redovisning. {self.audit.summary()}")


class _State:
    """Which cells are suppressed and how many published cells still show each variable."""

    def __init__(self, linked: LinkedSet, suppressed: np.ndarray | None = None) -> None:
        self.linked = linked
        self.suppressed = linked.initial_suppressed() if suppressed is None else np.array(suppressed, dtype=bool)
        self.published_count = np.asarray(linked.cells_of_variable @ (~self.suppressed).astype(float)).astype(np.int64)
        self.hidden = self.published_count == 0  # kept up to date by hide()
        published = (~self.suppressed).astype(float)
        self.var_cost = np.asarray(linked.cells_of_variable @ (linked.cost * published))
        self.var_blocked = np.asarray(linked.cells_of_variable @ linked.fixed_published.astype(float)) > 0
        self.price = np.empty(linked.n_variables)
        self._update_price(slice(None))
        vc = linked.cells_of_variable
        self._vc_ptr, self._vc_idx = vc.indptr, vc.indices
        cv = linked.shows
        self._cv_ptr, self._cv_idx = cv.indptr, cv.indices
        eq = linked.equalities
        self._eq_ptr, self._eq_idx, self._eq_val = eq.indptr, eq.indices, eq.data
        ve = linked.equalities_of_variable
        self._ve_ptr, self._ve_idx = ve.indptr, ve.indices
        # Static facts as Python lists, for the many small rows the look-ahead and the candidate choice read
        # (numpy's per-call cost outweighed the work there): whether a variable can rise, can fall, and needs
        # room upwards (its value is within p of its lower bound).
        self._rising = (linked.upper > linked.value + 1e-9).tolist()
        self._falling = (linked.value > linked.lower + 1e-9).tolist()
        self._low = (linked.value - linked.lower < linked.protection).tolist()
        self._protect = linked.protect.tolist()
        self._upper, self._value, self._lower = linked.upper.tolist(), linked.value.tolist(), linked.lower.tolist()
        self._row_lists: dict[int, tuple[list[int], list[float]]] = {}
        self._rows_lists: dict[int, list[int]] = {}
        self._cells_lists = [self._vc_idx[a:b].tolist() for a, b in zip(self._vc_ptr[:-1], self._vc_ptr[1:])]
        self._shows_lists = [self._cv_idx[a:b].tolist() for a, b in zip(self._cv_ptr[:-1], self._cv_ptr[1:])]

    def cells_of(self, v: int) -> np.ndarray:
        return self._vc_idx[self._vc_ptr[v]:self._vc_ptr[v + 1]]

    def rows_of(self, v: int) -> np.ndarray:
        return self._ve_idx[self._ve_ptr[v]:self._ve_ptr[v + 1]]

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        s = slice(self._eq_ptr[r], self._eq_ptr[r + 1])
        return self._eq_idx[s], self._eq_val[s]

    def row_list(self, r: int) -> tuple[list[int], list[float]]:
        """row(r) as Python lists."""
        found = self._row_lists.get(r)
        if found is None:
            vars_, coefs = self.row(r)
            found = self._row_lists[r] = (vars_.tolist(), coefs.tolist())
        return found

    def rows_list(self, v: int) -> list[int]:
        """rows_of(v) as a Python list."""
        found = self._rows_lists.get(v)
        if found is None:
            found = self._rows_lists[v] = self.rows_of(v).tolist()
        return found

    def partners(self, v: int, r: int) -> tuple[list[int], list[bool]]:
        """The other variables of equality r, and which of them can give v the room it needs: any movement if v
        can fall by p, else only a movement that lets v rise (a variable at its lower bound, e.g. a zero, can only
        rise)."""
        vars_, coefs = self.row_list(r)
        a_v = coefs[vars_.index(v)]
        rising, falling = self._rising, self._falling
        others, able = [], []
        for u, a_u in zip(vars_, coefs):
            if u != v:
                others.append(u)
                able.append((falling[u] if (a_u > 0) == (a_v > 0) else rising[u]) if self._low[v]
                            else (falling[u] or rising[u]))
        return others, able

    def _update_price(self, vs) -> None:
        self.price[vs] = np.where(self.var_blocked[vs] | (self.published_count[vs] == 0), np.inf, self.var_cost[vs])

    def cost(self, v: int) -> float:
        """The price of hiding v: its published cells; infinite if one of them is fixed as published."""
        return float(self.price[v])

    def would_hide(self, v: int) -> list[int]:
        """The variables that hiding v hides: v and every variable shown only by the published cells of v
        (one cell: in its order; more: ascending)."""
        shows, count, suppressed = self._shows_lists, self.published_count, self.suppressed
        cells = [c for c in self._cells_lists[v] if not suppressed[c]]
        if len(cells) == 1:
            return [u for u in shows[cells[0]] if count[u] == 1]
        seen: dict[int, int] = {}
        for c in cells:
            for u in shows[c]:
                seen[u] = seen.get(u, 0) + 1
        return sorted(u for u, n in seen.items() if n == count[u])

    def publish(self, c: int) -> list[int]:
        """Publish the suppressed cell c again; returns the variables that became public."""
        self.suppressed[c] = False
        shown = self._cv_idx[self._cv_ptr[c]:self._cv_ptr[c + 1]]
        back = shown[self.published_count[shown] == 0]
        self.published_count[shown] += 1
        self.var_cost[shown] += self.linked.cost[c]
        self.hidden[shown] = False
        self._update_price(shown)
        return [int(u) for u in back]

    def hide(self, v: int) -> list[int]:
        """Suppress every published cell that shows v; returns the variables that became hidden."""
        new = []
        for c in self.cells_of(v):
            if self.suppressed[c]:
                continue
            self.suppressed[c] = True
            shown = self._cv_idx[self._cv_ptr[c]:self._cv_ptr[c + 1]]
            self.published_count[shown] -= 1
            self.var_cost[shown] -= self.linked.cost[c]
            self._update_price(shown)
            gone = shown[self.published_count[shown] == 0]
            self.hidden[gone] = True
            new.extend(int(u) for u in gone)
        return new


def _cell_names(linked: LinkedSet, cells) -> str:
    names = [f"'{linked.cell_label[c]}'" for c in list(cells)[:6]]
    return ", ".join(names) + (" m.fl." if len(cells) > 6 else "")


def _item_cells(linked: LinkedSet, kind: str, index: int) -> np.ndarray:
    if kind == "variable":
        return linked.cells_of_variable[index].indices
    if kind == "expression":
        return np.array([linked.expression_cell[index]])
    return np.array([index])


def _fail(linked: LinkedSet, kind: str, index: int, label: str) -> ProtectionError:
    cells = _item_cells(linked, kind, index)
    where = f" (celler: {_cell_names(linked, cells)})" if len(cells) else ""
    return ProtectionError(
        f"Röjandekontrollen kan inte skydda uppgiften '{label}'{where}: den kan räknas fram eller ringas in "
        f"snävare än {linked.protection} ur det som publiceras, och det finns inget mer att dölja i sambanden "
        f"som innehåller den (cellerna är redan dolda eller fastställda som publicerade i en tidigare "
        f"redovisning).")


def _choose(state: _State, terms, rows, shortfall: float, room) -> int | None:
    """The best public variable to hide in `rows` for an item Σ c·x over hidden `terms` [(x, c)].

    room[x] = (how far x can still rise, how far it can still fall). A candidate y in a row with x lets x
    rise as far as y can move the other way (its value above its lower bound, or its headroom), and fall
    likewise; its gain is capped at the shortfall."""
    hidden, price = state.hidden, state.price
    upper, value, lower = state._upper, state._value, state._lower
    best_key, best = None, None
    rows = set(int(r) for r in rows)
    for x, c in terms:
        up_x, down_x = room[x]
        for r in state.rows_list(x):
            if r not in rows:
                continue
            vars_, coefs = state.row_list(r)
            free = [(y, a) for y, a in zip(vars_, coefs) if not hidden[y]]
            if not free:
                continue
            a_x = coefs[vars_.index(x)]
            others = 1 - int(sum(1 for y in vars_ if hidden[y]) > 1)  # 0: the row holds other hidden variables
            found = []  # (not covers, cost per gain, y, cost, per gain)
            for y, a_y in free:
                ratio = abs(a_y / a_x)
                y_up, y_down = (upper[y] - value[y]) * ratio, (value[y] - lower[y]) * ratio
                same = (a_y > 0) == (a_x > 0)
                gain = abs(c) * (min(up_x, y_down if same else y_up) + min(down_x, y_up if same else y_down))
                gain = min(shortfall, gain)
                cost = price[y]
                if not (gain > 0 and isfinite(cost)):
                    continue
                covers = gain >= shortfall - 1e-9
                per_gain = 1.0 if covers else 1.0 / gain
                found.append((not covers, cost * per_gain, y, cost, per_gain))
            found.sort()
            for not_covers, rank, y, cost, per_gain in found:
                # the look-ahead only adds to a price: stop once the best cannot be beaten
                if best_key is not None and (not_covers, rank, others, y) >= best_key:
                    break
                price_y = (cost + _knock_on(state, y, r)) * per_gain
                key = (not_covers, price_y, others, y)
                if isfinite(price_y) and (best_key is None or key < best_key):
                    best_key, best = key, y
    return best


def _knock_on(state: _State, y: int, row: int, depth: int = 2, assume: frozenset = frozenset()) -> float:
    """Looking ahead. Hiding y suppresses every published cell that shows it, which hides y and every other
    variable that only those cells show (e.g. the zero category of a distribution whose base is hidden). A
    newly hidden variable that needs protection and has no hidden variable beside it in one of its equalities
    that can give it room (a variable at its lower bound, e.g. a zero, can only gain room upwards, so the
    other one must be able to move the other way) is pinned there until that equality gets a partner: add
    the price of the cheapest able partner, itself with what it would pin (depth steps ahead; the few
    cheapest partners are looked at), DEAD_END where none is able. A y that needs no protection (a sum)
    would stay pinned, since nothing else repairs it: it is of no use (infinite price). `assume`: variables
    taken as hidden already (the step before)."""
    newly = state.would_hide(y)
    also = assume.union(newly)
    hidden, price, protect = state.hidden, state.price, state._protect
    extra = 0.0
    for v in newly:
        if v != y and not protect[v]:
            continue
        for r in state.rows_list(v):
            if v == y and r == row:
                continue
            us, able = state.partners(v, r)
            if any(ok and (hidden[u] or u in also) for u, ok in zip(us, able)):
                continue  # a hidden variable beside it gives room
            if not protect[v]:
                return np.inf
            costs = [price[u] if ok else np.inf for u, ok in zip(us, able)]
            if not any(map(isfinite, costs)):
                extra += DEAD_END
                continue
            if depth > 1:
                cheap = sorted(range(len(costs)), key=costs.__getitem__)[:3]  # stable, as argsort's
                costs = [costs[i] + _knock_on(state, us[i], r, depth - 1, also) for i in cheap
                         if isfinite(costs[i])]
            extra += float(min(costs))
    return extra


def _fallback(state: _State, start_vars) -> int | None:
    """Nothing in the item's own equalities helps: look outwards through the equalities of the hidden
    variables reachable from it (its component) and take the cheapest variable with a positive value."""
    hidden = state.hidden
    seen_vars = set(int(v) for v in start_vars)
    frontier = list(seen_vars)
    seen_rows: set[int] = set()
    while frontier:
        rows = sorted({int(r) for v in frontier for r in state.rows_of(v)} - seen_rows)
        seen_rows.update(rows)
        best_key, best, frontier = None, None, []
        for r in rows:
            for y in state.row(r)[0]:
                y = int(y)
                if hidden[y]:
                    if y not in seen_vars:
                        seen_vars.add(y)
                        frontier.append(y)
                    continue
                cost = state.cost(y)
                if np.isfinite(cost):
                    key = (0 if state.linked.value[y] > state.linked.lower[y] else 1, cost, y)
                    if best_key is None or key < best_key:
                        best_key, best = key, y
        if best is not None:
            return best
    return None


def _item_rows(state: _State, kind: str, index: int) -> np.ndarray:
    """The equalities that involve a failing item."""
    lk = state.linked
    if kind == "variable":
        return state.rows_of(index)
    vars_ = lk.expressions[index].indices if kind == "expression" else lk.shows[index].indices
    if not len(vars_):
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate([state.rows_of(int(v)) for v in vars_]))


def _repair_item(state: _State, kind: str, index: int, lo: float, hi: float, rows) -> int | None:
    """The variable to hide for one failing item (None: nothing left to hide)."""
    lk = state.linked
    hidden = state.hidden
    shortfall = lk.protection - (max(0.0, hi - lo) if np.isfinite(hi - lo) else 0.0)
    if kind == "variable":
        room = {index: (lk.upper[index] - hi, lo - lk.lower[index])}
        choice = _choose(state, [(index, 1.0)], rows, shortfall, room)
        return choice if choice is not None else _fallback(state, [index])
    if kind == "expression":
        row = lk.expressions[index]
        terms = [(int(v), c) for v, c in zip(row.indices, row.data) if hidden[v]]
        room = {v: (lk.upper[v] - lk.value[v], lk.value[v] - lk.lower[v]) for v, _ in terms}
        choice = _choose(state, terms, rows, shortfall, room)
        public = [int(v) for v in row.indices if not hidden[v] and np.isfinite(state.cost(int(v)))]
        if public:  # hiding a public part of the expression itself
            direct = min(public, key=lambda v: (state.cost(v), v))
            if choice is None or (state.cost(direct), direct) < (state.cost(choice), choice):
                choice = direct
        return choice if choice is not None else _fallback(state, row.indices)
    shown = lk.shows[index].indices  # a primary cell whose variables are all public elsewhere
    public = [int(v) for v in shown if not hidden[v] and np.isfinite(state.cost(int(v)))]
    return min(public, key=lambda v: (not lk.protect[v], state.cost(v), v)) if public else None


def _stuck(state: _State) -> list[tuple[int, int]]:
    """(equality, variable) pairs where a hidden variable that needs protection has no hidden variable beside
    it that can give it room: it is alone there, or it is at its lower bound (a zero, or a count below p) and
    every other hidden variable of the equality can only move the wrong way (e.g. two zeros on the same
    side of a sum). Such a variable is too narrow whatever the rest of the publication is."""
    lk = state.linked
    eq = lk.equalities.tocoo()
    r, j, a = eq.row, eq.col, eq.data
    hidden = state.hidden[j]
    n = lk.equalities.shape[0]
    up = lk.upper[j] > lk.value[j] + 1e-9
    down = lk.value[j] > lk.lower[j] + 1e-9
    pos = a > 0
    # hidden variables per row that can move, and that can let a variable of each sign rise
    movable = np.bincount(r, hidden & (up | down), n)
    lift_pos = np.bincount(r, hidden & ((pos & down) | (~pos & up)), n)  # lets a + variable rise
    lift_neg = np.bincount(r, hidden & ((~pos & down) | (pos & up)), n)
    low = lk.value[j] - lk.lower[j] < lk.protection
    self_move = up | down
    self_lift = down  # what it adds to the lift of its own sign
    lift = np.where(pos, lift_pos[r], lift_neg[r]) - self_lift
    room = np.where(low, lift, movable[r] - self_move)
    stuck = hidden & lk.protect[j] & (room <= 0)
    order = np.lexsort((j[stuck], r[stuck]))
    return [(int(x), int(y)) for x, y in zip(r[stuck][order], j[stuck][order])]


def _hardness(state: _State, r: int, x: int) -> tuple[float, int]:
    """How hard x is to repair in equality r: minus the price of the cheapest public variable that could give
    it room, then how many could (the hardest first: what they force, often a total, is then known when
    the others choose)."""
    others, able = state.partners(x, r)
    costs = [state.price[u] for u, ok in zip(others, able) if ok and not state.hidden[u]]
    costs = [c for c in costs if isfinite(c)]
    return (-float(min(costs)) if costs else -np.inf, len(costs))


def _unstick(state: _State) -> int:
    """Hide until no hidden variable that needs protection is stuck in an equality (see _stuck), the hardest
    first (see _hardness). Returns how many variables were hidden."""
    lk = state.linked
    added = 0
    while True:
        todo = _stuck(state)
        if not todo:
            return added
        todo.sort(key=lambda rx: (_hardness(state, *rx), rx))
        changed = False
        touched: set[int] = set()  # equalities whose hidden variables changed in this pass
        for r, x in todo:
            if r in touched and (r, x) not in _stuck_in(state, r):
                continue  # an earlier choice in this pass already gave it room
            v = lk.value[x]
            choice = _repair_item(state, "variable", x, v, v, rows=[r])
            if choice is None:
                raise _fail(lk, "variable", x, lk.variable_label[x])
            for u in [choice] + state.hide(choice):
                touched.update(int(q) for q in state.rows_of(u))
            added += 1
            changed = True
        if not changed:
            return added


def _stuck_in(state: _State, r: int, hidden: np.ndarray | None = None) -> set[tuple[int, int]]:
    """The stuck pairs of equality r (see _stuck), with `hidden` (default: the state's) as the hidden
    variables."""
    hidden = state.hidden if hidden is None else hidden
    vars_, coefs = state.row_list(r)
    protect, rising, falling, low = state._protect, state._rising, state._falling, state._low
    h = [bool(hidden[u]) for u in vars_]
    if not any(hi and protect[u] for hi, u in zip(h, vars_)):
        return set()
    move, lift_pos, lift_neg = [], [], []  # lift_pos: lets a variable with a positive coefficient rise
    for hi, u, a in zip(h, vars_, coefs):
        up, down, pos = rising[u], falling[u], a > 0
        move.append(hi and (up or down))
        lift_pos.append(hi and ((pos and down) or (not pos and up)))
        lift_neg.append(hi and ((not pos and down) or (pos and up)))
    n_move, n_pos, n_neg = sum(move), sum(lift_pos), sum(lift_neg)
    stuck = set()
    for i, (hi, u, a) in enumerate(zip(h, vars_, coefs)):
        if hi and protect[u]:
            room = ((n_pos - lift_pos[i]) if a > 0 else (n_neg - lift_neg[i])) if low[u] else n_move - move[i]
            if room <= 0:
                stuck.add((int(r), u))
    return stuck


def _repair(state: _State, failures: pd.DataFrame) -> int:
    """One variable hidden per failing item, skipping items whose equalities changed in this round."""
    touched: set[int] = set()
    done = 0
    for kind, index, label, lo, hi in failures[["kind", "index", "label", "min", "max"]].itertuples(index=False):
        index = int(index)
        rows = _item_rows(state, kind, index)
        if touched.intersection(rows.tolist()):
            continue
        choice = _repair_item(state, kind, index, lo, hi, rows)
        if choice is None:
            if done:
                continue  # later rounds may see this item differently
            raise _fail(state.linked, kind, index, label)
        for v in [choice] + state.hide(choice):
            touched.update(int(r) for r in state.rows_of(v))
        done += 1
    return done


def _component_labels(linked: LinkedSet, hidden: np.ndarray) -> np.ndarray:
    """Per variable: its component of hidden variables (joined by relations or by an audited expression),
    -1 for a public variable."""
    h_idx = np.flatnonzero(hidden)
    labels = np.full(linked.n_variables, -1, dtype=np.int64)
    if not len(h_idx):
        return labels
    links = sparse.vstack([linked.relations, linked.expressions], format="csc")[:, h_idx].tocsr()
    links.data[:] = 1.0
    joined = (links.T @ links).tocsr()  # hidden × hidden: 1 where two share a relation or an expression
    n, comp = connected_components(joined, directed=False)
    labels[h_idx] = comp
    return labels


def _members(labels: np.ndarray) -> dict[int, np.ndarray]:
    """The variables of each component (see _component_labels), ascending."""
    order = np.argsort(labels, kind="stable")
    found, starts = np.unique(labels[order], return_index=True)
    return {int(k): part for k, part in zip(found, np.split(order, starts[1:]))}


def _pins(state: _State, freed: np.ndarray) -> bool:
    """Whether making `freed` public leaves a hidden variable that needs protection stuck in one of their
    equalities (see _stuck), or a suppressed primary cell with no hidden protected variable."""
    lk = state.linked
    after = state.hidden.copy()
    after[freed] = False
    for r in np.unique(np.concatenate([state.rows_of(int(u)) for u in freed])):
        if _stuck_in(state, int(r), after):
            return True
    for u in freed:
        for c in state.cells_of(int(u)):
            if state.suppressed[c] and lk.primary[c]:
                shown = state._cv_idx[state._cv_ptr[c]:state._cv_ptr[c + 1]]
                if not (after[shown] & lk.protect[shown]).any():
                    return True
    return False


def _cleanup(state: _State) -> int:
    """Publish secondary cells again, most expensive first, keeping each one published if the audit still
    passes. Publishing a cell only makes the variables it shows public, so only the components that hold them
    are audited again: first whether a variable would be stuck in an equality, then bound propagation (what
    it finds too narrow is too narrow), then LP. A cell whose variables are all public already protects
    nothing and is published without an audit. Cells whose components do not meet are independent: they are
    tried together in one attack (in waves; within a component strictly in order of cost, so the result is
    that of trying one cell at a time). Cells that had to stay hidden are tried again, in another round,
    when a cell of their component has been published since. Returns how many cells were published."""
    lk = state.linked
    solver = _Solver(lk.protection, exact=False, exact_failures=False)
    alone = _Solver(lk.protection, exact=False, exact_failures=False, stop_at_failure=True)
    alone.cache = solver.cache
    labels = _component_labels(lk, state.hidden)
    members = _members(labels)
    changed_at = np.zeros(lk.n_variables, dtype=np.int64)  # when a variable was last made public
    step, stale, done = 1, 0, 0
    tried: dict[int, tuple[int, np.ndarray]] = {}  # cell -> (step, its components' variables) when it failed
    queue = np.flatnonzero(state.suppressed & ~lk.primary & ~lk.fixed_suppressed)
    queue = list(queue[np.lexsort((queue, -lk.cost[queue]))])
    while queue:
        wave, used, later = [], set(), []
        for c in queue:
            shown = state._cv_idx[state._cv_ptr[c]:state._cv_ptr[c + 1]]
            freed = shown[state.hidden[shown]]
            if not len(freed):  # hides nothing: publishing it changes nothing an outsider knows
                state.publish(int(c))
                done += 1
                continue
            comps = set(labels[freed].tolist())
            if comps & used:  # a dearer cell of the same component goes first
                later.append(c)
                used |= comps
                continue
            component = np.sort(np.concatenate([members[k] for k in comps]))  # its components' variables
            if _pins(state, freed):  # changes nothing: the next cell of the component may go in this wave
                tried[int(c)] = (step, component)
                continue
            used |= comps
            wave.append((int(c), freed, component))
        if wave:
            trial = state.suppressed.copy()
            group = np.full(lk.n_variables, -1, dtype=np.int64)
            for i, (c, freed, component) in enumerate(wave):
                trial[c] = False
                group[component] = i
                group[freed] = -1
            failed = failing_groups(lk, trial, group, alone if len(wave) == 1 else solver)
            for i, (c, freed, component) in enumerate(wave):
                if i in failed:
                    tried[c] = (step, component)
                    continue
                state.publish(c)
                done += 1
                step += 1
                changed_at[freed] = step
                stale += 1
        if stale >= 25:  # components split as cells are published: smaller ones are cheaper to audit
            labels, stale = _component_labels(lk, state.hidden), 0
            members = _members(labels)
        queue = later
        if not queue:
            queue = sorted((c for c, (when, seen) in tried.items()
                            if state.suppressed[c] and changed_at[seen].max(initial=0) > when),
                           key=lambda c: (-lk.cost[c], c))
            for c in queue:
                del tried[c]
    return done


def cleanup(linked: LinkedSet, suppressed) -> np.ndarray:
    """Publish again every secondary cell of a suppression pattern that the audit does not need, most
    expensive first (see _cleanup). The pattern must keep the primary and fixed statuses and pass the audit.
    Returns the new pattern."""
    suppressed = np.asarray(suppressed, dtype=bool)
    if suppressed.shape != (linked.n_cells,):
        raise ValueError(f"'suppressed' ska ha en rad per cell ({linked.n_cells}).")
    if (linked.initial_suppressed() & ~suppressed).any() or (linked.fixed_published & suppressed).any():
        raise ValueError("Mönstret visar en primär eller fastställt dold cell, eller döljer en cell som är "
                         "fastställd som publicerad.")
    if not audit(linked, suppressed).passed:
        raise ValueError("Mönstret går inte igenom granskningen; bara ett godkänt mönster kan städas.")
    state = _State(linked, suppressed)
    _cleanup(state)
    return state.suppressed.copy()


def protect(linked: LinkedSet, exact_audit: bool = False, cleanup: bool = True) -> ProtectionResult:
    """Suppress cells until the audit passes, then (cleanup=True) publish again every secondary cell that is
    not needed; see the module docstring for the method.

    The returned audit is a fresh audit of the result: failing quantities would have exact intervals, wide
    enough ones are shown to be at least that wide. exact_audit=True audits the result with exact intervals
    for every quantity (slower)."""
    start = time.perf_counter()
    linked.check_relations()
    state = _State(linked)
    quick = _Solver(linked.protection, exact=False, exact_failures=False, lp=False)
    solver = _Solver(linked.protection, exact=False, exact_failures=False, remember=True)
    iterations = 0
    while True:
        iterations += 1
        _unstick(state)
        # Bound propagation first: it finds most failures without any LP.
        result = audit(linked, state.suppressed, _solver=quick)
        if result.passed:
            result = audit(linked, state.suppressed, _solver=solver)
            if result.passed:
                break
        _repair(state, result.failures())
    republished = _cleanup(state) if cleanup else 0
    if republished or exact_audit:  # components untouched by the cleanup come from the loop's cache
        result = audit(linked, state.suppressed, exact=True) if exact_audit else \
            audit(linked, state.suppressed, _solver=solver)
        if not result.passed:  # cannot happen: every cell published again was audited
            raise ProtectionError("Röjandekontrollen gick inte igenom efter att onödigt dolda celler "
                                  "publicerats igen.")
    fixed_sup = linked.fixed_suppressed
    reason = np.where(~state.suppressed, "",
                      np.where(fixed_sup, FIXED_EARLIER, np.where(linked.primary, PRIMARY, SECONDARY)))
    cells = pd.DataFrame({"label": linked.cell_label, "primary": linked.primary, "fixed": linked.fixed,
                          "cost": linked.cost, "suppressed": state.suppressed, "reason": reason})
    return ProtectionResult(
        cells=cells, suppressed=state.suppressed.copy(), hidden=state.hidden.copy(),
        n_primary=int((reason == PRIMARY).sum()), n_secondary=int((reason == SECONDARY).sum()),
        n_fixed=int((reason == FIXED_EARLIER).sum()), iterations=iterations,
        seconds=time.perf_counter() - start, audit=result, republished=republished)
