"""The Makefile's targets in plain Python, for machines without make (Windows, Anaconda):

    python -m helpers.tasks setup | demo | report | test | test-fast | lab | test-minimum | lock | benchmark
                            | clean | help

Each runs in the Python that starts it (a conda environment or .venv). Messages are Swedish.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .argparse_sv import SwedishParser, UsageError, swedish
from .console import say, setup_console
from .kernels import install_command
from .resources import checkout_root, work_root

PERIOD = "2025"
CONFIG = "config/exempelkommun.yml"
DEMO_CLIENTS = "5000"
MINIMUM_VENV = ".venv-min"
MINIMUM_CONSTRAINTS = Path("constraints") / "minimum.txt"
SERVER_CONSTRAINTS = Path("constraints") / "server.txt"
# The end-to-end tests, and the tests of what the declared minimum versions broke before (Styler, PDF check,
# the PDF's structure tree, the workbook readers), and the sort Arrow does for pandas (tables.sorted_rows).
MINIMUM_TESTS = ["tests/test_end_to_end.py", "tests/test_checks.py", "tests/test_report_render.py",
                 "tests/test_params_config.py", "tests/test_cli.py", "tests/test_excel_readers.py",
                 "tests/test_tables.py"]
NBSTRIPOUT = "-m nbstripout --keep-id"


class TaskError(RuntimeError):
    """A step that failed (Swedish message)."""


def _run(cmd: list[str], cwd: Path | None = None, env: dict | None = None, quiet: bool = False) -> None:
    """Run a command; ``quiet`` keeps its (English) output unless it fails."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=quiet, text=quiet)
    if proc.returncode != 0:
        if quiet:
            sys.stderr.write((proc.stdout or "") + (proc.stderr or ""))
        raise TaskError(f"Kommandot misslyckades (felkod {proc.returncode}): {' '.join(map(str, cmd))}")


def _uppfoljning(*args: str) -> list[str]:
    return [sys.executable, "-m", "helpers.cli", *args]


def _python_path(python: str | Path) -> str:
    """A Python path git can run from its shell, on Windows too (forward slashes, quoted)."""
    return '"' + str(python).replace("\\", "/") + '"'


def git_filter_settings(python: str | Path | None = None) -> dict[str, str]:
    """The git configuration that strips notebook outputs on commit (.gitattributes names the filter)."""
    py = _python_path(python or sys.executable)
    return {"filter.nbstripout.clean": f"{py} {NBSTRIPOUT}", "filter.nbstripout.smudge": "cat",
            "filter.nbstripout.required": "true", "diff.ipynb.textconv": f"{py} {NBSTRIPOUT} -t"}


def install_git_filter(root: Path) -> bool:
    """Configure the nbstripout filter in the checkout at ``root``; False when it is not a git checkout."""
    if shutil.which("git") is None:
        return False
    inside = subprocess.run(["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"], capture_output=True)
    if inside.returncode != 0:
        return False
    for key, value in git_filter_settings().items():
        _run(["git", "-C", str(root), "config", key, value], quiet=True)
    return True


def lab_command(uid: int | None = None) -> list[str]:
    """``jupyter lab``; with --allow-root only when running as root (containers), which Jupyter otherwise refuses."""
    if uid is None:
        uid = os.geteuid() if hasattr(os, "geteuid") else None
    return [sys.executable, "-m", "jupyterlab"] + (["--allow-root"] if uid == 0 else [])


# --- the tasks -----------------------------------------------------------------------------------------

def setup(args) -> None:
    """Register the kernel "Uppföljning" and strip notebook outputs on commit."""
    _run(install_command(user=True), quiet=True)
    _run(install_command(user=False), quiet=True)  # the environment's own copy is found first from its own Lab
    say("Kärnan ”Uppföljning” är registrerad för JupyterLab.")
    compile_helpers()
    root = checkout_root()
    if root is not None and install_git_filter(root):
        say("Git rensar utdata ur notebookarna vid commit (nbstripout).")


def compile_helpers() -> None:
    """Byte-compile src/helpers once, as pip does for an installed package (an editable install is not): every
    process of a run (runner, workers, kernels) then loads compiled modules, also where PYTHONDONTWRITEBYTECODE
    keeps Python from writing them itself."""
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parent), quiet=1)


def demo(args) -> None:
    _run(_uppfoljning("demo", "--data-dir", "data", "--clients", args.clients), cwd=work_root())


def report(args) -> None:
    demo(args)
    _run(_uppfoljning("run", "--period", args.period, "--config", args.config, "--all-units"), cwd=work_root())


def test(args, fast: bool = False) -> None:
    root = checkout_root()
    if root is None:
        raise TaskError("Testerna finns bara i en utcheckning av projektet (mappen tests/).")
    marks = ["-m", "not slow and not browser"] if fast else []
    _run([sys.executable, "-m", "pytest", "-q", *marks, *args.extra], cwd=root)


def test_fast(args) -> None:
    test(args, fast=True)


def lab(args) -> None:
    setup(args)
    demo(args)
    root = checkout_root()
    notebooks = (root / "notebooks") if root else work_root()
    _run(lab_command() + list(args.extra), cwd=notebooks)


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def test_minimum(args) -> None:
    """A second environment with the declared minimum versions, and the end-to-end tests in it."""
    root = checkout_root()
    if root is None:
        raise TaskError("test-minimum körs i en utcheckning av projektet.")
    venv = root / MINIMUM_VENV
    python = _venv_python(venv)
    stamp = venv / ".installerad"
    constraints = root / MINIMUM_CONSTRAINTS
    if not stamp.exists() or stamp.stat().st_mtime < max(constraints.stat().st_mtime,
                                                            (root / "pyproject.toml").stat().st_mtime):
        say(f"Bygger {MINIMUM_VENV} med de lägsta versionerna i {MINIMUM_CONSTRAINTS} …")
        _run([sys.executable, "-m", "venv", "--clear", str(venv)])
        _run([str(python), "-m", "pip", "install", "-q", "-c", str(constraints), "-e", f"{root}[test]"], cwd=root)
        _run([str(python), "-m", "pip", "uninstall", "-y", "-q", "rfc3987-syntax"])
        stamp.touch()
    _run([str(python), "-m", "pip", "check"])
    _run([str(python), "-m", "pytest", "-q", *MINIMUM_TESTS, *args.extra], cwd=root)


def lock(args) -> None:
    """Write constraints/server.txt: every package of this (working) environment, pinned."""
    root = checkout_root() or work_root()
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"], capture_output=True,
                            text=True, check=True).stdout
    pins = sorted((line for line in frozen.splitlines() if "==" in line and not line.startswith("#")),
                  key=str.lower)
    header = ["# Versions for the yearly server run, pinned from a working install (Python "
              f"{sys.version_info.major}.{sys.version_info.minor}).",
              "# Install:  python -m pip install -c constraints/server.txt .",
              "# Refresh:  make lock   (or: python -m helpers.tasks lock) after make test has passed."]
    target = root / SERVER_CONSTRAINTS
    target.parent.mkdir(exist_ok=True)
    target.write_text("\n".join(header + pins) + "\n", encoding="utf-8")
    say(f"Skrev {len(pins)} versioner till {target}.")


def benchmark(args) -> None:
    """Every benchmarks/bench_*.py in turn, from the checkout's root, as ``make benchmark`` runs them."""
    root = checkout_root()
    if root is None:
        raise TaskError("Prestandamätningarna finns bara i en utcheckning av projektet (mappen benchmarks/).")
    for script in sorted((root / "benchmarks").glob("bench_*.py")):
        name = script.relative_to(root).as_posix()
        say(f"== {name}")
        _run([sys.executable, name], cwd=root)


def clean(args) -> None:
    reports = work_root() / "reports"
    for folder in sorted(reports.glob("[0-9]*")):
        shutil.rmtree(folder)
    say("Genererade rapporter borttagna (data och miljön lämnas).")


def help_(args) -> None:
    """The tasks and what each does, like ``make help``."""
    width = max(map(len, TASKS))
    say("Uppgifter (python -m helpers.tasks UPPGIFT):")
    for name, (_, text) in TASKS.items():
        say(f"  {name:<{width}}  {text}")


TASKS = {
    "setup": (setup, "Registrera kärnan Uppföljning och git-filtret för notebooks"),
    "demo": (demo, "Skapa demodata för Exempelkommun om de saknas"),
    "report": (report, "Kör hela kedjan för demoperioden och skriv rapporten"),
    "test": (test, "Hela testsviten (övriga argument går till pytest)"),
    "test-fast": (test_fast, "Testerna utom de långsamma"),
    "lab": (lab, "Öppna notebookarna i JupyterLab"),
    "test-minimum": (test_minimum, "Kör helhetstesterna med de lägsta tillåtna versionerna"),
    "lock": (lock, "Lås versionerna för serverkörningen (constraints/server.txt)"),
    "benchmark": (benchmark, "Prestandamätningarna i benchmarks/, en i taget"),
    "clean": (clean, "Ta bort genererade rapporter"),
    "help": (help_, "Visa uppgifterna"),
}


def build_parser() -> argparse.ArgumentParser:
    with swedish():
        parser = SwedishParser(prog="python -m helpers.tasks",
                               description="Projektets make-mål utan make (Windows, Anaconda).")
        sub = parser.add_subparsers(dest="task", required=True, metavar="UPPGIFT")
        for name, (_, text) in TASKS.items():
            p = sub.add_parser(name, help=text, description=text)
            p.add_argument("--period", default=PERIOD, metavar="ÅR", help=f"Period (standard {PERIOD})")
            p.add_argument("--config", default=CONFIG, metavar="FIL", help=f"Konfiguration (standard {CONFIG})")
            p.add_argument("--clients", default=DEMO_CLIENTS, metavar="ANTAL",
                           help=f"Antal demoklienter (standard {DEMO_CLIENTS})")
    return parser


PASS_ON = {"test", "test-fast", "test-minimum", "lab"}  # further arguments go to pytest or JupyterLab


def main(argv: list[str] | None = None) -> int:
    setup_console()
    parser = build_parser()
    try:
        with swedish():
            args, extra = parser.parse_known_args(argv)
            if extra and args.task not in PASS_ON:
                parser.error(f"okända argument: {' '.join(extra)}")
    except UsageError as exc:
        sys.stderr.write(exc.usage)
        say(f"{exc.prog}: fel: {exc.message}", file=sys.stderr)
        return 2
    args.extra = extra
    try:
        TASKS[args.task][0](args)
    except TaskError as exc:
        say(f"Fel: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        say("Avbrutet.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
