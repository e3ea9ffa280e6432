"""The runner: order of steps, the audit trail, and a failing cell named in a Swedish message."""
import json
import subprocess
import sys

import nbformat
import pytest

from helpers.run import pipeline

PARAMS = 'period = "2025"\nconfig = None\ndata_dir = "data"\noutput_dir = None\nunit = None'


def _notebook(path, *cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Test"), params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)


def raw_data(data_dir, period="2025"):
    """The runner refuses a period without data: one export file is enough for fake notebooks."""
    raw = data_dir / "raw" / period
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "arenden.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    return data_dir


@pytest.fixture()
def notebooks(tmp_path):
    d = tmp_path / "nb"
    d.mkdir()
    _notebook(d / "01_planera.ipynb", "from pathlib import Path\nPath(output_dir).mkdir(parents=True, exist_ok=True)",
              "(Path(output_dir) / 'steg1.txt').write_text(str(period) + type(period).__name__)")
    _notebook(d / "02_fore_insats.ipynb", "x = 1", "y = x / 0  # fel med avsikt", "z = 3")
    return d


def test_failing_cell_is_named_and_exit_is_non_zero(notebooks, tmp_path):
    out = tmp_path / "ut"
    raw_data(tmp_path / "data")
    for name in ("03_under_insats", "04_efter_insats", "05_sammanstall", "06_analysera", "07_kvalitetsredovisning"):
        _notebook(notebooks / f"{name}.ipynb", "pass")
    proc = subprocess.run([sys.executable, "-m", "helpers.cli", "run", "--period", "2025", "--notebooks-dir",
                           str(notebooks), "--data-dir", str(tmp_path / "data"), "--output-dir", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "FEL: Steget 02_fore_insats.ipynb misslyckades i cell 4" in proc.stderr
    assert "ZeroDivisionError" in proc.stderr and "y = x / 0" in proc.stderr
    assert "Traceback" not in proc.stderr
    # Progress on the terminal; a failed run publishes nothing (step 1's file is gone again), but its audit trail
    # is kept where a reader looks for it, and shows step 1 ran with the period as a string.
    assert "[1/7] 01_planera" in proc.stdout and "[2/7] 02_fore_insats" in proc.stdout
    assert "den tidigare publikationen ligger kvar orörd" in proc.stdout
    assert not (out / "steg1.txt").exists()
    trail = out / "notebooks" / "senaste_misslyckade"
    first = nbformat.read(trail / "01_planera.ipynb", as_version=4)
    assert any("period = \"2025\"" in c.source for c in first.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert (trail / "02_fore_insats.ipynb").exists()
    log = json.loads((trail / "korning.json").read_text(encoding="utf-8"))
    assert [s["status"] for s in log["steg"]] == ["klar", "fel"] and log["status"] == "fel"
    assert log["parametrar"]["period"] == "2025"


def test_missing_notebook_and_unknown_unit_are_refused(notebooks, tmp_path):
    with pytest.raises(pipeline.PipelineError, match="Okänd enhet 'x'"):
        pipeline.run_pipeline("2025", units=["x"], output_dir=tmp_path / "ut")
    with pytest.raises(pipeline.ArgumentError, match="03_under_insats.ipynb saknas"):
        pipeline.run_pipeline("2025", data_dir=raw_data(tmp_path / "data"), output_dir=tmp_path / "ut",
                              notebooks_dir=notebooks)
    assert not (tmp_path / "ut").exists()


def test_bad_format_gives_exit_2(capsys):
    from helpers.cli import main
    assert main(["run", "--period", "2025", "--formats", "docx"]) == 2
    assert "Okänt format: docx" in capsys.readouterr().err
