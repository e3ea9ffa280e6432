"""Local worker processes, each with one warm kernel that lives as long as the run.

The workers start (and their kernels import) while the first chain is still running, so a unit report later
costs only its own cells and rendering. Only the coordinating process prints: workers send events to it.
Ctrl-C reaches the coordinator only (workers ignore SIGINT and kernels sit in their own sessions); it stops
the workers at once, and their kernels with them.
"""
from __future__ import annotations

import contextlib
import faulthandler
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .chain import ChainJob, ChainResult
from .kernel_side import one_arrow_thread

POLL_S = 0.05  # the coordinator notices an announced publication within this (its annex starts then)
# On Linux the workers are forked from one server process that imported these once (multiprocessing's
# forkserver), instead of each importing them in a new interpreter: some 0,6 s of a core less per worker, and the
# kernel is forked from its worker (forked_kernel.SHARED_MODULES) as early as before. "helpers" first: it sets
# pandas' options the moment pandas is imported. Elsewhere each worker is a new interpreter (spawn).
PRELOADED = ("helpers", "numpy", "pandas", "pyarrow.parquet")


class Interrupted(Exception):
    """Ctrl-C while jobs were running; says which jobs finished, ran and never started."""

    def __init__(self, done: list[ChainResult], running: list[ChainJob], queued: list[ChainJob]):
        super().__init__("avbruten")
        self.done, self.running, self.queued = done, running, queued


def quiet_loggers() -> None:
    """Nothing from papermill, nbclient, traitlets or the kernel may reach the terminal from a worker."""
    for name in ("uppfoljning", "papermill", "traitlets", "nbclient", "jupyter_client", "asyncio"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


def prepare_rendering(wait: bool = True) -> None:
    """Load the report template, the first export's largest cost, once a core is free: in a local run, when the
    cells ahead are done (before that both cores are busy with the steps the run waits for). Without ``wait``:
    at once (the spare worker, between its import ahead and the cells ahead, when a core is idle)."""
    from .work_ahead import wait_for_free_core
    if wait:
        wait_for_free_core()
    _import_quietly(lambda: __import__("helpers.report.render", fromlist=["html_exporter"]).html_exporter())


def prepare_rendering_now() -> None:
    prepare_rendering(wait=False)


def prepare_figures(wait: bool = False) -> None:
    """Load what drawing a report's figures imports (matplotlib and seaborn: ~1,5 s), also on the way of a first
    drawing and a first reading of the publication, in the worker that draws them (chain._figures_ahead): a fork
    of the worker then draws without importing (a module another thread was importing when the worker forked
    stays locked in the fork). With ``wait``: once a core is free, as ``prepare_rendering``."""
    if wait:
        from .work_ahead import wait_for_free_core
        wait_for_free_core()

    def load() -> None:
        import io

        import pandas as pd

        from ..analysis import charts, figure_specs  # noqa: F401
        charts.prime()
        pd.read_parquet(io.BytesIO(pd.DataFrame({"a": ["x"]}).to_parquet()))
    _import_quietly(load)


def prepare_figures_once_free() -> None:
    prepare_figures(wait=True)


def _import_quietly(load: Callable[[], object]) -> None:
    from .work_ahead import IMPORTING, lower_this_thread
    lower_this_thread()  # fills a free core: the steps the run waits for go first
    try:
        with IMPORTING:  # no work ahead is forked from this worker while it imports
            load()
    except Exception:  # the rendering and the figures report real problems themselves
        pass


START_KERNEL = "kärna"  # a message to a worker: start your kernel now (it starts in the background)


def _worker(index: int, tasks, events, cwd: str, notebooks: list[str], with_kernel: bool = True,
            later: list[str] | None = None, started_from: tuple[dict, str] | None = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if started_from is not None:  # the coordinator's environment and folder now, not the forkserver's at its start
        environ, folder = started_from
        os.environ.clear()
        os.environ.update(environ)
        os.chdir(folder)
    # A worker that dies in native code (a crash in a library's C code) says where, with every thread's Python
    # stack, on the run's error output: the run itself reports only the exit code. (No error output, as under
    # pythonw: nothing to say it on.)
    with contextlib.suppress(RuntimeError, ValueError, OSError):
        faulthandler.enable()
    one_arrow_thread()  # before the kernel and the work ahead are forked from here: they inherit it
    # Starts at once, forked from this worker once it has imported what both need (see forked_kernel.py; before
    # anything here starts a thread, and before the loggers below are silenced, which the kernel's must not be);
    # the imports below overlap its start-up. A worker kept for annexes, or told to start its kernel later
    # (START_KERNEL), starts one in a new interpreter when told or when it is given a chain (and imports
    # jupyter_client only then: ~0,1 s of a core while the first kernel starts).
    forked = _fork_kernel(cwd) if with_kernel else None
    quiet_loggers()
    kernel = _kernel(cwd, notebooks, forked) if with_kernel else None
    from .annex_job import AnnexJob
    from .chain import run_chain
    from .work_ahead import CELLS, AheadJob, figures_ahead, fork_cells, preload, run_ahead, stop_running

    # A spare worker works ahead first: its forks start with what that work imports.
    preloading = preload() if not with_kernel else None

    warming: list[threading.Thread] = []
    loaded: set = set()

    def load(what: Callable[[], None], name: str) -> None:
        """Load ``what`` (``name``) once, in a thread after the loading before it (two threads importing the same
        modules (numpy) at once can fail with a partially initialised module)."""
        if name in loaded:
            return
        loaded.add(name)
        before = list(warming)

        def run() -> None:
            for thread in before:
                thread.join()
            what()
        warming.append(threading.Thread(target=run, daemon=True, name="forbered"))
        warming[-1].start()

    def warm_up(at_once: bool = False) -> None:
        """Load the report template (and, in the worker that runs the period's chain, the drawing modules: it
        draws the reports' figures) once, when the worker would otherwise sit idle (see ChainJob.warm_up_at): at
        its start it would compete with the kernel's start for a core. The template once a core is free, or
        ``at_once``."""
        if with_kernel:  # first: the figures are drawn as soon as the publication is written, the report later
            load(prepare_figures if at_once else prepare_figures_once_free, "figurerna")
        load(prepare_rendering_now if at_once else prepare_rendering, "mallen")

    def warmed() -> None:
        """Wait for the loading above before rendering or drawing here."""
        for thread in list(warming):
            thread.join()

    def emitter(job_id: int, job):
        at = getattr(job, "warm_up_at", None)

        def emit(event: dict) -> None:
            if event.get("typ") == "steg" and event.get("status") == "start" and event.get("steg") == at:
                warm_up()
            events.put(("event", job_id, event))
        return emit

    def stop_now(*_):
        if kernel is not None:
            kernel.kill()
        stop_running()
        os._exit(143)

    signal.signal(signal.SIGTERM, stop_now)
    cells = None  # the spare's cells ahead, forked before it loads the template (see below)
    while True:
        item = tasks.get()
        if preloading is not None:  # nothing else imports meanwhile: two threads importing the same modules can fail
            preloading.join()
            preloading = None
        if item is None:
            break
        if item == START_KERNEL:
            kernel = kernel or _kernel(cwd, later or notebooks)
            continue
        job_id, job = item
        events.put(("start", job_id, index))
        emit = emitter(job_id, job)
        try:
            if isinstance(job, AnnexJob):
                warmed()
                result = _render_annex(job, emit, kernel is not None)
            elif isinstance(job, AheadJob):
                result = run_ahead(job, emit, cells if job.kind == CELLS else None)
                if job.kind == CELLS or kernel is not None:
                    cells = None
                    warm_up()
                else:
                    # The spare, its import ahead done: until step 05 starts a core is idle, and the template is
                    # loaded in it. The cells ahead are forked first (they wait for step 05): nothing is forked
                    # while the worker imports, and at 50 000 clients, where the import ahead ends with step 04,
                    # the cells ahead waited up to a second for the template.
                    cells = fork_cells(job, cells)
                    warm_up(at_once=True)
            else:
                if kernel is None:
                    kernel = _kernel(cwd, later or notebooks)
                if job.warm_up_at is None:
                    warm_up()
                result = run_chain(job, kernel, emit, before_render=warmed,
                                   draws=(lambda reports: figures_ahead(reports, warmed)) if with_kernel else None)
        except BaseException as exc:  # noqa: BLE001  (reported to the coordinator, never lost)
            result = ChainResult(job.scope, job.label, "fel",
                                 failure={"meddelande": f"Oväntat fel i {job.label}: {type(exc).__name__}: {exc}"})
        events.put(("result", job_id, result))
    if kernel is not None:
        kernel.shutdown()
    events.close()
    events.join_thread()  # every event has reached the coordinator
    os._exit(0)  # skip tearing down a large heap at interpreter exit: nothing is left to save


def _why(exitcode: int | None) -> str:
    """A likely cause of a worker's death, by its exit code, for the run's message."""
    if exitcode == -getattr(signal, "SIGSEGV", 11):
        return "av ett fel i ett biblioteks maskinkod; var det hände står i felutskriften från körningen."
    return "till exempel för att minnet tog slut."


def _fork_kernel(cwd: str):
    from .forked_kernel import fork_kernel
    return fork_kernel(cwd)


def _kernel(cwd: str, notebooks: list[str], forked=None):
    from .engine import WarmKernel
    return WarmKernel(cwd, notebooks=notebooks, forked=forked)


def _render_annex(job, emit, has_kernel: bool):
    """A worker without a kernel runs no chain: its annex yields to the kernels when the job says so (see
    pipeline.annex_yields). One with a kernel renders at full speed (a chain may be waiting for the worker)."""
    from .annex_job import render_annex_job

    if has_kernel or not job.yields:
        return render_annex_job(job, emit)
    return _in_lower_thread(render_annex_job, job, emit)


def _in_lower_thread(work: Callable, *args):
    """``work(*args)`` in a thread of lower priority, waited for: an annex, which no chain waits for, leaves the
    cores to the kernels while they work and takes what they leave."""
    from .work_ahead import lower_this_thread

    out: list = []

    def run() -> None:
        lower_this_thread()
        try:
            out.append((True, work(*args)))
        except BaseException as exc:  # noqa: BLE001  (raised again in the worker's thread)
            out.append((False, exc))
    thread = threading.Thread(target=run, daemon=True, name="bilaga")
    thread.start()
    thread.join()
    ok, value = out[0]
    if not ok:
        raise value
    return value


def _context():
    """Where workers come from: forked from a server that imported PRELOADED (Linux), else new interpreters. Neither
    shares the coordinator's ZMQ state; a worker takes the coordinator's environment and folder as they are when
    it starts (see _worker), as a new interpreter would."""
    if sys.platform.startswith("linux"):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(PRELOADED))  # heeded when the server starts: once per process
        return ctx
    return multiprocessing.get_context("spawn")


def start_server() -> None:
    """Start the server the workers are forked from now, while the coordinator still reads its config and plans
    the run: its imports (PRELOADED, ~0,6 s of a core) then overlap that work instead of following it. Nothing where
    workers are new interpreters."""
    ctx = _context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver
        forkserver.ensure_running()


@dataclass
class LocalWorkers:
    """``n`` worker processes, the first ``kernels`` of them (all by default) with a kernel, started at once in the
    first ``early`` of them (all by default) and in the others on ``start_kernels()`` (or their first chain); the
    others render annexes. ``submit(job)`` queues a chain or an annex; ``wait(ids, on_event)`` returns their
    results in order, passing every event on (``on_event`` may submit more jobs). ``run(jobs, on_event)`` does
    both. The coordinator gives each idle worker its next job: chains to a worker with a kernel, in the order
    submitted; annexes and work ahead (``when_idle``) only to a worker no chain is waiting for, a kernel-less
    one first."""
    n: int
    cwd: Path
    notebooks: list[Path]
    later_notebooks: list[Path] | None = None  # whose imports a kernel started later imports (None: the same)
    kernels: int | None = None
    early: int | None = None
    on_poll: Callable[[], None] | None = None  # called between events, at least every POLL_S while jobs run
    _procs: list = field(default_factory=list)

    def __post_init__(self):
        ctx = _context()
        self._events = ctx.Queue()
        self._jobs: dict[int, object] = {}
        self._results: dict[int, ChainResult] = {}
        self._holder: dict[int, int] = {}  # job id -> worker index
        self._pending: list[tuple[bool, int]] = []  # (when idle, job id), not yet given to a worker
        self._tasks, self._with_kernel = [], []
        kernels = max(1, self.n if self.kernels is None else self.kernels)
        early = kernels if self.early is None else max(1, min(self.early, kernels))
        self._deferred = list(range(early, kernels))
        for i in range(max(1, self.n)):
            tasks = ctx.Queue()
            p = ctx.Process(target=_worker, args=(i, tasks, self._events, str(self.cwd),
                                                  [str(n) for n in self.notebooks], i < early,
                                                  [str(n) for n in self.later_notebooks or ()],
                                                  (dict(os.environ), os.getcwd())),
                            name=f"uppfoljning-arbetare-{i + 1}", daemon=True)
            p.start()
            self._procs.append(p)
            self._tasks.append(tasks)
            self._with_kernel.append(i < kernels)

    def pids(self) -> set[int]:
        return {p.pid for p in self._procs}

    def start_kernels(self) -> None:
        """Start the kernels that were left for later (each worker does so when it is between jobs)."""
        for i in self._deferred:
            self._tasks[i].put(START_KERNEL)
        self._deferred = []

    def submit(self, job, when_idle: bool = False) -> int:
        job_id = len(self._jobs)
        self._jobs[job_id] = job
        self._pending.append((when_idle, job_id))
        self._dispatch()
        return job_id

    def cancel(self, job_id: int) -> bool:
        """Take back a job no worker has started; False when one has."""
        for item in self._pending:
            if item[1] == job_id:
                self._pending.remove(item)
                return True
        return False

    def _dispatch(self) -> None:
        busy = set(self._holder.values())
        idle = [i for i, p in enumerate(self._procs) if i not in busy and p.is_alive()]
        for when_idle, job_id in sorted(self._pending, key=lambda item: item[0]):  # chains first, in order
            if when_idle:  # any idle worker, the ones without a kernel first
                free = sorted(idle, key=lambda i: self._with_kernel[i])
            else:  # a chain needs a kernel; a kernel-less worker starts one only if no other is left
                free = [i for i in idle if self._with_kernel[i]] or (
                    idle if not any(p.is_alive() for i, p in enumerate(self._procs) if self._with_kernel[i]) else [])
            if not free:
                continue
            worker = free[0]
            idle.remove(worker)
            self._pending.remove((when_idle, job_id))
            self._holder[job_id] = worker
            self._tasks[worker].put((job_id, self._jobs[job_id]))

    def run(self, jobs: list[ChainJob], on_event: Callable[[ChainJob, dict], None]) -> list[ChainResult]:
        return self.wait([self.submit(job) for job in jobs], on_event)

    def wait(self, ids: list[int], on_event: Callable[[object, dict], None]) -> list[ChainResult]:
        results, holder = self._results, self._holder
        try:
            while any(i not in results for i in ids):
                if self.on_poll is not None:
                    self.on_poll()
                try:
                    kind, job_id, payload = self._events.get(timeout=POLL_S)
                except queue.Empty:
                    self._check_alive()
                    self._dispatch()
                    continue
                if kind == "event":
                    on_event(self._jobs[job_id], payload)
                elif kind == "result":
                    results[job_id] = payload
                    holder.pop(job_id, None)
                    on_event(self._jobs[job_id], {"typ": "resultat", "resultat": payload})
                    self._dispatch()
        except KeyboardInterrupt:
            self.stop()
            running = [self._jobs[j] for j in holder if j not in results]
            queued = [self._jobs[j] for _, j in self._pending]
            self._pending.clear()
            raise Interrupted([results[j] for j in sorted(results)], running, queued) from None
        return [results[i] for i in ids]

    def _check_alive(self) -> None:
        jobs, holder, results = self._jobs, self._holder, self._results
        for job_id, index in list(holder.items()):
            proc = self._procs[index]
            if not proc.is_alive() and job_id not in results:
                job = jobs[job_id]
                results[job_id] = ChainResult(job.scope, job.label, "fel", failure={
                    "meddelande": f"Arbetsprocessen för {job.label} avslutades oväntat (kod {proc.exitcode}), "
                                  + _why(proc.exitcode)})
                holder.pop(job_id)
        if not any(p.is_alive() for p in self._procs):
            self._pending.clear()
            for job_id, job in jobs.items():
                if job_id not in results:
                    results[job_id] = ChainResult(job.scope, job.label, "fel", failure={
                        "meddelande": f"{job.label} kördes inte: inga arbetsprocesser finns kvar."})

    def stop(self) -> None:
        """Stop every worker now (their kernels are killed by the workers' SIGTERM handler)."""
        for p in self._procs:
            if p.is_alive():
                p.terminate()
        for p in self._procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
        self._procs.clear()

    def close(self) -> None:
        for tasks in self._tasks:
            tasks.put(None)
        for p in self._procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
        self._procs.clear()
