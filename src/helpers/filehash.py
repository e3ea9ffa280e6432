"""The content hash of a file (SHA-256, hex), computed once per version of the file in a process.

A version is the file as ``os.fstat`` sees it when it is opened: path, size, modification and change time (ns)
and inode. Every write here replaces a file (a new inode), and a file changed in place has a new change time, so
a changed file is always hashed again; an unchanged one is not (the import steps, their work ahead and the runner
all ask for the hash of the same source files again and again).
"""
from __future__ import annotations

import hashlib
import os

CHUNK = 1 << 20
_known: dict[tuple, str] = {}


def file_hash(path) -> str:
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        version = (os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        known = _known.get(version)
        if known is None:
            h = hashlib.sha256()
            for block in iter(lambda: fh.read(CHUNK), b""):
                h.update(block)
            known = _known[version] = h.hexdigest()
    return known
