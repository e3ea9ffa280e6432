"""Benchmark: disclosure control of a whole linked publication (protect + audit).

    .venv/bin/python benchmarks/bench_protection.py [--clients 5000 50000] [--periods 2] [--seed 1]
    .venv/bin/python benchmarks/bench_protection.py --case publication.pkl


A seeded generator builds linked tables shaped like the workbench's: 34 indicators (counts, shares with
complements, means/medians sharing their n, distributions whose categories share one base), four scopes
(organisation and three units, organisation = sum of units plus a rest where some rows have no unit), five to
eight groupings per indicator (sex, age group, month, …) that sum to the total, pairs of indicators with the
same population sharing their base, and two periods. `measure(linked)` prints the figures for any LinkedSet,
so the same function can be called on the real publication: --case reads a pickled dict whose LinkedSet values
(e.g. "linked", or "fixed" and "free") are measured one by one.
Target: protect + audit under 5 s for 5 000 clients a year, and under 4× that for 50 000, on 2 cores. The
synthetic sets hold far more small cells than the workbench's own publication (about a fifth of the cells are
primary, against a tenth in the demo municipality's), so they are a stress test; --case measures a real one.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np

from helpers.publication.audit import audit
from helpers.publication.linked import LinkedSet, LinkedSetBuilder
from helpers.publication.protect import protect
from peak_memory import peak_mib

UNITS = 3
GROUPINGS = {"kön": 3, "åldersgrupp": 8, "målgrupp": 3, "insatstyp": 6, "månad": 12, "utförare": 8,
             "placeringsform": 4, "lagrum": 3}
KINDS = ("antal", "andel", "medel", "fördelning")
POP = "personer"  # the population's count: a count's value, a share's denominator, a distribution's base, n


def _peak_mib() -> float:
    return peak_mib()


class _Generator:
    def __init__(self, clients: int, seed: int, min_cell: int = 5, min_group: int = 10) -> None:
        self.rng = np.random.default_rng(seed)
        self.clients, self.min_cell, self.min_group = clients, min_cell, min_group
        self.b = LinkedSetBuilder(protection=min_cell)
        self.vars: dict[tuple, int] = {}
        self.value: list[float] = []
        self.declared: set[tuple] = set()

    def var(self, key: tuple, value: float, protect: bool = True) -> int:
        if key not in self.vars:
            self.vars[key] = self.b.add_variable(" / ".join(map(str, key)), value, protect)
            self.value.append(float(value))
        return self.vars[key]

    def small(self, x) -> bool:
        return 1 <= x < self.min_cell

    def population(self, n: int, groupings: list[str], unitless: float) -> dict[str, np.ndarray]:
        rng = self.rng
        unit = rng.choice(UNITS, n, p=rng.dirichlet(np.full(UNITS, 4.0)))
        unit[rng.random(n) < unitless] = -1
        rec = {"enhet": unit}
        for g in groupings:
            rec[g] = rng.choice(GROUPINGS[g], n, p=rng.dirichlet(np.full(GROUPINGS[g], 1.5)))
        return rec

    def indicator(self, period: int, i: int, pop_id: tuple, rec: dict, groupings: list[str], kind: str) -> None:
        rng = self.rng
        n = len(rec["enhet"])
        if kind == "andel":
            flag = rng.random(n) < rng.choice([0.1, 0.5, 0.9, 0.97])
            measures = {"täljare": flag.astype(float), POP: np.ones(n)}
        elif kind == "fördelning":
            k = int(rng.integers(3, 7))
            cat = rng.choice(k, n, p=rng.dirichlet(np.full(k, 1.5)))
            measures = {f"kategori {c + 1}": (cat == c).astype(float) for c in range(k)}
            measures[POP] = np.ones(n)
        else:
            measures = {POP: np.ones(n)}
        scopes = [("org", np.ones(n, bool))] + [(f"enhet {u + 1}", rec["enhet"] == u) for u in range(UNITS)]
        key_of = lambda m: (period, pop_id) if m == POP else (period, i)  # noqa: E731
        # Values per scope × grouping × group × measure.
        cells_per_scope = [("total", None)] + [(g, rec[g]) for g in groupings]
        for m, w in measures.items():
            for g, col in cells_per_scope:
                groups = 1 if col is None else GROUPINGS[g]
                for s, (scope, sel) in enumerate(scopes):
                    vals = np.bincount(np.zeros(n, int) if col is None else col, weights=w * sel, minlength=groups)
                    for grp in range(groups):
                        self.var(key_of(m) + (scope, g, grp, m), vals[grp])
                # grouping sums to total, per scope
                if col is not None and (key_of(m), g, m) not in self.declared:
                    self.declared.add((key_of(m), g, m))
                    for scope, _ in scopes:
                        self.b.sum_to(self.vars[key_of(m) + (scope, "total", 0, m)],
                                      [self.vars[key_of(m) + (scope, g, grp, m)] for grp in range(groups)])
                # organisation = sum of units (+ rest of rows without unit)
                if (key_of(m), g, m, "org") not in self.declared:
                    self.declared.add((key_of(m), g, m, "org"))
                    rest_sel = rec["enhet"] < 0
                    rest = np.bincount(np.zeros(n, int) if col is None else col, weights=w * rest_sel,
                                       minlength=groups)
                    for grp in range(groups):
                        parts = [self.vars[key_of(m) + (f"enhet {u + 1}", g, grp, m)] for u in range(UNITS)]
                        if rest_sel.any():
                            parts.append(self.var(key_of(m) + ("rest", g, grp, m), rest[grp], protect=False))
                        self.b.sum_to(self.vars[key_of(m) + ("org", g, grp, m)], parts)
        # Cells: one per scope × grouping × group (× category), plus the organisation's unit grouping.
        rows = [(scope, g, grp) for scope, _ in scopes for g, col in cells_per_scope
                for grp in range(1 if col is None else GROUPINGS[g])]
        rows += [("org", "enhet", u) for u in range(UNITS)]
        for scope, g, grp in rows:
            where = (f"enhet {grp + 1}", "total", 0) if g == "enhet" else (scope, g, grp)
            v = {m: self.vars[key_of(m) + where + (m,)] for m in measures}
            label = f"{period} ind{i} {scope} {g} {grp}"
            total = 50.0 if g == "total" else 1.0
            if kind == "andel":
                num, den = v["täljare"], v[POP]
                x, d = self.value[num], self.value[den]
                primary = self.small(x) or self.small(d) or self.small(d - x) or \
                    ((x == 0 or x == d) and 0 < d < self.min_group)
                c = self.b.add_cell(label, primary, total * (1 + x), shows=(num, den))
                self.b.complement(c, num, den)
            elif kind == "fördelning":
                base = v[POP]
                for m, var in v.items():
                    if m == POP:
                        continue
                    x, d = self.value[var], self.value[base]
                    self.b.add_cell(f"{label} {m}", self.small(x) or self.small(d), total * (1 + x), shows=(var, base))
            else:
                x = self.value[v[POP]]
                self.b.add_cell(label, self.small(x), total * (1 + x), shows=(v[POP],))
                if kind == "medel":  # the median of the same population shows the same n
                    self.b.add_cell(label + " median", self.small(x), total * (1 + x), shows=(v[POP],))


def synthetic(clients: int = 5000, periods: int = 2, seed: int = 1, indicators: int = 34) -> LinkedSet:
    """A linked set shaped like the workbench's publication for `clients` clients a year."""
    gen = _Generator(clients, seed)
    rng = gen.rng
    for period in range(periods):
        pop = None
        for i in range(indicators):
            kind = KINDS[i % len(KINDS)]
            if pop is None or i % 5 != 1 or kind == "antal":  # every fifth indicator shares its population
                n = int(rng.integers(clients // 40, clients // 2))
                groupings = list(rng.choice(list(GROUPINGS), size=int(rng.integers(4, 8)), replace=False))
                rec = gen.population(n, groupings, unitless=0.01 if i % 4 == 0 else 0.0)
                pop = (i, groupings, rec)
            gen.indicator(period, i, ("pop", pop[0]), pop[2], pop[1], kind)
    return gen.b.build()


def _timed(f):
    wall, cpu = time.perf_counter(), time.process_time()
    out = f()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def measure(linked: LinkedSet, name: str = "", exact: bool = True) -> dict:
    """Protect and audit `linked` and print the figures: protect (with its own audit), a fresh audit of the
    result, and (exact=True) an audit with exact intervals for every quantity. Seconds are wall clock, with
    the process's CPU time in brackets (on a busy machine the two differ)."""
    result, t_protect, c_protect = _timed(lambda: protect(linked))
    final, t_audit, c_audit = _timed(lambda: audit(linked, result.suppressed))
    figures = {"celler": linked.n_cells, "variabler": linked.n_variables,
               "samband": linked.equalities.shape[0] + linked.inequalities.shape[0],
               "primära": result.n_primary, "sekundära": result.n_secondary,
               "dolda variabler": int(result.hidden.sum()), "granskade": final.audited,
               "omgångar": result.iterations, "publicerade igen": result.republished,
               "protect s": f"{t_protect:.2f} ({c_protect:.2f})",
               "audit s": f"{t_audit:.2f} ({c_audit:.2f})", "godkänd": final.passed}
    if exact:
        exact_audit, t_exact, c_exact = _timed(lambda: audit(linked, result.suppressed, exact=True))
        figures["exakt audit s"] = f"{t_exact:.2f} ({c_exact:.2f})"
        figures["godkänd"] = figures["godkänd"] and exact_audit.passed
    figures["topp MiB"] = round(_peak_mib())
    print(f"{name:>16} " + "  ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[5000, 50000])
    ap.add_argument("--periods", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-exact", action="store_true", help="skip the audit with exact intervals")
    ap.add_argument("--case", default=None, help="a pickled dict of LinkedSets to measure instead")
    args = ap.parse_args()
    if args.case:
        import pickle
        with open(args.case, "rb") as f:
            case = pickle.load(f)
        for name, value in case.items():
            if isinstance(value, LinkedSet):
                measure(value, name, exact=not args.no_exact)
        return
    if len(args.clients) > 1:  # one process per size, so that each peak memory is its own
        for clients in args.clients:
            subprocess.run([sys.executable, __file__, "--clients", str(clients), "--periods", str(args.periods),
                            "--seed", str(args.seed)] + (["--no-exact"] if args.no_exact else []), check=True)
        return
    clients = args.clients[0]
    linked, t, _ = _timed(lambda: synthetic(clients, args.periods, args.seed))
    print(f"{clients} klienter/år: genererat på {t:.1f} s", flush=True)
    measure(linked, f"{clients} klienter", exact=not args.no_exact)


if __name__ == "__main__":
    main()
