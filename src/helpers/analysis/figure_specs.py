"""The report's figures: which indicator is drawn how, in which section, in report order.

Each figure is drawn only when its indicator has data; a figure with nothing to show is left out, never empty.
Writes ``<output_dir>/figurer/<id>.svg|png`` and ``figurer.json``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import charts as figures
from .comparisons import GROUPING_LABELS, category_label, info_for
from .goals import IndicatorInfo
from ..schema import ATTAINMENT, INSTRUMENTS

BAR_GROUPINGS = ("unit", "type", "age_group", "sex")


@dataclass(frozen=True)
class Spec:
    id: str
    kind: str  # "bars" | "stacked" | "trend" | "monthly"
    indicators: tuple[str, ...]
    section: str  # the report section: "uppfoljning", "kvalitetssakring", "internkontroll"
    groupings: tuple[str, ...] = BAR_GROUPINGS
    by_category: bool = False  # bars: one bar per category of the total row (e.g. survey questions)
    title: str = ""  # trend charts: the caption's subject


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
    Spec("brukarenkat_positiva", "bars", ("brukarenkat_positiva",), "kvalitetssakring", ("total",),
         by_category=True),
    Spec("livssituation_forbattrad", "bars", ("livssituation_forbattrad",), "kvalitetssakring",
         ("unit", "target_group", "sex")),
    Spec("internkontroll_over_tid", "trend", ("synpunkter_klagomal", "lex_sarah", "ivo_tillsyn"),
         "internkontroll", title="Synpunkter och klagomål, lex Sarah och IVO-tillsyn över tid"),
)


def _label(group: str, grouping: str, unit_names: dict[str, str]) -> str:
    if grouping == "unit":
        return unit_names.get(group, group)
    if grouping == "instrument":
        return INSTRUMENTS.get(group, {}).get("label", group)
    return group


def _unit_order(part: pd.DataFrame, grouping: str, unit_names: dict[str, str]) -> pd.DataFrame:
    if grouping != "unit":
        return part
    order = {code: i for i, code in enumerate(unit_names)}
    return part.assign(_o=part["group"].map(lambda g: order.get(g, len(order)))).sort_values("_o", kind="stable")


def _cells(df: pd.DataFrame, period: str, grouping: str, category: str | None = "") -> pd.DataFrame:
    sel = (df["period"] == period) & (df["grouping"] == grouping)
    if category is not None:
        sel &= df["category"] == category
    return df[sel]


def _bars(spec: Spec, df: pd.DataFrame, info: IndicatorInfo, period: str, unit_names: dict[str, str],
          min_cell: int):
    if spec.by_category:
        part = _cells(df, period, "total", None)
        if len(part) < 2:
            return None
        data = part.assign(label=[category_label(c) for c in part["category"]])
        return (data, f"{info.label}: {unit_word(info)} per fråga, {period}")
    for grouping in spec.groupings:
        part = _unit_order(_cells(df, period, grouping), grouping, unit_names)
        if len(part) >= 2:
            data = part.assign(label=[_label(g, grouping, unit_names) for g in part["group"]])
            return (data, f"{info.label}: {unit_word(info)} per {GROUPING_LABELS[grouping]}, {period}")
    return None


def unit_word(info: IndicatorInfo) -> str:
    return {"andel": "andel", "antal": "antal"}.get(info.unit, info.unit.split("_")[0])


def _stacked(spec: Spec, df: pd.DataFrame, info: IndicatorInfo, period: str, unit_names: dict[str, str]):
    for grouping in spec.groupings:
        part = _unit_order(_cells(df, period, grouping, None), grouping, unit_names)
        part = part[part["category"] != ""]
        if part["group"].nunique() >= (1 if grouping == "total" else 2):
            data = part.assign(label=[_label(g, grouping, unit_names) for g in part["group"]])
            where = "" if grouping == "total" else f" per {GROUPING_LABELS[grouping]}"
            return data, f"{info.label}{where}, {period}"
    return None


def draw(spec: Spec, tables: dict[str, pd.DataFrame], glossary: dict[str, IndicatorInfo], period: str,
         unit_names: dict[str, str], min_cell: int = 5):
    """(fig, alt, caption) for one spec, or None when the data has nothing to show."""
    present = [name for name in spec.indicators if name in tables and not tables[name].empty]
    if not present:
        return None
    if spec.kind == "trend":
        parts, infos = [], [info_for(n, tables[n], glossary) for n in present]
        if len({i.unit for i in infos}) != 1:
            present, infos = present[:1], infos[:1]
        for name, info in zip(present, infos):
            t = tables[name]
            t = t[(t["grouping"] == "total") & (t["category"] == "") & (t["period"] <= period)]
            parts.append(t.assign(series=info.label))
        data = pd.concat(parts, ignore_index=True)
        if data["period"].nunique() < 2:
            return None
        first, last = min(data["period"]), max(data["period"])
        caption = f"{spec.title or infos[0].label}, {first}–{last}"
        fig, alt = figures.trend_lines(data, spec.title or infos[0].label, infos[0].unit, min_cell)
        return fig, alt, caption
    name = present[0]
    df, info = tables[name], info_for(name, tables[name], glossary)
    if spec.kind == "bars":
        found = _bars(spec, df, info, period, unit_names, min_cell)
        if found is None:
            return None
        data, caption = found
        fig, alt = figures.bars_by_group(data, caption, info.unit, min_cell)
        return fig, alt, caption
    if spec.kind == "stacked":
        found = _stacked(spec, df, info, period, unit_names)
        if found is None:
            return None
        data, caption = found
        order = list(ATTAINMENT) + ["forbattrad", "oforandrad", "forsamrad"]
        labels = {c: category_label(c) for c in data["category"].unique()}
        fig, alt = figures.stacked_shares(data, caption, [c for c in order if c in labels] or None, labels,
                                          min_cell)
        return fig, alt, caption
    part = _cells(df, period, "month", None)
    if part.empty:
        return None
    data = part.assign(month=part["group"], series=[category_label(c) or info.label for c in part["category"]])
    data = data[data["month"].str.match(r"^\d{4}-\d{2}$")]
    if data.empty:
        return None
    caption = f"{info.label}, {period}"
    fig, alt = figures.monthly_counts(data, caption, min_cell)
    return fig, alt, caption


def build(tables: dict[str, pd.DataFrame], glossary: dict[str, IndicatorInfo], period: str,
          figures_dir: str | Path, unit_names: dict[str, str] | None = None, min_cell: int = 5,
          specs: tuple[Spec, ...] = SPECS) -> list[figures.FigureEntry]:
    """Draw and save every figure that has data; write figurer.json in report order."""
    unit_names = unit_names or {}
    entries = []
    for spec in specs:
        drawn = draw(spec, tables, glossary, str(period), unit_names, min_cell)
        if drawn is None:
            continue
        fig, alt, caption = drawn
        entries.append(figures.save_entry(fig, alt, figures_dir, spec.id, caption, spec.section))
    figures.write_manifest(entries, figures_dir)
    return entries


def build_for_report(run) -> list[figures.FigureEntry]:
    """The figures of one report (whole organisation or one unit), drawn from the publication's cells."""
    from ..publication.store import load_publication
    from .comparisons import glossary

    pub = load_publication(run.paths.publication, run.config, run.period)
    return build(pub.tables(run.unit), glossary(), run.period, run.paths.figures, run.config.units,
                 run.config.min_cell)
