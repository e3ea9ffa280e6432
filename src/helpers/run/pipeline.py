"""Run the step notebooks for one period and render the reports: the whole organisation and, when asked, each unit.

The steps are three explicit lists. PERIOD_STEPS (planning and data collection) run once per period;
SHARED_STEPS run once for all scopes; SCOPE_STEPS run for the whole organisation and for each unit, followed
by the rendering. Every chain runs in a warm kernel in a worker process (engine.py, workers.py); steps whose
inputs did not change since their last successful run are skipped (fingerprint.py). Every executed notebook is
kept under ``<output_dir>/notebooks/`` as the audit trail, with korning.json and korning.log beside them.
"""
from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .. import importlog
from ..config import load_config, period_paths
from ..console import say, setup_console
from ..params import as_period
from ..resources import NOTEBOOKS_DIR
from ..sharing import PUBLICATION_WRITTEN, announced
from .arguments import ArgumentError, RunLock, parse_formats, require_data, require_writable, unit_list
from .bytecode import write_bytecode
from .chain import ChainJob, ChainResult
from .failures import PipelineError
from .journal import Journal, audit_dir, log_to
from .progress import Progress, seconds
from .settings import run_settings
from .stopping import stop_on_sigterm
from .transaction import all_or_nothing
from .work_ahead import (CELLS, CELLS_STEP, AheadJob, ahead_of, cells_done, shared_results, start_cells,
                         stop_child)

PERIOD_STEPS = ("01_planera", "02_fore_insats", "03_under_insats", "04_efter_insats")
SHARED_STEPS = ("05_sammanstall", "06_analysera")  # the publication and the analysis of every scope, once
SCOPE_STEPS = ("07_kvalitetsredovisning",)  # each report: the organisation's, then one per unit
REPORT_STEPS = SHARED_STEPS + SCOPE_STEPS
REPORT_NOTEBOOK = SCOPE_STEPS[-1]
PUBLICATION_STEP = "05_sammanstall"  # writes the publication, all an annex and the figures are made from
WARM_UP_AT = CELLS_STEP  # the period's worker loads the report template from then, once a core is free
WHOLE = "hela verksamheten"
LOG = logging.getLogger("uppfoljning.korning")

__all__ = ["PERIOD_STEPS", "SHARED_STEPS", "SCOPE_STEPS", "PipelineError", "ArgumentError", "RunInterrupted",
           "run_pipeline", "cli_run", "import_earlier_periods"]


class RunInterrupted(PipelineError):
    """Ctrl-C: the message says what stopped, what never started and that earlier reports are untouched."""


def number(*args, **kwargs) -> str:
    """Swedish number format (helpers.formatting)."""
    from ..formatting import number as swedish_number
    return swedish_number(*args, **kwargs)


_sink = None  # where _say sends lines while a worker runs the hook (the coordinator prints them)


def _say(message: str) -> None:
    (_sink or say)(message)


def import_earlier_periods(period: str, config, paths) -> list[str]:
    """Import earlier periods' raw exports that have not been processed, so the plan can estimate the shortfall
    from last year and step 5 can compare over time.
    Sources the config lists that an earlier period lacks are left out and kept in its import log; they are
    named on every run (their tables cannot be compared). Alarms (rows lost, units without rows) are printed
    as warnings. Pandas and the importers are loaded only when there is something to import: the hook runs in
    the worker while its kernel starts, and they would compete with it for a core."""
    raw_root = paths.data_dir / "raw"
    done = []
    if not raw_root.is_dir():
        return done
    for folder in sorted(raw_root.iterdir()):
        earlier = folder.name
        if not (folder.is_dir() and earlier.isdigit() and earlier < period):
            continue
        processed = paths.processed_for(earlier)
        if not processed.is_dir():
            from ..collect.alarms import find_alarms
            from ..collect.importing import import_sources

            _say(f"Importerar tidigare period {earlier} för jämförelser över tid …")
            results = import_sources(earlier, config, paths.data_dir, skip_missing=True)
            rows = sum(r.rows_in for r in results)
            rejected = sum(len(r.rejected) for r in results)
            _say(f"      {earlier}: {number(rows)} rader lästa, {number(rejected)} avvisade (karantän).")
            for alarm in find_alarms(results, config):
                _say(f"      Varning ({earlier}): {alarm.meddelande}")
            done.append(earlier)
        for name, tables in importlog.missing_sources(processed):
            _say(f"      {importlog.missing_text(earlier, name, tables)}")
    return done


def _earlier_periods_hook(job: ChainJob, tell) -> None:
    """Runs in the worker before the first step: planning (the expected shortfall) already reads last year."""
    global _sink
    period = job.parameters["period"]
    cfg = load_config(job.parameters["config"])
    _sink = tell
    try:
        import_earlier_periods(period, cfg, period_paths(period, job.data_dir, job.output_dir))
    except Exception as exc:  # comparisons are a bonus: say why they are missing and go on
        _say(f"Varning: tidigare perioder kunde inte importeras ({exc}); rapporten jämför inte över tid.")
    finally:
        _sink = None


@dataclass
class RunPlan:
    period: str
    config: object
    data_dir: Path
    output_dir: Path
    notebooks_dir: Path
    units: list[str]
    formats: tuple[str, ...]
    cell_timeout: float | None
    notes: list[str] = field(default_factory=list)
    run_id: str = ""

    def parameters(self, unit: str | None, output_dir: Path) -> dict:
        # Every parameter is passed explicitly, as a string: papermill does not type them.
        return {"period": self.period, "config": str(self.config.path), "data_dir": str(self.data_dir),
                "output_dir": str(output_dir), "unit": unit}

    def about(self, unit: str | None) -> dict:
        return {"kommun": self.config.municipality, "kommunkod": self.config.get("kommunkod"),
                "period": self.period, "enhet": unit, "enhet_namn": self.config.unit_name(unit)}

    def unit_dir(self, unit: str) -> Path:
        return self.output_dir / "enheter" / unit


def prepare_run(period, config=None, data_dir="data", output_dir=None, units=(), all_units=False,
                formats=("html", "pdf"), notebooks_dir=None, cell_timeout=None) -> RunPlan:
    """Check everything that can be checked before anything is written; raises ArgumentError."""
    from ..config import ConfigError
    from ..params import ParameterError

    try:
        cfg = config if hasattr(config, "units") else load_config(config)
        period = as_period(period if period is not None else cfg.get("default_period"))
    except (ConfigError, ParameterError) as exc:
        raise ArgumentError(str(exc)) from None
    wanted_formats = parse_formats(formats)
    wanted_units, notes = unit_list(cfg, units, all_units)
    paths = period_paths(period, data_dir, output_dir)
    nb_dir = Path(notebooks_dir).resolve() if notebooks_dir else NOTEBOOKS_DIR
    for name in PERIOD_STEPS + SHARED_STEPS + SCOPE_STEPS:
        if not (nb_dir / f"{name}.ipynb").exists():
            raise ArgumentError(f"Notebooken {nb_dir / (name + '.ipynb')} saknas.")
    if cell_timeout is not None and float(cell_timeout) < 0:
        raise ArgumentError("--cell-timeout får inte vara negativt (0 betyder ingen gräns).")
    settings = run_settings(cfg, cell_timeout)
    require_data(period, cfg, paths.data_dir)
    require_writable(paths.output_dir, "Utdatamappen", "--output-dir")
    require_writable(paths.processed, "Datamappen för bearbetade data", "--data-dir")
    return RunPlan(period, cfg, paths.data_dir, paths.output_dir, nb_dir, wanted_units, wanted_formats,
                   settings.cell_timeout_s, notes + list(settings.warnings), run_id=_run_id())


def _run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def plan_jobs(plan: RunPlan, force: bool = False) -> tuple[ChainJob, list[ChainJob]]:
    """The period chain (period steps, earlier periods' import, shared steps) and one chain per scope."""
    total = len(PERIOD_STEPS) + len(SHARED_STEPS) + len(SCOPE_STEPS)
    whole_order = PERIOD_STEPS + SHARED_STEPS + SCOPE_STEPS
    common = dict(run_id=plan.run_id, notebooks_dir=plan.notebooks_dir, data_dir=plan.data_dir, total=total,
                  cell_timeout=plan.cell_timeout, force=force)
    first = len(PERIOD_STEPS) + len(SHARED_STEPS) + 1
    scopes = [ChainJob(scope=WHOLE, label=WHOLE, parameters=plan.parameters(None, plan.output_dir),
                       output_dir=plan.output_dir, steps=SCOPE_STEPS, order=whole_order, first_number=first,
                       about=plan.about(None), formats=plan.formats, **common)]
    for unit in plan.units:
        out = plan.unit_dir(unit)
        scopes.append(ChainJob(scope=unit, label=f"enhet {unit}", parameters=plan.parameters(unit, out),
                               output_dir=out, steps=SCOPE_STEPS, order=SCOPE_STEPS, first_number=first,
                               about=plan.about(unit), formats=plan.formats, **common))
    period_job = ChainJob(scope=WHOLE, label=WHOLE, parameters=plan.parameters(None, plan.output_dir),
                          output_dir=plan.output_dir, steps=PERIOD_STEPS + SHARED_STEPS, order=whole_order,
                          first_number=1, about=plan.about(None), hook=_earlier_periods_hook,
                          hook_at=0, last=False, warm_up_at=WARM_UP_AT, figures_after=PUBLICATION_STEP,
                          figures_for=tuple(job.parameters for job in scopes), **common)
    return period_job, scopes


def run_pipeline(period, config=None, data_dir="data", output_dir=None, units=(), all_units=False, workers=2,
                 formats=("html", "pdf"), notebooks_dir=None, force=False, cell_timeout=None, echo=True
                 ) -> dict[str, dict[str, Path]]:
    """Run the whole chain for a period. Returns {scope: {format: path}}; raises PipelineError (ArgumentError
    when refused before anything was written, RunInterrupted on Ctrl-C)."""
    write_bytecode()  # before the processes the run starts import the package
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")  # deterministic SVG metadata in the kernels
    plan = prepare_run(period, config, data_dir, output_dir, units, all_units, formats, notebooks_dir, cell_timeout)
    period_job, scope_jobs = plan_jobs(plan, force)
    with RunLock(plan.output_dir), log_to(plan.output_dir):
        progress = Progress(echo=echo)
        for note in plan.notes:
            progress.line(note)
        progress.line(f"Kör uppföljningen för {plan.config.municipality}, period {plan.period}.")
        with all_or_nothing(published_folders(plan), progress.line):
            first, results = _execute(plan, period_job, scope_jobs, max(1, int(workers or 1)), progress)
            failed = [r for r in [first, *results] if r.status != "klar"]
            if failed:
                if len(failed) == 1 and (failed[0] is first or len(results) == 1):
                    raise PipelineError(_message(failed[0]), **_failure_fields(failed[0]))
                raise PipelineError("Rapporten för en eller flera enheter misslyckades:\n"
                                    + "\n".join(_message(r) for r in failed))
        _update_index(plan, progress)
        skipped = sum(len(r.skipped) for r in [first, *results])
        if skipped:
            ran = sum(len(r.steps) for r in [first, *results]) + sum(1 for r in results if r.files)
            progress.line(f"Oförändrat sedan förra körningen: {skipped} av {ran} steg hoppades över. "
                          "Kör med --force för att köra om allt.")
    return {r.scope: {fmt: Path(p) for fmt, p in r.files.items()} for r in results}


def published_folders(plan: RunPlan) -> list[Path]:
    """What a run publishes, all at once or not at all: the period's report folder first (the reports, the
    publication, the analysis and figures), then the internal copies of the publication it must match."""
    processed = plan.data_dir / "processed" / plan.period
    return [plan.output_dir, processed / "publikation", processed / "granskning"]


def _message(result: ChainResult) -> str:
    return (result.failure or {}).get("meddelande") or f"{result.label}: {result.status}"


def _failure_fields(result: ChainResult) -> dict:
    f = result.failure or {}
    return {"notebook": f.get("notebook"), "cell": f.get("cell"), "executed": f.get("kord_notebook")}


def _execute(plan: RunPlan, period_job: ChainJob, scope_jobs: list[ChainJob], workers: int, progress: Progress
             ) -> tuple[ChainResult, list[ChainResult]]:
    """The period chain, then the scope chains on ``workers`` workers (at most one per scope). With two workers
    or more, one is a spare that starts no kernel (``worker_plan``): the annexes are rendered apart, from the
    moment the publication is written, by a worker with nothing else to do, the spare first. With one worker,
    each chain renders its annex with its report. The spare also works ahead of the first worker: it reads the
    import steps' sources while the first runs step 01, and computes step 05's cells from the other end
    (work_ahead.py)."""
    with shared_results(plan.data_dir / "processed", plan.run_id) as folder:
        return _execute_shared(plan, period_job, scope_jobs, workers, progress, folder)


def worker_plan(workers: int, scopes: int, renders: bool) -> tuple[int, bool]:
    """How many workers run chains (each with a kernel), and whether one more works without a kernel (the spare:
    it works ahead and renders the annexes). With reports to render and two workers or more, one is always the
    spare: a unit's own chain (its figures, notebook 07 and its report) costs about as much as its annex, so on two
    cores one kernel and the spare share the units evenly, and a second kernel's start (~3 CPU-s) is saved."""
    spare = renders and workers > 1
    return max(1, min(workers - 1 if spare else workers, scopes)), spare


def annex_yields(scope: str) -> bool:
    """Whether the spare renders a scope's annex at a lower priority than the kernels' chains: a unit's yes (the
    kernel's unit chains follow one another and the annexes fill what they leave), the organisation's no. Its annex
    is the longest job after the publication: at a lower priority it waited for the figures and then ran alone
    at the end with a core idle (interleaved runs: the organisation alone 11,55 → 11,28 s; with 3 units 16,9 →
    16,6 s; every annex at equal priority cost the run with units 0,4 s)."""
    return scope != WHOLE


def _execute_shared(plan: RunPlan, period_job: ChainJob, scope_jobs: list[ChainJob], workers: int,
                    progress: Progress, shared: Path | None) -> tuple[ChainResult, list[ChainResult]]:
    from .annex_job import discard, for_scope
    from .workers import Interrupted, LocalWorkers

    steps = PERIOD_STEPS + SHARED_STEPS + SCOPE_STEPS
    chains, spare = worker_plan(workers, len(scope_jobs), bool(scope_jobs[0].formats))
    # The period chain needs one kernel; the others start once the cells ahead are done (or step 05 is), in the
    # core the kernel then leaves idle, not while the first kernel starts and runs steps 01-04. They run scope
    # chains only, and import what those notebooks import.
    pool = LocalWorkers(chains + 1 if spare else chains, plan.notebooks_dir,
                        [plan.notebooks_dir / f"{s}.ipynb" for s in steps], kernels=chains, early=1,
                        later_notebooks=[plan.notebooks_dir / f"{s}.ipynb" for s in SCOPE_STEPS])
    # With two workers or more, annexes are jobs of their own from the moment the publication is written: a
    # worker with nothing else to do renders them (the spare, or with units whichever is idle, e.g. while the
    # first kernel runs step 06).
    apart = pool.n > 1 and bool(scope_jobs[0].formats)
    annexes: dict[str, tuple] = {}  # scope -> (annex job, job id or None when the one in place is unchanged)
    ahead: dict[str, int | None] = {}  # work ahead (work_ahead.py) by kind -> job id (None: taken back)
    ahead_pids: dict[str, int] = {}  # kind -> the pid of its process, while it runs
    unwanted: set[str] = set()  # kinds of work ahead to stop as soon as their process is known

    def stop_ahead(kind: str, wait: bool = True) -> None:
        """The steps it worked ahead for are done: take it back, or stop it (and wait for its end). A process whose
        pid has not arrived yet is stopped when it does."""
        job_id = ahead.get(kind)
        if job_id is None:
            return
        if pool.cancel(job_id):
            ahead[kind] = None  # it never started: no result will come
            return
        unwanted.add(kind)
        if kind in ahead_pids:
            stop_child(ahead_pids[kind], pool.pids())
        if wait:
            pool.wait([job_id], on_event)

    scope_ids: list[int] = []

    def start_scopes(first: ChainResult) -> None:
        """Queue the scope chains the moment the period chain ends, before an idle worker is given an annex (the
        kernels sat idle for seconds while their workers rendered annexes)."""
        cells_done(shared)  # also when the chain ended before step 05: nothing may wait for it any longer
        if first.status != "klar":
            return
        pool.start_kernels()
        for job in scope_jobs:
            job.upstream_changed = first.changed
            job.annex = job.scope not in annexes
        progress.parallel = chains > 1 and len(scope_jobs) > 1
        scope_ids.extend(pool.submit(job) for job in scope_jobs)

    def on_event(job, event: dict) -> None:
        progress(job, event)
        if job is period_job and event.get("typ") == "resultat":
            start_scopes(event["resultat"])
            return
        if isinstance(job, AheadJob):
            _ahead_event(job, event, ahead_pids)
            if job.kind in unwanted and event.get("typ") == "i_förväg":
                stop_child(event["pid"], pool.pids())
            if job.kind == CELLS and event.get("typ") == "resultat":
                cells_done(shared)
                pool.start_kernels()
            return
        if job is not period_job or event.get("typ") != "steg":
            return
        if pool.n > 1 and event.get("status") == "start":
            early = ahead_of(event.get("steg"), period_job.parameters, period_job.data_dir, period_job.scope)
            if early is not None and early.kind not in ahead:
                ahead[early.kind] = pool.submit(early, when_idle=True)
            if event.get("steg") == CELLS_STEP:
                start_cells(shared)
        elif event.get("steg") == CELLS_STEP:
            cells_done(shared)
            pool.start_kernels()
            if CELLS in ahead:
                stop_ahead(CELLS, wait=False)  # the annexes need the spare worker next
        if event.get("steg") == PUBLICATION_STEP and event.get("status") in ("klar", "oförändrad"):
            start_annexes()

    def start_annexes() -> None:
        """The annexes, once the publication is written: when step 05 says so (while it writes the workbook) or
        ends. The cells ahead are done by then."""
        if not apart or annexes:
            return
        stop_ahead(CELLS, wait=False)
        for scope_job in scope_jobs:
            annex, render = for_scope(scope_job, scope_job.force, yields=annex_yields(scope_job.scope))
            annexes[scope_job.scope] = (annex, pool.submit(annex, when_idle=True) if render else None)

    def written() -> None:
        if announced(shared, PUBLICATION_WRITTEN):
            start_annexes()

    if apart:
        pool.on_poll = written
    try:
        [first] = pool.run([period_job], on_event)
        cells_done(shared)  # a chain whose worker died has no result event
        for kind in list(ahead):
            stop_ahead(kind)
        if first.status != "klar":
            return first, []
        results = pool.wait(scope_ids, on_event)
        for job, result in zip(scope_jobs, results):
            if job.scope in annexes:
                _add_annex(result, *annexes[job.scope], pool, on_event)
        return first, results
    except Interrupted as stop:
        raise _interrupted(plan, stop) from None
    finally:
        pool.close()
        for annex, _ in annexes.values():
            discard(annex)


def _ahead_event(job: AheadJob, event: dict, pids: dict[str, int]) -> None:
    """The pid of a work ahead (to stop it when the steps it works for are done) and its end, in korning.log."""
    if event.get("typ") == "i_förväg":
        pids[job.kind] = event["pid"]
    elif event.get("typ") == "resultat":
        pids.pop(job.kind, None)
        result = event["resultat"]
        LOG.info("%s: %s på %s", job.label.capitalize(), result.status, seconds(result.seconds))


def _add_annex(result: ChainResult, annex, job_id, pool, progress) -> None:
    """The scope's annex, into place beside its report once both succeeded; a failed annex fails the scope."""
    from .annex_job import place

    rendered = pool.wait([job_id], progress)[0] if job_id is not None else None
    if result.status != "klar":
        return
    if rendered is not None and rendered.status != "klar":
        result.status, result.failure = "fel", rendered.failure
        return
    result.files.update(place(annex, rendered))


def _interrupted(plan: RunPlan, stop) -> RunInterrupted:
    for job in stop.running:
        if not hasattr(job, "output_dir"):
            continue  # an import ahead: it writes no journal
        journal = Journal(job.output_dir, job.run_id)
        for step in journal.data.get("steg", []):
            if step.get("status") == "pågår":
                step["status"] = "avbruten"
        journal.finish("avbruten")
    lines = ["Avbrutet (Ctrl-C). Körningen stoppades direkt."]
    if stop.running:
        lines.append("Avbröts medan de kördes: " + ", ".join(j.label for j in stop.running) + ".")
    if stop.queued:
        lines.append("Startade aldrig: " + ", ".join(j.label for j in stop.queued) + ".")
    lines.append("Rapporter som redan fanns (HTML och PDF) är orörda: den avbrutna körningen skrev inte över dem. "
                 f"Vad som hann köras står i {audit_dir(plan.output_dir) / 'korning.json'}.")
    return RunInterrupted("\n".join(lines))


def _update_index(plan: RunPlan, progress: Progress) -> None:
    """reports/index.html for reviewers, when the output folder is <reports root>/<period>."""
    if plan.output_dir.name != plan.period:
        return
    try:
        from .index_page import write_index
        path = write_index(plan.output_dir.parent)
        progress.line(f"Översikten för granskare: {path}")
    except Exception as exc:  # the reports are done; a missing overview must not fail the run
        progress.line(f"Varning: översikten {plan.output_dir.parent / 'index.html'} kunde inte skrivas ({exc}).")


def cli_run(args) -> int:
    """`uppfoljning run`. Exit codes: 0 done, 1 a step or report failed, 2 refused before anything was
    written (arguments, data, folders), 130 interrupted (Ctrl-C)."""
    setup_console()
    started = time.perf_counter()
    try:
        with stop_on_sigterm():
            results = run_pipeline(args.period, args.config, args.data_dir, args.output_dir, args.unit or (),
                                   args.all_units, args.workers, args.formats, args.notebooks_dir,
                                   force=getattr(args, "force", False),
                                   cell_timeout=getattr(args, "cell_timeout", None))
    except RunInterrupted as exc:
        say(str(exc), file=sys.stderr)
        return 130
    except ArgumentError as exc:
        say(f"FEL: {exc}", file=sys.stderr)
        return 2
    except PipelineError as exc:
        say(f"FEL: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # an unexpected fault still gets a Swedish line, not only a traceback
        say(f"FEL: oväntat fel i körningen: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    say(f"Klart på {seconds(time.perf_counter() - started)}. Rapporter:")
    for scope, files in results.items():
        for fmt, path in files.items():
            say(f"  {scope} ({fmt}): {path}")
    return 0
