"""Tiny step notebooks for the runner's tests: each step writes a marker file, appends one line to a trace
(step, unit, the kernel's process id and interpreter) and the report step displays a little HTML."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from helpers.config import DEFAULT_CONFIG
from helpers.run.annex_job import AnnexJob

PARAMS = 'period = "2025"\nconfig = None\ndata_dir = "data"\noutput_dir = None\nunit = None'
STEPS = ("01_planera", "02_fore_insats", "03_under_insats", "04_efter_insats", "05_sammanstall", "06_analysera",
         "07_kvalitetsredovisning")
WRITE = ("import os, sys\nfrom pathlib import Path\nout = Path(output_dir); out.mkdir(parents=True, exist_ok=True)\n"
         "(out / '{step}.txt').write_text(f'{{period}}|{{unit}}')\n"
         "with open({trace!r}, 'a') as fh:\n    fh.write(f'{step} {{unit}} {{os.getpid()}} {{sys.executable}}\\n')")
PUBLISH = ("import json, pandas as pd\n"
           "from helpers.publication.store import FOLDER, META, NUMBERS, PUBLIC_COLUMNS, PUBLISHED_FILE\n"
           "pub = Path(output_dir) / FOLDER; pub.mkdir(parents=True, exist_ok=True)\n"
           "pd.DataFrame({c: pd.Series(dtype=float if c in NUMBERS else object) for c in PUBLIC_COLUMNS})"
           ".to_parquet(pub / PUBLISHED_FILE)\n"
           "(pub / META).write_text(json.dumps({'period': period, 'version': 'test'}))")
REPORT = ("from IPython.display import HTML, display\n"
          "display(HTML(f'<h1>Kvalitetsredovisning {period}</h1><p>Omfattning: {unit or \"hela verksamheten\"}</p>'))")


def notebook(path: Path, *cells: str, markdown: str = "# Test") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(markdown), params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, str(path))
    return path


def fake_notebooks(folder: Path, trace: Path, extra: dict[str, str] | None = None) -> Path:
    """Seven step notebooks in ``folder``; ``extra`` adds a cell (code) to some steps. The compile step writes an
    empty publication (the whole organisation's run) so that every report can render its annex."""
    folder.mkdir(parents=True, exist_ok=True)
    for step in STEPS:
        cells = [WRITE.format(step=step, trace=str(trace))]
        if extra and step in extra:
            cells.append(extra[step])  # cell 4, right after the parameters and the trace
        if step == STEPS[4]:
            cells.append(f"if unit is None:\n    exec({PUBLISH!r})")
        if step == STEPS[-1]:
            cells.append(REPORT)
        notebook(folder / f"{step}.ipynb", *cells)
    return folder


def raw_data(data_dir: Path, period: str = "2025", content: str = "a;b\n1;2\n") -> Path:
    raw = data_dir / "raw" / period
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "arenden.csv").write_text(content, encoding="utf-8")
    return data_dir


def trace_lines(trace: Path) -> list[list[str]]:
    if not trace.exists():
        return []
    return [line.split(" ", 3) for line in trace.read_text(encoding="utf-8").splitlines()]


def config_copy(folder: Path, extra: str = "", name: str | None = None) -> Path:
    """Exempelkommun's config in another folder (texts and plan copied too), with ``extra`` YAML appended."""
    folder.mkdir(parents=True, exist_ok=True)
    source = DEFAULT_CONFIG.parent
    shutil.copytree(source / "texter", folder / "texter", dirs_exist_ok=True)
    shutil.copytree(source / "planer", folder / "planer", dirs_exist_ok=True)
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    if name:
        text = text.replace("kommun: Exempelkommun", f"kommun: {name}")
    path = folder / f"{(name or 'exempelkommun').lower().replace(' ', '-')}.yml"
    path.write_text(text + "\n" + extra, encoding="utf-8")
    return path


class CrashingJob:
    """A job that crashes the worker given it in native code, the moment the worker looks at it."""

    @property
    def warm_up_at(self):
        import ctypes
        return ctypes.string_at(0)  # reads address 0: a segmentation fault


def report_state(results) -> None:
    """A process's target: whether pandas was there when it started, its parent, its environment and folder."""
    import os
    import sys
    results.put({"pandas": "pandas" in sys.modules, "parent": os.getppid(), "PROV": os.environ.get("PROV"),
                 "cwd": os.getcwd()})


class ReportingAnnex(AnnexJob):
    """An annex whose rendering fails at once, with the worker's environment variable PROV, working folder and
    Arrow's thread counts in the message (not constructed: its fields are never read)."""
    scope = label = "prov"

    def __init__(self):
        pass

    @property
    def yields(self):
        import json
        import os
        import pyarrow
        raise RuntimeError(json.dumps({"PROV": os.environ.get("PROV"), "cwd": os.getcwd(),
                                       "arrow": [pyarrow.cpu_count(), pyarrow.io_thread_count()]}))
