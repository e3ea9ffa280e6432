"""Import of source files into the canonical tables (steps 2-4), with quarantine and reconciled counts.

Every input row is either accepted or rejected: rows in = accepted + rejected, always. Rejected rows go to
`data/processed/<period>/karantan/<table>.csv` with the source file, sheet, row, column and a Swedish
reason; lines the reader could not split (an unclosed quote, a field over 131 072 characters, unreadable
characters) are rows in and rejected like any other. Identical repeats of a client (one row per case in a
case export) are merged and counted visibly. Personnummer become keyed pseudonyms before anything is
written; unmapped columns (names) are dropped. Writing is atomic and happens only when every file of a
batch could be read: a failed import leaves the earlier processed tables as they were. Re-importing a file
replaces what that file (by its full path under data/raw/<period>/) gave before.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import personnummer as pnr
from ..config import Config, Paths, load_config, period_paths
from ..filehash import file_hash
from ..params import as_period
from ..schema import TABLES, table as table_spec
from ..tables import coerce
from . import memo
from .. import sharing
from .batch import NATURAL_COLUMN, QUARANTINE_COLUMNS, Batch, source_id
from .canonical import HIDDEN, ImportFileError, check_rows, mapped_columns, read_failures  # noqa: F401
from .errors import SourceError
from .mapping import PERSONNUMMER, Mapping, expected_headers, identity_mapping, load_mapping
from .rawfiles import has_raw_files
from .sources import read_source, reading_once


POPULATION = ["clients", "cases"]  # the tables step 01 imports to draw its sample (plan/sampling.py)


class NoRawDataError(ImportFileError):
    """A period without raw files: nothing can be imported and nothing is written."""


@dataclass
class ImportResult:
    table: str
    source: str  # the source's identity (path under data/raw/<period>/, else absolute)
    rows_in: int
    accepted: pd.DataFrame  # the canonical records (typed), identical repeats merged
    rejected: pd.DataFrame  # one row per rejected input row (QUARANTINE_COLUMNS + the row's mapped values)
    encoding: str | None
    delimiter: str | None
    reasons: dict[str, int]
    accepted_rows: int = 0  # input rows accepted, merged repeats included
    merged: int = 0
    dropped_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None
    header_row: int = 1
    path: str = ""
    memo_key: str | None = None  # everything the result was computed from (see memo.py); None: unknown

    @property
    def reconciled(self) -> bool:
        return self.rows_in == self.accepted_rows + len(self.rejected)

    def as_dict(self) -> dict:
        return {"table": self.table, "source": self.source, "rows_in": self.rows_in,
                "accepted": self.accepted_rows, "rejected": len(self.rejected), "merged": self.merged,
                "records": len(self.accepted), "reconciled": self.reconciled, "encoding": self.encoding,
                "delimiter": self.delimiter, "sheet": self.sheet, "header_row": self.header_row,
                "reasons": dict(self.reasons), "dropped_columns": list(self.dropped_columns),
                "notes": list(self.notes)}


def _config(config) -> Config:
    return config if isinstance(config, Config) else load_config(config)


def _mapping(mapping, config: Config) -> Mapping | None:
    if mapping is None or isinstance(mapping, Mapping):
        return mapping
    return load_mapping(mapping, config)


def _source_path(source, paths: Paths) -> Path:
    p = Path(source).expanduser()
    if not p.is_absolute() and not p.exists() and (paths.raw / p).exists():
        return paths.raw / p
    return p


def _read(table: str, path: Path, mapping: Mapping | None, ahead: bool = False):
    """The source file read as text for `table` (shared with the run's other processes, see sharing.py); with
    `ahead`, only read and shared by a process working ahead (None: another process has it or is on it)."""
    tmap = mapping.for_table(table) if mapping is not None else None
    options = dict(encoding=mapping.encoding if mapping else None, delimiter=mapping.delimiter if mapping else None,
                   sheet=tmap.sheet if tmap else None, header_row=tmap.header_row if tmap else None,
                   expected=expected_headers(table, tmap))
    try:
        if sharing.active():
            key = sharing.digest("read", str(path), file_hash(path), options)
            src = sharing.shared(key, lambda: read_source(path, **options), ahead=ahead)
            if src is sharing.TAKEN:
                return None
        else:
            src = read_source(path, **options)
    except SourceError as exc:
        raise ImportFileError(str(exc), str(path)) from None
    except OSError as exc:
        raise ImportFileError(f"Filen {path} kunde inte läsas: {exc.strerror or exc}.", str(path)) from None
    if tmap is None:
        tmap = identity_mapping(table, list(src.df.columns))
    return src, tmap


def _import_one(table: str, path: Path, period: str, mapping: Mapping | None, config: Config, batch: Batch,
                secret: bytes | None) -> ImportResult:
    source = source_id(path, batch.paths)
    others = batch.others(table, source)  # rows of this table that other files gave: the duplicate check's
    key = _memo_key(table, path, source, period, mapping, config, batch, secret, others)
    result = memo.remembered(key, lambda: _read_and_check(table, path, source, period, mapping, config, batch, secret,
                                                          others))
    result.memo_key = key
    return result


def _memo_key(table: str, path: Path, source: str, period: str, mapping: Mapping | None, config: Config,
              batch: Batch, secret: bytes | None, others: pd.DataFrame | None) -> str | None:
    """Everything an import's result depends on (see memo.py); None when something cannot be fingerprinted."""
    try:
        refs = sorted({c.ref.split(".")[0] for c in table_spec(table).columns if c.ref})
        return sharing.digest(table, source, str(path), file_hash(path), period, mapping, str(config.path),
                           config.data, pnr.key_fingerprint(config), secret,
                           [(r, batch.fingerprint(r)) for r in refs],
                           # none and no rows are the same to the duplicate check
                           memo.frame_digest(others if others is not None and len(others) else None))
    except Exception:  # noqa: BLE001  (an unreadable file is reported by the import itself)
        return None


def _read_and_check(table: str, path: Path, source: str, period: str, mapping: Mapping | None, config: Config,
                    batch: Batch, secret: bytes | None, others: pd.DataFrame | None) -> ImportResult:
    spec = table_spec(table)
    src, tmap = _read(table, path, mapping)
    present, dropped, notes = mapped_columns(table, list(src.df.columns), tmap, path.name)
    if secret is None and (PERSONNUMMER in present.values() or tmap.key_columns):
        secret = pnr.load_key(config, source=path)
    checked = check_rows(table, src, tmap, present, mapping, config, period, secret, batch.column, others, source)
    rejected = checked.rejected
    if src.bad_rows:
        rejected = pd.concat([read_failures(src, source), rejected], ignore_index=True)
        rejected = rejected.sort_values("Rad", kind="stable", key=lambda r: pd.to_numeric(r, errors="coerce"))
    typed = checked.typed
    ok = ~typed.index.isin(checked.bad)
    keep = ok & ~typed.index.isin(checked.merged)
    accepted = coerce(table, typed.loc[keep, [c for c in spec.names if c in typed]].reset_index(drop=True))
    if checked.natural_ids is not None:
        accepted[NATURAL_COLUMN] = checked.natural_ids.loc[keep].to_numpy()
    reasons = rejected["Orsak"].value_counts().to_dict() if len(rejected) else {}
    result = ImportResult(table, source, len(src.df) + len(src.bad_rows), accepted, rejected.reset_index(drop=True),
                          src.encoding, src.delimiter, {str(k): int(n) for k, n in reasons.items()}, int(ok.sum()),
                          len(checked.merged), dropped, src.notes + notes + checked.notes, src.sheet,
                          src.header_row, str(path))
    if dropped:
        result.notes.append(f"Kolumner som inte används (togs bort): {', '.join(dropped)}.")
    return result


def import_file(table: str, source, period, *, mapping=None, config=None, data_dir="data",
                write: bool = True) -> ImportResult:
    """Import one file into one canonical table. With `write`, the processed table, the quarantine and the
    import log of the period are updated (atomically); without, nothing is written."""
    period = as_period(period)
    table_spec(table)
    cfg = _config(config)
    paths = period_paths(period, data_dir)
    path = _source_path(source, paths)
    batch = Batch(paths)
    result = _import_one(table, path, period, _mapping(mapping, cfg), cfg, batch, None)
    if write:
        batch.add(result)
        batch.commit()
    return result


def require_raw_data(paths: Paths) -> None:
    """Refuse a period without raw files, before anything is written (Swedish message)."""
    raw = paths.raw
    if not has_raw_files(raw):
        raise NoRawDataError(
            f"Det finns inga källfiler för perioden {paths.period} i {raw}. Lägg exporterna där (se "
            "data/README.md) eller välj en period som har data. Inget har importerats eller skrivits.", str(raw))


def _jobs(cfg: Config, period: str, tables, steps) -> list:
    wanted_tables = set(tables) if tables else None
    wanted_steps = {int(s) for s in steps} if steps else None
    jobs = []
    for i, entry in enumerate(cfg.get("kallor") or []):
        if "perioder" in entry and period not in {str(p) for p in entry["perioder"]}:
            continue
        if wanted_steps is not None and int(entry.get("steg", 0)) not in wanted_steps:
            continue
        for t in entry.get("tabeller") or []:
            if wanted_tables is None or t in wanted_tables:
                jobs.append((list(TABLES).index(table_spec(t).name), i, t, entry))
    return jobs + _dependencies(jobs, cfg, period)


def _file_of(entry: dict, table: str, mapping: Mapping | None, cfg: Config) -> str:
    fname = entry.get("fil") or (mapping.for_table(table).file if mapping else None)
    if not fname:
        raise ImportFileError(f"Källan för tabellen {table} i {cfg.path.name} anger ingen fil ('fil').",
                              str(cfg.path))
    return fname


def import_sources(period, config=None, data_dir="data", tables=None, steps=None,
                   skip_missing: bool = False, write: bool = True, batch: Batch | None = None) -> list[ImportResult]:
    """Import the config's `kallor` for a period (filtered by tables and/or steps), in dependency order,
    and write processed tables, quarantine and log. Nothing is written if any file cannot be used; with
    `skip_missing`, sources whose files do not exist are left out and named in the import log (read them
    with `helpers.importlog.missing_sources`); without `write`, nothing is written at all. A period without a
    raw folder has nothing to import: the result is empty. ``batch``: one to go on with (its earlier results are
    not added again)."""
    period = as_period(period)
    cfg = _config(config)
    paths = period_paths(period, data_dir)
    if not paths.raw.is_dir():
        return []
    batch = batch if batch is not None else Batch(paths)
    if skip_missing:
        batch.missing = {}
    secret = None
    sources = list(_sources(cfg, period, tables, steps, {}))
    with reading_once(paths.raw / s[3] for s in sources):  # a file feeding two tables is read once
        for t, _, mapping, fname in sources:
            path = paths.raw / fname
            if skip_missing and not path.exists():
                if t not in batch.missing.setdefault(fname, []):
                    batch.missing[fname].append(t)
                continue
            result = _import_one(t, path, period, mapping, cfg, batch, secret)
            batch.add(result)
    if write:
        batch.commit()
    return batch.results


def _sources(cfg: Config, period: str, tables, steps, mappings: dict):
    """(table, source entry's index, mapping, file under the raw folder) of each source to import, in dependency
    order; each mapping is loaded once into ``mappings``."""
    for _, i, t, entry in sorted(_jobs(cfg, period, tables, steps), key=lambda j: (j[0], j[1])):
        mname = entry.get("mappning")
        if mname not in mappings:
            mappings[mname] = load_mapping(mname, cfg) if mname else None
        yield t, i, mappings[mname], _file_of(entry, t, mappings[mname], cfg)


def import_ahead(period, config, data_dir, steps) -> None:
    """Read and check the sources of ``steps`` and write nothing: a spare process of the runner does this while the
    kernel runs the steps before them, and each step's notebook then finds the results in the run's shared memo
    (memo.py). The sources are taken the kernel's last first, and one the kernel is on (or that refers to a table
    the kernel is on) is left for later, not waited for: the spare turns to the next one ready. Any problem is left
    for the notebook to report."""
    cfg = _config(config)
    read_ahead(period, cfg, data_dir, steps)
    pending = _kernel_order(cfg, as_period(period), steps)[::-1]
    blocked: dict[tuple, str] = {}  # a source -> the result another process is on that it needs
    paths = period_paths(as_period(period), data_dir)
    batches = {step: Batch(paths) for step, _ in pending}  # each step's references are added to its batch once
    try:
        with memo.not_waiting():
            while pending:
                before = sharing.folder_state()
                for step, table in pending:
                    if (step, table) in blocked and sharing.still_busy(blocked[step, table]):
                        continue
                    try:
                        import_sources(period, cfg, data_dir, tables=[table], steps=[step], write=False,
                                       batch=batches[step])
                    except sharing.Busy as busy:
                        blocked[step, table] = busy.key
                        continue
                    except Exception:  # noqa: BLE001  (the step's own import says what is wrong, in its cell)
                        pass
                    pending.remove((step, table))
                    break
                else:  # everything left waits for what the kernel is on
                    sharing.wait_for_change(before)
    finally:
        memo.forget()  # the results are in the shared folder; this process need not keep them


def _kernel_order(cfg: Config, period: str, steps) -> list[tuple[int, str]]:
    """(step, table) of each step's own sources (not the references it imports with them) in the order the kernel
    imports them."""
    order: list[tuple[int, str]] = []
    for step in sorted(int(s) for s in steps):
        for _, _, table, entry in sorted(_jobs(cfg, period, None, [step]), key=lambda j: (j[0], j[1])):
            if int(entry.get("steg", 0)) == step and (step, table) not in order:
                order.append((step, table))
    return order


def read_ahead(period, cfg: Config, data_dir, steps) -> None:
    """Read the source files of ``steps`` into the run's shared folder, before any check: reading needs no other
    table, checking needs the tables referred to (clients first, then cases, ...), which the kernel is importing
    meanwhile. The clients' source is left to the kernel, which starts with it, with every table it feeds (the
    kernel reads the file once for all of them, see ``sources.reading_once``). A file that cannot be read is left
    to its step."""
    period = as_period(period)
    paths = period_paths(period, data_dir)
    done: set = set()
    left_to_kernel: set = set()  # the clients' source entry: the kernel reads it
    mappings: dict[str, Mapping | None] = {}
    todo = []
    with contextlib.suppress(Exception):  # a mapping that cannot be used: its step says what is wrong
        for step in sorted(int(s) for s in steps):
            for t, i, mapping, fname in _sources(cfg, period, None, [step], mappings):
                if t == POPULATION[0]:
                    left_to_kernel.add(i)
                if i in left_to_kernel or (t, i) in done:  # each source once (a dependency of several steps)
                    continue
                done.add((t, i))
                todo.append((t, mapping, paths.raw / fname))
    with reading_once(path for _, _, path in todo):  # a file feeding two tables is read once
        for t, mapping, path in todo:
            with contextlib.suppress(Exception):
                if path.exists():
                    _read(t, path, mapping, ahead=True)


def _dependencies(jobs: list, cfg: Config, period: str) -> list:
    """Sources of the tables that the chosen tables refer to (e.g. interventions for goals), so that
    references are checked the same way whichever step runs first."""
    chosen = {j[2] for j in jobs}
    wanted = set()
    todo = list(chosen)
    while todo:
        for col in table_spec(todo.pop()).columns:
            if col.ref:
                ref = col.ref.split(".")[0]
                if ref not in chosen and ref not in wanted:
                    wanted.add(ref)
                    todo.append(ref)
    extra = []
    for i, entry in enumerate(cfg.get("kallor") or []):
        if "perioder" in entry and period not in {str(p) for p in entry["perioder"]}:
            continue
        for t in entry.get("tabeller") or []:
            if t in wanted:
                extra.append((list(TABLES).index(table_spec(t).name), i, t, entry))
    return extra


def check_reconciled(results: list[ImportResult]) -> None:
    """Raise (Swedish message) if any import does not add up: rows in = accepted + rejected."""
    wrong = [f"{r.source} → {r.table}: {r.rows_in} in, {r.accepted_rows} godkända, {len(r.rejected)} avvisade"
             for r in results if not r.reconciled]
    if wrong:
        raise ValueError("Antalen stämmer inte: " + "; ".join(wrong))
