"""One look for every chart in the report, and the charts themselves.

The theme is seaborn's colour-blind-safe palette with DejaVu Sans; bars carry hatching and direct value labels
so a chart reads in greyscale print. Axes use Swedish formats ("70 %", decimal comma, month names). Every chart
function returns ``(fig, alt_text)``: the alt text says what the chart shows, with its key numbers. Suppressed
cells are never drawn: they are marked "X" and explained in a note under the chart.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .. import formatting as fmt

SVG_SALT = "kvalitetsredovisning"
PALETTE = sns.color_palette("colorblind")
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "ooo", "---", "+++")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.")
WIDTH = 6.3  # inches: the text width of an A4 page with 2,5 cm margins
PNG_DPI = 200
FONT = "DejaVu Sans"


def apply_theme() -> None:
    """The report's single theme (idempotent)."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font=FONT, rc={
        "svg.hashsalt": SVG_SALT, "svg.fonttype": "path", "savefig.dpi": PNG_DPI, "figure.dpi": 100,
        "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#333333",
        "axes.labelcolor": "#222222", "text.color": "#222222", "xtick.color": "#222222",
        "ytick.color": "#222222", "grid.color": "#dddddd", "hatch.color": "#333333", "hatch.linewidth": 0.6,
        "font.size": 10, "axes.labelsize": 10, "xtick.labelsize": 9, "ytick.labelsize": 9,
        "legend.fontsize": 9, "legend.frameon": False})


# --- Swedish axes ---------------------------------------------------------------------------------------

def percent_formatter() -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: fmt.percent(v))


def number_formatter(decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: fmt.number(v, decimals))


def value_text(value, unit: str) -> str:
    if unit == "andel":
        return fmt.percent(value)
    if "dagar" in unit:
        return f"{fmt.number(value)} dagar"
    return fmt.number(value, 1 if unit in ("medelvärde", "median") else 0)


def _value_axis(axis, unit: str) -> None:
    axis.set_major_formatter(percent_formatter() if unit == "andel" else
                             number_formatter(1 if unit in ("medelvärde", "median") else 0))


def _hidden(row) -> bool:
    return bool(row.get("suppressed", False)) or pd.isna(row.get("value"))


def _note(fig: Figure, lines: list[str]) -> None:
    if lines:
        fig.text(0.01, 0.005, "\n".join(lines), ha="left", va="bottom", fontsize=8, color="#333333")


def _n_text(n) -> str:
    return "" if n is None or pd.isna(n) else f" (n = {fmt.integer(n)})"


def _suppressed_note(min_cell: int) -> str:
    return f"X = redovisas inte: underlaget är för litet (färre än {min_cell} personer)."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _join(parts: list[str]) -> str:
    return "; ".join(parts) + "." if parts else ""


# --- charts ---------------------------------------------------------------------------------------------

def bars_by_group(data: pd.DataFrame, what: str, unit: str = "andel", min_cell: int = 5
                  ) -> tuple[Figure, str]:
    """Horizontal bars per group with 95 % intervals and direct labels.

    ``data``: label, value, n, suppressed and optionally ci_low/ci_high, in the order to show (top first).
    """
    apply_theme()
    data = data.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.9 + 0.42 * max(len(data), 1)))
    y = np.arange(len(data))
    has_ci = {"ci_low", "ci_high"} <= set(data.columns) and bool(data["ci_low"].notna().any())
    reach = data["ci_high"].fillna(data["value"]) if has_ci else data["value"]
    top = 1.0 if unit == "andel" else max(float(np.nanmax(reach)) if reach.notna().any() else 1.0, 1.0) * 1.05
    shown, hidden = [], []
    for i, row in data.iterrows():
        if _hidden(row):
            ax.text(0.005 * top, i, f"{fmt.SUPPRESSED}", va="center", ha="left", fontweight="bold")
            hidden.append(str(row["label"]))
            continue
        ax.barh(i, row["value"], color=PALETTE[0], edgecolor="#333333", linewidth=0.6, height=0.62)
        end = row["value"]
        if has_ci and pd.notna(row.get("ci_low")):
            ax.errorbar(row["value"], i, xerr=[[row["value"] - row["ci_low"]], [row["ci_high"] - row["value"]]],
                        fmt="none", ecolor="#222222", elinewidth=1, capsize=3)
            end = row["ci_high"]
        label = f"{value_text(row['value'], unit)}{_n_text(row.get('n'))}"
        ax.text(end + 0.015 * top, i, label, va="center", ha="left", fontsize=9)
        shown.append(f"{row['label']} {label}")
    ax.set_yticks(y, [str(v) for v in data["label"]])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.28)
    if unit == "andel":
        ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    _value_axis(ax.xaxis, unit)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(what[:1].upper() + what[1:])
    notes = (["Felstaplarna visar 95 % konfidensintervall."] if has_ci else []) + \
        ([_suppressed_note(min_cell)] if hidden else [])
    _note(fig, notes)
    fig.tight_layout(rect=(0, 0.03 * len(notes) + 0.01 if notes else 0, 1, 1))
    alt = f"Stapeldiagram: {_lower_first(what)}. " + _join(shown)
    if hidden:
        alt += f" Redovisas inte (för litet underlag): {', '.join(hidden)}."
    if has_ci:
        alt += " Felstaplarna visar 95 % konfidensintervall."
    return fig, alt.strip()


def stacked_shares(data: pd.DataFrame, what: str, categories: list[str] | None = None,
                   category_labels: dict[str, str] | None = None, min_cell: int = 5) -> tuple[Figure, str]:
    """100 % stacked horizontal bars, one per group (e.g. goal attainment or improved/unchanged/worse).

    ``data``: label, category, value (share of the group), n (the group's base), suppressed.
    """
    apply_theme()
    labels = category_labels or {}
    cats = list(categories or dict.fromkeys(data["category"]))
    cats = [c for c in cats if c in set(data["category"])]
    groups = list(dict.fromkeys(data["label"]))
    fig, ax = plt.subplots(figsize=(WIDTH, 1.4 + 0.45 * max(len(groups), 1) + 0.22 * len(cats)))
    shown, hidden = [], []
    handles = {}
    for i, group in enumerate(groups):
        part = data[data["label"] == group].set_index("category")
        if part.apply(_hidden, axis=1).all():
            ax.text(0.005, i, fmt.SUPPRESSED, va="center", ha="left", fontweight="bold")
            hidden.append(str(group))
            continue
        left, pieces = 0.0, []
        for k, cat in enumerate(cats):
            if cat not in part.index:
                continue
            row = part.loc[cat]
            if _hidden(row):
                pieces.append(f"{labels.get(cat, cat)} {fmt.SUPPRESSED}")
                continue
            value = float(row["value"])
            bar = ax.barh(i, value, left=left, color=PALETTE[k % len(PALETTE)], hatch=HATCHES[k % len(HATCHES)],
                          edgecolor="#333333", linewidth=0.6, height=0.62, label=labels.get(cat, cat))
            handles.setdefault(cat, bar)
            if value >= 0.09:
                ax.text(left + value / 2, i, fmt.percent(value), ha="center", va="center", fontsize=8,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                              "alpha": 0.85})
            left += value
            pieces.append(f"{labels.get(cat, cat).lower()} {fmt.percent(value)}")
        n = part["n"].dropna().max() if "n" in part else None
        shown.append(f"{group}{_n_text(n)}: " + ", ".join(pieces))
    bases = {g: data.loc[data["label"] == g, "n"].dropna().max() if "n" in data else None for g in groups}
    ax.set_yticks(np.arange(len(groups)), [f"{g}{_n_text(bases[g])}" for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.xaxis.set_major_formatter(percent_formatter())
    ax.grid(axis="y", visible=False)
    ordered = [handles[c] for c in cats if c in handles]
    if ordered:
        ax.legend(ordered, [labels.get(c, c) for c in cats if c in handles], loc="upper left",
                  bbox_to_anchor=(0, -0.12), ncol=2 if len(ordered) > 2 else len(ordered))
    notes = [_suppressed_note(min_cell)] if hidden or any(fmt.SUPPRESSED in s for s in shown) else []
    _note(fig, notes)
    fig.tight_layout(rect=(0, 0.04 if notes else 0, 1, 1))
    alt = f"Liggande stapeldiagram med andelar som summerar till 100 %: {_lower_first(what)}. " + _join(shown)
    if hidden:
        alt += f" Redovisas inte (för litet underlag): {', '.join(hidden)}."
    return fig, alt.strip()


def trend_lines(data: pd.DataFrame, what: str, unit: str = "andel", min_cell: int = 5) -> tuple[Figure, str]:
    """One line per series across periods, with markers, line styles and a direct label at the last point.

    ``data``: series, period, value, suppressed (optionally n). Suppressed periods are gaps.
    """
    apply_theme()
    periods = sorted(data["period"].astype(str).unique())
    x_of = {p: i for i, p in enumerate(periods)}
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    parts, hidden = [], False
    for k, (series, s) in enumerate(data.groupby("series", sort=False)):
        s = s.assign(period=s["period"].astype(str)).sort_values("period")
        ys = [np.nan if _hidden(r) else float(r["value"]) for _, r in s.iterrows()]
        xs = [x_of[p] for p in s["period"]]
        ax.plot(xs, ys, marker=MARKERS[k % len(MARKERS)], linestyle=LINESTYLES[k % len(LINESTYLES)],
                color=PALETTE[k % len(PALETTE)], linewidth=1.8, markersize=6, label=str(series))
        points = []
        for (_, r), x, y in zip(s.iterrows(), xs, ys):
            if np.isnan(y):
                hidden = True
                ax.annotate(fmt.SUPPRESSED, (x, 0), xytext=(0, 4), textcoords="offset points", ha="center",
                            fontweight="bold")
                points.append(f"{r['period']} redovisas inte")
            else:
                points.append(f"{r['period']} {value_text(y, unit)}")
        last = [(x, y) for x, y in zip(xs, ys) if not np.isnan(y)]
        if last:
            ax.annotate(value_text(last[-1][1], unit), last[-1], xytext=(6, 0), textcoords="offset points",
                        va="center", fontsize=8, color="#222222")
        parts.append(f"{series}: " + ", ".join(points))
    ax.set_xticks(range(len(periods)), periods)
    ax.set_xlim(-0.3, len(periods) - 0.4)
    if unit == "andel":
        ax.set_ylim(0, 1.02)
    else:
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _value_axis(ax.yaxis, unit)
    ax.set_ylabel(what[:1].upper() + what[1:] if len(what) < 40 else "")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    notes = [_suppressed_note(min_cell)] if hidden else []
    _note(fig, notes)
    fig.tight_layout(rect=(0, 0.04 if notes else 0, 1, 1))
    alt = f"Linjediagram: {_lower_first(what)}, {periods[0]}–{periods[-1]}. " if periods else \
        f"Linjediagram: {_lower_first(what)}. "
    return fig, (alt + _join(parts)).strip()


def monthly_counts(data: pd.DataFrame, what: str, min_cell: int = 5) -> tuple[Figure, str]:
    """Counts per month for a few series (e.g. opened and closed investigations), Swedish month names.

    ``data``: month ("ÅÅÅÅ-MM"), series, value, suppressed.
    """
    apply_theme()
    months = sorted(data["month"].astype(str).unique())
    x_of = {m: i for i, m in enumerate(months)}
    one_year = len({m[:4] for m in months}) == 1
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    parts, hidden = [], False
    for k, (series, s) in enumerate(data.groupby("series", sort=False)):
        s = s.assign(month=s["month"].astype(str)).sort_values("month")
        ys = np.array([np.nan if _hidden(r) else float(r["value"]) for _, r in s.iterrows()])
        xs = [x_of[m] for m in s["month"]]
        ax.plot(xs, ys, marker=MARKERS[k % len(MARKERS)], linestyle=LINESTYLES[k % len(LINESTYLES)],
                color=PALETTE[k % len(PALETTE)], linewidth=1.8, markersize=5, label=str(series))
        hidden = hidden or bool(np.isnan(ys).any())
        valid = ~np.isnan(ys)
        if valid.any():
            mths = list(s["month"])
            hi, lo = int(np.nanargmax(ys)), int(np.nanargmin(ys))
            text = (f"{series}: totalt {fmt.integer(np.nansum(ys))}, flest i {fmt.month(mths[hi])} "
                    f"({fmt.integer(ys[hi])}), färst i {fmt.month(mths[lo])} ({fmt.integer(ys[lo])})")
            if not valid.all():
                missing = int((~valid).sum())
                text += f", {missing} {'månad' if missing == 1 else 'månader'} redovisas inte"
            parts.append(text)
        else:
            parts.append(f"{series}: redovisas inte")
    labels = [fmt.MONTHS_SHORT[int(m[5:7]) - 1] + ("" if one_year else f"\n{m[:4]}") for m in months]
    ax.set_xticks(range(len(months)), labels)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(number_formatter())
    ax.set_ylabel("Antal")
    if one_year and months:
        ax.set_xlabel(months[0][:4])
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    notes = [_suppressed_note(min_cell)] if hidden else []
    _note(fig, notes)
    fig.tight_layout(rect=(0, 0.04 if notes else 0, 1, 1))
    return fig, (f"Linjediagram per månad: {_lower_first(what)}. " + _join(parts)).strip()


# --- files ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FigureEntry:
    """One row of figurer.json; file names are relative to the figurer folder."""
    id: str
    fil_svg: str
    fil_png: str
    rubrik: str
    alt: str
    avsnitt: str


def save(fig: Figure, figures_dir: str | Path, fig_id: str, close: bool = True) -> tuple[Path, Path]:
    """Write ``<id>.svg`` (deterministic: fixed hash salt, no date) and a 200-dpi ``<id>.png``."""
    d = Path(figures_dir)
    d.mkdir(parents=True, exist_ok=True)
    svg, png = d / f"{fig_id}.svg", d / f"{fig_id}.png"
    with plt.rc_context({"svg.hashsalt": SVG_SALT, "svg.fonttype": "path"}):
        fig.savefig(svg, format="svg", metadata={"Date": None}, bbox_inches="tight")
        fig.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None}, bbox_inches="tight")
    if close:
        plt.close(fig)
    return svg, png


def save_entry(fig: Figure, alt: str, figures_dir: str | Path, fig_id: str, caption: str, section: str
               ) -> FigureEntry:
    svg, png = save(fig, figures_dir, fig_id)
    return FigureEntry(fig_id, svg.name, png.name, caption, alt, section)


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
