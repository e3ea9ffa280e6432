"""One chain of steps in one warm kernel: the period's steps (01-04, then the shared ones) or one scope's steps
(the whole organisation or a unit) followed by the rendering. Used by the local workers and by Dask tasks.

Steps whose inputs did not change since their last successful run are skipped (see fingerprint.py).
Reports are rendered into a hidden staging folder and moved into place only when the whole scope succeeded,
so a failed, stopped or interrupted run leaves the previous report as it was.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import sharing
from . import fingerprint as fp
from .failures import PipelineError, cell_failure, step_failure
from .journal import Journal, audit_dir, log_to, now

LOG = logging.getLogger("uppfoljning.korning")
RENDER = "rendering"
REPORT_BASENAME = "kvalitetsredovisning"
# Top-level entries of an output folder that are not inputs of the steps: the audit trail, the units' own
# folders, the rendered reports and the reviewers' index.
NOT_INPUTS = frozenset({"notebooks", "enheter", "figurer", "index.html", f"{REPORT_BASENAME}.html",
                        f"{REPORT_BASENAME}.pdf", f"{REPORT_BASENAME}_bilaga.html", f"{REPORT_BASENAME}_bilaga.pdf"})


@dataclass
class ChainJob:
    """Everything a worker needs to run a chain; picklable (sent to worker processes and Dask workers)."""
    run_id: str
    scope: str                   # "hela verksamheten" or the unit code
    label: str                   # for messages: "hela verksamheten", "enhet barn_unga"
    parameters: dict             # the notebooks' parameters (strings)
    notebooks_dir: Path
    data_dir: Path
    output_dir: Path
    steps: tuple[str, ...]
    order: tuple[str, ...]       # every step recorded in this output folder's journal, in run order
    first_number: int            # number of the first step in "[n/total]"
    total: int
    about: dict = field(default_factory=dict)   # kommun, enhet, ... for korning.json and the index
    formats: tuple[str, ...] = ()                # rendering after the steps when not empty
    hook: Callable | None = None                 # hook(job, say), called before steps[hook_at] (or at the end)
    hook_at: int | None = None
    cell_timeout: float | None = None
    force: bool = False
    upstream_changed: bool = False
    last: bool = True            # the last chain writing this folder in this run: sets the final status
    annex: bool = True           # render the annex with the report (False: an annex job renders it apart)
    warm_up_at: str | None = None  # a local worker loads the report template when this step starts (None: at once)
    # Once this step has written the publication (it announces it before its last cells, else when it ends), the
    # figures of the reports ``figures_for`` (their notebooks' parameters) are drawn in a fork of the worker (a
    # local run) while the kernels go on; the reports' notebooks take them from the run's shared folder.
    figures_after: str | None = None
    figures_for: tuple[dict, ...] = ()


@dataclass
class ChainResult:
    scope: str
    label: str
    status: str                  # klar, fel, avbruten
    seconds: float = 0.0
    files: dict[str, str] = field(default_factory=dict)
    failure: dict | None = None
    changed: bool = False        # did this chain write anything different from last time?
    skipped: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    steps: list[dict] = field(default_factory=list)


class Stopped(Exception):
    """The run was asked to stop (Ctrl-C or a cancelled batch)."""


def run_chain(job: ChainJob, kernel, emit: Callable[[dict], None], stop: Callable[[], bool] = lambda: False,
              before_render: Callable[[], None] = lambda: None,
              draws: Callable[[list[dict]], object] | None = None) -> ChainResult:
    """``before_render``: called before the rendering and before drawing figures (a local worker waits there for
    its own loading of the report modules in another thread: two threads importing the same modules at once can
    fail). ``draws``: given where this worker loaded the drawing modules and draws a report's figures for its
    kernel, where a fork has not (elsewhere the kernel draws them); it starts the fork that draws the figures of
    the reports it is given (``ChainJob.figures_after``)."""
    started = time.perf_counter()
    result = ChainResult(job.scope, job.label, "klar")
    journal = Journal(job.output_dir, job.run_id)
    journal.start(job.parameters, {**job.about, "omfattning": job.label})
    with log_to(job.output_dir):
        LOG.info("Startar %s: %s (körning %s)", job.label, ", ".join(job.steps) or "rendering", job.run_id)
        if hasattr(kernel, "flush_output"):
            kernel.flush_output()
        try:
            _run_steps(job, kernel, emit, stop, journal, result, before_render if draws else None, draws)
            if job.formats:
                before_render()
                _render(job, emit, journal, result)
        except Stopped:
            result.status = "avbruten"
            LOG.info("Avbruten: %s", job.label)
        except PipelineError as exc:
            result.status = "fel"
            result.failure = exc.fields()
            LOG.error("%s", exc)
        result.seconds = time.perf_counter() - started
        result.timings = _kernel_timings(kernel)
        LOG.info("%s: %s på %.1f s", job.label, result.status, result.seconds)
    if result.status != "klar" or job.last:
        journal.finish(result.status, rapporter=result.files or journal.data.get("rapporter", {}),
                       fel=result.failure, tider=result.timings)
    return result


def _kernel_timings(kernel) -> dict:
    t = getattr(kernel, "timings", None)
    if t is None:
        return {}
    return {"karnstart": round(t.start, 2), "importer": round(t.imports, 2), "vantat_pa_karnan": round(t.waited, 2),
            "omstarter": t.restarts}


def _roots(job: ChainJob) -> dict[str, Path]:
    return {"raw": job.data_dir / "raw", "processed": job.data_dir / "processed", "ut": job.output_dir}


def _run_steps(job, kernel, emit, stop, journal: Journal, result: ChainResult,
               before_figures: Callable[[], None] | None = None,
               fork_figures: Callable[[list[dict]], object] | None = None) -> None:
    """``before_figures``: None where this worker does not draw figures; else what to wait for before it does.
    ``fork_figures``: starts a fork that draws the figures of the reports given (see run_chain's ``draws``)."""
    code = fp.code_digest()
    config = fp.config_digest(_config(job))
    changed = job.force or job.upstream_changed
    audit = audit_dir(job.output_dir)
    left = None  # the files as the step before left them (nothing else in the chain writes where it looks)
    for i, name in enumerate(job.steps):
        if stop():
            raise Stopped()
        number = job.first_number + i
        if job.hook is not None and job.hook_at == i:
            job.hook(job, lambda text: _tell(emit, text))
            left = None  # the hook imports earlier periods
        source = job.notebooks_dir / f"{name}.ipynb"
        if not source.exists():
            raise PipelineError(f"Notebooken {source} saknas.", notebook=name)
        executed = audit / f"{name}.ipynb"
        static = fp.static_digest(source, job.parameters, code, config)
        before = left or fp.manifest(_roots(job), NOT_INPUTS)
        info = {"typ": "steg", "scope": job.label, "steg": name, "nr": number, "totalt": job.total}
        reason = "--force" if job.force else ("ett tidigare steg gav nytt resultat" if changed else
                                              fp.why_not_skip(name, list(job.order), journal.records, static,
                                                              before, executed))
        if reason is None:
            left = before
            journal.step(name, "oförändrad")
            result.skipped.append(name)
            result.steps.append({"steg": name, "status": "oförändrad"})
            LOG.info("[%d/%d] %s: oförändrad, hoppas över", number, job.total, name)
            emit({**info, "status": "oförändrad"})
            continue
        LOG.info("[%d/%d] %s körs (%s)", number, job.total, name, reason)
        emit({**info, "status": "start"})
        if name == job.order[-1] and before_figures is not None:
            _figures_ahead(job, before_figures)
        journal.step(name, "pågår", startad=now())
        last = journal.records.get(name)
        journal.record(name, {**(last or {}), "status": "pågår"})  # interrupted: run again
        figures = _figures_after(job, name, fork_figures)
        t0 = time.perf_counter()
        try:
            kernel.execute(source, executed, job.parameters, job.notebooks_dir, job.cell_timeout)
        except Exception as exc:  # noqa: BLE001  (papermill, kernel and file errors all end the chain)
            if figures is not None:
                figures.stop()
            seconds = time.perf_counter() - t0
            if stop():
                journal.step(name, "avbruten", seconds)
                raise Stopped() from None
            error = _failure(exc, name, source, executed, job.cell_timeout)
            journal.step(name, "fel", seconds)
            journal.record(name, {"status": "fel"})
            result.steps.append({"steg": name, "status": "fel", "sekunder": round(seconds, 2)})
            emit({**info, "status": "fel", "sekunder": seconds})
            raise error from None
        seconds = time.perf_counter() - t0
        after = left = fp.manifest(_roots(job), NOT_INPUTS)
        written = after.changed_since(before)
        if not fp.same_outputs(written, after, last):
            changed = True
        journal.record(name, {"status": "klar", "statiskt": static, "start": before.hashes, "skrivna": written,
                              "kord": now()})
        journal.step(name, "klar", seconds, celler=_cell_seconds(executed),
                     vantade_pa_karnan=round(getattr(kernel, "last_wait", 0.0), 3))
        result.steps.append({"steg": name, "status": "klar", "sekunder": round(seconds, 2)})
        emit({**info, "status": "klar", "sekunder": seconds})
        if figures is not None:
            figures.now()
    if job.hook is not None and job.hook_at == len(job.steps):
        job.hook(job, lambda text: _tell(emit, text))
    result.changed = changed


def _figures_after(job: ChainJob, step: str, fork_figures):
    """Where the reports' figures are drawn in a fork once ``step`` has written the publication: what starts that
    fork as soon as the publication is announced (or when the step ends), else None."""
    if step != job.figures_after or not job.figures_for or fork_figures is None or not sharing.active():
        return None
    figures = FiguresOnce(fork_figures, list(job.figures_for))
    figures.watch()
    return figures


class FiguresOnce:
    """Starts the figures' fork (``start(reports)``, e.g. ``figures_ahead``) once: as soon as the step writing the
    publication announces it (``watch``; the annexes start then too, while the kernel still writes the workbook),
    or when that step ends (``now``), whichever comes first. ``stop``: the step failed, nothing starts."""

    def __init__(self, start: Callable[[list[dict]], object], reports: list[dict]):
        self._start, self._reports = start, reports
        self._lock, self._done, self._stop = threading.Lock(), False, threading.Event()

    def watch(self) -> None:
        folder = os.environ.get(sharing.SHARED_ENV)
        if not folder:
            return

        def run() -> None:
            while not self._stop.wait(sharing.WAIT_S) and os.path.isdir(folder):
                if sharing.announced(folder, sharing.PUBLICATION_WRITTEN):
                    self.now()
                    return
        threading.Thread(target=run, daemon=True, name="publikationen").start()

    def now(self) -> None:
        self._stop.set()
        with self._lock:
            if not self._done:
                self._done = True
                self._start(self._reports)

    def stop(self) -> None:
        with self._lock:
            self._done = True
        self._stop.set()


def _figures_ahead(job: ChainJob, before: Callable[[], None]) -> None:
    """Under the local runner, draw the report's figures here, in the worker, for its kernel to take from the
    run's shared folder (the kernel then never imports matplotlib and seaborn); where a fork has drawn them or is
    drawing them (``ChainJob.figures_after``), wait for them. What fails here is left to the kernel, which draws
    the figures itself and says what is wrong in its cell."""
    if not sharing.active():
        return
    t0 = time.perf_counter()
    try:
        before()
        from ..analysis.figure_specs import draw_ahead
        n = draw_ahead(job.parameters)
    except Exception as exc:  # noqa: BLE001
        LOG.info("Figurerna (%s) ritas i notebooken: %s: %s", job.label, type(exc).__name__, exc)
        return
    LOG.info("Figurerna (%s) ritade före notebooken: %d på %s s", job.label, n,
             f"{time.perf_counter() - t0:.1f}".replace(".", ","))


def _tell(emit, text: str) -> None:
    LOG.info("%s", text)
    emit({"typ": "text", "text": text})


def _config(job: ChainJob):
    from ..config import load_config
    return load_config(job.parameters["config"])


def _failure(exc, name: str, source: Path, executed: Path, timeout) -> PipelineError:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        error = cell_failure(exc, name, source, executed)
        if exc.ename == "Tidsgräns":
            error = PipelineError(str(error) + f"\n  Gränsen för en cell är {timeout:g} s (korning.cell_timeout_s "
                                  "i konfigurationen eller --cell-timeout).", error.notebook, error.cell,
                                  error.executed)
        return error
    if isinstance(exc, PipelineError):
        return exc
    return step_failure(exc, name)


def _cell_seconds(executed: Path) -> float | None:
    """Seconds spent in the notebook's cells (papermill's per-cell timings), for the time breakdown."""
    import json
    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    total = sum((c.get("metadata", {}).get("papermill", {}).get("duration") or 0) for c in nb.get("cells", []))
    return round(total, 3)


def _render(job: ChainJob, emit, journal: Journal, result: ChainResult) -> None:
    from ..report.bundle import render_scope
    from ..report.errors import ReportCheckError
    from ..atomic import FileWriteError

    report_step = job.order[-1]
    executed = audit_dir(job.output_dir) / f"{report_step}.ipynb"
    targets = {fmt: job.output_dir / f"{REPORT_BASENAME}.{fmt}" for fmt in job.formats}
    static = fp.digest([fp.code_digest(), ",".join(sorted(job.formats)), "bilaga" if job.annex else "",
                         fp.file_hash(executed) if executed.exists() else "saknas"])
    rec = journal.records.get(RENDER) or {}
    info = {"typ": "rendering", "scope": job.label, "format": list(job.formats)}
    if (not job.force and report_step in result.skipped and rec.get("status") == "klar"
            and rec.get("statiskt") == static
            and all(p.exists() and rec.get("skrivna", {}).get(p.name) == fp.file_hash(p) for p in targets.values())):
        result.files = {fmt: str(p) for fmt, p in targets.items()}
        result.skipped.append(RENDER)
        journal.step(RENDER, "oförändrad")
        emit({**info, "status": "oförändrad"})
        return
    emit({**info, "status": "start"})
    t0 = time.perf_counter()
    staging = job.output_dir / f".rendering-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        try:
            files = render_scope(executed, staging, job.parameters, job.formats, annex=job.annex)
        except ReportCheckError as exc:
            journal.step(RENDER, "fel", time.perf_counter() - t0)
            raise PipelineError(f"Rapporten ({job.label}) stoppades av kontrollen: {exc}") from None
        except Exception as exc:  # noqa: BLE001
            journal.step(RENDER, "fel", time.perf_counter() - t0)
            raise PipelineError(f"Rapporten ({job.label}) kunde inte renderas: {type(exc).__name__}: {exc}"
                                ) from None
        try:
            placed = _move_into_place(staging, job.output_dir)
        except FileWriteError as exc:
            journal.step(RENDER, "fel", time.perf_counter() - t0)
            raise PipelineError(f"Rapporten ({job.label}) kunde inte sparas: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    seconds = time.perf_counter() - t0
    result.files = {fmt: str(job.output_dir / Path(p).name) for fmt, p in files.items()}
    journal.record(RENDER, {"status": "klar", "statiskt": static,
                            "skrivna": {Path(p).name: fp.file_hash(p) for p in placed if p.is_file()}})
    journal.step(RENDER, "klar", seconds)
    emit({**info, "status": "klar", "sekunder": seconds})


def _move_into_place(staging: Path, target: Path) -> list[Path]:
    """Move everything rendered into the output folder, each file with an atomic rename (a report open in a viewer
    is named in a Swedish message and left as it was)."""
    from ..atomic import move_into_place

    return [move_into_place(path, target / path.relative_to(staging))
            for path in sorted(staging.rglob("*")) if path.is_file()]
