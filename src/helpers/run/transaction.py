"""A period's publication changes all at once or not at all.

Before a run writes anything, the period's report folder and the internal copies of its publication (the true
values of hidden cells and the audit, under data/processed/<period>/) are copied to snapshots beside them (real
copies, not hard links: a notebook or library may rewrite a file in place, which would change a linked
snapshot too; the folders are a few megabytes, copied in well under a second). If
the run fails a check, a step, or is interrupted, the folders are put back as they were (the failed run's audit
trail is kept under notebooks/senaste_misslyckade/ so it can be read); when it succeeds, the snapshots go.
A snapshot left behind by a crash is restored by the next run before it starts.
"""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

SNAPSHOT = ".föregående-"
TRAIL = "notebooks"
FAILED_TRAIL = "senaste_misslyckade"


def _snapshot_path(folder: Path) -> Path:
    return folder.with_name(f"{SNAPSHOT}{folder.name}")


def _copy(source: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)


def _restore(folder: Path, snapshot: Path, keep_trail: bool) -> None:
    trail = folder / TRAIL
    saved_trail = folder.with_name(f".misslyckad-{folder.name}")
    shutil.rmtree(saved_trail, ignore_errors=True)
    if keep_trail and trail.is_dir():
        trail.rename(saved_trail)
    shutil.rmtree(folder, ignore_errors=True)
    if snapshot.exists():
        snapshot.rename(folder)
    if saved_trail.exists():
        target = folder / TRAIL / FAILED_TRAIL
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        saved_trail.rename(target)


def recover(folders) -> list[Path]:
    """Put back folders whose snapshot a crashed run left behind; returns the folders restored."""
    restored = []
    for folder in map(Path, folders):
        snapshot = _snapshot_path(folder)
        if snapshot.exists():
            _restore(folder, snapshot, keep_trail=False)
            restored.append(folder)
    return restored


class Snapshot:
    """Copies of folders taken before a run writes them: ``restore`` puts them back (a folder that did not exist
    is removed again), ``drop`` keeps the new contents. The first folder is the report folder: on a restore, the
    failed run's audit trail is kept there under notebooks/senaste_misslyckade/."""

    def __init__(self, folders):
        self.folders = [Path(f) for f in folders]
        self.existed: dict[Path, bool] = {}

    def take(self) -> list[Path]:
        """Repair what a crashed run left, then copy the folders; returns the folders that were repaired."""
        restored = recover(self.folders)
        self.existed = {f: f.exists() for f in self.folders}
        for folder in self.folders:
            if self.existed[folder]:
                _copy(folder, _snapshot_path(folder))
        return restored

    @property
    def had_publication(self) -> bool:
        """Was there a previous publication (a report folder) when the snapshot was taken?"""
        return self.existed.get(self.folders[0], False)

    def restore(self) -> None:
        for folder in self.folders:
            _restore(folder, _snapshot_path(folder), keep_trail=folder == self.folders[0])
            if not self.existed[folder] and folder != self.folders[0]:
                shutil.rmtree(folder, ignore_errors=True)

    def drop(self) -> None:
        for folder in self.folders:
            shutil.rmtree(_snapshot_path(folder), ignore_errors=True)


def repaired_message(folder: Path) -> str:
    return f"En tidigare körning avbröts mitt i: {folder} är återställd till den senaste hela publikationen."


def kept_message(had_publication: bool) -> str:
    return "Körningen blev inte klar: den tidigare publikationen ligger kvar orörd" + (
        "." if had_publication else " (det fanns ingen, och inget nytt publicerades).")


@contextmanager
def all_or_nothing(folders, say=print):
    """Run the body; on any failure (or Ctrl-C) the folders are as they were before it."""
    snapshot = Snapshot(folders)
    for folder in snapshot.take():
        say(repaired_message(folder))
    try:
        yield
    except BaseException:
        snapshot.restore()
        say(kept_message(snapshot.had_publication))
        raise
    snapshot.drop()
