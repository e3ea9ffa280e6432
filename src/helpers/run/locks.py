"""Exclusive locks on files, held for as long as the file stays open and released when the process ends, however
it ends (flock). Without flock (Windows) a file opens but locks nothing: ``CAN_LOCK`` says so."""
from __future__ import annotations

from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None

CAN_LOCK = fcntl is not None


def hold(path: Path):
    """``path`` opened (created if missing) and locked; raises BlockingIOError when another open file holds the
    lock (and OSError when it cannot be opened)."""
    handle = open(path, "a+")
    if fcntl is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise
    return handle
