"""Work ahead of the kernel in a spare worker: steps 02-04 read and check their sources while the kernel runs the
steps before them, and step 05's indicator cells are computed from both ends (kernel forwards, spare backwards).

The import steps are independent of each other, and most of their time is reading and checking files. From the
moment the warm kernel starts step 01, an idle worker (no kernel needed) reads and checks what steps 02-04 will
import, exactly as their notebooks will (the kernel's last source first; one that needs a result the kernel is on
is left until the kernel has it), and writes nothing but results into a folder the run's processes share
(helpers/sharing.py). The notebooks then take those results instead of doing the work again, or wait for a
source the worker is busy with. Every table, quarantine and log is still written by the notebooks themselves,
so the audit trail, the skip logic and a hand-run notebook work as before; the folder is removed when the run
ends. Step 05 works the same way: the spare's process starts while the kernel runs step 04; when step 05 starts
(the tables are final), it computes indicators' cells from the last one backwards
(publication.compute.compute_ahead) until it meets the kernel, which takes them from the folder.

Each work ahead runs in a process of its own: a fork of the spare worker, which imported what the work needs
while it waited for its first job (a new interpreter where the platform cannot fork).
"""
from __future__ import annotations

import contextlib
import gc
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..sharing import SHARED_ENV, announced, mark
from .chain import ChainResult
from .locks import CAN_LOCK, hold

CELLS = "celler"
# A step of the period chain starting -> the work to do ahead: import steps, the last first (the kernel works
# through them from the first, and the two meet as late as possible; where they meet, they take turns), or the
# cells of step 05.
STEPS = {"01_planera": (4, 3, 2), "02_fore_insats": (4, 3), "03_under_insats": (4,), "04_efter_insats": (CELLS,)}
CELLS_STEP = "05_sammanstall"  # the cells are computed once it starts (see start_cells)
GO = "celler.start"  # in the shared folder: the cells' step has started
DONE = "celler.klara"  # in the shared folder: the cells ahead (or their step) are done, and a core is free
FIGURES_LONGEST_S = 120  # a report's figures take seconds (they are drawn from the publication, not the rows)


@dataclass
class AheadJob:
    """Picklable: sent to a worker process."""
    scope: str
    period: str
    config: str
    data_dir: Path
    steps: tuple  # import steps (numbers), or (CELLS,)

    @property
    def kind(self) -> str:
        return CELLS if CELLS in self.steps else "inläsning"

    @property
    def argv(self) -> list[str]:
        """What its process is given (``main``)."""
        return [self.period, str(self.config), str(self.data_dir), *map(str, self.steps)]

    @property
    def label(self) -> str:
        if self.kind == CELLS:
            return "beräkningen av indikatorernas celler i förväg"
        names = [f"{int(s):02d}" for s in self.steps]
        return "inläsningen i förväg för steg " + (" och ".join([", ".join(names[:-1]), names[-1]])
                                                   if len(names) > 1 else names[0])


def ahead_of(step: str, parameters: dict, data_dir: Path, scope: str) -> AheadJob | None:
    """The job to start when ``step`` starts in the period chain, if any."""
    later = STEPS.get(step)
    if not later:
        return None
    return AheadJob(scope, parameters["period"], parameters["config"], Path(data_dir), later)


def preload() -> threading.Thread | None:
    """What the work ahead imports, loaded by a spare worker while it waits for its first job: a fork of the
    worker then starts working at once (a new interpreter imported it all again, ~1,5 s of a core each time).
    Loaded in a thread of low priority (the kernel starting meanwhile goes first); the worker joins it before it
    takes its first job, whatever the job."""
    if not hasattr(os, "fork"):
        return None

    def load() -> None:
        lower_this_thread()
        from ..collect import importing  # noqa: F401
        from ..publication import publish  # noqa: F401

    thread = threading.Thread(target=load, daemon=True, name="forladda")
    thread.start()
    return thread


def lower_this_thread() -> None:
    """Let the calling thread yield to the run's other work (on Linux; elsewhere a thread has no priority of its
    own): for work that fills a free core and that the run does not wait for at that moment."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


class _Child:
    """A work-ahead process: a fork of this worker where the platform can fork, else a new interpreter.
    ``work``: what a fork does instead of ``main(argv)`` (only where the platform can fork). Until it has been
    waited for, ``stop_running`` stops it."""

    def __init__(self, argv: list[str], work: Callable[[], None] | None = None, gate: int | None = None):
        self._popen = None
        self.argv = argv
        self._gate = gate  # held by a fork that waits to be claimed (``fork_cells``)
        if hasattr(os, "fork"):
            self.pid = _fork(work or (lambda: main(argv)))
        else:
            self._popen = subprocess.Popen([sys.executable, "-m", __name__, *argv], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
            self.pid = self._popen.pid
        _running.append(self)

    def wait(self) -> int:
        """The exit code; negative: stopped by that signal."""
        try:
            if self._popen is not None:
                return self._popen.wait()
            return os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        finally:
            with contextlib.suppress(ValueError):
                _running.remove(self)

    def claim(self) -> None:
        """Let a fork that waits to be claimed begin (``fork_cells``)."""
        if self._gate is not None:
            os.write(self._gate, b"1")
            self._close_gate()

    def _close_gate(self) -> None:
        if self._gate is not None:
            os.close(self._gate)
            self._gate = None

    def kill(self) -> None:
        self._close_gate()
        if self._popen is not None:
            self._popen.kill()
        else:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)


# Held by a worker's other threads while they import: a fork made meanwhile would find a module half imported,
# its lock held by a thread the child does not have.
IMPORTING = threading.Lock()


def _fork(work: Callable[[], None]) -> int:
    with IMPORTING:
        pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # the child: the worker's threads are gone; it works, writes its results and ends without clean-up
        # What the child inherits outlives it: the cycle collector need not scan it (a collection after drawing the
        # figures took 0,27 s scanning the worker's modules), nor copy its pages by touching it.
        gc.freeze()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the worker's handler would stop the worker's kernel
        quiet = os.open(os.devnull, os.O_RDWR)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        work()
        code = 0
    finally:
        os._exit(code)


_running: list[_Child] = []


def run_ahead(job: AheadJob, emit, forked: _Child | None = None) -> ChainResult:
    """In a process of its own, which gives its memory back when it ends (the worker goes on to render the annex
    while the kernel computes the publication; at 50 000 clients it held 0,75 GiB after the imports): ``forked``
    if it was forked for this job already (``fork_cells``), else one forked now. Its pid goes to the coordinator,
    which stops it when the steps it reads for are done (``stop_child``)."""
    started = time.perf_counter()
    child = forked if forked is not None and forked.argv == job.argv else _Child(job.argv)
    if child is forked:
        child.claim()
    elif forked is not None:
        forked.kill()
        forked.wait()
    emit({"typ": "i_förväg", "pid": child.pid})
    code = child.wait()
    status = "klar" if code == 0 else "stoppad" if code < 0 else "fel"  # < 0: stopped by a signal
    return ChainResult(job.scope, job.label, status, seconds=time.perf_counter() - started)


def fork_cells(job: AheadJob, before: _Child | None = None) -> _Child | None:
    """The cells ahead of ``job``'s period, forked now, before the worker imports anything more. The process waits
    until ``run_ahead`` claims it, when the coordinator asks this worker for the cells (then as a process forked
    at that moment), and ends unclaimed when the cells' step is done or the run is: a worker that does not get the
    cells leaves them to the one that does. ``before``: one forked earlier, stopped first. None where the
    platform cannot fork."""
    if before is not None:
        before.kill()
        before.wait()
    if not hasattr(os, "fork"):
        return None
    argv = AheadJob(job.scope, job.period, job.config, job.data_dir, (CELLS,)).argv
    wait_end, claim_end = os.pipe()

    def work() -> None:
        os.close(claim_end)
        if _claimed(wait_end):
            main(argv)

    try:
        return _Child(argv, work=work, gate=claim_end)
    finally:
        os.close(wait_end)


def _claimed(wait_end: int) -> bool:
    """In a fork that waits to be claimed: True once it is, False when it never will be (the cells' step is done,
    the run has ended, or the worker closed its end)."""
    folder = os.environ.get(SHARED_ENV)
    while folder and os.path.isdir(folder) and not announced(folder, DONE):
        if select.select([wait_end], [], [], 0.05)[0]:
            return os.read(wait_end, 1) == b"1"
    return False


def figures_ahead(reports: list[dict], ready: Callable[[], None]) -> bool:
    """Draw the figures of ``reports`` (their notebooks' parameters), in that order, into the run's shared folder
    in a fork of this worker while the kernels go on (``figure_specs.draw_ahead``; each report's notebook takes
    them from there, and a report no fork has reached yet is drawn where it runs). A fork, not a thread: a thread
    drawing would hold the interpreter lock the worker needs between the kernel's steps. ``ready`` waits until
    the worker has loaded the drawing modules. False where the platform cannot fork (nothing is started)."""
    if not hasattr(os, "fork"):
        return False

    def draw() -> None:
        if hasattr(signal, "alarm"):  # a fork that hangs must not hold up the reports that wait for it
            signal.alarm(FIGURES_LONGEST_S * len(reports))
        from ..analysis.figure_specs import draw_ahead  # loaded by ``ready``: nothing is imported here
        for i, parameters in enumerate(reports):
            if i == 1 and hasattr(os, "nice"):  # the first report's are wanted first; the others yield to kernels
                os.nice(10)
            with contextlib.suppress(Exception):  # the report's own notebook says what is wrong
                draw_ahead(parameters, ahead=True)

    def run() -> None:
        ready()
        _Child([], work=draw).wait()
    threading.Thread(target=run, daemon=True, name="figurer").start()
    return True


def stop_running() -> None:
    """Stop the work ahead at once (the worker is being stopped)."""
    for child in list(_running):
        child.kill()


def stop_child(pid: int, workers: set[int]) -> None:
    """In the coordinator: stop the work-ahead process with this pid, if it still runs (a child of one of the
    run's ``workers``, not a process that got the pid since)."""
    try:
        import psutil

        process = psutil.Process(pid)
        if process.ppid() in workers:
            process.kill()
    except Exception:  # noqa: BLE001  (gone already, or no psutil: it ends by itself)
        pass


def start_cells(folder: Path | None) -> None:
    """In the coordinator, when CELLS_STEP starts: the cells' process may begin."""
    mark(folder, GO)


def cells_done(folder: Path | None) -> None:
    """In the coordinator, when the cells ahead or CELLS_STEP end: what waits for a free core may begin."""
    mark(folder, DONE)


def _wait_for(*names: str) -> str | None:
    """The first of ``names`` found in the run's shared folder (in the order given), once one is there; None
    where nothing is shared and when the run ends."""
    folder = os.environ.get(SHARED_ENV)
    while folder and os.path.isdir(folder):
        for name in names:
            if announced(folder, name):
                return name
        time.sleep(0.05)
    return None


def wait_for_free_core() -> None:
    """Until the cells ahead are done: from then until step 05 ends, the kernel alone uses a core. Returns at once
    where nothing is shared (a hand-run notebook, a Dask task) and when the run ends."""
    _wait_for(DONE)


def main(argv: list[str]) -> None:
    if hasattr(os, "nice"):  # the kernel's work is what the run waits for: it goes first when they compete
        os.nice(10)
    period, config, data_dir, *steps = argv
    if CELLS in steps:
        from ..publication.publish import cells_ahead
        if _wait_for(DONE, GO) == GO:  # DONE first: the cells' step ended, or the chain did without it (skipped)
            with contextlib.suppress(Exception):  # the kernel computes what is left and says what is wrong
                cells_ahead(period, data_dir, config)
    else:
        from ..collect.importing import import_ahead
        import_ahead(period, config, data_dir, [int(s) for s in steps])


SHARED_PREFIX = ".importminne-"  # + the run's id: the folder a run's processes share results through
OWNER = ".agare"                 # a file in it, locked by the run for as long as it lasts


@contextlib.contextmanager
def shared_results(processed: Path, run_id: str):
    """The folder the run's processes share import results through, named in the environment they inherit
    (workers and kernels started inside the block); removed, and the environment restored, at the end. It lies
    beside the periods' folders, not in one: an existing period folder means "already imported". What runs that
    were killed left there (up to ~100 MB each at 50 000 clients, the sources' rows as read) is removed first."""
    folder = processed / f"{SHARED_PREFIX}{run_id}"
    saved = os.environ.get(SHARED_ENV)
    owner = None
    try:
        staging = processed / f".ny{SHARED_PREFIX}{run_id}"  # locked before it gets a name the cleanup looks at
        staging.mkdir(parents=True, exist_ok=True)
        owner = hold(staging / OWNER)
        os.replace(staging, folder)
    except OSError:  # nothing to share through: every process imports for itself
        if owner is not None:
            owner.close()
        shutil.rmtree(staging, ignore_errors=True)
        yield None
        return
    remove_left_behind(processed)
    os.environ[SHARED_ENV] = str(folder)
    try:
        yield folder
    finally:
        if saved is None:
            os.environ.pop(SHARED_ENV, None)
        else:
            os.environ[SHARED_ENV] = saved
        shutil.rmtree(folder, ignore_errors=True)
        owner.close()


def remove_left_behind(processed: Path) -> list[Path]:
    """Remove the shared folders whose run has ended (its lock is free): a run ended by kill -9, a power cut or a
    crash cannot remove its own. A folder another run is using stays. Returns the folders removed."""
    if not CAN_LOCK:  # no way to tell a live run's folder: leave them all
        return []
    removed = []
    for folder in sorted(Path(processed).glob(f"{SHARED_PREFIX}*")):
        try:
            handle = hold(folder / OWNER)
        except OSError:  # locked: its run is alive (or the folder is gone)
            continue
        with handle:
            shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


if __name__ == "__main__":
    main(sys.argv[1:])
