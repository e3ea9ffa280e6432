"""`uppfoljning batch` publishes each municipality all at once or not at all, as `uppfoljning run` does.

Before a municipality's chains are submitted, its published folders (``pipeline.published_folders``) are copied
(``transaction.Snapshot``). When its last task has finished, the new publication stays if every task succeeded;
otherwise the copies are put back, byte for byte. If the batch is interrupted (Ctrl-C, SIGTERM) or fails, every
municipality still running is put back; those already finished keep their new publication.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .pipeline import published_folders
from .transaction import Snapshot, kept_message, repaired_message

NEW, KEPT, NONE = "ny", "tidigare kvar", "ingen"


@dataclass
class _Town:
    name: str
    snapshot: Snapshot
    pending: int
    failed: bool = False
    outcome: str | None = None   # NEW, KEPT or NONE once closed


class Publications:
    """Per municipality: the snapshot of its publication, its tasks still running, and how it ended."""

    def __init__(self, say):
        self.say = say
        self.towns: dict[str, _Town] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        for town in self.towns.values():
            if town.outcome is None:  # interrupted or failed before its last task finished
                self._close(town, keep_new=False)

    def open(self, m, tasks: int) -> None:
        """Snapshot a municipality's publication before its ``tasks`` chains start."""
        snapshot = Snapshot(published_folders(m.plan))
        for folder in snapshot.take():
            self.say(f"{m.name}: {repaired_message(folder)}")
        self.towns[m.folder] = _Town(m.name, snapshot, tasks)

    def finished(self, m, ok: bool) -> None:
        """One of the municipality's tasks ended; after the last one its publication is kept or put back."""
        town = self.towns[m.folder]
        town.pending -= 1
        town.failed |= not ok
        if town.pending == 0:
            self._close(town, keep_new=not town.failed)

    def _close(self, town: _Town, keep_new: bool) -> None:
        if keep_new:
            town.snapshot.drop()
            town.outcome = NEW
            return
        town.snapshot.restore()
        town.outcome = KEPT if town.snapshot.had_publication else NONE
        self.say(f"{town.name}: {kept_message(town.snapshot.had_publication)}")

    def outcome(self, m, report_dir: Path | None) -> str:
        """NEW, KEPT or NONE; a municipality that never started keeps what it had."""
        town = self.towns.get(m.folder)
        if town is not None and town.outcome is not None:
            return town.outcome
        return KEPT if report_dir is not None and report_dir.exists() else NONE

    def summary(self, towns, root: Path, period: str) -> list[dict]:
        """One entry per municipality for the summary JSON: did it publish, or is its previous publication kept?"""
        out = []
        for m in towns:
            report_dir = m.plan.output_dir if m.plan else (root / m.folder / "reports" / period if m.folder else None)
            outcome = self.outcome(m, report_dir)
            out.append({"kommun": m.name, "kommunkod": m.code, "config": str(m.config), "publicering": outcome,
                        "tidigare_publikation_kvar": outcome == KEPT})
        return out
