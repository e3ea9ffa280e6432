"""Notebooks 01, 05, 06 and 07 run as papermill runs them, on the project's kernel: a period without data, or
without the step before, stops in the first code cell with a Swedish message naming what to do, and nothing is
written."""
import shutil
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

from helpers.kernels import KERNEL_NAME
from helpers.run.pipeline import NOTEBOOKS_DIR
from test_report_fixtures import make_project

pytestmark = pytest.mark.slow


def first_code_cell(name: str) -> str:
    """The source of the first code cell after the parameters cell."""
    cells = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4).cells
    code = [c for c in cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    return code[1].source


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def stops_in_first_cell(name: str, project: dict, period: str, executed: Path) -> PapermillExecutionError:
    """Run the notebook; assert it fails in its first code cell and changes no file of the project."""
    root = project["config"].parent
    before = tree(root)
    with pytest.raises(PapermillExecutionError) as info:
        pm.execute_notebook(str(NOTEBOOKS_DIR / f"{name}.ipynb"), str(executed / f"{name}.ipynb"),
                            cwd=str(NOTEBOOKS_DIR), kernel_name=KERNEL_NAME, progress_bar=False,
                            parameters={"period": period, "config": str(project["config"]),
                                        "data_dir": str(project["data_dir"]),
                                        "output_dir": str(project["config"].parent / "reports" / period),
                                        "unit": None})
    assert info.value.source == first_code_cell(name)
    assert tree(root) == before
    return info.value


@pytest.fixture
def project(tmp_path):
    """A project whose period 2025 is processed, published and analysed (and 2023 has nothing at all)."""
    root = tmp_path / "projekt"
    root.mkdir()
    made = make_project(root)
    (made["data_dir"] / "raw" / "2025").mkdir(parents=True)
    (made["data_dir"] / "raw" / "2025" / "arenden.csv").write_text("Personnummer;Enhet\n", encoding="utf-8")
    return made


def test_planning_a_period_without_exports(project, tmp_path):
    error = stops_in_first_cell("01_planera", project, "2023", tmp_path)
    raw = project["data_dir"] / "raw" / "2023"
    assert error.ename == "NoRawDataError"
    assert error.evalue == (f"Det finns inga källfiler för perioden 2023 i {raw}. Lägg exporterna där (se "
                            "data/README.md) eller välj en period som har data. Inget har importerats eller skrivits.")


def test_compiling_a_period_without_processed_data(project, tmp_path):
    error = stops_in_first_cell("05_sammanstall", project, "2023", tmp_path)
    processed = project["data_dir"] / "processed" / "2023"
    assert error.ename == "NoDataError"
    assert error.evalue == (f"Det finns inga bearbetade data för 2023 i {processed}. Kör steg 2–4 (import) för "
                            "perioden först; en period utan data ger ingen kvalitetsredovisning.")


def test_analysing_before_the_publication(project, tmp_path):
    shutil.rmtree(project["output_dir"] / "publikation")
    shutil.rmtree(project["output_dir"] / "analys")
    error = stops_in_first_cell("06_analysera", project, "2025", tmp_path)
    assert error.ename == "MissingStepError"
    assert error.evalue == (f"Publikationen för 2025 saknas i {project['output_dir'] / 'publikation'}. Kör steg 5 "
                            "(05_sammanstall) för perioden först.")


def test_report_before_the_analysis(project, tmp_path):
    shutil.rmtree(project["output_dir"] / "analys")
    error = stops_in_first_cell("07_kvalitetsredovisning", project, "2025", tmp_path)
    assert error.ename == "MissingStepError"
    assert error.evalue == (f"Analysen för 2025 saknas i {project['output_dir'] / 'analys' / 'hela'}. Kör steg 6 "
                            "(06_analysera) för perioden först.")
