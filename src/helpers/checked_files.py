"""Files a schema check passed, remembered by their bytes and the code that checked them.

Every process of a run reads the configuration, and checking it imports pydantic and builds its models: about
0,2 s of a core each time, before the run's first worker starts. The same bytes checked by the same code (and the
same pydantic) pass again, so the check is skipped once a process has seen them pass. Only passes are remembered:
a file with an error is checked, and its messages given, every time. A pass may keep what the check gave (a
mapping file's mapping, a comparison section's values), written whole or not at all; what cannot be read back is
checked again. Kept beside the package's bytecode; where that folder cannot be written, nothing is remembered and
every file is checked.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from .atomic import replace_atomic

PACKAGE = Path(__file__).parent
FOLDER = PACKAGE / "__pycache__" / "godkanda"


def key(raw: bytes, modules: tuple[str, ...]) -> str:
    """What decides a check's verdict: the file's bytes, the package's ``modules`` (file names) that check it and
    the pydantic release."""
    return hashlib.sha256(_checking_code(modules) + b"\0" + raw).hexdigest()


@lru_cache(maxsize=8)
def _checking_code(modules: tuple[str, ...]) -> bytes:
    """The checking modules' source and pydantic's release, read once per process."""
    digest = hashlib.sha256()
    for name in modules:
        digest.update(name.encode() + b"\0" + (PACKAGE / name).read_bytes())
    spec = find_spec("pydantic")  # found, not imported
    if spec is not None and spec.origin:
        try:
            digest.update((Path(spec.origin).parent / "version.py").read_bytes())
        except OSError:
            pass
    return digest.digest()


def passed(file_key: str) -> bool:
    return (FOLDER / file_key).exists()


def recall(file_key: str) -> bytes | None:
    """What was remembered with a pass (empty for a bare pass), or None: not passed."""
    try:
        return (FOLDER / file_key).read_bytes()
    except OSError:
        return None


def remember(file_key: str, result: bytes = b"") -> None:
    """A pass, with what the check gave (``result``) where the caller wants it back without checking again."""
    try:
        FOLDER.mkdir(parents=True, exist_ok=True)
        replace_atomic(FOLDER / file_key, lambda tmp: Path(tmp).write_bytes(result))
    except OSError:
        pass
