"""`uppfoljning batch`: many municipalities' reports for a period on Dask distributed.

Each municipality keeps its data and reports in its own folders under ``--root DIR``:

    DIR/<kommun>/data/raw/<period>/         its exports (DIR/<kommun>/data/processed/ is written by the run)
    DIR/<kommun>/reports/<period>/          its reports, audit trail, korning.json and korning.log
    DIR/index.html                          every municipality's reports, for reviewers
    DIR/sammanfattning-<period>.json        the summary a monitoring system reads (also printed as a table)

``<kommun>`` is the municipality's name from its config in lower case ASCII ("Andra kommun" -> andra-kommun).
Each municipality's period chain (steps 01-04 and the shared steps) is one Dask task; every scope (the whole
organisation and each unit) is a task that depends on it. A worker process keeps one warm kernel for all its
tasks. One municipality's failure never stops another's, and each municipality publishes all at once or not at
all (batch_publication.py): if one of its chains fails or the batch is interrupted, its previous reports and
publication are put back. By default a LocalCluster with one worker process
per core runs the tasks; ``--scheduler ADDRESS`` uses an existing cluster (the workers must see DIR at the
same path and have this project installed).
"""
from __future__ import annotations

import logging
import os
import re
import signal
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..console import say, setup_console
from .arguments import ArgumentError, RunLock
from .batch_publication import Publications
from .bytecode import write_bytecode
from .chain import ChainJob, ChainResult
from .dask_tasks import chain_task, stop_kernel, warm_up
from .failures import PipelineError
from .journal import now
from .progress import seconds
from .stopping import stop_on_sigterm
from .summary import Row, table, write_summary

LOG = logging.getLogger("uppfoljning.korning")


def slug(name: str) -> str:
    """A folder name for a municipality: "Åre kommun" -> "are-kommun"."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "kommun"


# -- the coordinating client ---------------------------------------------------------------------------------
@dataclass
class Municipality:
    config: Path
    name: str = ""
    code: str = ""
    folder: str = ""
    plan: object = None
    jobs: list[ChainJob] = field(default_factory=list)
    period_job: ChainJob | None = None
    refused: str | None = None


def prepare(configs, period, root: Path, units_all: bool, formats, notebooks_dir, force, cell_timeout
            ) -> list[Municipality]:
    from ..config import ConfigError, load_config
    from .pipeline import plan_jobs, prepare_run

    out: list[Municipality] = []
    folders: dict[str, str] = {}
    for path in configs:
        m = Municipality(Path(path))
        try:
            cfg = load_config(path)
        except ConfigError as exc:
            m.name, m.refused = Path(path).stem, str(exc)
            out.append(m)
            continue
        m.name, m.code, m.folder = cfg.municipality, str(cfg.get("kommunkod") or ""), slug(cfg.municipality)
        if m.folder in folders:
            raise ArgumentError(f"{folders[m.folder]} och {path} har samma kommun ({m.name}) och skulle skriva i "
                                f"samma mapp {root / m.folder}; ange varje kommun en gång.")
        folders[m.folder] = str(path)
        base = root / m.folder
        try:
            year = str(period or cfg.get("default_period"))
            m.plan = prepare_run(period, cfg, base / "data", base / "reports" / year, (), units_all, formats,
                                 notebooks_dir, cell_timeout)
        except PipelineError as exc:
            m.refused = str(exc)
            out.append(m)
            continue
        m.period_job, m.jobs = plan_jobs(m.plan, force)
        out.append(m)
    return out


def _row(m: Municipality, job: ChainJob, result: ChainResult | None, status: str | None = None) -> Row:
    about = job.about
    r = Row(m.name, m.code, str(m.config), about.get("enhet"), about.get("enhet_namn") or job.label,
            status or (result.status if result else "ej körd"))
    if result is not None:
        r.seconds, r.reports, r.failure = result.seconds, dict(result.files), result.failure
    return r


def run_batch(configs, period=None, root="kommuner", scheduler=None, workers=None, all_units=False,
              formats=("html", "pdf"), notebooks_dir=None, force=False, cell_timeout=None, echo=True) -> dict:
    """Run every municipality; returns the summary (also written to DIR/sammanfattning-<period>.json)."""
    from ..config import PROJECT_ROOT

    write_bytecode()  # before the cluster's processes import the package
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    root = Path(root) if Path(root).is_absolute() else PROJECT_ROOT / root  # like --data-dir
    started, t0 = now(), time.perf_counter()
    towns = prepare(configs, period, root, all_units, formats, notebooks_dir, force, cell_timeout)
    runnable = [m for m in towns if m.refused is None]
    period = str(runnable[0].plan.period if runnable else period)
    root.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    for m in towns:
        if m.refused:
            rows.append(Row(m.name, m.code, str(m.config), None, "Hela verksamheten", "fel",
                            failure={"meddelande": m.refused}))
    lines = _Lines(root / f"korning-{period}.log", echo)
    publications = Publications(lines)
    status = "klar"
    try:
        for m in towns:
            if m.refused:
                lines(f"{m.name}: körs inte – {m.refused}")
        if runnable:
            rows += _on_dask(runnable, scheduler, workers, lines, publications)
    except KeyboardInterrupt as exc:
        status = "avbruten"
        rows += getattr(exc, "rows", [])
        lines("Avbrutet (Ctrl-C): köade kommuner och enheter startades inte och körande stoppades. Kommuner som "
              "inte hann bli klara har kvar sina tidigare rapporter och sin tidigare publikation.")
    failed = [r for r in rows if r.status != "klar"]
    if status == "klar" and failed:
        status = "fel"
    summary = {"period": period, "startad": started, "avslutad": now(),
               "sekunder": round(time.perf_counter() - t0, 1), "status": status,
               "antal": {s: sum(1 for r in rows if r.status == s) for s in sorted({r.status for r in rows})},
               "kommuner": publications.summary(towns, root, period), "rader": [r.as_json() for r in rows]}
    write_summary(root / f"sammanfattning-{period}.json", summary)
    _write_indexes(root, towns, lines)
    for line in table(rows):
        lines(line)
    lines(f"Sammanfattning: {root / f'sammanfattning-{period}.json'}")
    lines.close()
    return summary


class _Lines:
    """The batch's one progress display: printed by this process only, copied to DIR/korning-<period>.log."""

    def __init__(self, path: Path, echo: bool):
        self.path = path
        self.echo = echo
        self.fh = open(path, "a", encoding="utf-8")

    def __call__(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            self.fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
        self.fh.flush()
        if self.echo:
            say(text)

    def close(self) -> None:
        self.fh.close()


def _dask_logs_to(path: Path) -> None:
    """Dask's own log lines go to the batch's log file, not the terminal (one progress display)."""
    import distributed  # noqa: F401  (configures its loggers on import; replace that here)

    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    for name in ("distributed", "dask", "tornado", "asyncio"):
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.propagate = False


def _cluster(scheduler, workers):
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler, timeout="30s"), None
    n = int(workers or os.cpu_count() or 1)
    # The worker processes inherit an ignored SIGINT: Ctrl-C reaches this process only, which then stops the
    # cluster in order (instead of every worker printing its own KeyboardInterrupt).
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        previous = None
    try:
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.CRITICAL)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return Client(cluster), cluster


def _on_dask(towns: list[Municipality], scheduler, workers, lines, publications: Publications) -> list[Row]:
    from contextlib import ExitStack

    from distributed import Event, as_completed

    rows: list[Row] = []
    with ExitStack() as stack:
        for m in towns:
            stack.enter_context(RunLock(m.plan.output_dir))
        stack.enter_context(publications)  # left after the cluster is closed: puts back what did not finish
        _dask_logs_to(lines.path)
        client, cluster = _cluster(scheduler, workers)
        stop_name = f"uppfoljning-stopp-{towns[0].plan.run_id}"
        stop = Event(stop_name, client=client)
        futures = {}
        try:
            nb_dir = towns[0].plan.notebooks_dir
            from .pipeline import PERIOD_STEPS, SCOPE_STEPS, SHARED_STEPS
            notebooks = [nb_dir / f"{s}.ipynb" for s in PERIOD_STEPS + SHARED_STEPS + SCOPE_STEPS]
            client.run(warm_up, str(nb_dir), [str(n) for n in notebooks])
            total = sum(1 + len(m.jobs) for m in towns)
            for m in towns:
                publications.open(m, 1 + len(m.jobs))
                first = client.submit(chain_task, m.period_job, notebooks, stop_name, pure=False,
                                      key=f"{m.folder}-period-{m.plan.run_id}")
                futures[first] = (m, m.period_job)
                for job in m.jobs:
                    f = client.submit(chain_task, job, notebooks, stop_name, first, pure=False,
                                      key=f"{m.folder}-{job.scope.replace(' ', '-')}-{m.plan.run_id}")
                    futures[f] = (m, job)
            done = 0
            for future in as_completed(list(futures)):
                m, job = futures[future]
                done += 1
                result = _result(future, job)
                if job is not m.period_job:
                    rows.append(_row(m, job, result))
                lines(_line(done, total, m, job, result))
                publications.finished(m, result.status == "klar")
        except KeyboardInterrupt:
            stop.set()
            client.cancel(list(futures), force=True)
            try:
                client.run(stop_kernel, on_error="ignore")
            except Exception:  # the workers are closed below in any case
                pass
            for f, (m, job) in futures.items():
                if job is not m.period_job and not any(r.config == str(m.config) and r.unit == job.about.get("enhet")
                                                       for r in rows):
                    rows.append(_row(m, job, None, "avbruten"))
            raise _Interrupted(rows) from None
        finally:
            try:
                client.close(timeout=10)
            finally:
                if cluster is not None:
                    cluster.close(timeout=10)
    return rows


class _Interrupted(KeyboardInterrupt):
    def __init__(self, rows):
        super().__init__()
        self.rows = rows


def _result(future, job: ChainJob) -> ChainResult:
    try:
        return future.result()
    except Exception as exc:  # the worker died or the task could not run: this scope failed, the rest go on
        return ChainResult(job.scope, job.label, "fel",
                           failure={"meddelande": f"{job.label} kunde inte köras: {type(exc).__name__}: {exc}"})


def _line(done: int, total: int, m: Municipality, job: ChainJob, result: ChainResult) -> str:
    what = "periodens steg" if job is m.period_job else job.about.get("enhet_namn") or job.label
    head = f"[{done}/{total}] {m.name} – {what}"
    if result.status == "klar":
        skipped = " (oförändrad)" if result.skipped and len(result.skipped) >= len(job.steps) else ""
        return f"{head}: klar på {seconds(result.seconds)}{skipped}"
    f = result.failure or {}
    where = f" ({f['notebook']}.ipynb, cell {f['cell']})" if f.get("notebook") and f.get("cell") else ""
    return f"{head}: {'misslyckades' if result.status == 'fel' else result.status}{where}"


def _write_indexes(root: Path, towns: list[Municipality], lines) -> None:
    from .index_page import write_index
    try:
        for m in towns:
            if m.folder and (root / m.folder / "reports").is_dir():
                write_index(root / m.folder / "reports")
        roots = [(m.name, root / m.folder / "reports") for m in towns if m.folder]
        lines(f"Översikten för granskare: {write_index(root, roots)}")
    except Exception as exc:  # the reports are done; a missing overview must not fail the batch
        lines(f"Varning: översikten kunde inte skrivas ({exc}).")


def cli_batch(args) -> int:
    """`uppfoljning batch`. Exit codes: 0 all reports done, 1 at least one failed, 2 refused, 130 Ctrl-C."""
    setup_console()
    try:
        with stop_on_sigterm():
            summary = run_batch(args.configs, args.period, args.root, args.scheduler, args.workers, args.all_units,
                                args.formats, args.notebooks_dir, args.force, args.cell_timeout)
    except ArgumentError as exc:
        say(f"FEL: {exc}", file=__import__("sys").stderr)
        return 2
    if summary["status"] == "avbruten":
        return 130
    return 0 if summary["status"] == "klar" else 1
