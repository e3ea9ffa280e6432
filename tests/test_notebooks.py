"""The committed notebooks: one per step, thin, parameterised, without outputs, on the project's kernel.

They are read as committed (``git show HEAD:notebooks/…``) when the tests run in a git checkout: JupyterLab's
autosave may have written outputs or an edited period into the working copy, and that is not what is shared.
"""
import ast
import subprocess

import nbformat
import pytest

from helpers.kernels import KERNEL_NAME
from helpers.run.pipeline import NOTEBOOKS_DIR, PERIOD_STEPS, REPORT_STEPS

NAMES = PERIOD_STEPS + REPORT_STEPS
PARAMETERS = {"period", "config", "data_dir", "output_dir", "unit"}


def committed(name: str, folder=NOTEBOOKS_DIR) -> nbformat.NotebookNode:
    """The notebook as in the last commit; the working copy outside a git checkout (or for a new notebook)."""
    path = folder / f"{name}.ipynb"
    try:
        shown = subprocess.run(["git", "-C", str(folder), "show", f"HEAD:./{path.name}"],
                               capture_output=True, check=True, timeout=60)
        return nbformat.reads(shown.stdout.decode("utf-8"), as_version=4)
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
        assert path.exists(), f"{path.name} saknas"
        return nbformat.read(path, as_version=4)


@pytest.fixture(params=NAMES)
def notebook(request):
    return committed(request.param)


def test_committed_without_outputs(notebook):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_parameters_cell_declares_the_five_parameters(notebook):
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    names = {t.id for node in ast.parse(tagged[0].source).body for t in getattr(node, "targets", [])}
    assert names == PARAMETERS
    assert 'period = "2025"' in tagged[0].source  # a string, never an int


def test_notebook_is_thin_and_swedish(notebook):
    assert notebook.cells[0].cell_type == "markdown"
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    tree = ast.parse("\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))))
    defined = [n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert defined == [], f"logik hör hemma i src/helpers: {defined}"
    assert "params.validate(" in code
    prose = " ".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert any(ch in prose for ch in "åäö")


def test_notebook_runs_on_the_projects_named_kernel(notebook):
    assert notebook.metadata["kernelspec"] == {"name": KERNEL_NAME, "display_name": "Uppföljning",
                                               "language": "python"}
