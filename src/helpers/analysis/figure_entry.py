"""One figure of a report as figurer.json lists it: apart from the drawing code, so a kernel that takes figures
drawn by another process (figure_specs.draw_ahead) does not import matplotlib to read their list."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FigureEntry:
    """One row of figurer.json; file names are relative to the figurer folder ("" = not written)."""
    id: str
    fil_svg: str
    fil_png: str
    rubrik: str
    alt: str
    avsnitt: str
