"""Mappings from a source system's export to the canonical tables (YAML under config/mappings/).

The format is documented in config/mappings/README.md. A mapping file is read like a municipality's config
(helpers.yamldoc: duplicate keys refused, Windows-1252 read with a note) and checked as a whole
(helpers.collect.mapping_file: a pydantic model, then the table and column names against helpers.schema): every
fault is named in Swedish with the file, the line, the key and what is expected. An unquoted code that YAML reads
as a different number (``010`` is octal 8) is refused. Without a mapping the file's headers are the canonical column names or the
schema's Swedish labels.
"""
from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

from ..config import mapping_candidates, show_notes
from ..schema import table as table_spec
from .mapping_types import (DEFAULT_DATE_FORMATS, PERSONNUMMER, Mapping, MappingError,  # noqa: F401 (its names)
                            TableMapping)


def resolve_mapping_path(name: str | Path, config=None) -> Path:
    """A mapping file: as given, else under the config's mappings folder, else under config/mappings/."""
    candidates = mapping_candidates(name, config)
    for c in candidates:
        if c.is_file():
            return c
    raise MappingError(f"Mappningsfilen {name} finns inte (sökt i {', '.join(str(c.parent) for c in candidates)}).",
                       str(name))


# The modules whose code decides what a mapping file gives (checked_files: a pass is remembered with its result).
CHECKED_BY = ("collect/mapping.py", "collect/mapping_file.py", "collect/mapping_types.py", "schema.py", "schema_messages.py", "yamldoc.py")


def load_mapping(name: str | Path, config=None) -> Mapping:
    """Read and check a mapping file; notes about its encoding are shown once, like a config's. A file this code
    has checked before (the same name and bytes) gives the mapping remembered then, without pydantic."""
    from .. import checked_files

    path = resolve_mapping_path(name, config)
    try:
        raw = path.read_bytes()
    except OSError:
        raw = None  # read_yaml says why
    verdict = checked_files.key(path.name.encode() + b"\0" + raw, CHECKED_BY) if raw is not None else None
    mapping = _remembered(checked_files.recall(verdict)) if verdict is not None else None
    if mapping is None:
        from .mapping_file import checked_mapping

        mapping = checked_mapping(path, raw)
        if verdict is not None:
            checked_files.remember(verdict, pickle.dumps(replace(mapping, path=None)))
    show_notes(path, mapping.notes)
    return replace(mapping, path=path)


def _remembered(payload: bytes | None) -> Mapping | None:
    try:
        mapping = pickle.loads(payload) if payload else None
    except Exception:  # written by other code, or cut short: checked again
        return None
    return mapping if isinstance(mapping, Mapping) else None


def identity_mapping(table: str, headers: list[str]) -> TableMapping:
    """Map headers that are canonical column names or the schema's Swedish labels (case-insensitive)."""
    spec = table_spec(table)
    lookup = {}
    for c in spec.columns:
        lookup[_norm(c.label)] = c.name
        lookup[_norm(c.name)] = c.name
    if table == "clients" or "client_id" in spec.names:
        lookup.setdefault(_norm(PERSONNUMMER), PERSONNUMMER)
    columns = {}
    for h in headers:
        target = lookup.get(_norm(h))
        if target and target not in columns.values():
            columns[h] = target
    return TableMapping(table, columns)


def _norm(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def expected_headers(table: str, mapping: TableMapping | None) -> set[str]:
    """Column names that identify the header row (and the sheet) of a file for `table`."""
    if mapping is not None and (mapping.columns or mapping.key_columns):
        return set(mapping.columns) | set(mapping.key_columns)
    spec = table_spec(table)
    return {c.name for c in spec.columns} | {c.label for c in spec.columns}
