"""One report's documents: the body (from the executed notebook 07) and its annex (from the publication)."""
from __future__ import annotations

from pathlib import Path

from ..publication.store import load_publication
from .annex import annex_notebook
from .render import render_report

BASENAME = "kvalitetsredovisning"
ANNEX = f"{BASENAME}_bilaga"


def render_all(executed_notebook, run, formats=("html", "pdf")) -> dict[str, Path]:
    """Render the report and its annex into the report's folder; returns {"html": …, "pdf": …, "bilaga_html": …}."""
    written = render_report(executed_notebook, run.paths.output_dir, formats=formats, basename=BASENAME,
                            min_cell=run.config.min_cell)
    pub = load_publication(run.paths.publication, run.config, run.period)
    title = f"Bilaga: indikatortabeller {run.period}" + (f" – {run.unit_name}" if run.unit else "")
    annex = render_report(annex_notebook(pub, run.config, run.unit, title), run.paths.output_dir, formats=formats,
                          basename=ANNEX, title=f"{run.config.municipality} – {title}", min_cell=run.config.min_cell)
    written.update({f"bilaga_{k}": v for k, v in annex.items()})
    return written
