"""Checks on a drawn chart: which texts a reader sees, whether any two of them overlap, unlabelled axes.

Boxes are measured with the renderer after layout, so they are the boxes in the saved figure.
"""
from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text


def _tick_labels_out_of_view(fig: Figure) -> set[int]:
    """ids of tick labels whose tick lies outside its axis' view: they exist but are not drawn."""
    out = set()
    for ax in fig.axes:
        for axis, low_high, index in ((ax.xaxis, ax.get_xlim(), 0), (ax.yaxis, ax.get_ylim(), 1)):
            low, high = sorted(low_high)
            for tick in axis.majorTicks + axis.minorTicks:
                loc = tick.label1.get_position()[index]
                if not low - 1e-9 <= loc <= high + 1e-9:
                    out.update({id(tick.label1), id(tick.label2)})
    return out


def drawn_texts(fig: Figure) -> list[Text]:
    """The texts a reader sees once the figure is drawn (laid out): labels, ticks in view, legends, notes."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    unseen = _tick_labels_out_of_view(fig)
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in unseen]


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
