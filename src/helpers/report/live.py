"""Live numbers in the analyst's texts: ``{{ mal_i_arenden.andel }}`` is replaced by the publication's cell.

A text file can name any indicator of the publication and read, for the report's own scope:
``varde``/``andel`` (the period's value with its unit), ``n``, ``antal`` (the numerator), ``tidigare`` (last
year's value), ``forandring`` ("+3 procentenheter"), ``riktning`` ("ökade", "minskade", "var oförändrad"),
``fran_till`` ("från 77 % år 2024 till 76 % år 2025"), ``malvarde`` and ``status`` (the committee's goal);
``enhet("barn_unga")``, ``grupp("sex", "kvinna")`` and ``kategori("Q6")`` select another cell. ``mal.antal``,
``mal.uppnadda``, ``mal.delvis``, ``mal.inte_uppnadda`` and ``mal.kan_inte_matas`` count the goal table.
Every value carries an invisible marker naming its cell, so that the claims check can compare the words around it
with the numbers (``claims``); the markers are removed before the text reaches the report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import jinja2
import jinja2.sandbox
import pandas as pd

from ..analysis.comparisons import difference, signed
from ..formatting import format_value, integer
from ..grouping import TOTAL_GROUP
from ..indicators.registry import REGISTRY

START, MID, END = "\x00", "\x01", "\x02"
MARK = re.compile("\x00(\\d+)\x01(.*?)\x02", re.S)
SUPPRESSED_TEXT = "(uppgiften visas inte: den bygger på för få personer)"
MISSING_TEXT = "(uppgift saknas)"


@dataclass
class Reference:
    """One value written into a text, and what it rests on."""
    name: str
    field: str
    scope: str | None
    grouping: str
    group: str
    category: str
    text: str
    value: float | None = None
    previous: float | None = None
    unit: str = "andel"
    goal_status: str | None = None
    allowed: list[float] = field(default_factory=list)  # numbers a sentence may also state about this cell

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass
class TextContext:
    """What a report's texts may refer to: its scope's cells, last year's cells, its goal table."""
    publication: object
    scope: str | None
    goals: pd.DataFrame
    references: list[Reference] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def record(self, ref: Reference) -> str:
        self.references.append(ref)
        return f"{START}{len(self.references) - 1}{MID}{ref.text}{END}"


def _number(cell) -> float | None:
    if cell is None or cell["status"] != "publicerad" or pd.isna(cell["value"]):
        return None
    return float(cell["value"])


class CellRef:
    """An indicator (or one of its cells) as the texts see it."""

    def __init__(self, ctx: TextContext, name: str, scope=None, grouping="total", group=TOTAL_GROUP, category=""):
        self._ctx, self._name, self._scope = ctx, name, scope
        self._grouping, self._group, self._category = grouping, group, category

    # -- other cells ------------------------------------------------------------------------------------
    def enhet(self, code: str) -> "CellRef":
        return CellRef(self._ctx, self._name, code, "total", TOTAL_GROUP, self._category)

    def grupp(self, grouping: str, group: str) -> "CellRef":
        return CellRef(self._ctx, self._name, self._scope, grouping, group, self._category)

    def kategori(self, category: str) -> "CellRef":
        return CellRef(self._ctx, self._name, self._scope, self._grouping, self._group, category)

    # -- values -----------------------------------------------------------------------------------------
    def _cells(self):
        pub = self._ctx.publication
        if self._category == "" and self._name in REGISTRY and REGISTRY[self._name].distribution:
            raise ValueError(f"indikatorn {self._name} är en fördelning: välj kategori med kategori(\"…\")")
        prev = str(int(pub.period) - 1)
        return (pub.cell(self._name, self._scope, pub.period, self._grouping, self._group, self._category),
                pub.cell(self._name, self._scope, prev, self._grouping, self._group, self._category))

    def _goal(self):
        g = self._ctx.goals
        if g is None or g.empty or self._grouping != "total" or self._category:
            return None
        rows = g[g["indikator"] == self._name]
        return rows.iloc[0] if len(rows) else None

    def _ref(self, field_name: str, text: str, now, before, extra=()) -> str:
        unit = REGISTRY[self._name].unit
        goal = self._goal()
        ref = Reference(self._name, field_name, self._scope, self._grouping, self._group, self._category, text,
                        _number(now), _number(before), unit, None if goal is None else str(goal["status"]))
        ref.allowed = [v for v in (ref.value, ref.previous, *extra) if v is not None]
        return self._ctx.record(ref)

    def _value_text(self, cell) -> str:
        if cell is None:
            return MISSING_TEXT
        if cell["status"] != "publicerad":
            return SUPPRESSED_TEXT
        return format_value(cell["value"], REGISTRY[self._name].unit)

    @property
    def varde(self) -> str:
        now, before = self._cells()
        return self._ref("varde", self._value_text(now), now, before)

    andel = varde

    @property
    def tidigare(self) -> str:
        now, before = self._cells()
        return self._ref("tidigare", self._value_text(before), now, before)

    @property
    def n(self) -> str:
        now, before = self._cells()
        text = SUPPRESSED_TEXT if now is None or now["status"] != "publicerad" else integer(now["n"])
        extra = () if now is None or pd.isna(now["n"]) else (float(now["n"]),)
        return self._ref("n", text, now, before, extra)

    @property
    def antal(self) -> str:
        now, before = self._cells()
        if now is None or now["status"] != "publicerad":
            return self._ref("antal", SUPPRESSED_TEXT, now, before)
        value = now["value"] if REGISTRY[self._name].kind == "count" else now["numerator"]
        return self._ref("antal", integer(value), now, before, (float(value),))

    @property
    def forandring(self) -> str:
        now, before = self._cells()
        a, b = _number(now), _number(before)
        if a is None or b is None:
            return self._ref("forandring", "(kan inte jämföras med föregående år)", now, before)
        diff, unit = difference(a, b, REGISTRY[self._name].unit)
        return self._ref("forandring", f"{signed(diff)} {unit}".rstrip(), now, before, (abs(diff),))

    @property
    def riktning(self) -> str:
        now, before = self._cells()
        a, b = _number(now), _number(before)
        if a is None or b is None:
            return self._ref("riktning", "kan inte jämföras med föregående år", now, before)
        diff, _ = difference(a, b, REGISTRY[self._name].unit)
        word = "var oförändrad" if signed(diff) == "±0" else ("ökade" if diff > 0 else "minskade")
        return self._ref("riktning", word, now, before)

    @property
    def fran_till(self) -> str:
        pub = self._ctx.publication
        now, before = self._cells()
        text = (f"från {self._value_text(before)} år {int(pub.period) - 1} till {self._value_text(now)} "
                f"år {pub.period}")
        return self._ref("fran_till", text, now, before)

    @property
    def malvarde(self) -> str:
        goal, (now, before) = self._goal(), self._cells()
        return self._ref("malvarde", "(inget mål)" if goal is None else str(goal["malvarde_text"]), now, before)

    @property
    def status(self) -> str:
        goal, (now, before) = self._goal(), self._cells()
        return self._ref("status", "(inget mål)" if goal is None else str(goal["status"]), now, before)

    def __str__(self) -> str:
        return self.varde


class GoalCounts:
    """``mal.antal`` and the number of goals in each status."""

    def __init__(self, ctx: TextContext):
        self._ctx = ctx

    def _count(self, field_name: str, statuses) -> str:
        g = self._ctx.goals
        k = 0 if g is None or g.empty else int(g["status"].isin(statuses).sum() if statuses else len(g))
        ref = Reference("mal", field_name, self._ctx.scope, "total", TOTAL_GROUP, "", str(k), float(k), None,
                        "antal", None, [float(k)])
        return self._ctx.record(ref)

    antal = property(lambda self: self._count("antal", None))
    uppnadda = property(lambda self: self._count("uppnadda", ["uppnått"]))
    delvis = property(lambda self: self._count("delvis", ["delvis uppnått"]))
    inte_uppnadda = property(lambda self: self._count("inte_uppnadda", ["inte uppnått"]))
    kan_inte_matas = property(lambda self: self._count("kan_inte_matas", ["kan inte mätas"]))


class _Unknown(jinja2.Undefined):
    """An unknown name renders visibly and is listed as an error in the check list."""

    def __str__(self) -> str:
        ctx = _current.get("ctx")
        name = self._undefined_name or "?"
        if ctx is not None:
            ctx.unknown.append(name)
        return f"[okänd hänvisning: {name}]"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Unknown(name=f"{self._undefined_name}.{name}")

    def __call__(self, *args, **kwargs):
        return self


_current: dict = {}
_ENV = jinja2.sandbox.SandboxedEnvironment(undefined=_Unknown, autoescape=False, keep_trailing_newline=True)


def render(text: str, ctx: TextContext) -> str:
    """The text with its references replaced by marked values (see ``strip``)."""
    names = {name: CellRef(ctx, name, ctx.scope) for name in REGISTRY}
    _current["ctx"] = ctx
    try:
        return _ENV.from_string(text).render(**names, mal=GoalCounts(ctx))
    except jinja2.TemplateError as exc:
        ctx.unknown.append(f"mallfel: {exc}")
        return text
    except ValueError as exc:
        ctx.unknown.append(str(exc))
        return text
    finally:
        _current.pop("ctx", None)


def strip(text: str) -> str:
    """The text as a reader sees it: the markers removed, the values kept."""
    return MARK.sub(lambda m: m.group(2), text)
