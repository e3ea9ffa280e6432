"""A chart's layout from measured text sizes, fixed before it is drawn: the saved file is drawn once.

A layout engine (constrained or tight layout) has to draw a figure to measure it, and matplotlib then draws it
again to save it. Here every text on the margins (tick labels, axis labels, legends, notes) is measured with
the SVG renderer, once per distinct text and size in the process, and the axes are placed from those sizes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import io

import matplotlib as mpl
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure

PAD = 4.0  # points of white around the figure
WIDTH_MARGIN = 1.05  # the PNG (Agg, hinted) draws text up to ~4 % wider than the SVG measures it


class _Ruler:
    """A hidden figure and an SVG renderer at 72 dpi: text extents in points, as the saved SVG lays them out."""

    def __init__(self):
        self.figure = Figure(figsize=(10, 10), dpi=72)
        self.renderer = RendererSVG(720, 720, io.StringIO(), 72)
        self.text = self.figure.text(0, 0, "")


_RULER = None
_EXTENTS: dict = {}
# What else decides how a text is measured besides the text and its font properties: the font lists generic
# families resolve to and the glyph settings (names missing in older matplotlib are simply None).
_FONT_RC = ("font.family", "font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace",
            "text.kerning_factor", "text.hinting_factor", "font.enable_last_resort")


def remember_extents() -> None:
    """Keep every plain text's extent as the SVG renderer measures it (``TextToPath``: glyph metrics at 72 dpi,
    unhinted, so the same for every figure) for the whole process. matplotlib keeps them per renderer, and every
    saved figure has a new one: each chart measured the same tick labels, axis labels and notes again (a tenth of
    a report's drawing). Mathematical text is measured as before."""
    from matplotlib.textpath import TextToPath

    measure = TextToPath.get_text_width_height_descent
    if hasattr(measure, "original"):
        return

    def remembered(self, s, prop, ismath):
        if ismath:
            return measure(self, s, prop, ismath)
        rc = tuple(_hashable(mpl.rcParams.get(k)) for k in _FONT_RC)
        key = (s, prop.copy(), rc)  # a copy: FontProperties is mutable and hashes its state
        found = _EXTENTS.get(key)
        if found is None:
            if len(_EXTENTS) >= 100_000:  # a long session in JupyterLab: start afresh rather than grow
                _EXTENTS.clear()
            found = _EXTENTS[key] = measure(self, s, prop, ismath)
        return found
    remembered.original = measure
    TextToPath.get_text_width_height_descent = remembered


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


@lru_cache(maxsize=16384)
def text_size(text: str, size: float, bold: bool = False, linespacing: float = 1.2) -> tuple[float, float]:
    """(width, height) in points of a text in the theme's font, measured once per process (the width with
    ``WIDTH_MARGIN`` to spare)."""
    global _RULER
    if _RULER is None:
        _RULER = _Ruler()
    t = _RULER.text
    t.set_text(text)
    t.set_fontsize(size)
    t.set_fontweight("bold" if bold else "normal")
    t.set_linespacing(linespacing)
    t.set_fontfamily(mpl.rcParams["font.family"])
    box = t.get_window_extent(_RULER.renderer)
    return float(box.width) * WIDTH_MARGIN, float(box.height)


def widest(texts, size: float) -> float:
    return max((text_size(str(t), size)[0] for t in texts), default=0.0)


def tallest(texts, size: float) -> float:
    return max((text_size(str(t), size)[1] for t in texts), default=0.0)


def tick_offset(axis: str = "x") -> float:
    """Points between the axes' edge and its tick labels (tick length + pad)."""
    return float(mpl.rcParams[f"{axis}tick.major.size"]) + float(mpl.rcParams[f"{axis}tick.major.pad"])


def axis_label_band(label: str) -> float:
    """Points an axis label takes on its side of the axes, with its pad."""
    return text_size(label, float(mpl.rcParams["axes.labelsize"]))[1] + float(mpl.rcParams["axes.labelpad"])


def legend_size(labels: list[str], ncol: int, size: float | None = None) -> tuple[float, float]:
    """(width, height) in points of a frameless legend with ``ncol`` columns."""
    fs = size or float(mpl.rcParams["legend.fontsize"])
    rc = mpl.rcParams
    ncol = max(1, min(ncol, len(labels) or 1))
    rows = -(-len(labels) // ncol)
    columns = [labels[k * rows:(k + 1) * rows] for k in range(ncol)]
    handle = (rc["legend.handlelength"] + rc["legend.handletextpad"]) * fs
    width = 2 * rc["legend.borderpad"] * fs + sum(handle + widest(c, fs) for c in columns) + \
        (ncol - 1) * rc["legend.columnspacing"] * fs
    row = max(max((text_size(str(t), fs)[1] for t in labels), default=0.0), rc["legend.handleheight"] * fs)
    height = 2 * rc["legend.borderpad"] * fs + rows * row + (rows - 1) * rc["legend.labelspacing"] * fs
    return width, height


def legend_columns(labels: list[str], available: float, most: int = 3) -> int:
    """The most columns (up to ``most``) whose legend fits in ``available`` points."""
    for ncol in range(min(most, len(labels)), 1, -1):
        if legend_size(labels, ncol)[0] <= available:
            return ncol
    return 1


@dataclass(frozen=True)
class Margins:
    """Space around the axes, in points."""
    left: float
    right: float
    bottom: float
    top: float


def place(fig, ax, margins: Margins, axes_height: float) -> float:
    """Size the figure to the axes' height (inches) plus the margins and put the axes in it. Returns the
    axes' width in inches."""
    width = fig.get_figwidth()
    height = axes_height + (margins.bottom + margins.top) / 72
    fig.set_size_inches(width, height)
    axes_width = width - (margins.left + margins.right) / 72
    ax.set_position([margins.left / 72 / width, margins.bottom / 72 / height, axes_width / width,
                     axes_height / height])
    return axes_width
