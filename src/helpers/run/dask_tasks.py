"""The work a Dask worker does for `uppfoljning batch`: one chain of steps in this process's warm kernel.

A worker process keeps one kernel for all its tasks (started by ``warm_up`` as soon as the batch begins) and
runs one chain at a time in it. A scope whose period chain failed is not run. Between steps a chain checks the
batch's stop flag (a Dask Event); on Ctrl-C the coordinator also kills the kernels (``stop_kernel``).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from .chain import ChainJob, ChainResult, run_chain

_kernel = None
_kernel_lock = threading.Lock()


def _process_kernel(notebooks_dir: Path, notebooks: list[Path]):
    """This worker process's warm kernel, started on first use and kept for every later task."""
    global _kernel
    from .engine import WarmKernel
    from .workers import quiet_loggers

    if _kernel is None or (_kernel.pid() is not None and not _kernel.is_alive()):
        quiet_loggers()
        _kernel = WarmKernel(notebooks_dir, notebooks=notebooks)
        import atexit
        atexit.register(_kernel.close_at_exit)
    return _kernel


def warm_up(notebooks_dir: str, notebooks: list[str]) -> int | None:
    """Start this worker's kernel now, so it imports while the first chains are queued (``client.run``)."""
    from .workers import prepare_rendering

    kernel = _process_kernel(Path(notebooks_dir), [Path(n) for n in notebooks])

    def prepare() -> None:
        if kernel is not None:  # its thread imports papermill and pyarrow: not two threads importing at once
            kernel.wait_started()
        prepare_rendering()
    threading.Thread(target=prepare, daemon=True).start()
    return os.getpid() if kernel else None


def stop_kernel() -> None:
    """Kill this worker's kernel at once (``client.run`` on Ctrl-C): its running chain then ends."""
    if _kernel is not None:
        _kernel.kill()


def chain_task(job: ChainJob, notebooks: list[Path], stop_name: str, upstream: ChainResult | None = None
               ) -> ChainResult:
    """One chain in this worker's warm kernel. A scope whose period chain failed is not run."""
    if upstream is not None:
        if upstream.status != "klar":
            failure = dict(upstream.failure or {})
            why = failure.get("meddelande", "")
            failure["meddelande"] = f"Kördes inte eftersom periodens steg misslyckades: {why}"
            return ChainResult(job.scope, job.label, "fel", failure=failure)
        job.upstream_changed = upstream.changed
    stop = _stop_flag(stop_name)
    with _kernel_lock:  # one chain at a time per process: its kernel is shared
        kernel = _process_kernel(job.notebooks_dir, notebooks)
        return run_chain(job, kernel, lambda event: None, stop)


def _stop_flag(name: str):
    try:
        from distributed import Event
        event = Event(name)
        return event.is_set
    except Exception:  # not in a Dask worker (tests call the task directly)
        return lambda: False
