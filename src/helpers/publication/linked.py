"""The linked set of published cells: the quantities they reveal and the relations between them.

Variables are non-negative counts (numerators, denominators, counts, the n of a mean or median). A cell shows
one or more variables; a variable is public as soon as one published cell shows it. Relations are
equalities A·x = 0 and inequalities G·x ≤ 0. Audited expressions (e.g. the complement denominator − numerator
of a share) belong to a cell and are attacked when that cell is suppressed.

    b = LinkedSetBuilder(protection=5)
    total = b.add_count("Totalt", 40, cost=1000)[1]            # a cell showing its own count
    women = b.add_count("Kvinnor", 3, primary=True, cost=4)[1]
    men = b.add_count("Män", 37, cost=38)[1]
    b.sum_to(total, [women, men], "Totalt = kvinnor + män")
    num, base = b.add_variable("Täljare", 38), b.add_variable("Antal", 40)
    share = b.add_cell("Andel", primary=True, cost=39, shows=(num, base))
    b.complement(share, num, base)                              # num ≤ base; audit base − num
    result = protect(b.build())                                 # protect.py

Costs: what hiding a cell costs (e.g. 1 + its count, totals much more); an infinite cost means never hide it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Mapping

import numpy as np
from scipy import sparse

from ..formatting import SUPPRESSED as SYMBOL, number

PUBLISHED = "published"
SUPPRESSED = "suppressed"
FIXED = (None, PUBLISHED, SUPPRESSED)
TOLERANCE = 1e-6


class RelationError(ValueError):
    """A declared relation that the true values do not satisfy (a programming error; Swedish message)."""


def _csr(m, n_cols: int, name: str) -> sparse.csr_matrix:
    out = sparse.csr_matrix(m, dtype=float) if m is not None else sparse.csr_matrix((0, n_cols))
    if out.shape[1] != n_cols:
        raise ValueError(f"{name} har {out.shape[1]} kolumner men mängden har {n_cols} variabler.")
    out.sum_duplicates()
    out.eliminate_zeros()
    return out


def _labels(labels, n: int, default: str, name: str) -> np.ndarray:
    out = np.array([f"{default} {i}" for i in range(n)] if labels is None else list(labels), dtype=object)
    if len(out) != n:
        raise ValueError(f"{name} har {len(out)} etiketter men {n} rader.")
    return out


@dataclass(eq=False)
class LinkedSet:
    """Every cell of one publication with the variables they show and the relations between the variables."""
    value: np.ndarray
    variable_label: np.ndarray
    primary: np.ndarray
    cost: np.ndarray
    cell_label: np.ndarray
    shows: sparse.csr_matrix  # C × V, non-zero where the cell shows the variable
    equalities: sparse.csr_matrix | None = None  # R × V, A·x = 0
    inequalities: sparse.csr_matrix | None = None  # Q × V, G·x ≤ 0
    expressions: sparse.csr_matrix | None = None  # X × V, audited when their cell is suppressed
    expression_cell: np.ndarray | None = None
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    protect: np.ndarray | None = None
    fixed: np.ndarray | None = None
    equality_label: np.ndarray | None = None
    inequality_label: np.ndarray | None = None
    expression_label: np.ndarray | None = None
    protection: int = 5
    hidden_values_known: bool = True  # False for an outsider's audit: hidden values are placeholders

    def __post_init__(self) -> None:
        self.value = np.asarray(self.value, dtype=float)
        n_var = len(self.value)
        self.variable_label = _labels(self.variable_label, n_var, "variabel", "Variablerna")
        self.lower = np.zeros(n_var) if self.lower is None else np.asarray(self.lower, dtype=float)
        self.upper = np.full(n_var, np.inf) if self.upper is None else np.asarray(self.upper, dtype=float)
        self.protect = np.ones(n_var, bool) if self.protect is None else np.asarray(self.protect, dtype=bool)
        self.primary = np.asarray(self.primary, dtype=bool)
        n_cell = len(self.primary)
        self.cost = np.asarray(self.cost, dtype=float)
        self.cell_label = _labels(self.cell_label, n_cell, "cell", "Cellerna")
        self.fixed = np.full(n_cell, None, dtype=object) if self.fixed is None else np.asarray(self.fixed, dtype=object)
        for name, arr, n in (("lower", self.lower, n_var), ("upper", self.upper, n_var),
                             ("protect", self.protect, n_var), ("cost", self.cost, n_cell),
                             ("fixed", self.fixed, n_cell)):
            if arr.shape != (n,):
                raise ValueError(f"'{name}' har formen {arr.shape}, väntade ({n},).")
        if not np.isfinite(self.value).all() or (self.lower < 0).any():
            raise ValueError("Variablernas värden måste vara ändliga och undre gränserna icke-negativa.")
        bad = np.flatnonzero((self.value < self.lower - TOLERANCE) | (self.value > self.upper + TOLERANCE))
        if len(bad):
            raise ValueError(f"Värdet ligger utanför gränserna för variabeln '{self.variable_label[bad[0]]}'.")
        if (self.cost < 0).any() or np.isnan(self.cost).any():
            raise ValueError("Kostnaderna måste vara icke-negativa tal.")
        wrong = [f for f in self.fixed if f not in FIXED]
        if wrong:
            raise ValueError(f"Okänd fastställd status {wrong[0]!r}; "
                             "tillåtna är None, 'published' och 'suppressed'.")
        self.shows = _csr(self.shows, n_var, "Matrisen 'shows'")
        if self.shows.shape[0] != n_cell:
            raise ValueError(f"Matrisen 'shows' har {self.shows.shape[0]} rader men mängden har {n_cell} celler.")
        self.equalities = _csr(self.equalities, n_var, "Likheterna")
        self.inequalities = _csr(self.inequalities, n_var, "Olikheterna")
        self.expressions = _csr(self.expressions, n_var, "Uttrycken")
        n_expr = self.expressions.shape[0]
        self.expression_cell = (np.zeros(0, dtype=np.int64) if self.expression_cell is None
                                else np.asarray(self.expression_cell, dtype=np.int64))
        cells = self.expression_cell
        if cells.shape != (n_expr,) or ((cells < 0) | (cells >= n_cell)).any():
            raise ValueError("Varje granskat uttryck måste höra till en cell.")
        self.equality_label = _labels(self.equality_label, self.equalities.shape[0], "likhet", "Likheterna")
        self.inequality_label = _labels(self.inequality_label, self.inequalities.shape[0], "olikhet", "Olikheterna")
        default = [f"{self.cell_label[c]} (uttryck)" for c in self.expression_cell]
        self.expression_label = _labels(default if self.expression_label is None else self.expression_label,
                                        n_expr, "uttryck", "Uttrycken")
        if int(self.protection) != self.protection or self.protection < 1:
            raise ValueError("Skyddsintervallet måste vara ett heltal som är minst 1.")
        self.protection = int(self.protection)

    @property
    def values_known(self) -> bool:
        """Whether the values of hidden variables are the true ones (not so in an outsider's audit)."""
        return self.hidden_values_known

    @property
    def n_variables(self) -> int:
        return len(self.value)

    @property
    def n_cells(self) -> int:
        return len(self.primary)

    @cached_property
    def cells_of_variable(self) -> sparse.csr_matrix:
        """V × C: the cells that show each variable."""
        return self.shows.T.tocsr()

    @cached_property
    def equalities_of_variable(self) -> sparse.csr_matrix:
        """V × R: the equalities each variable appears in, with its coefficient."""
        return self.equalities.T.tocsr()

    @cached_property
    def equality_pattern(self) -> sparse.csr_matrix:
        """R × V, 1 where the variable appears in the equality."""
        return (self.equalities != 0).astype(np.int64).tocsr()

    @cached_property
    def relations(self) -> sparse.csr_matrix:
        """Equalities stacked over inequalities (R + Q) × V."""
        return sparse.vstack([self.equalities, self.inequalities], format="csr")

    @cached_property
    def relations_by_variable(self) -> sparse.csc_matrix:
        return self.relations.tocsc()

    @cached_property
    def fixed_published(self) -> np.ndarray:
        return np.array([f == PUBLISHED for f in self.fixed], dtype=bool)

    @cached_property
    def fixed_suppressed(self) -> np.ndarray:
        return np.array([f == SUPPRESSED for f in self.fixed], dtype=bool)

    @cached_property
    def shows_any(self) -> np.ndarray:
        return np.diff(self.shows.indptr) > 0

    @cached_property
    def expression_terms(self) -> sparse.csr_matrix:
        """X × V, 1 where the variable appears in the audited expression."""
        return (self.expressions != 0).astype(np.int64).tocsr()

    @cached_property
    def has_expression(self) -> np.ndarray:
        out = np.zeros(self.n_cells, bool)
        out[self.expression_cell] = True
        return out

    def initial_suppressed(self) -> np.ndarray:
        """Primary cells and cells fixed as suppressed; a cell fixed as published stays published."""
        return (self.primary | self.fixed_suppressed) & ~self.fixed_published

    def hidden(self, suppressed: np.ndarray) -> np.ndarray:
        """Variables that no published cell shows."""
        published = (~np.asarray(suppressed, dtype=bool)).astype(float)
        return (self.cells_of_variable @ published) == 0

    def _describe(self, row: sparse.csr_matrix) -> str:
        terms = []
        for j, a in zip(row.indices, row.data):
            sign = "−" if a < 0 else "+"
            coef = "" if abs(a) == 1 else f"{number(abs(a), 0 if float(a).is_integer() else 2)}·"
            terms.append(f"{sign} {coef}{number(self.value[j])} ({self.variable_label[j]})")
        text = " ".join(terms)
        return text[2:] if text.startswith("+ ") else text

    def check_relations(self) -> None:
        """Raise RelationError naming every relation that the true values violate."""
        problems = []
        for m, labels, equal in ((self.equalities, self.equality_label, True),
                                 (self.inequalities, self.inequality_label, False)):
            lhs = m @ self.value
            bad = np.flatnonzero(np.abs(lhs) > TOLERANCE) if equal else np.flatnonzero(lhs > TOLERANCE)
            for r in bad:
                want = "inte 0" if equal else "som ska vara högst 0"
                problems.append(f"sambandet '{labels[r]}' stämmer inte: {self._describe(m[r])} = "
                                f"{number(lhs[r], 0 if float(lhs[r]).is_integer() else 2)}, {want}")
        if problems:
            shown = "; ".join(problems[:5]) + (f"; och {len(problems) - 5} till" if len(problems) > 5 else "")
            raise RelationError(f"{len(problems)} samband stämmer inte med de sanna värdena: {shown}.")


class LinkedSetBuilder:
    """Declare variables, cells and relations one at a time; `build()` makes the matrices."""

    def __init__(self, protection: int = 5) -> None:
        self.protection = protection
        self._var: list[tuple[str, float, bool, float, float]] = []
        self._cell: list[tuple[str, bool, float, str | None]] = []
        self._shows: list[tuple[int, int]] = []
        self._eq: list[tuple[dict[int, float], str]] = []
        self._ineq: list[tuple[dict[int, float], str]] = []
        self._expr: list[tuple[int, dict[int, float], str]] = []

    def _check_var(self, *variables: int) -> None:
        for v in variables:
            if not 0 <= v < len(self._var):
                raise IndexError(f"Variabeln {v} finns inte.")

    def add_variable(self, label: str, value: float, protect: bool = True, lower: float = 0.0,
                     upper: float = math.inf) -> int:
        self._var.append((label, float(value), bool(protect), float(lower), float(upper)))
        return len(self._var) - 1

    def add_cell(self, label: str, primary: bool = False, cost: float = 1.0, fixed: str | None = None,
                 shows: Iterable[int] = ()) -> int:
        if fixed not in FIXED:
            raise ValueError(f"Okänd fastställd status {fixed!r}.")
        self._cell.append((label, bool(primary), float(cost), fixed))
        cell = len(self._cell) - 1
        self.shows(cell, *shows)
        return cell

    def add_count(self, label: str, value: float, primary: bool = False, cost: float = 1.0,
                  fixed: str | None = None, protect: bool = True) -> tuple[int, int]:
        """A cell that shows one count of its own: returns (cell, variable)."""
        var = self.add_variable(label, value, protect)
        return self.add_cell(label, primary, cost, fixed, shows=(var,)), var

    def shows(self, cell: int, *variables: int) -> None:
        if not 0 <= cell < len(self._cell):
            raise IndexError(f"Cellen {cell} finns inte.")
        self._check_var(*variables)
        self._shows.extend((cell, v) for v in variables)

    def _terms(self, coefficients: Mapping[int, float]) -> dict[int, float]:
        self._check_var(*coefficients)
        return {int(v): float(a) for v, a in coefficients.items() if a != 0}

    def relation(self, coefficients: Mapping[int, float], label: str | None = None) -> int:
        """Σ coefficient · variable = 0."""
        self._eq.append((self._terms(coefficients), label or f"likhet {len(self._eq)}"))
        return len(self._eq) - 1

    def equal(self, plus: Iterable[int], minus: Iterable[int], label: str | None = None) -> int:
        """Σ plus = Σ minus (a variable listed twice counts twice)."""
        terms: dict[int, float] = {}
        for v in plus:
            terms[v] = terms.get(v, 0.0) + 1.0
        for v in minus:
            terms[v] = terms.get(v, 0.0) - 1.0
        return self.relation(terms, label)

    def sum_to(self, total: int, parts: Iterable[int], label: str | None = None) -> int:
        """total = Σ parts."""
        return self.equal([total], parts, label)

    def inequality(self, coefficients: Mapping[int, float], label: str | None = None) -> int:
        """Σ coefficient · variable ≤ 0."""
        self._ineq.append((self._terms(coefficients), label or f"olikhet {len(self._ineq)}"))
        return len(self._ineq) - 1

    def at_most(self, smaller: int, larger: int, label: str | None = None) -> int:
        """smaller ≤ larger (e.g. numerator ≤ denominator)."""
        return self.inequality({smaller: 1.0, larger: -1.0} if smaller != larger else {}, label)

    def audit_expression(self, cell: int, coefficients: Mapping[int, float], label: str | None = None) -> int:
        if not 0 <= cell < len(self._cell):
            raise IndexError(f"Cellen {cell} finns inte.")
        self._expr.append((cell, self._terms(coefficients), label or f"{self._cell[cell][0]} (uttryck)"))
        return len(self._expr) - 1

    def complement(self, cell: int, numerator: int, denominator: int, label: str | None = None) -> int:
        """Declare numerator ≤ denominator and audit denominator − numerator when the cell is suppressed."""
        self.at_most(numerator, denominator, f"{self._cell[cell][0]}: täljare ≤ nämnare")
        return self.audit_expression(cell, {denominator: 1.0, numerator: -1.0},
                                     label or f"{self._cell[cell][0]} (komplement)")

    @staticmethod
    def _matrix(rows: list[dict[int, float]], n_cols: int) -> sparse.csr_matrix:
        i = [r for r, terms in enumerate(rows) for _ in terms]
        j = [v for terms in rows for v in terms]
        a = [c for terms in rows for c in terms.values()]
        return sparse.csr_matrix((a, (i, j)), shape=(len(rows), n_cols))

    def build(self, check: bool = True) -> LinkedSet:
        n_var, n_cell = len(self._var), len(self._cell)
        pairs = np.array(self._shows, dtype=np.int64).reshape(-1, 2)
        shows = sparse.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n_cell, n_var))
        shows = (shows != 0).astype(float)  # a pair declared twice is still one
        out = LinkedSet(
            value=[v[1] for v in self._var], variable_label=[v[0] for v in self._var],
            protect=[v[2] for v in self._var], lower=[v[3] for v in self._var], upper=[v[4] for v in self._var],
            primary=[c[1] for c in self._cell], cost=[c[2] for c in self._cell], cell_label=[c[0] for c in self._cell],
            fixed=np.array([c[3] for c in self._cell], dtype=object), shows=shows,
            equalities=self._matrix([t for t, _ in self._eq], n_var), equality_label=[l for _, l in self._eq],
            inequalities=self._matrix([t for t, _ in self._ineq], n_var), inequality_label=[l for _, l in self._ineq],
            expressions=self._matrix([t for _, t, _ in self._expr], n_var),
            expression_cell=[c for c, _, _ in self._expr], expression_label=[l for _, _, l in self._expr],
            protection=self.protection)
        if check:
            out.check_relations()
        return out


# Texts for the report's method section and the audit file (Swedish, read by the committee and auditors).
METHOD_NAME = ("Länkad sekundär undertryckning med angriparkontroll (heuristik i stil med SIMPLEHEURISTIC i "
               "sdcTable) och granskning med linjärprogrammering")
PRIMARY_RULES = ("Primär undertryckning: en cell döljs om den visar ett antal från 1 till {last} – som antal, "
                 "täljare, nämnare, komplement (nämnare minus täljare) eller antal personer (n) bakom ett "
                 "medelvärde eller en median – eller en andel på 0 % eller 100 % i en grupp med färre än "
                 "{min_group} personer. Värdet 0 är i sig inte skäl att dölja en cell.")
SECONDARY_METHOD = ("Sekundär undertryckning: alla celler som publiceras för perioden skyddas tillsammans som "
                    "en länkad mängd – indelningar som summerar till totalen, kategorier med gemensam bas, "
                    "samma bas i flera indikatorer, organisationen som summan av enheterna, månader som "
                    "summerar till året och komplement. Varje cell har ett pris; den billigaste cell som "
                    "hjälper döljs tills ingen dold uppgift längre kan räknas fram eller ringas in för snävt. "
                    "Totaler och stora celler har högt pris och förblir därför synliga. Även celler med värdet 0 "
                    "kan döljas, så att en dold cell inte avslöjar att värdet är minst 1. Till sist prövas "
                    "varje sekundärt dold cell igen, den dyraste först, och publiceras om granskningen ändå går "
                    "igenom. Celler som redan publicerats eller dolts i en tidigare redovisning behåller sin "
                    "status.")
AUDIT_METHOD = ("Granskning: en angripare som har alla publicerade celler samtidigt och känner alla samband "
                "mellan dem räknar med linjärprogrammering ut det minsta och det största värde som varje dold "
                "uppgift kan ha (gränserna avrundas inåt till heltal). Redovisningen godkänns bara om varje "
                "sådant intervall är minst {p} brett (skyddsintervall {p}); en uppgift som kan räknas fram "
                "exakt eller ringas in snävare underkänns, liksom en primärt undertryckt cell vars alla "
                "uppgifter går att läsa av i andra celler. En dold nolla som inte ingår i en primärt undertryckt "
                "cell behöver inget intervall: den gäller ingen person. Inget publiceras förrän granskningen går "
                "igenom.")
READER_LOSES = ("Det här förlorar läsaren: en undertryckt cell visas som {symbol} och saknar värde, täljare, "
                "nämnare och konfidensintervall. Synliga delar summerar därför inte alltid till den synliga "
                "totalen, och vissa grupper eller enheter går inte att jämföra det året.")


def method_texts(min_cell: int = 5, min_group: int = 10, protection: int | None = None) -> dict[str, str]:
    """The method texts with the thresholds filled in (protection defaults to min_cell)."""
    p = min_cell if protection is None else protection
    return {"name": METHOD_NAME, "primary": PRIMARY_RULES.format(last=min_cell - 1, min_group=min_group),
            "secondary": SECONDARY_METHOD, "audit": AUDIT_METHOD.format(p=p),
            "reader": READER_LOSES.format(symbol=SYMBOL)}
