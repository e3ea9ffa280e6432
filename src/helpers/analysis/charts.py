"""One look for every chart in the report, and the charts themselves.

The theme (seaborn's colour-blind-safe palette, DejaVu Sans) is set once per process. Bars carry hatching and
direct value labels so a chart reads in greyscale print; every axis has a label; values carry their unit and
statistic ("7,0 månader", "Median (dagar)"). A committee goal is a dashed line labelled "Mål 80 %". Every chart
function returns ``(fig, alt_text)``: the alt text says what the chart shows, with its key numbers and the goal.
Suppressed cells are never drawn: they are marked "X" and explained in a note under the chart.

Speed: figures are plain ``Figure`` objects (no pyplot state) with constrained layout, written once as SVG with
text kept as text (``svg.fonttype: none``: no glyph outlines, and the words stay searchable); PNG only on request.
"""
from __future__ import annotations

import json
import math
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt  # noqa: F401 (callers close figures with charts.plt.close)
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from .. import formatting as fmt
from . import chart_layout as layout
from .figure_entry import FigureEntry

# seaborn imports scipy's statistics and clustering where scipy is installed (~0,8 s of a core), for density
# estimates and clustered heat maps; the report takes only its palette and theme, so seaborn is imported with those
# two hidden and falls back on its own code for them. Not hidden when already imported (then they cost nothing).
SEABORN_WITHOUT = ("scipy.stats", "scipy.cluster")


def _import_seaborn():
    if "seaborn" in sys.modules:
        return sys.modules["seaborn"]
    hidden = [name for name in SEABORN_WITHOUT if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # an import of it fails, and seaborn takes its fallback
    try:
        import seaborn
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]  # later imports of scipy.stats work as usual
    return seaborn


sns = _import_seaborn()
layout.remember_extents()
SVG_SALT = "kvalitetsredovisning"
PALETTE = sns.color_palette("colorblind")
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "ooo", "---", "+++")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.")
WIDTH = 6.3  # inches: the text width of an A4 page with 2,5 cm margins
PNG_DPI = 200
FONT = "DejaVu Sans"
NOTE_SIZE = 8  # points
LABEL_SIZE = 8  # points: value labels and goal labels
# Inches of axes per bar: a chart is as tall as its bars need (three short charts fit on a page), each bar with
# room for its 9-point value label, interval and goal mark.
BAR_PITCH = 0.34
STACK_PITCH = 0.36  # a stacked bar carries its segments' labels inside
GOAL_STYLE = {"linestyle": (0, (5, 3)), "linewidth": 1.3, "color": "#222222"}
THEME_RC = {
    "svg.hashsalt": SVG_SALT, "svg.fonttype": "none", "savefig.dpi": PNG_DPI, "figure.dpi": 100,
    "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#333333",
    "axes.labelcolor": "#222222", "text.color": "#222222", "xtick.color": "#222222",
    "ytick.color": "#222222", "grid.color": "#dddddd", "hatch.color": "#333333", "hatch.linewidth": 0.6,
    "font.size": 10, "axes.labelsize": 10, "xtick.labelsize": 9, "ytick.labelsize": 9,
    "legend.fontsize": 9, "legend.frameon": False, "figure.constrained_layout.h_pad": 0.05,
    "patch.facecolor": "#0173b2", "lines.color": "#0173b2",  # explicit: "C0" is looked up for every artist
    "figure.constrained_layout.w_pad": 0.05}


def apply_theme(force: bool = False) -> None:
    """The report's single theme, set once per process (again only when something changed it, or forced)."""
    if not force and mpl.rcParams.get("svg.hashsalt") == SVG_SALT and mpl.rcParams["svg.fonttype"] == "none":
        return
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font=FONT, rc=THEME_RC)


def prime() -> None:
    """Draw a small chart into memory: what a first drawing loads on the way (the theme, fonts, the SVG
    backend) is loaded here."""
    import io

    fig, ax = _figure()
    ax.bar([0, 1], [1, 2], hatch=HATCHES[1])
    ax.set_xlabel("Antal")
    fig.savefig(io.BytesIO(), format="svg", metadata={"Date": None})
    plt.close(fig)


def _figure() -> tuple[Figure, object]:
    """A plain figure (no pyplot state, no layout engine: ``chart_layout.place`` sizes it) with one axes."""
    apply_theme()
    fig = Figure(figsize=(WIDTH, 3.0))
    return fig, fig.add_subplot()


# --- Swedish values and axes ----------------------------------------------------------------------------

def percent_formatter() -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: fmt.percent(v))


def number_formatter(decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: fmt.number(v, decimals))


def statistic(unit: str) -> str:
    """'median' / 'medelvärde' for units of a statistic, else ''."""
    stat = unit.split("_")[0]
    return stat if stat in ("median", "medelvärde") else ""


def value_text(value, unit: str) -> str:
    """A value with its unit: "70 %", "7,0 månader", "89 dagar", "12"."""
    return fmt.format_value(value, unit)


def described(value, unit: str) -> str:
    """A value with its statistic and unit, for running text: "median 89 dagar", "70 %"."""
    stat = statistic(unit)
    return f"{stat} {value_text(value, unit)}" if stat else value_text(value, unit)


def value_axis_label(unit: str) -> str:
    """The value axis's label: "Andel (%)", "Antal", "Median (dagar)", "Medelvärde (månader)"."""
    if unit == "andel":
        return "Andel (%)"
    if unit == "antal":
        return "Antal"
    stat, _, measure = unit.partition("_")
    name = stat[:1].upper() + stat[1:]
    return f"{name} ({measure})" if measure else name


def _value_axis(axis, unit: str) -> None:
    axis.set_major_formatter(percent_formatter() if unit == "andel" else
                             number_formatter(1 if unit in ("medelvärde", "median") else 0))


def _hidden(row) -> bool:
    return bool(row.get("suppressed", False)) or pd.isna(row.get("value"))


NOTE_SPACING = 1.25


def _notes_band(lines: list[str]) -> float:
    """Points the notes under a chart take (0 without notes)."""
    return layout.text_size("\n".join(lines), NOTE_SIZE, linespacing=NOTE_SPACING)[1] + 6 if lines else 0.0


def _notes(fig: Figure, lines: list[str]) -> None:
    """Notes under the chart, in the band ``_notes_band`` kept free."""
    if lines:
        fig.text(layout.PAD / 72, layout.PAD / 72, "\n".join(lines), transform=fig.dpi_scale_trans, ha="left",
                 va="bottom", fontsize=NOTE_SIZE, color="#333333", linespacing=NOTE_SPACING)


def _bottom(notes: list[str], x_label: str, tick_lines: int = 1) -> float:
    """The bottom margin: notes, the x label and the x tick labels."""
    return layout.PAD + _notes_band(notes) + layout.axis_label_band(x_label) + \
        layout.text_size("\n".join(["0"] * tick_lines), 9)[1] + layout.tick_offset("x")


def _left(y_label: str, tick_labels) -> float:
    return layout.PAD + layout.axis_label_band(y_label) + layout.widest(tick_labels, 9) + layout.tick_offset("y")


def _fit_right(starts: list[tuple[float, float]], low: float, floor: float, axes_width: float) -> float:
    """The smallest upper x limit (at least ``floor``) that keeps texts starting at data x ``start`` with a
    width of ``w`` points inside axes of ``axes_width`` inches whose lower limit is ``low``."""
    width = axes_width * 72
    high = floor
    for start, w in starts:
        share = (w + 3) / width  # of the axes' width
        if share < 0.9:
            high = max(high, (start - low * share) / (1 - share))
    return high


def _n_text(n) -> str:
    return "" if n is None or pd.isna(n) else f" (n = {fmt.integer(n)})"


def _suppressed_note(min_cell: int) -> str:
    return f"X = redovisas inte: underlaget är för litet (färre än {min_cell} personer)."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _join(parts: list[str]) -> str:
    return "; ".join(parts) + "." if parts else ""


def _axis_labels(ax, x: str, y: str) -> None:
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.xaxis.label.set_gid("x-axelns-etikett")
    ax.yaxis.label.set_gid("y-axelns-etikett")


# --- goals ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GoalMark:
    """A committee goal drawn on a chart: a dashed line at ``value`` labelled ``label`` ("Mål 80 %").

    ``where`` is the bar (group label) or line (series) it belongs to; "" = the whole chart (a goal on the
    total). ``text`` is the goal for the alt text ("minst 80 %")."""
    value: float
    label: str
    text: str
    where: str = ""


def _goal_alt(goals, whole: str = "") -> str:
    if not goals:
        return ""
    if len(goals) == 1 and not goals[0].where:
        return f" Den streckade linjen visar nämndens mål: {goals[0].text}."
    parts = [f"{g.where or whole}: {g.text}" for g in goals]
    return f" Streckade linjer visar nämndens mål ({'; '.join(parts)})."


def spread(positions: list[float], gap: float) -> list[float]:
    """Positions moved apart so that neighbours are at least ``gap`` apart: labels that would collide are set as
    a block centred on their own mean, in their order (a one-dimensional label repel)."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    blocks = [[i] for i in order]  # each block: members in order

    def start(block):
        return sum(positions[i] for i in block) / len(block) - gap * (len(block) - 1) / 2

    merged = True
    while merged:
        merged = False
        for k in range(1, len(blocks)):
            if start(blocks[k]) < start(blocks[k - 1]) + gap * len(blocks[k - 1]) - 1e-12:
                blocks[k - 1:k + 1] = [blocks[k - 1] + blocks[k]]
                merged = True
                break
    out = [0.0] * len(positions)
    for block in blocks:
        for j, i in enumerate(block):
            out[i] = start(block) + j * gap
    return out


# --- charts ---------------------------------------------------------------------------------------------

def bars_by_group(data: pd.DataFrame, what: str, unit: str = "andel", min_cell: int = 5, *,
                  group_axis: str = "Grupp", goals: tuple[GoalMark, ...] = ()) -> tuple[Figure, str]:
    """Horizontal bars per group with 95 % intervals, direct value labels and the committee's goal.

    ``data``: label, value, n, suppressed and optionally ci_low/ci_high, in the order to show (top first).
    """
    data = data.reset_index(drop=True)
    fig, ax = _figure()
    rows = data.to_dict("records")
    tick_labels = [str(v) for v in data["label"]]
    has_ci = {"ci_low", "ci_high"} <= set(data.columns) and bool(data["ci_low"].notna().any())
    reach = data["ci_high"].fillna(data["value"]) if has_ci else data["value"]
    highest = max([float(np.nanmax(reach)) if reach.notna().any() else 0.0] + [g.value for g in goals])
    top = 1.0 if unit == "andel" else max(highest, 1.0) * 1.05
    visible = [i for i, row in enumerate(rows) if not _hidden(row)]
    with_ci = [i for i in visible if has_ci and pd.notna(rows[i].get("ci_low"))]
    hidden = [str(rows[i]["label"]) for i in range(len(rows)) if i not in visible]
    notes = (["Felstaplarna visar 95 % konfidensintervall."] if has_ci else []) + \
        ([_suppressed_note(min_cell)] if hidden else [])
    x_label = value_axis_label(unit)
    whole = [g for g in goals if not g.where]
    margins = layout.Margins(
        left=_left(group_axis, tick_labels), right=layout.PAD + layout.widest([fmt.number(top * 1.3)], 9) / 2,
        bottom=_bottom(notes, x_label),
        top=layout.PAD + (layout.tallest([g.label for g in whole], LABEL_SIZE) + 2 if whole else 4))
    axes_height = max(BAR_PITCH * max(len(rows), 1) + 0.2, layout.text_size(group_axis, 10)[0] / 72 + 0.1)
    axes_width = layout.place(fig, ax, margins, axes_height)

    if visible:  # one call for all bars and one for all intervals: far fewer artists than one per row
        ax.barh(visible, [rows[i]["value"] for i in visible], color=PALETTE[0], edgecolor="#333333",
                linewidth=0.6, height=0.62)
    if with_ci:
        values = np.array([rows[i]["value"] for i in with_ci], dtype=float)
        ax.errorbar(values, with_ci, fmt="none", ecolor="#222222", elinewidth=1, capsize=3,
                    xerr=[values - np.array([rows[i]["ci_low"] for i in with_ci], dtype=float),
                          np.array([rows[i]["ci_high"] for i in with_ci], dtype=float) - values])
    shown, starts = [], []
    for i, row in enumerate(rows):
        if i not in visible:
            ax.text(0.005 * top, i, fmt.SUPPRESSED, va="center", ha="left", fontweight="bold")
            continue
        start = (row["ci_high"] if i in with_ci else row["value"]) + 0.015 * top
        label = value_text(row["value"], unit) + ("" if unit == "antal" else _n_text(row.get("n")))
        ax.text(start, i, label, va="center", ha="left", fontsize=LABEL_SIZE + 1,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.9})
        starts.append((start, layout.text_size(label, LABEL_SIZE + 1)[0] + 2))
        shown.append(f"{row['label']} {label}")
    goal_ends = [(g.value, layout.text_size(g.label, LABEL_SIZE)[0] / 2) for g in goals]
    ax.set_xlim(0, _fit_right(starts + goal_ends, 0.0, top * 1.05, axes_width))
    ax.set_yticks(range(len(rows)), tick_labels)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    if unit == "andel":
        ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    _value_axis(ax.xaxis, unit)
    ax.grid(axis="y", visible=False)
    _axis_labels(ax, x_label, group_axis)
    row_of = {str(label): i for i, label in enumerate(tick_labels)}
    on_top = blended_transform_factory(ax.transData, ax.transAxes)
    for goal in goals:
        if not goal.where:
            ax.axvline(goal.value, **GOAL_STYLE, zorder=2.5)  # under the value labels' white boxes
            ax.annotate(goal.label, (goal.value, 1), xycoords=on_top, xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=LABEL_SIZE)
        elif goal.where in row_of:
            i = row_of[goal.where]
            ax.plot([goal.value, goal.value], [i - 0.42, i + 0.42], **GOAL_STYLE, zorder=2.5)
            ax.text(goal.value, i - 0.36, goal.label, ha="center", va="bottom", fontsize=LABEL_SIZE - 1)
    _notes(fig, notes)
    stat = statistic(unit)
    alt = f"Stapeldiagram: {_lower_first(what)}{f' ({stat})' if stat and stat not in what else ''}. " + \
        _join(shown)
    if hidden:
        alt += f" Redovisas inte (för litet underlag): {', '.join(hidden)}."
    if has_ci:
        alt += " Felstaplarna visar 95 % konfidensintervall."
    alt += _goal_alt(list(goals))
    return fig, alt.strip()


def stacked_shares(data: pd.DataFrame, what: str, categories: list[str] | None = None,
                   category_labels: dict[str, str] | None = None, min_cell: int = 5, *,
                   group_axis: str = "Grupp") -> tuple[Figure, str]:
    """100 % stacked horizontal bars, one per group (e.g. goal attainment or improved/unchanged/worse).

    ``data``: label, category, value (share of the group), n (the group's base), suppressed. Segment labels are
    drawn only where they fit inside their segment; every share is in the alt text.
    """
    labels = category_labels or {}
    cats = list(categories or dict.fromkeys(data["category"]))
    cats = [c for c in cats if c in set(data["category"])]
    groups = list(dict.fromkeys(data["label"]))
    cells = {(r["label"], r["category"]): r for r in data.to_dict("records")}
    shown, hidden, candidates = [], [], []
    segments = {c: ([], [], []) for c in cats}  # per category: rows, widths, lefts
    bases = {}
    for i, group in enumerate(groups):
        parts = [cells[(group, c)] for c in cats if (group, c) in cells]
        ns = [r["n"] for r in parts if "n" in r and pd.notna(r["n"])]
        bases[group] = max(ns) if ns else None
        if all(_hidden(r) for r in parts):
            hidden.append(str(group))
            continue
        left, pieces = 0.0, []
        for cat in cats:
            row = cells.get((group, cat))
            if row is None:
                continue
            if _hidden(row):
                pieces.append(f"{labels.get(cat, cat)} {fmt.SUPPRESSED}")
                continue
            value = float(row["value"])
            for target, item in zip(segments[cat], (i, value, left)):
                target.append(item)
            candidates.append((left, value, i, fmt.percent(value)))
            left += value
            pieces.append(f"{labels.get(cat, cat).lower()} {fmt.percent(value)}")
        shown.append(f"{group}{_n_text(bases[group])}: " + ", ".join(pieces))
    tick_labels = [f"{g}{_n_text(bases[g])}" for g in groups]
    notes = [_suppressed_note(min_cell)] if hidden or any(fmt.SUPPRESSED in s for s in shown) else []
    names = [labels.get(c, c) for c in cats if segments[c][0]]
    columns, top_margin = _legend_top(names, most=2) if names else (1, layout.PAD + 4)
    margins = layout.Margins(left=_left(group_axis, tick_labels),
                             right=layout.PAD + layout.text_size("100 %", 9)[0] / 2,
                             bottom=_bottom(notes, "Andel (%)"), top=top_margin)
    fig, ax = _figure()
    axes_height = max(STACK_PITCH * max(len(groups), 1) + 0.2, layout.text_size(group_axis, 10)[0] / 72 + 0.1)
    axes_width = layout.place(fig, ax, margins, axes_height) * 72
    for i, group in enumerate(groups):
        if group in hidden:
            ax.text(0.005, i, fmt.SUPPRESSED, va="center", ha="left", fontweight="bold")
    handles = {}
    for k, cat in enumerate(cats):
        ys, widths, lefts = segments[cat]
        if ys:  # one call per category
            handles[cat] = ax.barh(ys, widths, left=lefts, color=PALETTE[k % len(PALETTE)],
                                   hatch=HATCHES[k % len(HATCHES)], edgecolor="#333333", linewidth=0.6, height=0.62,
                                   label=labels.get(cat, cat))
    for left, value, i, text in candidates:
        if value * axes_width >= layout.text_size(text, LABEL_SIZE)[0] + 6:  # the label fits in its segment
            ax.text(left + value / 2, i, text, ha="center", va="center", fontsize=LABEL_SIZE,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    ax.set_yticks(np.arange(len(groups)), tick_labels)
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.xaxis.set_major_formatter(percent_formatter())
    ax.grid(axis="y", visible=False)
    _axis_labels(ax, "Andel (%)", group_axis)
    if handles:
        _legend_above(fig, ax, list(handles.values()), names, columns)
    _notes(fig, notes)
    alt = f"Liggande stapeldiagram med andelar som summerar till 100 %: {_lower_first(what)}. " + _join(shown)
    if hidden:
        alt += f" Redovisas inte (för litet underlag): {', '.join(hidden)}."
    return fig, alt.strip()


TREND_AXES_HEIGHT = 1.9  # inches


def _legend_top(names: list[str], most: int = 3) -> tuple[int, float]:
    """(columns, top margin in points) for a legend above the axes, as wide as the figure."""
    columns = layout.legend_columns(names, WIDTH * 72 - 2 * layout.PAD, most)
    return columns, layout.PAD + layout.legend_size(names, columns)[1] + 3


def _legend_above(fig: Figure, ax, handles, names: list[str], columns: int) -> None:
    """The legend between the figure's top and the axes, from the figure's left edge."""
    top = ax.get_position().y1
    kwargs = {"handles": handles, "labels": names} if handles is not None else {}
    ax.legend(**kwargs, loc="lower left", bbox_to_anchor=(layout.PAD / 72 / fig.get_figwidth(), top),
              bbox_transform=fig.transFigure, ncol=columns, borderaxespad=0.15)


def _count_ticks(top: float) -> list[float]:
    return [t for t in MaxNLocator(integer=True).tick_values(0, top) if 0 <= t <= top]


def trend_lines(data: pd.DataFrame, what: str, unit: str = "andel", min_cell: int = 5, *,
                goals: tuple[GoalMark, ...] = ()) -> tuple[Figure, str]:
    """One line per series across periods, with markers, line styles, a direct label at the last point and the
    committee's goals as dashed lines in the series' colour.

    ``data``: series, period, value, suppressed (optionally n). Suppressed periods are gaps.
    """
    periods = sorted(data["period"].astype(str).unique())
    x_of = {p: i for i, p in enumerate(periods)}
    series_names = [str(n) for n in dict.fromkeys(data["series"])]
    values = pd.to_numeric(data["value"], errors="coerce")
    highest = max([float(values.max()) if values.notna().any() else 0.0] + [g.value for g in goals])
    y_top = 1.02 if unit == "andel" else max(highest * 1.15, 1.0)
    y_ticks = [0, 0.2, 0.4, 0.6, 0.8, 1.0] if unit == "andel" else _count_ticks(y_top)
    formatter = percent_formatter() if unit == "andel" else number_formatter(1 if unit in ("medelvärde", "median")
                                                                               else 0)
    lines, parts, hidden_at, ends = [], [], set(), []
    for series in series_names:
        s = data[data["series"].astype(str) == series]
        s = s.assign(period=s["period"].astype(str)).sort_values("period").to_dict("records")
        ys = [np.nan if _hidden(r) else float(r["value"]) for r in s]
        xs = [x_of[r["period"]] for r in s]
        lines.append((series, xs, ys))
        points = []
        for r, x, yv in zip(s, xs, ys):
            if np.isnan(yv):
                hidden_at.add(x)
                points.append(f"{r['period']} redovisas inte")
            else:
                points.append(f"{r['period']} {value_text(yv, unit)}")
        last = [(x, yv) for x, yv in zip(xs, ys) if not np.isnan(yv)]
        if last:
            ends.append((last[-1][0], last[-1][1], value_text(last[-1][1], unit)))
        parts.append(f"{series}: " + ", ".join(points))
    notes = [_suppressed_note(min_cell)] if hidden_at else []
    y_label = value_axis_label(unit)
    left_margin = _left(y_label, [formatter(t, 0) for t in y_ticks])
    columns, top_margin = _legend_top(series_names)
    fig, ax = _figure()
    axes_width = layout.place(fig, ax, layout.Margins(left_margin, layout.PAD + 4, _bottom(notes, "År"), top_margin),
                              TREND_AXES_HEIGHT)
    gap = (layout.text_size("0", LABEL_SIZE)[1] + 1.5) / 72 / TREND_AXES_HEIGHT * y_top  # a label's height
    colour = {}
    for k, (series, xs, ys) in enumerate(lines):
        colour[series] = PALETTE[k % len(PALETTE)]
        ax.plot(xs, ys, marker=MARKERS[k % len(MARKERS)], linestyle=LINESTYLES[k % len(LINESTYLES)],
                color=colour[series], linewidth=1.8, markersize=6, label=series)
    for x in sorted(hidden_at):  # one mark per period, whichever series it hides (the alt text names them)
        ax.annotate(fmt.SUPPRESSED, (x, 0), xytext=(0, 4), textcoords="offset points", ha="center",
                    fontweight="bold")
    starts = []
    for x in sorted({e[0] for e in ends}):
        column = [e for e in ends if e[0] == x]
        for (x0, y0, text), y1 in zip(column, spread([e[1] for e in column], gap)):
            ax.annotate(text, (x0, y0), xytext=(x0 + 0.06, y1), textcoords="data", va="center", ha="left",
                        fontsize=LABEL_SIZE, color="#222222", zorder=4,
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
            starts.append((x0 + 0.06, layout.text_size(text, LABEL_SIZE)[0] + 2))
    drawn = {}
    for goal in goals:  # one line per distinct goal value and series
        drawn.setdefault((goal.value, goal.where), goal)
    marks = list(drawn.values())
    for goal, y_label_at in zip(marks, spread([g.value for g in marks], gap)):
        ax.axhline(goal.value, **{**GOAL_STYLE, "color": colour.get(goal.where, GOAL_STYLE["color"])}, zorder=1)
        ax.text(-0.28, y_label_at + gap * 0.15, goal.label, ha="left", va="bottom", fontsize=LABEL_SIZE,
                color="#222222", bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none",
                                       "alpha": 0.85})
    ax.set_xticks(range(len(periods)), periods)
    ax.set_xlim(-0.3, _fit_right(starts, -0.3, len(periods) - 0.4, axes_width))
    ax.set_ylim(0, y_top)
    ax.set_yticks(y_ticks)
    ax.yaxis.set_major_formatter(formatter)
    _axis_labels(ax, "År", y_label)
    _legend_above(fig, ax, None, series_names, columns)
    _notes(fig, notes)
    stat = statistic(unit)
    intro = f"Linjediagram: {_lower_first(what)}{f' ({stat})' if stat and stat not in what else ''}"
    alt = f"{intro}, {periods[0]}–{periods[-1]}. " if periods else f"{intro}. "
    return fig, (alt + _join(parts) + _goal_alt(marks)).strip()


def monthly_counts(data: pd.DataFrame, what: str, min_cell: int = 5) -> tuple[Figure, str]:
    """Counts per month for a few series (e.g. opened and closed investigations), Swedish month names.

    ``data``: month ("ÅÅÅÅ-MM"), series, value, suppressed. More than twelve months: every k-th month is named.
    """
    months = sorted(data["month"].astype(str).unique())
    x_of = {m: i for i, m in enumerate(months)}
    one_year = len({m[:4] for m in months}) == 1
    series_names = [str(n) for n in dict.fromkeys(data["series"])]
    lines, parts, hidden = [], [], False
    for series in series_names:
        s = data[data["series"].astype(str) == series]
        s = s.assign(month=s["month"].astype(str)).sort_values("month").to_dict("records")
        ys = np.array([np.nan if _hidden(r) else float(r["value"]) for r in s])
        mths = [r["month"] for r in s]
        lines.append((series, [x_of[m] for m in mths], ys))
        hidden = hidden or bool(np.isnan(ys).any())
        valid = ~np.isnan(ys)
        if valid.any():
            hi, lo = int(np.nanargmax(ys)), int(np.nanargmin(ys))
            text = (f"{series}: totalt {fmt.integer(np.nansum(ys))}, flest i {fmt.month(mths[hi])} "
                    f"({fmt.integer(ys[hi])}), färst i {fmt.month(mths[lo])} ({fmt.integer(ys[lo])})")
            if not valid.all():
                missing = int((~valid).sum())
                text += f", {missing} {'månad' if missing == 1 else 'månader'} redovisas inte"
            parts.append(text)
        else:
            parts.append(f"{series}: redovisas inte")
    step = max(1, math.ceil(len(months) / 12))
    ticks = list(range(0, len(months), step))
    names = [fmt.MONTHS_SHORT[int(months[i][5:7]) - 1] + ("" if one_year else f"\n{months[i][:4]}") for i in ticks]
    values = pd.to_numeric(data["value"], errors="coerce")
    y_top = max(float(values.max()) * 1.08 if values.notna().any() else 1.0, 1.0)
    y_ticks = _count_ticks(y_top)
    notes = [_suppressed_note(min_cell)] if hidden else []
    x_label = f"Månad {months[0][:4]}" if one_year and months else "Månad"
    left_margin = _left("Antal", [fmt.integer(t) for t in y_ticks])
    columns, top_margin = _legend_top(series_names)
    fig, ax = _figure()
    layout.place(fig, ax, layout.Margins(left_margin, layout.PAD + layout.widest(names[-1:], 9) / 2,
                                         _bottom(notes, x_label, 1 if one_year else 2), top_margin), 2.3)
    for k, (series, xs, ys) in enumerate(lines):
        ax.plot(xs, ys, marker=MARKERS[k % len(MARKERS)], linestyle=LINESTYLES[k % len(LINESTYLES)],
                color=PALETTE[k % len(PALETTE)], linewidth=1.8, markersize=5, label=series)
    ax.set_xticks(ticks, names)
    ax.set_xlim(-0.5, len(months) - 0.5)
    ax.set_ylim(0, y_top)
    ax.set_yticks(y_ticks)
    ax.yaxis.set_major_formatter(number_formatter())
    _axis_labels(ax, x_label, "Antal")
    _legend_above(fig, ax, None, series_names, columns)
    _notes(fig, notes)
    return fig, (f"Linjediagram per månad: {_lower_first(what)}. " + _join(parts)).strip()


# --- files ----------------------------------------------------------------------------------------------

def save(fig: Figure, figures_dir: str | Path, fig_id: str, close: bool = True, png: bool = True
         ) -> tuple[Path, Path | None]:
    """Write ``<id>.svg`` (deterministic: fixed hash salt, no date, text as text) and, when asked, a 200-dpi
    ``<id>.png``."""
    d = Path(figures_dir)
    d.mkdir(parents=True, exist_ok=True)
    svg, png_path = d / f"{fig_id}.svg", (d / f"{fig_id}.png" if png else None)
    with mpl.rc_context({"svg.hashsalt": SVG_SALT, "svg.fonttype": "none"}):
        fig.savefig(svg, format="svg", metadata={"Date": None})
        if png_path is not None:
            fig.savefig(png_path, format="png", dpi=PNG_DPI, metadata={"Software": None})
    if close:
        plt.close(fig)
    return svg, png_path


def save_entry(fig: Figure, alt: str, figures_dir: str | Path, fig_id: str, caption: str, section: str,
               png: bool = True) -> FigureEntry:
    svg, png_path = save(fig, figures_dir, fig_id, png=png)
    return FigureEntry(fig_id, svg.name, png_path.name if png_path else "", caption, alt, section)


def write_manifest(entries: list[FigureEntry], figures_dir: str | Path) -> Path:
    """figurer.json: the figures in report order."""
    path = Path(figures_dir) / "figurer.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
    return path


def read_manifest(figures_dir: str | Path) -> list[FigureEntry]:
    path = Path(figures_dir) / "figurer.json"
    if not path.exists():
        return []
    return [FigureEntry(**e) for e in json.loads(path.read_text(encoding="utf-8"))]
