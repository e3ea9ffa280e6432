"""korning.json and korning.log: what a run did, beside the executed notebooks in ``<output_dir>/notebooks/``.

korning.json (written atomically after every step) holds the parameters, the status of the run and of each
step (klar, fel, oförändrad, avbruten, pågår), times, the rendered files, the failure (notebook, cell,
message) and, under ``indata``, the content hashes a rerun compares with. korning.log has one line per event
with a timestamp, including what the kernel itself printed.
"""
from __future__ import annotations

import contextlib
import json
import logging
from datetime import datetime
from pathlib import Path

JOURNAL_NAME = "korning.json"
LOG_NAME = "korning.log"
AUDIT_DIR = "notebooks"
LOGGERS = ("uppfoljning", "papermill", "traitlets", "nbclient", "jupyter_client", "asyncio")
LOG = logging.getLogger("uppfoljning.korning")


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def audit_dir(output_dir: Path) -> Path:
    return Path(output_dir) / AUDIT_DIR


def read_journal(output_dir: Path) -> dict:
    """The journal of a scope's output folder, or {} when there is none or it cannot be read."""
    try:
        data = json.loads((audit_dir(output_dir) / JOURNAL_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class Journal:
    """korning.json of one scope. ``run_id`` ties together the chains of one run that share the folder."""

    def __init__(self, output_dir: Path, run_id: str):
        self.dir = audit_dir(output_dir)
        self.path = self.dir / JOURNAL_NAME
        self.data = read_journal(output_dir)
        records = self.data.get("indata")
        self.records: dict = records if isinstance(records, dict) else {}
        if self.data.get("korning_id") != run_id:
            self.data = {"korning_id": run_id, "startad": now(), "steg": []}
        self.data["indata"] = self.records

    def start(self, parameters: dict, about: dict) -> None:
        self.data.update(about)
        self.data["parametrar"] = parameters
        self.data["status"] = "pågår"
        self.save()

    def step(self, name: str, status: str, seconds: float | None = None, **extra) -> None:
        entry = {"steg": name, "status": status}
        if seconds is not None:
            entry["sekunder"] = round(seconds, 2)
        entry.update(extra)
        steps = [s for s in self.data.setdefault("steg", []) if s.get("steg") != name]
        self.data["steg"] = steps + [entry]
        self.save()

    def record(self, name: str, record: dict | None) -> None:
        if record is None:
            self.records.pop(name, None)
        else:
            self.records[name] = record
        self.save()

    def finish(self, status: str, **fields) -> None:
        self.data["status"] = status
        self.data["avslutad"] = now()
        self.data.update(fields)
        self.save()

    def save(self) -> None:
        from ..atomic import write_text_atomic

        write_text_atomic(self.path, json.dumps(self.data, ensure_ascii=False, indent=1, default=str))


@contextlib.contextmanager
def log_to(output_dir: Path):
    """Send the run's log lines (and papermill's, nbclient's and the kernel's) to korning.log, with
    timestamps, instead of the terminal."""
    path = audit_dir(output_dir) / LOG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    try:
        yield path
    finally:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
        handler.close()
