"""Checks on a drawn chart: which texts a reader sees, whether any two of them overlap, unlabelled axes.

Boxes are measured with the renderer after layout, so they are the boxes in the saved figure.
"""
from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text


def drawn_texts(fig: Figure) -> list[Text]:
    """The texts a reader sees once the figure is drawn (laid out): labels, ticks in view, legends, notes."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    out = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        ax = t.axes
        if ax is not None and t in ax.get_xticklabels():
            low, high = sorted(ax.get_xlim())
            if not low - 1e-9 <= t.get_position()[0] <= high + 1e-9:
                continue
        if ax is not None and t in ax.get_yticklabels():
            low, high = sorted(ax.get_ylim())
            if not low - 1e-9 <= t.get_position()[1] <= high + 1e-9:
                continue
        out.append(t)
    return out


def text_overlaps(fig: Figure, tolerance: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose bounding boxes (measured with the renderer after layout) overlap by more
    than ``tolerance`` pixels."""
    texts = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    pairs = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            a, b = boxes[i], boxes[j]
            if min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance and min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance:
                pairs.append((texts[i].get_text(), texts[j].get_text()))
    return pairs


def unlabelled_axes(fig: Figure) -> list[str]:
    """'x'/'y' for each axis of each axes without a label."""
    return [f"{k}:{axis}" for k, ax in enumerate(fig.axes) for axis, label in
            (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if not label.strip()]


def outside_figure(fig: Figure, tolerance: float = 1.0) -> list[str]:
    """Drawn texts that stick out of the figure (they would be cut off in the saved file)."""
    texts = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    return [t.get_text() for t in texts if (box := t.get_window_extent(renderer)).x0 < frame.x0 - tolerance
            or box.y0 < frame.y0 - tolerance or box.x1 > frame.x1 + tolerance or box.y1 > frame.y1 + tolerance]
