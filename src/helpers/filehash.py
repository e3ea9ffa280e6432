"""The content hash of a file (SHA-256, hex), computed once per version of the file in a process.

A version is the file as ``os.fstat`` sees it when it is opened: path, size, modification and change time (ns)
and inode. Every write here replaces a file (a new inode), and a file changed in place has a new change time, so
a changed file is always hashed again; an unchanged one is not (the import steps, their work ahead and the runner
all ask for the hash of the same source files again and again). Under the runner, the processes of a run share
the hashes through the run's folder (``sharing.SHARED_ENV``): one process hashes each version, the others read it.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .sharing import SHARED_ENV

CHUNK = 1 << 20
_known: dict[tuple, str] = {}


def file_hash(path, st: os.stat_result | None = None) -> str:
    """The file's hash; with ``st`` (its ``os.stat`` a moment ago, as a walk over a folder has it), a version this
    process already knows is not opened again."""
    if st is not None:
        known = _known.get(_version(path, st))
        if known is not None:
            return known
    with open(path, "rb") as fh:
        version = _version(path, os.fstat(fh.fileno()))
        known = _known.get(version)
        if known is None:
            known = _known[version] = _shared_hash(version, fh)
    return known


def _version(path, st: os.stat_result) -> tuple:
    return os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _hash(fh) -> str:
    h = hashlib.sha256()
    for block in iter(lambda: fh.read(CHUNK), b""):
        h.update(block)
    return h.hexdigest()


def _shared_hash(version: tuple, fh) -> str:
    """The hash another process of the run found for this version of the file, else hashed here and shared."""
    folder = os.environ.get(SHARED_ENV)
    if not folder:
        return _hash(fh)
    name = Path(folder) / f"sha256-{hashlib.blake2b(repr(version).encode(), digest_size=16).hexdigest()}"
    try:
        known = name.read_text(encoding="ascii")
        if len(known) == 64:
            return known
    except (OSError, ValueError):
        pass
    known = _hash(fh)
    partial = name.with_name(f"{name.name}.{os.getpid()}.tmp")
    try:
        partial.write_text(known, encoding="ascii")
        os.replace(partial, name)
    except OSError:  # not shared (the run's folder is gone): the others hash it themselves
        partial.unlink(missing_ok=True)
    return known
