"""Local worker processes, each with one warm kernel that lives as long as the run.

The workers start (and their kernels import) while the first chain is still running, so a unit report later
costs only its own cells and rendering. Only the coordinating process prints: workers send events to it.
Ctrl-C reaches the coordinator only (workers ignore SIGINT and kernels sit in their own sessions); it stops
the workers at once, and their kernels with them.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .chain import ChainJob, ChainResult

POLL_S = 0.25


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


def prepare_rendering() -> None:
    """Load the report template while the worker waits for its kernel: the first export costs the most."""
    try:
        from ..report.render import html_exporter
        html_exporter()
    except Exception:  # the rendering step reports real problems itself
        pass


def _worker(index: int, tasks, events, cwd: str, notebooks: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quiet_loggers()
    from .engine import WarmKernel

    kernel = WarmKernel(cwd, notebooks=notebooks)  # starts at once; the imports below overlap its start-up
    from .chain import run_chain

    threading.Thread(target=prepare_rendering, daemon=True, name="forbered-rendering").start()

    def stop_now(*_):
        kernel.kill()
        os._exit(143)

    signal.signal(signal.SIGTERM, stop_now)
    while True:
        item = tasks.get()
        if item is None:
            break
        job_id, job = item
        events.put(("start", job_id, index))
        try:
            result = run_chain(job, kernel, lambda event: events.put(("event", job_id, event)))
        except BaseException as exc:  # noqa: BLE001  (reported to the coordinator, never lost)
            result = ChainResult(job.scope, job.label, "fel",
                                 failure={"meddelande": f"Oväntat fel i {job.label}: {type(exc).__name__}: {exc}"})
        events.put(("result", job_id, result))
    kernel.shutdown()
    events.close()
    events.join_thread()  # every event has reached the coordinator
    os._exit(0)  # skip tearing down a large heap at interpreter exit: nothing is left to save


@dataclass
class LocalWorkers:
    """``n`` worker processes. ``run(jobs, on_event)`` returns the jobs' results in order."""
    n: int
    cwd: Path
    notebooks: list[Path]
    _procs: list = field(default_factory=list)

    def __post_init__(self):
        ctx = multiprocessing.get_context("spawn")  # no shared ZMQ state, same behaviour on every platform
        self._tasks = ctx.Queue()
        self._events = ctx.Queue()
        for i in range(max(1, self.n)):
            p = ctx.Process(target=_worker, args=(i, self._tasks, self._events, str(self.cwd),
                                                  [str(n) for n in self.notebooks]),
                            name=f"uppfoljning-arbetare-{i + 1}", daemon=True)
            p.start()
            self._procs.append(p)

    def run(self, jobs: list[ChainJob], on_event: Callable[[ChainJob, dict], None]) -> list[ChainResult]:
        results: dict[int, ChainResult] = {}
        holder: dict[int, int] = {}  # job id -> worker index
        for item in enumerate(jobs):
            self._tasks.put(item)
        try:
            while len(results) < len(jobs):
                try:
                    kind, job_id, payload = self._events.get(timeout=POLL_S)
                except queue.Empty:
                    self._check_alive(jobs, holder, results)
                    continue
                if kind == "start":
                    holder[job_id] = payload
                elif kind == "event":
                    on_event(jobs[job_id], payload)
                else:
                    results[job_id] = payload
                    holder.pop(job_id, None)
                    on_event(jobs[job_id], {"typ": "resultat", "resultat": payload})
        except KeyboardInterrupt:
            self.stop()
            running = [jobs[j] for j in holder if j not in results]
            queued = [job for j, job in enumerate(jobs) if j not in results and j not in holder]
            raise Interrupted([results[j] for j in sorted(results)], running, queued) from None
        return [results[j] for j in range(len(jobs))]

    def _check_alive(self, jobs, holder, results) -> None:
        for job_id, index in list(holder.items()):
            proc = self._procs[index]
            if not proc.is_alive() and job_id not in results:
                job = jobs[job_id]
                results[job_id] = ChainResult(job.scope, job.label, "fel", failure={
                    "meddelande": f"Arbetsprocessen för {job.label} avslutades oväntat (kod {proc.exitcode}), "
                                  "till exempel för att minnet tog slut."})
                holder.pop(job_id)
        if not any(p.is_alive() for p in self._procs):
            for job_id, job in enumerate(jobs):
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
        for _ in self._procs:
            self._tasks.put(None)
        for p in self._procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
        self._procs.clear()
