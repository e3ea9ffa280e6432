"""Steps 02-04 read and check their sources in a spare worker while the kernel runs the steps before them.

The import steps are independent of each other, and most of their time is reading and checking files. From the
moment the warm kernel starts step 01, an idle worker (no kernel needed) reads and checks what steps 04, 03 and
02 will import, exactly as their notebooks will, and writes nothing but results into a folder the run's processes
share (collect/memo.py). The notebooks then take those results instead of doing the work again, or wait for a
source the worker is busy with. Every table, quarantine and log is still written by the notebooks themselves,
so the audit trail, the skip logic and a hand-run notebook work as before; the folder is removed when the run
ends.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..collect.memo import SHARED_ENV
from .chain import ChainResult

# A step of the period chain starting -> the import steps to read ahead, the last first: the kernel works through
# them from the first, and the two meet as late as possible (where they meet, they take turns).
STEPS = {"01_planera": (4, 3, 2), "02_fore_insats": (4, 3), "03_under_insats": (4,)}


@dataclass
class ImportAheadJob:
    """Picklable: sent to a worker process."""
    scope: str
    period: str
    config: str
    data_dir: Path
    steps: tuple[int, ...]

    @property
    def label(self) -> str:
        names = [f"{s:02d}" for s in self.steps]
        return "inläsningen i förväg för steg " + (" och ".join([", ".join(names[:-1]), names[-1]])
                                                   if len(names) > 1 else names[0])


def ahead_of(step: str, parameters: dict, data_dir: Path, scope: str) -> ImportAheadJob | None:
    """The job to start when ``step`` starts in the period chain, if any."""
    later = STEPS.get(step)
    if not later:
        return None
    return ImportAheadJob(scope, parameters["period"], parameters["config"], Path(data_dir), later)


_running: list[subprocess.Popen] = []


def run_import_ahead(job: ImportAheadJob, emit) -> ChainResult:
    """In a process of its own, which gives its memory back when it ends (the worker goes on to render the annex
    while the kernel computes the publication; at 50 000 clients it held 0,75 GiB after the imports). Its pid
    goes to the coordinator, which stops it when the steps it reads for are done (``stop_child``)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", __name__, job.period, str(job.config), str(job.data_dir),
                              *map(str, job.steps)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    emit({"typ": "inläsning", "pid": child.pid})
    _running.append(child)
    try:
        code = child.wait()
    finally:
        _running.remove(child)
    status = "klar" if code == 0 else "stoppad" if code < 0 else "fel"  # < 0: stopped by a signal
    return ChainResult(job.scope, job.label, status, seconds=time.perf_counter() - started)


def stop_running() -> None:
    """Stop an import ahead at once (the worker is being stopped)."""
    for child in list(_running):
        child.kill()


def stop_child(pid: int) -> None:
    """In the coordinator: stop the import ahead with this pid, if it still runs (and is one)."""
    try:
        import psutil

        process = psutil.Process(pid)
        if __name__ in " ".join(process.cmdline()):
            process.kill()
    except Exception:  # noqa: BLE001  (gone already, or no psutil: it ends by itself)
        pass


def main(argv: list[str]) -> None:
    from ..collect.importing import import_ahead

    period, config, data_dir, *steps = argv
    import_ahead(period, config, data_dir, [int(s) for s in steps])


@contextlib.contextmanager
def shared_results(processed: Path, run_id: str):
    """The folder the run's processes share import results through, named in the environment they inherit
    (workers and kernels started inside the block); removed, and the environment restored, at the end. It lies
    beside the periods' folders, not in one: an existing period folder means "already imported"."""
    folder = processed / f".importminne-{run_id}"
    saved = os.environ.get(SHARED_ENV)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # nothing to share through: every process imports for itself
        yield None
        return
    os.environ[SHARED_ENV] = str(folder)
    try:
        yield folder
    finally:
        if saved is None:
            os.environ.pop(SHARED_ENV, None)
        else:
            os.environ[SHARED_ENV] = saved
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
