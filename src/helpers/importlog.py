"""The import log of a period (``data/processed/<period>/importlogg.json``): one entry per imported source and
table, and the sources the config lists that the period's raw folder lacked when it was imported. The import
writes it; a later run and the report read it."""
from __future__ import annotations

import json
from pathlib import Path

LOG_NAME = "importlogg.json"
MISSING_KEY = "missing_sources"  # [{"file": "insatser_extern.csv", "tables": ["interventions"]}, ...]


def read_log(processed: str | Path) -> dict:
    """The log as written (empty when there is none or it cannot be read)."""
    try:
        data = json.loads((Path(processed) / LOG_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def missing_sources(processed: str | Path) -> list[tuple[str, list[str]]]:
    """(file, tables) for each source the period lacked when it was imported."""
    entries = read_log(processed).get(MISSING_KEY)
    return [(str(e["file"]), [str(t) for t in e.get("tables") or []])
            for e in entries or [] if isinstance(e, dict) and e.get("file")]


def missing_text(period: str, file: str, tables: list[str]) -> str:
    """The Swedish sentence naming one missing source of an earlier period."""
    which = "den tabellen" if len(tables) == 1 else "de tabellerna"
    return f"Saknas i {period}: {file} ({', '.join(tables)}). Jämförelser över tid saknas för {which}."
