"""Import of source files into the canonical tables (steps 2-4), with quarantine and reconciled counts.

Every input row is either accepted or rejected: rows in = accepted + rejected, always. Rejected rows go to
`data/processed/<period>/karantan/<table>.csv` with the source file, row, column and a Swedish reason.
Identical repeats of a client (one row per case in a case export) are merged and counted visibly.
Personnummer become keyed pseudonyms before anything is written; unmapped columns (names) are dropped.
Writing is atomic and happens only when every file of a batch could be read: a failed import leaves the
earlier processed tables as they were. Re-importing a file replaces what that file gave before.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .. import personnummer as pnr
from . import validation as v
from ..config import Config, ConfigError, Paths, load_config, period_paths
from .mapping import (PERSONNUMMER, DEFAULT_DATE_FORMATS, Mapping, MappingError, TableMapping, expected_headers,
                      identity_mapping, load_mapping)
from ..params import ParameterError, as_period
from ..schema import TABLES, table as table_spec
from .sources import DELIMITER_NAMES, ENCODING_NAMES, SourceError, read_source
from ..tables import coerce, load_table, table_path, write_table

SOURCE_COLUMN = "import_source"  # extra column in processed tables: the file each row came from
HIDDEN = "(dolt)"
QUARANTINE_COLUMNS = ["Källfil", "Rad", "Kolumn", "Värde", "Orsak", "Detalj", "Övriga fel"]
LOG_NAME = "importlogg.json"
DERIVED_FROM_PNR = ("client_id", "birth_year", "birth_day", "sex", "id_type")


class ImportFileError(ValueError):
    """A file that cannot be used at all: empty, unreadable, a required column missing (Swedish message)."""


@dataclass
class ImportResult:
    table: str
    source: str  # file name
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


class _Batch:
    """The processed tables as they will be after a batch of imports; written only at the end."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self.tables: dict[str, pd.DataFrame] = {}
        self.quarantine: dict[str, pd.DataFrame] = {}
        self.results: list[ImportResult] = []

    def current(self, name: str) -> pd.DataFrame | None:
        if name in self.tables:
            return self.tables[name]
        if table_path(self.paths.processed, name).exists():
            return load_table(self.paths.processed, name)
        return None

    def current_quarantine(self, name: str) -> pd.DataFrame:
        if name in self.quarantine:
            return self.quarantine[name]
        path = self.paths.quarantine / f"{name}.csv"
        if path.exists():
            return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)

    def add(self, result: ImportResult) -> None:
        spec = table_spec(result.table)
        old = self.current(result.table)
        new = result.accepted.assign(**{SOURCE_COLUMN: result.source})
        if old is not None and len(old):
            if SOURCE_COLUMN in old:
                old = old[old[SOURCE_COLUMN].astype("string") != result.source]
            if len(new):
                keys = pd.MultiIndex.from_frame(new[list(spec.key)].astype("string"))
                old_keys = pd.MultiIndex.from_frame(old[list(spec.key)].astype("string"))
                old = old[~old_keys.isin(keys)]
            merged = pd.concat([coerce(result.table, old), coerce(result.table, new)], ignore_index=True)
        else:
            merged = coerce(result.table, new)
        self.tables[result.table] = merged.sort_values(list(spec.key), kind="stable").reset_index(drop=True)
        q = self.current_quarantine(result.table)
        q = q[q["Källfil"].astype(str) != result.source] if len(q) else q
        rej = result.rejected.astype("string")
        self.quarantine[result.table] = pd.concat([q.astype("string"), rej], ignore_index=True) if len(q) else rej
        self.results.append(result)

    def commit(self) -> None:
        for name, df in self.tables.items():
            write_table(self.paths.processed, name, df)
        for name, q in self.quarantine.items():
            _write_text_atomic(self.paths.quarantine / f"{name}.csv",
                               q.to_csv(sep=";", index=False, lineterminator="\r\n"), encoding="utf-8-sig")
        log_path = self.paths.processed / LOG_NAME
        log = {}
        if log_path.exists():
            try:
                log = json.loads(log_path.read_text(encoding="utf-8"))
            except ValueError:
                log = {}
        for r in self.results:
            log[f"{r.table}|{r.source}"] = r.as_dict()
        _write_text_atomic(log_path, json.dumps(dict(sorted(log.items())), ensure_ascii=False, indent=2))


def _write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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


def _norm(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def _read(table: str, path: Path, mapping: Mapping | None):
    tmap = mapping.for_table(table) if mapping is not None else None
    try:
        src = read_source(path, encoding=mapping.encoding if mapping else None,
                          delimiter=mapping.delimiter if mapping else None,
                          sheet=tmap.sheet if tmap else None, header_row=tmap.header_row if tmap else None,
                          expected=expected_headers(table, tmap))
    except SourceError as exc:
        raise ImportFileError(str(exc)) from None
    if tmap is None:
        tmap = identity_mapping(table, list(src.df.columns))
    return src, tmap


def _mapped_columns(table: str, src_columns: list[str], tmap: TableMapping, path: Path) -> tuple[dict, list, list]:
    """Source column -> target for the columns present; dropped source columns; notes."""
    by_norm = {_norm(c): c for c in src_columns}
    present, notes = {}, []
    spec = table_spec(table)
    for src, target in tmap.columns.items():
        actual = by_norm.get(_norm(src))
        if actual is not None:
            present[actual] = target
        elif target == PERSONNUMMER or (target in spec.names and spec.column(target).required):
            label = "personnummer" if target == PERSONNUMMER else spec.column(target).label
            raise ImportFileError(f"Filen {path.name} saknar den obligatoriska kolumnen '{src}' ({label}) för "
                                  f"tabellen {table}.")
        else:
            notes.append(f"Kolumnen '{src}' ({target}) finns inte i filen.")
    if not present:
        raise ImportFileError(f"Filen {path.name} har inga kolumner som känns igen för tabellen {table} "
                              f"({spec.label}). Kolumner i filen: {', '.join(src_columns) or 'inga'}.")
    provided = set(present.values()) | set(tmap.constants)
    if PERSONNUMMER in provided:
        provided |= {"client_id"} | ({"birth_year", "birth_day", "sex", "id_type"} if table == "clients" else set())
    for col in spec.required:
        if col not in provided:
            c = spec.column(col)
            raise ImportFileError(f"Filen {path.name} saknar den obligatoriska kolumnen '{c.label}' ({col}) för "
                                  f"tabellen {table}.")
    dropped = [c for c in src_columns if c not in present]
    return present, dropped, notes


def _scrub_free_text(canon: pd.DataFrame, spec, reference: dt.date, notes: list[str]) -> None:
    """Free-text columns must not carry personnummer: such values are removed, and the summary says so."""
    for col in spec.columns:
        if col.kind != "str" or col.name == "client_id" or col.name not in canon:
            continue
        s = canon[col.name]
        candidates = s[s.str.contains(pnr.PNR_IN_TEXT_PATTERN, regex=True).fillna(False)].unique()
        hits = {u for u in candidates if pnr.contains_personnummer(u, reference)}
        if hits:
            mask = s.isin(hits).fillna(False)
            canon.loc[mask, col.name] = pd.NA
            notes.append(f"{int(mask.sum())} värden i kolumnen {col.name} innehöll personnummer och togs bort.")


def _validate(table: str, src, tmap: TableMapping, present: dict, mapping: Mapping | None, config: Config,
              period: str, key: bytes | None, lookup):
    """Typed frame, rejected rows (one per input row with problems), their index, merged index, notes."""
    spec = table_spec(table)
    period_end = pd.Timestamp(int(period), 12, 31)
    reference = period_end.date()
    df, rows = src.df, src.rows
    notes: list[str] = []
    canon = pd.DataFrame(index=df.index)
    pnr_source = None
    for source_col, target in present.items():
        if target == PERSONNUMMER:
            pnr_source = source_col
        else:
            canon[target] = df[source_col].astype("string")
    for target, value in tmap.constants.items():
        canon[target] = pd.Series(str(value), index=df.index, dtype="string")
    problems = v.Problems()
    if pnr_source is not None:
        ids = pnr.parse_series(df[pnr_source], key, reference)
        raw = df[pnr_source]
        problems.add(raw.isna(), pnr_source, None, v.R_REQUIRED, "Personnummer")
        problems.add(ids["reason"].notna(), pnr_source, None, ids["reason"].fillna(""), "Personnummer")
        targets = DERIVED_FROM_PNR if table == "clients" else ("client_id",)
        for t in targets:
            if t not in spec.names:
                continue
            derived = ids[t].astype("string")
            canon[t] = derived if t not in canon else canon[t].fillna(derived)
        if (ids["id_type"] == "samordningsnummer").any():
            notes.append(f"{int((ids['id_type'] == 'samordningsnummer').sum())} rader har samordningsnummer.")
    _scrub_free_text(canon, spec, reference, notes)
    units = config.units
    typed = pd.DataFrame(index=df.index)
    formats = mapping.date_formats if mapping else DEFAULT_DATE_FORMATS
    decimal = mapping.decimal if mapping else ","
    derived = set(DERIVED_FROM_PNR) if pnr_source is not None else set()
    for col in spec.columns:
        if col.name not in canon:
            continue
        if col.name in derived:
            col = replace(col, required=False)  # a missing or invalid personnummer is already reported
        if col.kind == "code":
            canon[col.name] = v.map_codes(canon[col.name], col, tmap.codes.get(col.name))
        elif col.name in tmap.codes:
            canon[col.name] = v.map_codes(canon[col.name], col, tmap.codes[col.name])
        if col.name == "unit" and units:
            canon[col.name] = v.map_units(canon[col.name], units)
        if table == "support_months" and col.name == "month":
            if col.required:
                problems.add(canon[col.name].isna(), col.name, canon[col.name], v.R_REQUIRED, col.label)
            typed[col.name] = v.check_months(canon[col.name], problems, period_end)
            continue
        typed[col.name] = v.check_column(canon, col, problems, period_end=period_end, date_formats=formats,
                                         decimal=decimal, units=units)
    if table == "measurements" and {"instrument", "score"} <= set(typed.columns):
        v.check_scores(typed, canon, problems)
    v.check_order(spec, typed, canon, problems)
    notes += v.check_refs(spec, typed, canon, problems, lookup)
    merged = v.check_duplicates(spec, typed, rows, problems, merge_identical=(table == "clients"))
    if len(merged):
        notes.append(f"{len(merged)} rader gällde en klient som redan fanns på en tidigare rad och slogs ihop.")
    rejected = _rejected_rows(problems.frame(), canon, rows, src.path.name, pnr_source, present)
    return typed, rejected, problems.bad_index(), merged, notes


def _rejected_rows(found: pd.DataFrame, canon: pd.DataFrame, rows: pd.Series, source: str,
                   pnr_source: str | None, present: dict) -> pd.DataFrame:
    if found.empty:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS + list(canon.columns))
    found = found.sort_values(["idx", "order"], kind="stable")
    target_of = {s: t for s, t in present.items()}
    shown = found["value"].astype("string")
    hide = (found["column"] == pnr_source).to_numpy() | [
        False if pd.isna(x) else pnr.looks_like_personnummer(x) for x in shown]
    found = found.assign(value=shown.mask(hide, HIDDEN),
                         column=found["column"].map(lambda c: target_of.get(c, c) if c != pnr_source else c))
    text = found["reason"] + ": " + found["column"].astype(str) + " (" + found["detail"].fillna("") + ")"
    others = text.groupby(found["idx"]).agg(lambda t: "; ".join(t.iloc[1:]))
    first = found.groupby("idx", sort=True).first()
    out = pd.DataFrame({
        "Källfil": source, "Rad": rows.loc[first.index].to_numpy(), "Kolumn": first["column"].to_numpy(),
        "Värde": first["value"].to_numpy(), "Orsak": first["reason"].to_numpy(),
        "Detalj": first["detail"].to_numpy(), "Övriga fel": others.loc[first.index].to_numpy()})
    values = canon.loc[first.index].reset_index(drop=True)
    return pd.concat([out, values], axis=1)


def _unsplittable(src, source: str) -> pd.DataFrame:
    return pd.DataFrame({"Källfil": source, "Rad": [r for r, _ in src.bad_rows], "Kolumn": "",
                         "Värde": "", "Orsak": v.R_UNSPLITTABLE, "Detalj": [d for _, d in src.bad_rows],
                         "Övriga fel": ""})


def _import_one(table: str, path: Path, period: str, mapping: Mapping | None, config: Config, batch: _Batch,
                key: bytes | None) -> ImportResult:
    spec = table_spec(table)
    src, tmap = _read(table, path, mapping)
    present, dropped, notes = _mapped_columns(table, list(src.df.columns), tmap, path)
    if PERSONNUMMER in present.values() and key is None:
        key = pnr.load_key(config, source=path)
    typed, rejected, bad, merged, more = _validate(table, src, tmap, present, mapping, config, period, key,
                                                   batch.current)
    if src.bad_rows:
        rejected = pd.concat([_unsplittable(src, path.name), rejected], ignore_index=True)
    ok = ~typed.index.isin(bad)
    accepted_rows = int(ok.sum())
    keep = ok & ~typed.index.isin(merged)
    accepted = coerce(table, typed.loc[keep, [c for c in spec.names if c in typed]].reset_index(drop=True))
    reasons = rejected["Orsak"].value_counts().to_dict() if len(rejected) else {}
    rows_in = len(src.df) + len(src.bad_rows)
    result = ImportResult(table, path.name, rows_in, accepted, rejected.reset_index(drop=True), src.encoding,
                          src.delimiter, {str(k): int(n) for k, n in reasons.items()}, accepted_rows,
                          len(merged), dropped, src.notes + notes + more, src.sheet, src.header_row, str(path))
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
    batch = _Batch(paths)
    result = _import_one(table, path, period, _mapping(mapping, cfg), cfg, batch, None)
    if write:
        batch.add(result)
        batch.commit()
    return result


def import_sources(period, config=None, data_dir="data", tables=None, steps=None) -> list[ImportResult]:
    """Import the config's `kallor` for a period (filtered by tables and/or steps), in dependency order,
    and write processed tables, quarantine and log. Nothing is written if any file cannot be used.
    A period without a raw folder has nothing to import yet: the result is empty."""
    period = as_period(period)
    cfg = _config(config)
    paths = period_paths(period, data_dir)
    if not paths.raw.is_dir():
        return []
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
    jobs += _dependencies(jobs, cfg, period)
    batch = _Batch(paths)
    key = None
    mappings: dict[str, Mapping | None] = {}
    for _, _, t, entry in sorted(jobs, key=lambda j: (j[0], j[1])):
        mname = entry.get("mappning")
        if mname not in mappings:
            mappings[mname] = load_mapping(mname, cfg) if mname else None
        mapping = mappings[mname]
        fname = entry.get("fil") or (mapping.for_table(t).file if mapping else None)
        if not fname:
            raise ImportFileError(f"Källan för tabellen {t} i {cfg.path.name} anger ingen fil ('fil').")
        path = paths.raw / fname
        result = _import_one(t, path, period, mapping, cfg, batch, key)
        batch.add(result)
    batch.commit()
    return batch.results


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


# --- Tables for the notebooks -------------------------------------------------------------------------

def summary_table(results: list[ImportResult]) -> pd.DataFrame:
    rows = []
    for r in results:
        rows.append({"Tabell": f"{table_spec(r.table).label} ({r.table})", "Källfil": r.source,
                     "Kodning": ENCODING_NAMES.get(r.encoding, r.encoding) if r.encoding else "Excel",
                     "Avgränsare": DELIMITER_NAMES.get(r.delimiter, r.delimiter) if r.delimiter else "–",
                     "Rader in": r.rows_in, "Godkända": r.accepted_rows, "Avvisade": len(r.rejected),
                     "varav sammanslagna": r.merged, "Poster i tabellen": len(r.accepted),
                     "Stämmer (in = godkända + avvisade)": "ja" if r.reconciled else "NEJ"})
    return pd.DataFrame(rows, columns=["Tabell", "Källfil", "Kodning", "Avgränsare", "Rader in", "Godkända",
                                       "Avvisade", "varav sammanslagna", "Poster i tabellen",
                                       "Stämmer (in = godkända + avvisade)"])


def reasons_table(results: list[ImportResult]) -> pd.DataFrame:
    rows = [{"Tabell": r.table, "Källfil": r.source, "Orsak": reason, "Antal rader": n}
            for r in results for reason, n in sorted(r.reasons.items(), key=lambda kv: (-kv[1], kv[0]))]
    return pd.DataFrame(rows, columns=["Tabell", "Källfil", "Orsak", "Antal rader"])


def missing_table(results: list[ImportResult]) -> pd.DataFrame:
    """Missing values per column among the accepted records of each import."""
    rows = []
    for r in results:
        spec = table_spec(r.table)
        n = len(r.accepted)
        for col in spec.columns:
            missing = int(r.accepted[col.name].isna().sum()) if col.name in r.accepted else n
            rows.append({"Tabell": r.table, "Källfil": r.source, "Kolumn": col.name, "Benämning": col.label,
                         "Obligatorisk": "ja" if col.required else "nej", "Poster": n, "Saknas": missing,
                         "Andel som saknas": (missing / n) if n else None})
    return pd.DataFrame(rows, columns=["Tabell", "Källfil", "Kolumn", "Benämning", "Obligatorisk", "Poster",
                                       "Saknas", "Andel som saknas"])


def quarantine_rows(results: list[ImportResult], limit: int = 20) -> pd.DataFrame:
    """The first rejected rows, without values that could identify a person, for a quick look."""
    parts = [r.rejected[QUARANTINE_COLUMNS].assign(Tabell=r.table) for r in results if len(r.rejected)]
    if not parts:
        return pd.DataFrame(columns=["Tabell"] + QUARANTINE_COLUMNS)
    df = pd.concat(parts, ignore_index=True)
    return df[["Tabell"] + QUARANTINE_COLUMNS].head(limit)


# --- Command line -------------------------------------------------------------------------------------

def _print_summary(r: ImportResult) -> None:
    enc = ENCODING_NAMES.get(r.encoding, r.encoding) if r.encoding else f"Excel, blad {r.sheet}"
    delim = f", avgränsare {DELIMITER_NAMES.get(r.delimiter, r.delimiter)}" if r.delimiter else ""
    print(f"{r.source} → {r.table} ({enc}{delim}, rubrikrad {r.header_row})")
    print(f"Rader in: {r.rows_in}. Godkända: {r.accepted_rows} (varav sammanslagna {r.merged}). "
          f"Avvisade: {len(r.rejected)}. Poster i tabellen: {len(r.accepted)}.")
    print("Summan stämmer." if r.reconciled else "VARNING: summan stämmer inte.")
    for reason, n in sorted(r.reasons.items(), key=lambda kv: -kv[1]):
        print(f"  {n} × {reason}")
    for note in r.notes:
        print(f"  {note}")


def cli_import(args) -> int:
    try:
        result = import_file(args.table, args.source, args.period, mapping=args.mapping,
                             config=getattr(args, "config", None), data_dir=args.data_dir or "data", write=True)
    except KeyError as exc:
        print(f"Fel: {exc.args[0]}", file=sys.stderr)
        return 2
    except (ImportFileError, MappingError, ConfigError, ParameterError, pnr.PseudonymKeyError) as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Fel: filen {args.source} kunde inte läsas eller skrivas: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        _print_summary(result)
    return 0
