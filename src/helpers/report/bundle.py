"""One report's documents: the body (from the executed notebook 07) and its annex (from the publication)."""
from __future__ import annotations

from pathlib import Path

from ..analysis.heap import collection_paused
from ..publication.store import load_publication
from .annex import annex_notebook
from .render import render_report

BASENAME = "kvalitetsredovisning"
ANNEX = f"{BASENAME}_bilaga"


def render_all(executed_notebook, run, formats=("html", "pdf")) -> dict[str, Path]:
    """Render the report and its annex into the report's own folder (analysts and tests; the runner stages)."""
    return render_scope(executed_notebook, run.paths.output_dir, run_parameters(run), formats)


def run_parameters(run) -> dict:
    return {"period": run.period, "config": str(run.config.path), "data_dir": str(run.paths.data_dir),
            "output_dir": str(run.paths.output_dir), "unit": run.unit}


def render_scope(executed_notebook, target_dir, parameters: dict, formats=("html", "pdf"), annex: bool = True
                 ) -> dict[str, Path]:
    """The runner's render: the report (and, with `annex`, its annex) for the scope in `parameters` (the notebooks'
    parameters), written to `target_dir` (a staging folder the runner moves into place when every check has
    passed). The runner renders the annex apart, in parallel, when it has a second worker."""
    run = _run(parameters)
    written = render_report(executed_notebook, target_dir, formats=formats, basename=BASENAME,
                            min_cell=run.config.min_cell)
    if annex:
        written.update(render_annex(target_dir, parameters, formats, run))
    return written


@collection_paused()
def render_annex(target_dir, parameters: dict, formats=("html", "pdf"), run=None) -> dict[str, Path]:
    """The annex of the scope in `parameters`: the indicator tables, from the publication alone (it needs no
    executed notebook, so it can be rendered as soon as step 05 has written the publication)."""
    run = run or _run(parameters)
    pub = load_publication(run.paths.publication, run.config, run.period)
    title = f"Bilaga: indikatortabeller {run.period}" + (f" – {run.unit_name}" if run.unit else "")
    annex = render_report(annex_notebook(pub, run.config, run.unit, title), target_dir, formats=formats,
                          basename=ANNEX, title=f"{run.config.municipality} – {title}", min_cell=run.config.min_cell)
    return {f"bilaga_{k}": v for k, v in annex.items()}


def _run(parameters: dict):
    from ..params import validate

    return validate(parameters["period"], parameters["config"], parameters["data_dir"], parameters["output_dir"],
                    parameters.get("unit"))
