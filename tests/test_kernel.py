"""The notebooks name the project's kernel ("uppfoljning"); the pipeline runs them in its own Python whatever
kernels Jupyter knows, and the setup registers the named kernel for JupyterLab."""
import json
import subprocess
import sys

import nbformat
import pytest

from helpers import kernels
from helpers.run import pipeline
from runner_fakes import fake_notebooks, raw_data, trace_lines


def test_pipeline_starts_its_kernel_from_the_running_interpreter(tmp_path, monkeypatch):
    # A "python3" kernelspec that points elsewhere, and no kernel called "uppfoljning" at all.
    elsewhere = tmp_path / "jupyter" / "kernels" / "python3"
    elsewhere.mkdir(parents=True)
    (elsewhere / "kernel.json").write_text(json.dumps({"argv": ["/finns/inte/python", "-m", "ipykernel_launcher",
                                                                "-f", "{connection_file}"],
                                                       "display_name": "Fel", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    trace = tmp_path / "trace.txt"
    notebooks = fake_notebooks(tmp_path / "notebooks", trace)
    for path in notebooks.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nb.metadata["kernelspec"] = {"name": kernels.KERNEL_NAME, "language": "python",
                                     "display_name": kernels.DISPLAY_NAME}
        nbformat.write(nb, path)
    pipeline.run_pipeline("2025", data_dir=raw_data(tmp_path / "indata"), output_dir=tmp_path / "ut",
                          notebooks_dir=notebooks, formats="html", workers=1)
    assert {exe for _, _, _, exe in trace_lines(trace)} == {sys.executable}


def test_install_command_registers_the_named_kernel():
    assert kernels.install_command() == [sys.executable, "-m", "ipykernel", "install", "--user", "--name",
                                         "uppfoljning", "--display-name", "Uppföljning"]


def test_registered_kernel_runs_this_environment(tmp_path):
    env_dir = tmp_path / "jupyter"
    subprocess.run(kernels.install_command(user=False)[:4] + ["--prefix", str(env_dir), "--name", "uppfoljning",
                   "--display-name", "Uppföljning"], check=True, capture_output=True)
    spec = json.loads((env_dir / "share" / "jupyter" / "kernels" / "uppfoljning" / "kernel.json").read_text())
    assert spec["display_name"] == "Uppföljning" and spec["argv"][0] == sys.executable
