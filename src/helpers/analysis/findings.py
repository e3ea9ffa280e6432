"""Key findings (nyckelfynd): the committee's goals that were missed, and the changes and group differences that
pass one stated rule, each once, in plain Swedish with its n.

The rule (``RULE_TEXT`` says it in Swedish; ``rapport: {fynd: {...}}`` in the config sets its numbers):

- Only shares are tested. A change compares a share of the whole scope with the same share the year before; a
  group difference compares a group with the rest of its scope (the group's complement: the scope's total minus
  the group), never with the total that contains it, which would understate the difference and break the test's
  independence. When the complement cannot be formed from published numbers (a suppressed total or group, or a
  rest smaller than the disclosure threshold) the comparison is not made and not counted.
- The test is the two-sided two-proportion z-test, or Fisher's exact test when an expected count is under 5.
- The p-values of every comparison made for the report are adjusted together, by Holm's method by default.
  Holm controls the family-wise error rate: the chance that even one of the printed findings is chance alone stays
  under ``alfa``. That fits a list the committee reads bullet by bullet, each as a fact, and it holds under any
  dependence between the comparisons (a group and its complement share their total; two years share clients),
  where Benjamini–Hochberg's false discovery rate needs independence or positive dependence and accepts that a
  share of the printed findings is false. ``metod: bh`` chooses Benjamini–Hochberg.
- A difference must also be at least ``min_skillnad`` (a share, 0.05 = 5 procentenheter) to matter.
- Groups and categories meaning "uppgift saknas" never become findings and are not tested. Which categories of a
  distribution are tested is fixed in advance (``HEADLINES``), so the family does not depend on the data.
- Each fact once: an indicator that is a view of another's category is tested once, under its own name; several
  categories of one indicator with the same group and direction (survey questions) make one bullet.
- At most ``max_antal`` change and difference findings, chosen in turns over the indicators: each indicator's
  largest difference first, then each one's second largest, and so on (every one is already larger than chance
  explains, so the size is what matters to the reader, and one indicator cannot fill the list); missed goals
  are always listed, once each, from the goal table.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from .. import formatting as fmt, labels
from ..grouping import MISSING_GROUP
from ..atomic import write_text_atomic
from . import phrases, significance
from .goals import NOT_REACHED, PARTLY, IndicatorInfo, for_unit, goals_from_config

GOAL, CHANGE, DIFFERENCE = "mål", "förändring", "skillnad"
MISSING_CODES = {MISSING_GROUP.lower(), "okänt", "saknas", "ej_bedomt", "", "nan", "none", "<na>"}
# Distributions: the categories that are tested (the others are parts of the same whole).
HEADLINES = {"maluppfyllelse": ("positiv_uppfyllt",), "forandring_fore_efter": ("forbattrad",),
             "avslutade_insatser": ("planerad",)}
NOT_GROUPS = ("total", "month")
# When two groupings split the same people the same way, the comparison is made once, under the first of these.
GROUPING_ORDER = ("unit", "type", "target_group", "provider_type", "provider", "sex", "age_group")
CAUTION = ("Uppföljningsdata visar förändring, inte effekten av en insats: förändringen kan ha andra orsaker "
           "än insatsen (Socialstyrelsen 2014).")
NO_FINDINGS = "Inga mål missades och inga förändringar eller skillnader mellan grupper uppfyllde regeln för nyckelfynd."
MARKER_RE = re.compile(r"<!-- nyckelfynd genererade automatiskt, kontrollsumma ([0-9a-f]{12})[^>]*-->\n")
NUMBER_WORDS = {2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta", 9: "nio", 10: "tio"}


# --- the rule's numbers ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    min_difference: float = 0.05
    method: str = significance.HOLM
    alpha: float = 0.05
    max_count: int = 8


def _number(value, default: float, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return default
    return float(value) if low <= value <= high else default


def settings_from_config(config) -> Settings:
    """``rapport: {fynd: {min_skillnad, metod, alfa, max_antal}}``; anything missing or malformed: the default."""
    d = Settings()
    report = config.get("rapport") if config is not None else None
    raw = report.get("fynd") if isinstance(report, dict) else None
    if not isinstance(raw, dict):
        return d
    method = str(raw.get("metod", d.method)).strip().lower().replace("–", "-")
    method = {"benjamini-hochberg": significance.BH, "fdr": significance.BH}.get(method, method)
    max_count = raw.get("max_antal", d.max_count)
    return Settings(min_difference=_number(raw.get("min_skillnad"), d.min_difference, 0.0, 1.0),
                    method=method if method in significance.METHODS else d.method,
                    alpha=_number(raw.get("alfa"), d.alpha, 1e-6, 0.5),
                    max_count=int(max_count) if isinstance(max_count, int) and not isinstance(max_count, bool)
                    and max_count >= 0 else d.max_count)


def rule_text(settings: Settings = Settings(), tested: int | None = None) -> str:
    """The rule in Swedish, for the reader, once after the list."""
    points = fmt.number(settings.min_difference * 100, 0 if (settings.min_difference * 100).is_integer() else 1)
    text = (f"Så valdes nyckelfynden: en förändring mellan två år eller en skillnad mellan en grupp och övriga i "
            f"verksamheten blir ett nyckelfynd bara om den är minst {points} procentenheter och större än vad "
            f"slumpen kan förklara ({significance.Z_TEST}, {significance.FISHER} när underlaget är litet; "
            f"p-värdena justeras med {significance.METHODS[settings.method]} för alla jämförelser i "
            f"redovisningen, signifikansnivå {fmt.percent(settings.alpha)}). Bara andelar prövas, och grupper "
            f"där uppgift saknas blir aldrig nyckelfynd. Nämndens mål som inte nåtts eller bara delvis nåtts "
            f"tas alltid med.")
    if tested is not None:
        text += f" {fmt.integer(tested)} {'jämförelse' if tested == 1 else 'jämförelser'} prövades."
    return text


RULE_TEXT = rule_text()


# --- findings -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    indicator: str
    grouping: str
    group: str
    category: str
    period: str


@dataclass(frozen=True)
class Evidence:
    """One comparison (or one goal) a finding rests on. ``values`` and ``n`` are the numbers in the sentence:
    for a change (before, now); for a group (the group, the rest of the scope), where the rest is the total
    cell minus the group cell (both in ``cells``)."""
    cells: tuple[Cell, ...]
    values: tuple[float, ...]
    n: tuple[float | None, ...]
    difference: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    test: str = ""


@dataclass(frozen=True)
class Finding:
    text: str
    kind: str  # GOAL | CHANGE | DIFFERENCE
    indicator: str
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return self.text

    @property
    def cells(self) -> tuple[Cell, ...]:
        return tuple(c for e in self.evidence for c in e.cells)

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(v for e in self.evidence for v in e.values)

    @property
    def n(self) -> tuple[float | None, ...]:
        return tuple(v for e in self.evidence for v in e.n)

    @property
    def p_value(self) -> float | None:
        """The largest (weakest) p-value among the comparisons in the sentence."""
        ps = [e.p_value for e in self.evidence if e.p_value is not None]
        return max(ps) if ps else None

    @property
    def p_adjusted(self) -> float | None:
        ps = [e.p_adjusted for e in self.evidence if e.p_adjusted is not None]
        return max(ps) if ps else None

    def as_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, "indicator": self.indicator,
                "evidence": [asdict(e) for e in self.evidence]}


class KeyFindings(list):
    """The findings in report order, with the rule they were drawn by and how many comparisons were tested."""

    def __init__(self, items=(), settings: Settings = Settings(), tested: int = 0):
        super().__init__(items)
        self.settings = settings
        self.tested = tested

    @property
    def rule(self) -> str:
        return rule_text(self.settings, self.tested)


# --- goals ----------------------------------------------------------------------------------------------

def _goal_cells(config, scope: str | None) -> dict[str, tuple[str, str, str]]:
    """goal text -> (grouping, group, category) as the scope's report reads it."""
    if config is None:
        return {}
    try:
        goals = for_unit(goals_from_config(config), scope, getattr(config, "units", {}) or {})
    except Exception:  # a malformed goal list is reported by the goal table itself
        return {}
    return {g.text: (g.grouping, g.group, g.category) for g in goals}


def goal_findings(goal_table: pd.DataFrame | None, period: str, config=None, scope: str | None = None
                  ) -> list[Finding]:
    """One finding per goal not reached or partly reached, in the config's order."""
    if goal_table is None or goal_table.empty:
        return []
    where = _goal_cells(config, scope)
    out, seen = [], set()
    for _, g in goal_table[goal_table["status"].isin([NOT_REACHED, PARTLY])].iterrows():
        text = str(g["mal"]).strip()
        if text in seen:
            continue
        seen.add(text)
        grouping, group, category = where.get(text, ("total", "Totalt", ""))
        value = None if pd.isna(g["varde"]) else float(g["varde"])
        n = None if pd.isna(g["n"]) else float(g["n"])
        evidence = Evidence((Cell(str(g["indikator"]), grouping, group, category, str(period)),),
                            (value,), (n,))
        out.append(Finding(f"Målet ”{text.rstrip('.')}” är {g['status']}. {g['resultat_text']}".strip(), GOAL,
                           str(g["indikator"]), (evidence,)))
    return out


# --- comparisons to test --------------------------------------------------------------------------------

def _is_missing(code) -> bool:
    return code is None or (isinstance(code, float) and math.isnan(code)) or str(code).strip().lower() in MISSING_CODES


def _registry():
    try:
        from ..indicators.registry import REGISTRY
    except ImportError:  # pragma: no cover - the registry is part of the package
        return {}
    return REGISTRY


def _eligible_category(indicator: str, category: str, registry) -> bool:
    if indicator in HEADLINES:
        return category in HEADLINES[indicator]
    ind = registry.get(indicator)
    if ind is not None and ind.distribution:
        return False  # ratings 1–10, months 1–12: parts of a whole, not findings on their own
    return not category or not _is_missing(category)


def _view_duplicates(config, registry) -> dict[tuple[str, str], str]:
    """(indicator, category) -> the view indicator that shows the same cells under its own name."""
    out = {}
    for ind in registry.values():
        if ind.view is not None:
            out[(ind.view.of, ind.view.category_in(config) if config is not None else ind.view.category)] = ind.name
    return out


def candidates(comparisons: pd.DataFrame, period: str, config=None, min_cell: int = 5) -> pd.DataFrame:
    """The share comparisons the rule tests, with the counts of both sides: x, n (this side) and x_ref, n_ref
    (the year before, or the rest of the scope with a known value of the grouping: the total minus the group
    minus the grouping's "uppgift saknas" group when that is published). A comparison that another one already
    makes (the same two sets of people under another grouping, or a two-group grouping's mirror image) is made
    once, under the first grouping in ``GROUPING_ORDER``. ``other`` names the one group the rest consists of,
    when it does (women against men)."""
    cols = ["kind", "indicator", "label", "grouping", "group", "category", "period", "reference",
            "value", "n", "x", "value_ref", "n_ref", "x_ref", "other", "difference"]
    c = comparisons
    if c is None or c.empty:
        return pd.DataFrame(columns=cols)
    c = c[(c["skillnad_enhet"] == "procentenheter") & (c["period"].astype(str) == str(period))]
    c = c[c[["varde", "n", "ref_varde", "ref_n"]].notna().all(axis=1)]
    c = c[(c["n"] > 0) & (c["ref_n"] > 0)]
    c = c.assign(category=c["category"].fillna("").astype(str), group=c["group"].astype(str))
    time_rows = (c["jamforelse"] == "tid") & (c["grouping"] == "total")
    group_rows = (c["jamforelse"] == "grupp") & ~c["grouping"].isin(NOT_GROUPS)
    c = c[time_rows | group_rows]
    unknown = {(r.indikator, r.category, r.grouping): (round(r.varde * r.n), round(r.n))
               for r in c[(c["jamforelse"] == "grupp") & c["group"].map(_is_missing)].itertuples(index=False)}
    registry = _registry()
    c = c[[not _is_missing(g) and _eligible_category(i, cat, registry)
           for i, g, cat in zip(c["indikator"], c["group"], c["category"])]]
    views = _view_duplicates(config, registry)
    if views and len(c):
        named = set(zip(c["indikator"], c["jamforelse"], c["grouping"], c["group"]))
        c = c[[not ((i, cat) in views and (views[(i, cat)], k, gr, g) in named)
               for i, cat, k, gr, g in zip(c["indikator"], c["category"], c["jamforelse"], c["grouping"],
                                           c["group"])]]
    canon = {view: of for of, view in views.items()}
    known = {}
    for r in c[c["jamforelse"] == "grupp"].itertuples(index=False):
        known.setdefault((r.indikator, r.category, r.grouping), []).append((r.group, round(r.varde * r.n),
                                                                            round(r.n)))
    order = {g: k for k, g in enumerate(GROUPING_ORDER)}
    c = c.assign(_o=c["grouping"].map(lambda g: order.get(g, len(order)))).sort_values("_o", kind="stable")
    rows, seen = [], set()
    for r in c.itertuples(index=False):
        n, n_total = int(round(r.n)), int(round(r.ref_n))
        x, x_total = int(round(r.varde * r.n)), int(round(r.ref_varde * r.ref_n))
        other = ""
        if r.jamforelse == "tid":
            kind, x_ref, n_ref = CHANGE, x_total, n_total
        else:
            x_unknown, n_unknown = unknown.get((r.indikator, r.category, r.grouping), (0, 0))
            kind, x_ref, n_ref = DIFFERENCE, x_total - x - x_unknown, n_total - n - n_unknown
            if n_ref < max(1, min_cell) or not 0 <= x_ref <= n_ref:
                continue  # no rest to compare with: not tested
            same = (kind, canon.get(r.indikator, (r.indikator, r.category)), frozenset({(x, n), (x_ref, n_ref)}))
            if same in seen:
                continue
            seen.add(same)
            others = [g for g, gx, gn in known.get((r.indikator, r.category, r.grouping), ())
                      if g != r.group and (gx, gn) == (x_ref, n_ref)]
            other = others[0] if len(others) == 1 else ""
        rows.append({"kind": kind, "indicator": r.indikator, "label": r.etikett, "grouping": r.grouping,
                     "group": r.group, "category": r.category, "period": str(r.period),
                     "reference": str(r.referens), "value": x / n, "n": n, "x": x, "value_ref": x_ref / n_ref,
                     "n_ref": n_ref, "x_ref": x_ref, "other": other, "difference": x / n - x_ref / n_ref})
    return pd.DataFrame(rows, columns=cols)


def tested(comparisons: pd.DataFrame, period: str, settings: Settings = Settings(), config=None,
           min_cell: int = 5) -> pd.DataFrame:
    """Every candidate with its p-value, adjusted p-value and whether it passes the rule."""
    c = candidates(comparisons, period, config, min_cell)
    results = [significance.two_proportions(int(r.x), int(r.n), int(r.x_ref), int(r.n_ref))
               for r in c.itertuples(index=False)]
    c = c.assign(p_value=[p for p, _ in results], test=[t for _, t in results])
    c["p_adjusted"] = significance.adjust(c["p_value"].to_numpy(), settings.method) if len(c) else []
    c["passes"] = (c["p_adjusted"] < settings.alpha) & (c["difference"].abs() >= settings.min_difference - 1e-12)
    return c


# --- wording --------------------------------------------------------------------------------------------

def _count_word(k: int) -> str:
    return NUMBER_WORDS.get(k, fmt.integer(k))


def _shown(value, n) -> str:
    return f"{fmt.percent(value)} (n = {fmt.integer(n)})"


def _list(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " och " + parts[-1]


def _sentence(rows: pd.DataFrame, committee: dict[str, str], config) -> str:
    first = rows.iloc[0]
    info = IndicatorInfo(first["label"], "andel")
    up = first["difference"] > 0
    if len(rows) == 1:
        subject = phrases.upper_first(phrases.measure(first["indicator"], first["category"], info, committee))
        if first["kind"] == CHANGE:
            return (f"{subject} {'ökade' if up else 'minskade'} från {_shown(first['value_ref'], first['n_ref'])} "
                    f"{first['reference']} till {_shown(first['value'], first['n'])} {first['period']}.")
        inside, rest = phrases.group_phrases(first["grouping"], first["group"], config, first["other"])
        return (f"{subject} var {'högre' if up else 'lägre'} {inside} ({fmt.percent(first['value'])}, "
                f"n = {fmt.integer(first['n'])}) än {rest} ({fmt.percent(first['value_ref'])}, "
                f"n = {fmt.integer(first['n_ref'])}) år {first['period']}.")
    base, noun = phrases.merged_measure(first["indicator"], info, committee)
    how_many = f"{_count_word(len(rows))} {noun}"
    if first["kind"] == CHANGE:
        parts = [f"”{labels.category_label(r['category'])}” från {_shown(r['value_ref'], r['n_ref'])} till "
                 f"{_shown(r['value'], r['n'])}" for _, r in rows.iterrows()]
        return (f"{phrases.upper_first(base)} {'ökade' if up else 'minskade'} från {first['reference']} till "
                f"{first['period']} på {how_many}: {_list(parts)}.")
    inside, rest = phrases.group_phrases(first["grouping"], first["group"], config, first["other"])
    parts = [f"”{labels.category_label(r['category'])}” {_shown(r['value'], r['n'])} jämfört med "
             f"{_shown(r['value_ref'], r['n_ref'])}" for _, r in rows.iterrows()]
    return (f"{phrases.upper_first(base)} var {'högre' if up else 'lägre'} {inside} än {rest} på {how_many} år "
            f"{first['period']}: {_list(parts)}.")


def _evidence(r) -> Evidence:
    here = Cell(r["indicator"], r["grouping"], r["group"], r["category"], r["period"])
    if r["kind"] == CHANGE:
        cells = (Cell(r["indicator"], "total", r["group"], r["category"], r["reference"]), here)
        values, n = (r["value_ref"], r["value"]), (r["n_ref"], r["n"])
    else:
        cells = (here, Cell(r["indicator"], "total", "Totalt", r["category"], r["period"]))
        values, n = (r["value"], r["value_ref"]), (r["n"], r["n_ref"])
    return Evidence(cells, tuple(float(v) for v in values), tuple(float(v) for v in n), float(r["difference"]),
                    float(r["p_value"]), float(r["p_adjusted"]), r["test"])


def _bullets(passed: pd.DataFrame, committee: dict[str, str], config) -> list[tuple[float, float, Finding]]:
    """One finding per indicator, group and direction, with its sort key (−|difference|, adjusted p) taken from
    its largest difference."""
    out = []
    if passed.empty:
        return out
    passed = passed.assign(up=passed["difference"] > 0, size=-passed["difference"].abs())
    passed = passed.sort_values(["size", "p_adjusted"], kind="stable")
    for _, rows in passed.groupby(["kind", "indicator", "grouping", "group", "up"], sort=False):
        first = rows.iloc[0]
        finding = Finding(_sentence(rows, committee, config), first["kind"], first["indicator"],
                          tuple(_evidence(r) for _, r in rows.iterrows()))
        out.append((float(first["size"]), float(first["p_adjusted"]), finding))
    return out


def in_turn(bullets: list[tuple[float, float, Finding]]) -> list[tuple[float, float, Finding]]:
    """Each indicator's largest difference first, then each one's second largest, and so on (so that one
    indicator does not fill the list), larger before smaller within a round."""
    ranked, seen = [], {}
    for b in sorted(bullets, key=lambda b: (b[0], b[1])):
        seen[b[2].indicator] = seen.get(b[2].indicator, -1) + 1
        ranked.append((seen[b[2].indicator], b))
    return [b for _, b in sorted(ranked, key=lambda rb: (rb[0], rb[1][0], rb[1][1]))]


def key_findings(goal_table: pd.DataFrame | None, comparisons: pd.DataFrame | None, period: str, config=None,
                 scope: str | None = None) -> KeyFindings:
    """The scope's key findings: missed goals (config order), then changes, then group differences, at most
    ``max_antal`` of the latter two together, chosen in turns over the indicators (each one's largest
    difference first). See the module's docstring for the rule."""
    settings = settings_from_config(config)
    period = str(period)
    min_cell = int(getattr(config, "min_cell", 5) or 5) if config is not None else 5
    table = tested(comparisons, period, settings, config, min_cell)
    committee = phrases.committee_phrases(config)
    chosen = [b[2] for b in in_turn(_bullets(table[table["passes"]], committee, config))[:settings.max_count]]
    ordered = [f for f in chosen if f.kind == CHANGE] + [f for f in chosen if f.kind == DIFFERENCE]
    return KeyFindings(goal_findings(goal_table, period, config, scope) + ordered, settings, len(table))


# --- nyckelfynd.md: written for the analyst to edit, kept once edited ------------------------------------

def pointer(tested: int) -> str:
    """The line after the list that points to the rule (the report states the rule itself under Om underlaget)."""
    return (f"Nyckelfynden är valda enligt regeln under Om underlaget: {fmt.integer(tested)} "
            f"{'jämförelse' if tested == 1 else 'jämförelser'} prövades.")


def render_key_findings(items, rule: str | None = None) -> str:
    """The Markdown the analyst edits: a marker line, the list, the rule (``rule``, or a pointer to it when the
    items are ``KeyFindings``) and the caution, once."""
    if rule is None and isinstance(items, KeyFindings):
        rule = pointer(items.tested)
    texts = [str(i).strip() for i in items if str(i).strip()] or [NO_FINDINGS]
    body = "".join(f"- {t}\n" for t in texts) + (f"\n{rule}\n" if rule else "") + f"\n*{CAUTION}*\n"
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]
    return (f"<!-- nyckelfynd genererade automatiskt, kontrollsumma {digest}. Filen skrivs om vid nästa körning "
            f"så länge den är oredigerad; när du ändrar texten behålls dina ändringar. -->\n{body}")


def is_generated_unedited(text: str) -> bool:
    """True when the file still carries the marker and its body is exactly what was generated."""
    m = MARKER_RE.match(text)
    return bool(m) and hashlib.sha256(text[m.end():].encode("utf-8")).hexdigest()[:12] == m.group(1)


def write_key_findings(path: str | Path, items, rule: str | None = None) -> bool:
    """Write nyckelfynd.md unless the analyst has edited it. Returns whether the file was written."""
    path = Path(path)
    if path.exists() and not is_generated_unedited(path.read_text(encoding="utf-8")):
        return False
    write_text_atomic(path, render_key_findings(items, rule))
    return True


def read_key_findings(path: str | Path) -> str:
    """The findings as Markdown for the report, without the marker line."""
    text = Path(path).read_text(encoding="utf-8")
    m = MARKER_RE.match(text)
    return text[m.end():] if m else text
