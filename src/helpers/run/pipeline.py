"""Run the step notebooks with papermill for one period, then render the report.

Steps 01-04 (planning and data collection) run once per period. Steps 05-07 and the rendering run for the
whole organisation and, when asked, for each unit; units run in parallel worker processes. Every executed
notebook is kept under ``<output_dir>/notebooks/`` as the audit trail, with ``korning.json`` beside them.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..config import load_config, period_paths
from ..formatting import number
from ..params import as_period
from ..resources import NOTEBOOKS_DIR

PERIOD_STEPS = ("01_planera", "02_fore_insats", "03_under_insats", "04_efter_insats")
SHARED_STEPS = ("05_sammanstall", "06_analysera")  # the publication and the analysis of every scope, once
SCOPE_STEPS = ("07_kvalitetsredovisning",)  # each report: the organisation's, then one per unit
REPORT_STEPS = SHARED_STEPS + SCOPE_STEPS
REPORT_NOTEBOOK = SCOPE_STEPS[-1]


class PipelineError(RuntimeError):
    """A step failed; the message (Swedish) names the notebook and the cell."""


@dataclass
class RunSpec:
    period: str
    config: Path
    data_dir: Path
    output_dir: Path
    notebooks_dir: Path = NOTEBOOKS_DIR
    unit: str | None = None
    formats: tuple[str, ...] = ("html", "pdf")
    log: list[dict] = field(default_factory=list)

    def parameters(self) -> dict:
        # Every parameter is passed explicitly, as a string: papermill does not type them.
        return {"period": self.period, "config": str(self.config), "data_dir": str(self.data_dir),
                "output_dir": str(self.output_dir), "unit": self.unit}

    @property
    def label(self) -> str:
        return f"enhet {self.unit}" if self.unit else "hela verksamheten"


def _say(message: str) -> None:
    print(message, flush=True)


def _source_cell_number(notebook_path: Path, code: str) -> int | None:
    """1-based number of the failing cell in the notebook as the analyst sees it (no injected cell)."""
    import nbformat

    try:
        nb = nbformat.read(notebook_path, as_version=4)
    except Exception:
        return None
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and cell.source == code:
            return i
    return None


def _cell_failure(exc, notebook: str, notebook_path: Path, executed: Path) -> PipelineError:
    """Turn papermill's exception into a Swedish message that names the notebook and the cell."""
    count = getattr(exc, "exec_count", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    code = getattr(exc, "source", "") or ""
    source = code.strip().splitlines()
    first = source[0][:100] if source else ""
    cell = _source_cell_number(notebook_path, code)
    where = f"cell {cell}" if cell else "okänd cell"
    if count:
        where += f" (körning [{count}])"
    return PipelineError(
        f"Steget {notebook}.ipynb misslyckades i {where}: {ename}: {evalue}\n"
        f"  Cellen börjar: {first}\n"
        f"  Den körda notebooken med felet finns i {executed}")


def run_notebook(spec: RunSpec, name: str) -> Path:
    """Execute one step notebook into the audit folder; raise PipelineError on failure."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from ..kernels import InterpreterKernelManager

    source = spec.notebooks_dir / f"{name}.ipynb"
    if not source.exists():
        raise PipelineError(f"Notebooken {source} saknas.")
    audit = spec.output_dir / "notebooks"
    audit.mkdir(parents=True, exist_ok=True)
    executed = audit / f"{name}.ipynb"
    started = time.perf_counter()
    try:
        pm.execute_notebook(str(source), str(executed), parameters=spec.parameters(), cwd=str(spec.notebooks_dir),
                            kernel_name="python3", kernel_manager_class=InterpreterKernelManager,
                            progress_bar=False, log_output=False,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    except PapermillExecutionError as exc:
        spec.log.append({"steg": name, "status": "fel", "sekunder": round(time.perf_counter() - started, 2)})
        raise _cell_failure(exc, name, source, executed) from None
    except Exception as exc:  # kernel died, bad notebook file, ...
        spec.log.append({"steg": name, "status": "fel", "sekunder": round(time.perf_counter() - started, 2)})
        raise PipelineError(f"Steget {name}.ipynb kunde inte köras: {type(exc).__name__}: {exc}") from None
    seconds = time.perf_counter() - started
    spec.log.append({"steg": name, "status": "klar", "sekunder": round(seconds, 2)})
    return executed


def _write_log(spec: RunSpec, status: str) -> None:
    path = spec.output_dir / "notebooks" / "korning.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"parametrar": spec.parameters(), "status": status, "steg": spec.log},
                               ensure_ascii=False, indent=2), encoding="utf-8")


def run_steps(spec: RunSpec, steps: tuple[str, ...], total: int, offset: int = 0) -> Path:
    executed = None
    for i, name in enumerate(steps, start=offset + 1):
        _say(f"[{i}/{total}] {name} ({spec.label}) …")
        try:
            executed = run_notebook(spec, name)
        finally:
            _write_log(spec, "pågår" if spec.log and spec.log[-1]["status"] == "klar" else "fel")
        _say(f"[{i}/{total}] {name} ({spec.label}): klar på {number(spec.log[-1]['sekunder'], 1)} s")
    return executed


def render(spec: RunSpec, executed_report: Path) -> dict[str, Path]:
    from ..params import validate
    from ..report.bundle import render_all
    from ..report.errors import ReportCheckError

    _say(f"Renderar rapporten och bilagan ({spec.label}): {', '.join(spec.formats)} …")
    try:
        run = validate(spec.period, spec.config, spec.data_dir, spec.output_dir, spec.unit)
        return render_all(executed_report, run, spec.formats)
    except ReportCheckError as exc:
        raise PipelineError(f"Rapporten ({spec.label}) stoppades av kontrollen: {exc}") from None


def import_earlier_periods(period: str, config, paths) -> list[str]:
    """Import earlier periods' raw exports that have not been processed, so step 5 can compare over time.
    Sources the config lists that an earlier period lacks are named (their tables cannot be compared), the
    rest is imported; alarms (rows lost, units without rows) are printed as warnings."""
    from ..collect.alarms import find_alarms
    from ..collect.importing import import_sources, missing_sources

    raw_root = paths.data_dir / "raw"
    done = []
    if not raw_root.is_dir():
        return done
    for folder in sorted(raw_root.iterdir()):
        earlier = folder.name
        if not (folder.is_dir() and earlier.isdigit() and earlier < period):
            continue
        if paths.processed_for(earlier).is_dir():
            continue
        _say(f"Importerar tidigare period {earlier} för jämförelser över tid …")
        for name, tables in missing_sources(earlier, config, paths.data_dir):
            _say(f"      Saknas i {earlier}: {name} ({', '.join(tables)}). Jämförelser över tid saknas för "
                 f"{'den tabellen' if len(tables) == 1 else 'de tabellerna'}.")
        results = import_sources(earlier, config, paths.data_dir, skip_missing=True)
        rows = sum(r.rows_in for r in results)
        rejected = sum(len(r.rejected) for r in results)
        _say(f"      {earlier}: {number(rows)} rader lästa, {number(rejected)} avvisade (karantän).")
        for alarm in find_alarms(results, config):
            _say(f"      Varning ({earlier}): {alarm.meddelande}")
        done.append(earlier)
    return done


def run_report_part(spec: RunSpec, total: int) -> dict[str, Path]:
    """The shared steps (for the whole organisation's run) and the report of one scope, rendered."""
    steps = REPORT_STEPS if spec.unit is None else SCOPE_STEPS
    executed = run_steps(spec, steps, total, offset=total - len(steps))
    files = render(spec, executed)
    _write_log(spec, "klar")
    return files


def _unit_worker(spec: RunSpec, total: int) -> tuple[str, dict[str, str] | None, str | None]:
    try:
        files = run_report_part(spec, total)
        return spec.unit, {k: str(v) for k, v in files.items()}, None
    except Exception as exc:  # reported back to the parent, one unit's failure does not stop the others
        return spec.unit, None, str(exc)


def run_pipeline(period, config=None, data_dir="data", output_dir=None, units=(), all_units=False, workers=2,
                 formats=("html", "pdf"), notebooks_dir=None) -> dict[str, dict[str, Path]]:
    """Run the whole chain for a period. Returns {scope: {format: path}}; raises PipelineError."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")  # deterministic SVG metadata in the kernels
    period = as_period(period)
    cfg = load_config(config)
    paths = period_paths(period, data_dir, output_dir)
    nb_dir = Path(notebooks_dir).resolve() if notebooks_dir else NOTEBOOKS_DIR
    wanted = list(cfg.units) if all_units else list(units or [])
    for u in wanted:
        if u not in cfg.units:
            raise PipelineError(f"Okänd enhet '{u}'. Kända enheter: {', '.join(cfg.units)}.")
    total = len(PERIOD_STEPS) + len(REPORT_STEPS)
    whole = RunSpec(period, cfg.path, paths.data_dir, paths.output_dir, nb_dir, None, tuple(formats))
    _say(f"Kör uppföljningen för {cfg.municipality}, period {period}.")
    run_steps(whole, PERIOD_STEPS, total)
    try:
        import_earlier_periods(period, cfg, paths)
    except Exception as exc:  # comparisons are a bonus: say why they are missing and go on
        _say(f"Varning: tidigare perioder kunde inte importeras ({exc}); rapporten jämför inte över tid.")
    results = {"hela verksamheten": run_report_part(whole, total)}
    if not wanted:
        return results
    specs = [RunSpec(period, cfg.path, paths.data_dir, paths.output_dir / "enheter" / u, nb_dir, u, tuple(formats))
             for u in wanted]
    failures = []
    ctx = multiprocessing.get_context("spawn")  # separate kernels per process, no shared ZMQ state
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx) as pool:
        for unit, files, error in pool.map(_unit_worker, specs, [total] * len(specs)):
            if error:
                failures.append(error)
            else:
                results[unit] = {k: Path(v) for k, v in files.items()}
    if failures:
        raise PipelineError("Rapporten för en eller flera enheter misslyckades:\n" + "\n".join(failures))
    return results


def cli_run(args) -> int:
    from ..config import ConfigError
    from ..params import ParameterError

    started = time.perf_counter()
    try:
        cfg = load_config(args.config)
        period = args.period or cfg.get("default_period")
        formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
        unknown = [f for f in formats if f not in ("html", "pdf")]
        if unknown:
            raise ParameterError(f"Okänt format: {', '.join(unknown)}. Välj html och/eller pdf.")
        results = run_pipeline(period, cfg.path, args.data_dir, args.output_dir, args.unit or (), args.all_units,
                               args.workers, formats, args.notebooks_dir)
    except (PipelineError, ConfigError, ParameterError) as exc:
        print(f"FEL: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # an unexpected fault still gets a Swedish line, not only a traceback
        print(f"FEL: oväntat fel i körningen: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    _say(f"Klart på {number(time.perf_counter() - started, 1)} s. Rapporter:")
    for scope, files in results.items():
        for fmt, path in files.items():
            _say(f"  {scope} ({fmt}): {path}")
    return 0
