"""Notebook 07 run for real under papermill on hand-made step 5/6 files, then rendered."""
from __future__ import annotations

import json

import nbformat
import pytest

from helpers.config import PROJECT_ROOT
from helpers.report.render import render_report
from test_report_fixtures import make_project

NOTEBOOK = PROJECT_ROOT / "notebooks" / "07_kvalitetsredovisning.ipynb"


def test_notebook_is_committed_clean_with_the_parameters_cell():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert nb["cells"][0]["cell_type"] == "markdown" and nb["cells"][0]["source"][0].startswith("# ")
    params = nb["cells"][1]
    assert "parameters" in params["metadata"]["tags"]
    assert "".join(params["source"]).splitlines()[0] == 'period = "2025"'
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.slow
def test_notebook_runs_and_renders(tmp_path):
    import papermill

    project = make_project(tmp_path)
    executed = tmp_path / "07.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(executed), cwd=str(PROJECT_ROOT / "notebooks"), progress_bar=False,
                               parameters={"period": "2025", "config": str(project["config"]),
                                           "data_dir": str(project["data_dir"]),
                                           "output_dir": str(project["output_dir"]), "unit": None})
    files = render_report(executed, tmp_path / "ut", formats="html")
    html = files["html"].read_text(encoding="utf-8")
    assert "<title>Exempelkommun – Kvalitetsredovisning 2025</title>" in html
    assert "Mål för perioden" in html and "Figur 1." in html
    assert "display(HTML" not in html and "Den här notebooken" not in html
    nb = nbformat.read(str(executed), as_version=4)
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
