"""The report's figures: which indicator is drawn how, in which section, in report order.

Each figure is drawn only when its indicator has data; a figure with nothing to show is left out, never empty.
Every code on an axis, in a legend or in an alt text goes through ``helpers.labels``; a committee goal on the
indicator (``mal:`` in the config, on the total or on a group drawn) is a dashed line. Writes
``<output_dir>/figurer/<id>.svg`` (and ``.png`` when asked) and ``figurer.json``.

Under the runner, the worker process that runs a report's notebook draws its figures before the kernel gets there
(``draw_ahead``); the kernel writes the same files from the run's shared folder and never imports matplotlib and
seaborn (~1,5 s of its start-up, on the path every report waits for).
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .. import labels, sharing
from .heap import collection_paused
from ..filehash import file_hash
from ..formatting import format_value
from ..params import validate
from ..publication.store import META, PUBLISHED_FILE, load_publication
from ..schema import ATTAINMENT
from .comparisons import glossary, info_for
from .figure_entry import FigureEntry
from .goals import Goal, IndicatorInfo, goals_from_config, for_unit

if TYPE_CHECKING:
    from . import charts

BAR_GROUPINGS = ("unit", "type", "age_group", "sex")
LINE_GOALS = ("minst", "hogst")  # goals with a level to draw


@dataclass(frozen=True)
class Spec:
    id: str
    kind: str  # "bars" | "stacked" | "trend" | "monthly"
    indicators: tuple[str, ...]
    section: str  # the report section: "uppfoljning", "kvalitetssakring", "internkontroll"
    groupings: tuple[str, ...] = BAR_GROUPINGS
    by_category: bool = False  # bars: one bar per category of the total row (e.g. survey questions)
    title: str = ""  # the caption's subject when it is not the indicator's label
    category: str = ""  # bars: the category drawn (e.g. placements at the end of the period)


SPECS = (
    Spec("mal_i_arenden", "bars", ("mal_i_arenden",), "uppfoljning"),
    Spec("uppfoljning_6_manader", "bars", ("uppfoljning_6_manader",), "uppfoljning"),
    Spec("utvardering_efter_insats", "bars", ("utvardering_efter_insats",), "uppfoljning"),
    Spec("uppfoljning_over_tid", "trend", ("mal_i_arenden", "uppfoljning_6_manader", "utvardering_efter_insats"),
         "uppfoljning", title="Mål, måluppföljning och utvärdering över tid"),
    Spec("maluppfyllelse", "stacked", ("maluppfyllelse",), "uppfoljning", ("unit", "type", "total")),
    Spec("forandring_fore_efter", "stacked", ("forandring_fore_efter",), "uppfoljning", ("instrument",)),
    Spec("langvarigt_forsorjningsstod", "bars", ("langvarigt_forsorjningsstod",), "uppfoljning",
         ("age_group", "sex")),
    Spec("utredning_4_manader", "bars", ("utredning_4_manader",), "uppfoljning", ("unit", "age_group", "sex")),
    Spec("utredningar_per_manad", "monthly", ("utredningar_per_manad",), "uppfoljning", ("month",)),
    Spec("placerade", "bars", ("placerade",), "uppfoljning", ("legal_basis", "form"),
         title="Placerade vid periodens slut", category="periodens_slut"),
    Spec("brukarenkat_positiva", "bars", ("brukarenkat_positiva",), "kvalitetssakring", ("total",),
         by_category=True),
    Spec("livssituation_forbattrad", "bars", ("livssituation_forbattrad",), "kvalitetssakring",
         ("unit", "target_group", "sex")),
    Spec("internkontroll_over_tid", "trend", ("synpunkter_klagomal", "lex_sarah", "ivo_tillsyn"),
         "internkontroll", title="Synpunkter och klagomål, lex Sarah och IVO-tillsyn över tid"),
    Spec("internkontroll_per_typ", "bars", ("synpunkter_klagomal", "lex_sarah"), "internkontroll",
         ("incident_type",), title="Synpunkter, klagomål och lex Sarah"),
)


class _Names:
    """The little of a config that labels need, when only unit names are given."""

    def __init__(self, unit_names: dict[str, str]):
        self.units = dict(unit_names)

    def unit_name(self, code):
        return self.units.get(code, code)

    def get(self, key, default=None):
        return default


def _label(group: str, grouping: str, names) -> str:
    return labels.group_label(grouping, group, names)


def _unit_order(part: pd.DataFrame, grouping: str, unit_names: dict[str, str]) -> pd.DataFrame:
    """Units in the config's order; groups with fixed labels in the labels' order; others as they come."""
    codes = unit_names if grouping == "unit" else labels.FIXED.get(grouping)
    if not codes:
        return part
    order = {code: i for i, code in enumerate(codes)}
    return part.assign(_o=part["group"].map(lambda g: order.get(g, len(order)))).sort_values("_o", kind="stable")


def _cells(df: pd.DataFrame, period: str, grouping: str, category: str | None = "") -> pd.DataFrame:
    sel = (df["period"] == period) & (df["grouping"] == grouping)
    if category is not None:
        sel &= df["category"] == category
    return df[sel]


def unit_word(info: IndicatorInfo) -> str:
    """'andel', 'antal', 'median', 'medelvärde': what a value of the indicator is."""
    return {"andel": "andel", "antal": "antal"}.get(info.unit, info.unit.split("_")[0])


def _per(grouping: str) -> str:
    return labels.grouping_label(grouping).lower()


# --- goals ----------------------------------------------------------------------------------------------

def goal_marks(goals: list[Goal], indicator: str, unit: str, groups: dict[str, str] | None = None,
               grouping: str = "total", category: str = "", where: str = "") -> tuple[charts.GoalMark, ...]:
    """The goals on ``indicator`` a chart can draw: on its total (a line over the whole chart, or for the
    series ``where``), or on one of the ``groups`` drawn (code -> label, of ``grouping``)."""
    out = []
    for g in goals:
        if g.indicator != indicator or g.target_type not in LINE_GOALS or g.target_value is None:
            continue
        shown = format_value(g.target_value, unit)
        mark = dict(value=float(g.target_value), label=f"Mål {'högst ' if g.target_type == 'hogst' else ''}{shown}",
                    text=f"{'högst' if g.target_type == 'hogst' else 'minst'} {shown}")
        if g.grouping == "total" and g.category == category:
            out.append(_charts().GoalMark(**mark, where=where))
        elif groups and g.grouping == grouping and g.group in groups and g.category == category:
            out.append(_charts().GoalMark(**mark, where=groups[g.group]))
        elif groups and grouping == "total" and g.grouping == "total" and g.category in groups:
            out.append(_charts().GoalMark(**mark, where=groups[g.category]))  # one bar per category
    return tuple(out)


# --- the kinds of figure --------------------------------------------------------------------------------

def _bars(spec: Spec, tables, infos, period: str, names, unit_names: dict[str, str], goals: list[Goal]):
    name, info = spec.indicators[0], infos[spec.indicators[0]]
    df = tables[name]
    if spec.by_category:
        part = _cells(df, period, "total", None)
        if len(part) < 2:
            return None
        cats = {c: labels.category_label(c) for c in part["category"]}
        data = part.assign(label=[cats[c] for c in part["category"]])
        caption = f"{spec.title or info.label}: {unit_word(info)} per fråga, {period}"
        return data, caption, "Fråga", goal_marks(goals, name, info.unit, cats)
    for grouping in spec.groupings:
        parts = [_cells(tables[n], period, grouping, spec.category) for n in spec.indicators if n in tables]
        part = _unit_order(pd.concat(parts, ignore_index=True), grouping, unit_names)
        if len(part) >= 2:
            groups = {g: _label(g, grouping, names) for g in part["group"]}
            data = part.assign(label=[groups[g] for g in part["group"]])
            caption = f"{spec.title or info.label}: {unit_word(info)} per {_per(grouping)}, {period}"
            marks = goal_marks(goals, name, info.unit, groups, grouping, spec.category) if len(spec.indicators) == 1 \
                else ()
            return data, caption, labels.grouping_label(grouping), marks
    return None


def _stacked(spec: Spec, df: pd.DataFrame, info: IndicatorInfo, period: str, names, unit_names: dict[str, str]):
    for grouping in spec.groupings:
        part = _unit_order(_cells(df, period, grouping, None), grouping, unit_names)
        part = part[part["category"] != ""]
        if part["group"].nunique() >= (1 if grouping == "total" else 2):
            data = part.assign(label=[_label(g, grouping, names) for g in part["group"]])
            where = "" if grouping == "total" else f" per {_per(grouping)}"
            axis = "Hela verksamheten" if grouping == "total" else labels.grouping_label(grouping)
            return data, f"{info.label}{where}, {period}", axis
    return None


def _trend(spec: Spec, tables, infos, period: str, goals: list[Goal], min_cell: int):
    present = [n for n in spec.indicators if n in tables and not tables[n].empty]
    if len({infos[n].unit for n in present}) != 1:
        present = present[:1]
    parts, marks = [], []
    for name in present:
        t = tables[name]
        t = t[(t["grouping"] == "total") & (t["category"] == "") & (t["period"] <= period)]
        parts.append(t.assign(series=infos[name].label))
        marks += goal_marks(goals, name, infos[name].unit, where=infos[name].label if len(present) > 1 else "")
    data = pd.concat(parts, ignore_index=True)
    if data["period"].nunique() < 2:
        return None
    unit = infos[present[0]].unit
    caption = f"{spec.title or infos[present[0]].label}, {min(data['period'])}–{max(data['period'])}"
    fig, alt = _charts().trend_lines(data, spec.title or infos[present[0]].label, unit, min_cell, goals=tuple(marks))
    return fig, alt, caption


def draw(spec: Spec, tables: dict[str, pd.DataFrame], glossary: dict[str, IndicatorInfo], period: str,
         unit_names: dict[str, str] | None = None, min_cell: int = 5, config=None, goals: list[Goal] | None = None):
    """(fig, alt, caption) for one spec, or None when the data has nothing to show."""
    unit_names = dict(unit_names or (config.units if config is not None else {}))
    names = config if config is not None else _Names(unit_names)
    goals = list(goals or [])
    present = [name for name in spec.indicators if name in tables and not tables[name].empty]
    if not present:
        return None
    infos = {n: info_for(n, tables[n], glossary) for n in present}
    if spec.kind == "trend":
        return _trend(spec, tables, infos, period, goals, min_cell)
    name = present[0]
    df, info = tables[name], infos[name]
    if spec.kind == "bars":
        found = _bars(Spec(**{**spec.__dict__, "indicators": tuple(present)}), tables, infos, period, names,
                      unit_names, goals)
        if found is None:
            return None
        data, caption, axis, marks = found
        fig, alt = _charts().bars_by_group(data, caption, info.unit, min_cell, group_axis=axis, goals=marks)
        return fig, alt, caption
    if spec.kind == "stacked":
        found = _stacked(spec, df, info, period, names, unit_names)
        if found is None:
            return None
        data, caption, axis = found
        order = list(ATTAINMENT) + ["forbattrad", "oforandrad", "forsamrad"]
        cat_labels = {c: labels.category_label(c) for c in data["category"].unique()}
        fig, alt = _charts().stacked_shares(data, caption, [c for c in order if c in cat_labels] or None, cat_labels,
                                         min_cell, group_axis=axis)
        return fig, alt, caption
    part = _cells(df, period, "month", None)
    if part.empty:
        return None
    data = part.assign(month=part["group"], series=[labels.category_label(c) if c else info.label
                                                    for c in part["category"]])
    data = data[data["month"].str.match(r"^\d{4}-\d{2}$")]
    if data.empty:
        return None
    caption = f"{info.label}, {period}"
    fig, alt = _charts().monthly_counts(data, caption, min_cell)
    return fig, alt, caption


@collection_paused()
def build(tables: dict[str, pd.DataFrame], glossary: dict[str, IndicatorInfo], period: str,
          figures_dir: str | Path, unit_names: dict[str, str] | None = None, min_cell: int = 5,
          specs: tuple[Spec, ...] = SPECS, config=None, goals: list[Goal] | None = None, png: bool = False
          ) -> list[FigureEntry]:
    """Draw and save every figure that has data; write figurer.json in report order.

    ``config`` gives the labels of the municipality's own codes and, unless ``goals`` is given, the goals
    (``mal:``) of the whole organisation; ``png`` also writes a PNG of each figure (the report uses the SVG)."""
    if goals is None and config is not None:
        goals = config_goals(config, None)
    charts = _charts()
    entries = []
    for spec in specs:
        drawn = draw(spec, tables, glossary, str(period), unit_names, min_cell, config, goals)
        if drawn is None:
            continue
        fig, alt, caption = drawn
        entries.append(charts.save_entry(fig, alt, figures_dir, spec.id, caption, spec.section, png=png))
    charts.write_manifest(entries, figures_dir)
    return entries


def config_goals(config, unit: str | None) -> list[Goal]:
    """The committee's goals (``mal:``) as a report of ``unit`` (None = the whole organisation) reads them."""
    try:
        return for_unit(goals_from_config(config), unit, config.units)
    except Exception:  # a malformed goal list stops the analysis step with its own message, not the figures
        return []


def build_for_report(run) -> list[FigureEntry]:
    """The figures of one report (whole organisation or one unit), drawn from the publication's cells; under the
    runner taken from what its worker drew (``draw_ahead``), else drawn here."""
    if not sharing.active():
        return draw_report(run, run.paths.figures)
    entries, files = sharing.shared(_shared_key(run), lambda: _drawn_apart(run))
    folder = Path(run.paths.figures)
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return entries


def draw_ahead(parameters: dict, ahead: bool = False) -> int:
    """Under the runner, before a kernel runs the report's notebook with ``parameters``: draw the figures into
    the run's shared folder, where ``build_for_report`` in the kernel finds them (``ahead``: not where another
    process has drawn them or is drawing them). Returns how many were drawn or found."""
    run = validate(parameters["period"], parameters["config"], parameters["data_dir"], parameters["output_dir"],
                   parameters["unit"])
    drawn = sharing.shared(_shared_key(run), lambda: _drawn_apart(run), ahead=ahead)
    return 0 if drawn is sharing.TAKEN else len(drawn[0])


def draw_report(run, figures_dir) -> list[FigureEntry]:
    """Draw the figures of the report ``run`` describes into ``figures_dir``."""
    pub = load_publication(run.paths.publication, run.config, run.period)
    return build(pub.tables(run.unit), glossary(), run.period, figures_dir, run.config.units,
                 run.config.min_cell, config=run.config, goals=config_goals(run.config, run.unit))


def _drawn_apart(run) -> tuple[list[FigureEntry], dict[str, bytes]]:
    """The report's figures and the bytes of every file written (SVGs, figurer.json), drawn in a folder of
    their own: the same bytes whichever process draws them and wherever (no path or date in an SVG)."""
    with tempfile.TemporaryDirectory(prefix="figurer-") as tmp:
        entries = draw_report(run, tmp)
        return entries, {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}


def _shared_key(run) -> str:
    """What a report's figures are drawn from: its scope and period, the config (labels, goals, units, the
    threshold) and the publication's files."""
    folder = Path(run.paths.publication)
    published = [(f.name, file_hash(f) if f.exists() else None) for f in (folder / PUBLISHED_FILE,
                                                                                      folder / META)]
    return sharing.digest("figurer", str(run.period), run.unit, run.config, published)


def _charts():
    """The drawing module, imported where a figure is drawn first (matplotlib and seaborn take ~1,5 s)."""
    from . import charts
    return charts
