"""The processed tables of a period as they will be after a batch of imports, written only at the end.

A source is known by its full identity (its path under data/raw/<period>/, e.g. barn/arenden.csv, or its
absolute path when it lies elsewhere), so re-importing a file replaces what that file gave before and
nothing that a file with the same name in another folder gave.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from ..atomic import write_text_atomic
from ..config import Paths
from ..importlog import LOG_NAME, MISSING_KEY, read_log
from ..schema import table as table_spec
from ..tables import coerce, load_column, load_table, sorted_rows, table_path, write_excel_csv, write_table
from ..sharing import digest
from .memo import frame_digest

SOURCE_COLUMN = "import_source"  # extra column in processed tables: the source each row came from
NATURAL_COLUMN = "import_key"  # and the row's natural key as a keyed hash, when its mapping declares one
QUARANTINE_COLUMNS = ["Källfil", "Blad", "Rad", "Kolumn", "Värde", "Orsak", "Detalj", "Övriga fel"]


def source_id(path: Path, paths: Paths) -> str:
    """The source's identity: its path under the period's raw folder, else its absolute path."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(paths.raw.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


# What this process knows of processed tables as it wrote or read them, by the table's path: the table's and its
# quarantine's file stamps, the table's content digest, and the one import result all its rows came from. Steps
# 02-04 import again the tables theirs refer to (clients, cases, ...); when such an import gives the result the
# files on disk came from, the table is left as it is: not read, merged, fingerprinted or written again.
_ON_DISK: dict[str, dict] = {}


def _stamp(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def _sources_in(path: Path) -> tuple[list[str], set]:
    """(column names, sources) of a processed table: the sources from the file's statistics of its source column
    where they tell (each row group's least and greatest value; Arrow writes them whole or not at all), else read
    from the column (~20 ms at 50 000 rows, for every import that asks). Where the statistics show two different
    sources, those two stand for all: the table did not come from one source alone."""
    meta = pq.ParquetFile(path).metadata
    names = meta.schema.names
    column = names.index(SOURCE_COLUMN)
    found: set = set()
    for i in range(meta.num_row_groups):
        chunk = meta.row_group(i).column(column)
        stats = chunk.statistics
        if stats is None or not stats.has_min_max:
            if stats is not None and stats.null_count == chunk.num_values:
                continue  # no value in this group
            return names, set(pd.read_parquet(path, columns=[SOURCE_COLUMN])[SOURCE_COLUMN].dropna().unique())
        found |= {stats.min, stats.max}
    return names, found


class Batch:
    def __init__(self, paths: Paths):
        self.paths = paths
        self.tables: dict[str, pd.DataFrame] = {}
        self.quarantine: dict[str, pd.DataFrame] = {}
        self.results: list = []
        self.missing: dict[str, list[str]] | None = None  # sources left out because their files do not exist
        self._loaded: dict[str, pd.DataFrame | None] = {}  # processed tables as they are on disk (read once)
        self._loaded_stamps: dict[str, tuple] = {}
        self._columns: dict[tuple[str, str], pd.Series | None] = {}  # single columns read for reference checks
        self._digests: dict[str, tuple] = {}
        self._sources: dict[str, tuple | None] = {}  # table -> (column names, sources) of the file on disk
        self._origin: dict[str, tuple | None] = {}  # table -> (source, memo key) when one result gave every row
        self.unchanged: set[str] = set()  # tables an import gave again exactly as they are on disk

    def _stamps(self, name: str) -> tuple:
        return _stamp(table_path(self.paths.processed, name)), _stamp(self.paths.quarantine / f"{name}.csv")

    def _on_disk(self, name: str) -> dict | None:
        """What this process knows of table `name` on disk, if the files are still as it knew them."""
        known = _ON_DISK.get(str(table_path(self.paths.processed, name)))
        return known if known is not None and known["stamps"] == self._stamps(name) else None

    def _only_from(self, name: str, source: str, columns: list[str] | None = None) -> bool:
        """Whether every row of table `name` on disk came from `source` (or there is none), read from the table's
        source column alone; with `columns`, also whether the table has exactly those columns. Then the table
        need not be read: the source's rows replace all of it."""
        if name in self.tables or name in self._loaded:
            return False
        path = table_path(self.paths.processed, name)
        if not path.exists():
            return True
        if name not in self._sources:
            try:
                self._sources[name] = _sources_in(path)
            except Exception:  # noqa: BLE001  (no source column, an odd file: the table is read as a whole)
                self._sources[name] = None
        known = self._sources[name]
        return known is not None and known[1] <= {source} and (columns is None or known[0] == columns)

    def current(self, name: str) -> pd.DataFrame | None:
        if name in self.tables:
            return self.tables[name]
        if name not in self._loaded:
            self._loaded_stamps[name] = self._stamps(name)  # before reading: a later change is a change
            path = table_path(self.paths.processed, name)
            self._loaded[name] = load_table(self.paths.processed, name) if path.exists() else None
        return self._loaded[name]

    def column(self, name: str, column: str) -> pd.Series | None:
        """One column of table `name` as the batch has it (imported now, else on disk), None when the period has no
        such table: what a reference check compares with. Read alone from disk, not the whole table (the cases at
        50 000 clients: 0,14 s whole, with every row's source and natural key)."""
        if name in self.tables or name in self._loaded:
            df = self.current(name)
            return None if df is None else df[column]
        if (name, column) not in self._columns:
            self._columns[name, column] = load_column(self.paths.processed, name, column)
        return self._columns[name, column]

    def fingerprint(self, name: str) -> str:
        """The content digest of table `name` as it is now (computed once for each version of the table). A table
        that one import result gave entirely is a function of that result, which its memo key names: the digest
        is taken from the key, in every process alike, without hashing the rows."""
        known = self._on_disk(name) if name not in self.tables else None
        origin = self._origin.get(name) if name in self.tables else (known or {}).get("origin")
        if origin is not None:
            return digest("tabell", name, *origin)
        if known is not None and known["digest"] is not None:
            return known["digest"]
        df = self.current(name)
        cached = self._digests.get(name)
        if cached is None or cached[0] is not df:
            cached = self._digests[name] = (df, frame_digest(df))
        if name not in self.tables and df is not None:
            _ON_DISK[str(table_path(self.paths.processed, name))] = {
                "stamps": self._loaded_stamps[name], "digest": cached[1], "origin": (known or {}).get("origin")}
        return cached[1]

    def others(self, name: str, source: str) -> pd.DataFrame | None:
        """Rows of table `name` that other sources gave."""
        known = self._on_disk(name) if name not in self.tables else None
        if known is not None and known["origin"] is not None and known["origin"][0] == source:
            return None
        if self._only_from(name, source):
            return None
        df = self.current(name)
        if df is None or not len(df) or SOURCE_COLUMN not in df:
            return None
        return df[df[SOURCE_COLUMN].astype("string") != source]

    def current_quarantine(self, name: str) -> pd.DataFrame:
        if name in self.quarantine:
            return self.quarantine[name]
        path = self.paths.quarantine / f"{name}.csv"
        if path.exists():
            return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)

    def add(self, result) -> None:
        spec = table_spec(result.table)
        origin = (result.source, result.memo_key) if result.memo_key else None
        if origin is not None and result.table in self.tables and self._origin.get(result.table) == origin:
            self.results.append(result)  # the same result again (work ahead imports a table's references anew)
            return
        if result.table not in self.tables:
            known = self._on_disk(result.table)
            if origin is not None and known is not None and known["origin"] == origin:
                self.unchanged.add(result.table)
                self.results.append(result)
                return
        self.unchanged.discard(result.table)
        new = result.accepted.assign(**{SOURCE_COLUMN: result.source})
        replaced = self._only_from(result.table, result.source, list(coerce(result.table, new.iloc[:0]).columns))
        old = None if replaced else self.current(result.table)
        if old is not None and len(old):
            if SOURCE_COLUMN in old:
                old = old[old[SOURCE_COLUMN].astype("string") != result.source]
            if len(new):  # clients repeated in another source: the repeat was merged, keep one row
                keys = pd.MultiIndex.from_frame(new[list(spec.key)].astype("string"))
                old_keys = pd.MultiIndex.from_frame(old[list(spec.key)].astype("string"))
                old = old[~old_keys.isin(keys)]
            merged = pd.concat([coerce(result.table, old), coerce(result.table, new)], ignore_index=True)
        else:
            merged = coerce(result.table, new)
        alone = result.table not in self.tables and (old is None or not len(old))
        self._origin[result.table] = origin if alone else None
        self.tables[result.table] = sorted_rows(merged, list(spec.key))
        q = self.current_quarantine(result.table)
        if len(q):
            q = q[q["Källfil"].astype(str) != result.source]
        rej = result.rejected.astype("string")
        self.quarantine[result.table] = pd.concat([q.astype("string"), rej], ignore_index=True) if len(q) else rej
        self.results.append(result)

    def commit(self) -> None:
        for name, df in self.tables.items():
            write_table(self.paths.processed, name, df)
        for name, q in self.quarantine.items():
            write_excel_csv(q, self.paths.quarantine / f"{name}.csv")
        for name in self.tables:
            _ON_DISK[str(table_path(self.paths.processed, name))] = {
                "stamps": self._stamps(name), "digest": None, "origin": self._origin.get(name)}
        log_path = self.paths.processed / LOG_NAME
        log = read_log(self.paths.processed)
        for r in self.results:
            log[f"{r.table}|{r.source}"] = r.as_dict()
        missing = ([{"file": f, "tables": t} for f, t in self.missing.items()] if self.missing is not None
                   else log.get(MISSING_KEY) or [])
        log.pop(MISSING_KEY, None)
        missing = [m for m in missing if isinstance(m, dict) and not (self.paths.raw / str(m.get("file"))).exists()]
        if missing:  # kept until the file is there: a later run and the report name what the period lacks
            log[MISSING_KEY] = missing
        text = json.dumps(dict(sorted(log.items())), ensure_ascii=False, indent=2)
        write_text_atomic(log_path, text)
