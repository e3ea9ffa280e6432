"""The annex of a report (its indicator tables) rendered apart from the report, by an idle worker.

The annex is built from the publication alone, so it can be rendered as soon as step 05 has written the
publication, while the same run goes on with steps 06 and 07 and the report itself in another worker. It is
rendered into a staging folder beside the scope's audit trail; the coordinator moves it into place only when
the scope's own chain succeeded (the whole run is still all or nothing, see transaction.py), and records it in
the scope's korning.json as the step "bilaga". Unchanged publication, code and config: it is not rendered again.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import fingerprint as fp
from .chain import REPORT_BASENAME, ChainResult
from .index_page import WORKBOOK
from .journal import Journal, audit_dir, read_journal

STEP = "bilaga"
ANNEX_BASENAME = f"{REPORT_BASENAME}_bilaga"  # as report.bundle.ANNEX names it (a test keeps them equal)


@dataclass
class AnnexJob:
    """Picklable: sent to a worker process."""
    run_id: str
    scope: str
    scope_label: str             # "hela verksamheten", "enhet barn_unga"
    parameters: dict
    output_dir: Path
    formats: tuple[str, ...]
    static: str  # what the annex is made from (see static_digest)
    yields: bool = True  # rendered at a lower priority than the kernels' chains (see pipeline.annex_yields)

    @property
    def label(self) -> str:
        return f"bilagan ({self.scope_label})"

    @property
    def staging(self) -> Path:
        return audit_dir(self.output_dir) / f".bilaga-{self.run_id}"

    def targets(self) -> dict[str, Path]:
        return {f"bilaga_{fmt}": self.output_dir / f"{ANNEX_BASENAME}.{fmt}" for fmt in self.formats}


def for_scope(job, force: bool = False, yields: bool = True) -> tuple[AnnexJob, bool]:
    """The annex job of a scope's chain job, and whether it must be rendered (False: the one in place is it)."""
    from ..params import validate

    p = job.parameters
    publication = validate(p["period"], p["config"], p["data_dir"], p["output_dir"], p.get("unit")).paths.publication
    annex = AnnexJob(job.run_id, job.scope, job.label, p, job.output_dir, tuple(job.formats),
                     static_digest(p, job.formats, publication), yields)
    return annex, force or not unchanged(annex)


def static_digest(parameters: dict, formats, publication: Path) -> str:
    """Code, config, scope, formats and every file of the publication but the workbook (another view of the same
    cells, written after the annex may start; the hidden temporary file beside it while it is written is left out
    as fingerprint.tree leaves out every hidden file): the annex depends on nothing else."""
    from ..config import load_config

    return fp.digest([fp.code_digest(), fp.config_digest(load_config(parameters["config"])),
                      str(parameters.get("unit")), ",".join(sorted(formats)),
                      *(f"{rel}={h}" for rel, h in fp.tree(Path(publication)) if rel != WORKBOOK[-1])])


def unchanged(job: AnnexJob) -> bool:
    """The annex in place is the one this job would render (same static inputs, same files)."""
    record = (read_journal(job.output_dir).get("indata") or {}).get(STEP) or {}
    targets = job.targets().values()
    return (record.get("status") == "klar" and record.get("statiskt") == job.static
            and all(p.exists() and record.get("skrivna", {}).get(p.name) == fp.file_hash(p) for p in targets))


def render_annex_job(job: AnnexJob, emit: Callable[[dict], None]) -> ChainResult:
    """In a worker: render the annex into the staging folder; nothing is moved into place here."""
    from ..report.bundle import render_annex
    from ..report.errors import ReportCheckError

    result = ChainResult(job.scope, job.label, "klar")
    info = {"typ": "bilaga", "scope": job.scope_label}
    emit({**info, "status": "start"})
    started = time.perf_counter()
    shutil.rmtree(job.staging, ignore_errors=True)
    try:
        files = render_annex(job.staging, job.parameters, job.formats)
        result.files = {kind: str(path) for kind, path in files.items()}
    except ReportCheckError as exc:
        result.status = "fel"
        result.failure = {"meddelande": f"Bilagan ({job.scope_label}) stoppades av kontrollen: {exc}"}
    except Exception as exc:  # noqa: BLE001
        result.status = "fel"
        result.failure = {"meddelande": f"Bilagan ({job.scope_label}) kunde inte renderas: {type(exc).__name__}: {exc}"}
    result.seconds = time.perf_counter() - started
    emit({**info, "status": result.status, "sekunder": result.seconds})
    return result


def place(job: AnnexJob, rendered: ChainResult | None) -> dict[str, str]:
    """In the coordinator, after the scope's chain succeeded: move the staged annex into place (or keep the
    unchanged one) and record it in the scope's korning.json. Returns the annex files by kind."""
    from ..atomic import move_into_place

    journal = Journal(job.output_dir, job.run_id)
    if rendered is None:
        journal.step(STEP, "oförändrad")
        return {kind: str(path) for kind, path in job.targets().items()}
    placed = {kind: move_into_place(Path(path), job.output_dir / Path(path).name)
              for kind, path in rendered.files.items()}
    journal.record(STEP, {"status": "klar", "statiskt": job.static,
                          "skrivna": {p.name: fp.file_hash(p) for p in placed.values()}})
    journal.step(STEP, "klar", rendered.seconds)
    return {kind: str(path) for kind, path in placed.items()}


def discard(job: AnnexJob) -> None:
    shutil.rmtree(job.staging, ignore_errors=True)
