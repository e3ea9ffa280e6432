"""The make targets without make (python -m helpers.tasks): git filter for notebooks, JupyterLab as root or not,
the version lock for the server run."""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from helpers import tasks
import test_notebooks as committed_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/02_fore_insats.ipynb"


def git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)


@pytest.fixture
def clone(tmp_path):
    if shutil.which("git") is None or subprocess.run(["git", "-C", str(ROOT), "rev-parse"],
                                                     capture_output=True).returncode != 0:
        pytest.skip("inte en git-utcheckning")
    target = tmp_path / "klon"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    return target


def autosaved(path: Path) -> None:
    """What JupyterLab leaves after a run-all: outputs, execution counts and an edited period."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = cell.source.replace('period = "2025"', 'period = "2024"')
            cell.execution_count = 3
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="utdata\n")]
    nbformat.write(nb, path)


def test_filter_strips_outputs_on_commit_and_tests_read_the_commit(clone):
    assert tasks.install_git_filter(clone)
    assert git(clone, "config", "filter.nbstripout.clean").stdout.strip().endswith("-m nbstripout --keep-id")
    assert git(clone, "status", "--porcelain").stdout == ""  # the committed notebooks pass the filter unchanged

    autosaved(clone / NOTEBOOK)
    # What the tests read is the commit, whatever the working copy holds.
    again = committed_notebooks.committed("02_fore_insats", clone / "notebooks")
    committed_notebooks.test_committed_without_outputs(again)
    committed_notebooks.test_parameters_cell_declares_the_five_parameters(again)

    git(clone, "add", NOTEBOOK)
    staged = nbformat.reads(git(clone, "show", f":{NOTEBOOK}").stdout, as_version=4)
    code = [c for c in staged.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)  # outputs never reach git
    assert any('period = "2024"' in c.source for c in code)  # a real edit does


def test_attributes_name_the_filter_and_keep_corpus_bytes():
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    assert "*.ipynb filter=nbstripout diff=ipynb" in attributes and "tests/corpus/** -text" in attributes


def test_filter_command_works_from_a_windows_path():
    settings = tasks.git_filter_settings(r"C:\Users\Anna Berg\anaconda3\envs\uppfoljning\python.exe")
    assert settings["filter.nbstripout.clean"] == \
        '"C:/Users/Anna Berg/anaconda3/envs/uppfoljning/python.exe" -m nbstripout --keep-id'


def test_lab_allows_root_only_for_root():
    assert tasks.lab_command(uid=0)[-1] == "--allow-root"
    assert "--allow-root" not in tasks.lab_command(uid=1000)
    assert tasks.lab_command(uid=1000)[:3] == [sys.executable, "-m", "jupyterlab"]


@pytest.mark.slow
def test_lab_starts_as_the_current_user(tmp_path):
    """Root in a container, or a normal user: JupyterLab starts either way."""
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    proc = subprocess.Popen(tasks.lab_command() + ["--no-browser", "--ServerApp.port=0",
                                                   f"--ServerApp.root_dir={tmp_path}", "--ServerApp.token=prov"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    seen = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            seen.append(line)
            if "is running at" in line or "http://127.0.0.1:" in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = "".join(seen)
    assert "Running as root is not recommended" not in text
    assert "http://127.0.0.1:" in text or "is running at" in text, text[-2000:]


def test_lock_pins_this_environment(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "checkout_root", lambda: tmp_path)
    tasks.lock(None)
    lines = (tmp_path / "constraints" / "server.txt").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("# Install:  python -m pip install -c constraints/server.txt") for line in lines)
    pins = {line.split("==")[0].lower(): line.split("==")[1] for line in lines if "==" in line}
    import pandas
    assert pins["pandas"] == pandas.__version__ and "uppfoljning" not in pins


def test_server_constraints_pin_every_runtime_dependency_at_or_above_its_minimum():
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    declared = [Requirement(r) for r in
                tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]]
    text = (ROOT / "constraints" / "server.txt").read_text(encoding="utf-8")
    pinned = {canonicalize_name(line.split("==")[0]): line.split("==")[1].strip()
              for line in text.splitlines() if "==" in line and not line.startswith("#")}
    for req in declared:
        name = canonicalize_name(req.name)
        assert name in pinned, req.name
        assert req.specifier.contains(pinned[name]), (req.name, pinned[name], str(req.specifier))


def test_tasks_help_is_swedish():
    proc = subprocess.run([sys.executable, "-m", "helpers.tasks", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("användning: python -m helpers.tasks")
    for target in ("setup", "report", "test", "lab", "test-minimum", "lock", "benchmark", "help"):
        assert f"    {target}" in proc.stdout
    assert "usage:" not in proc.stdout and "show this help" not in proc.stdout


def make_targets() -> set[str]:
    return {line.split(":")[0] for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
            if "## " in line and not line.startswith(("\t", "#"))}


def test_every_make_target_has_a_python_equivalent():
    targets = make_targets()
    assert {"help", "benchmark", "systemdeps"} <= targets
    assert targets - {"systemdeps"} <= set(tasks.TASKS)  # systemdeps installs Linux packages (Linux and CI only)


def test_readme_table_lists_every_make_target():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in readme.splitlines()
            if line.startswith("| `make ")}
    assert set(rows) == {f"`make {target}`" for target in make_targets()}
    for target in make_targets() - {"systemdeps", "demo"}:  # demo: the command itself, `uppfoljning demo`
        assert rows[f"`make {target}`"].startswith(f"`python -m helpers.tasks {target}`")
    assert "| `make systemdeps` | behövs inte på Windows" in readme


def test_help_lists_every_task_in_swedish(capsys):
    assert tasks.main(["help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Uppgifter (python -m helpers.tasks UPPGIFT):"
    assert [line.split()[0] for line in lines[1:]] == list(tasks.TASKS)
    assert "  benchmark     Prestandamätningarna i benchmarks/, en i taget" in lines


def fake_benchmarks(root: Path, scripts: dict[str, str]) -> None:
    (root / "benchmarks").mkdir(parents=True)
    for name, code in scripts.items():
        (root / "benchmarks" / name).write_text(code, encoding="utf-8")
    (root / "benchmarks" / "hjalp.py").write_text("raise SystemExit('inte en mätning')\n", encoding="utf-8")


def test_benchmark_runs_every_script_in_order_from_the_root(tmp_path, monkeypatch, capfd):
    # Each script appends its name and the folder it runs in to a log: the order and the cwd are checked.
    log = tmp_path / "logg.txt"
    code = ("import os, sys; open(r'{log}', 'a').write(os.path.basename(sys.argv[0]) + ' ' + os.getcwd() + '\\n')"
            .format(log=log))
    fake_benchmarks(tmp_path, {"bench_b.py": code, "bench_a.py": code})
    monkeypatch.setattr(tasks, "checkout_root", lambda: tmp_path)
    assert tasks.main(["benchmark"]) == 0
    assert log.read_text().splitlines() == [f"bench_a.py {tmp_path}", f"bench_b.py {tmp_path}"]
    assert capfd.readouterr().out.splitlines() == ["== benchmarks/bench_a.py", "== benchmarks/bench_b.py"]


def test_a_failing_benchmark_stops_with_a_swedish_message(tmp_path, monkeypatch, capfd):
    fake_benchmarks(tmp_path, {"bench_a.py": "raise SystemExit(3)\n", "bench_b.py": "open('b_kordes', 'w')\n"})
    monkeypatch.setattr(tasks, "checkout_root", lambda: tmp_path)
    assert tasks.main(["benchmark"]) == 1
    assert "Fel: Kommandot misslyckades (felkod 3)" in capfd.readouterr().err
    assert not (tmp_path / "b_kordes").exists()


def test_benchmark_needs_a_checkout(monkeypatch, capsys):
    monkeypatch.setattr(tasks, "checkout_root", lambda: None)
    assert tasks.main(["benchmark"]) == 1
    assert "Prestandamätningarna finns bara i en utcheckning" in capsys.readouterr().err


def test_setup_compiles_the_helpers_even_where_python_writes_no_bytecode(monkeypatch):
    import importlib.util

    import helpers

    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    package = Path(helpers.__file__).parent
    modules = sorted(package.rglob("*.py"))
    compiled = [Path(importlib.util.cache_from_source(str(m))) for m in modules]
    for pyc in compiled[:3]:
        pyc.unlink(missing_ok=True)
    tasks.compile_helpers()
    assert all(p.exists() for p in compiled)
