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


@contextmanager
def all_or_nothing(folders, say=print):
    """Run the body; on any failure (or Ctrl-C) the folders are as they were before it."""
    folders = [Path(f) for f in folders]
    for folder in recover(folders):
        say(f"En tidigare körning avbröts mitt i: {folder} är återställd till den senaste hela publikationen.")
    existed = {f: f.exists() for f in folders}
    for folder in folders:
        if existed[folder]:
            _copy(folder, _snapshot_path(folder))
    try:
        yield
    except BaseException:
        for folder in folders:
            _restore(folder, _snapshot_path(folder), keep_trail=folder == folders[0])
            if not existed[folder] and folder != folders[0]:
                shutil.rmtree(folder, ignore_errors=True)
        say("Körningen blev inte klar: den tidigare publikationen ligger kvar orörd" + (
            "." if existed[folders[0]] else " (det fanns ingen, och inget nytt publicerades)."))
        raise
    for folder in folders:
        shutil.rmtree(_snapshot_path(folder), ignore_errors=True)
