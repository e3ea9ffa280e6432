"""Notebook 07 run for real under papermill on hand-made step 5/6 files, then rendered."""
from __future__ import annotations

import json

import nbformat
import pytest

from helpers.config import PROJECT_ROOT
from helpers.report.render import render_report
from test_report_fixtures import make_project

NOTEBOOK = PROJECT_ROOT / "notebooks" / "07_kvalitetsredovisning.ipynb"


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
