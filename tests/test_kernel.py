"""The notebooks name the project's kernel ("uppfoljning"); the pipeline runs them in its own Python whatever
kernels Jupyter knows, and the setup registers the named kernel for JupyterLab."""
import json
import subprocess
import sys

import nbformat
import pytest

from helpers import kernels
from helpers.run import pipeline


def test_pipeline_starts_its_kernel_from_the_running_interpreter(tmp_path, monkeypatch):
    # A "python3" kernelspec that points elsewhere, and no kernel called "uppfoljning" at all.
    elsewhere = tmp_path / "jupyter" / "kernels" / "python3"
    elsewhere.mkdir(parents=True)
    (elsewhere / "kernel.json").write_text(json.dumps({"argv": ["/finns/inte/python", "-m", "ipykernel_launcher",
                                                                "-f", "{connection_file}"],
                                                       "display_name": "Fel", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": kernels.KERNEL_NAME, "language": "python",
                                                           "display_name": kernels.DISPLAY_NAME}})
    nb.cells = [nbformat.v4.new_code_cell("period = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import sys, helpers\nprint(sys.executable)")]
    nbformat.write(nb, notebooks / "steg.ipynb")
    spec = pipeline.RunSpec("2025", tmp_path / "k.yml", tmp_path, tmp_path / "ut", notebooks)
    executed = nbformat.read(pipeline.run_notebook(spec, "steg"), as_version=4)
    assert executed.cells[-1].outputs[0]["text"].strip() == sys.executable


def test_install_command_registers_the_named_kernel():
    assert kernels.install_command() == [sys.executable, "-m", "ipykernel", "install", "--user", "--name",
                                         "uppfoljning", "--display-name", "Uppföljning"]


def test_registered_kernel_runs_this_environment(tmp_path):
    env_dir = tmp_path / "jupyter"
    subprocess.run(kernels.install_command(user=False)[:4] + ["--prefix", str(env_dir), "--name", "uppfoljning",
                   "--display-name", "Uppföljning"], check=True, capture_output=True)
    spec = json.loads((env_dir / "share" / "jupyter" / "kernels" / "uppfoljning" / "kernel.json").read_text())
    assert spec["display_name"] == "Uppföljning" and spec["argv"][0] == sys.executable
