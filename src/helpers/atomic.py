"""Files written whole or not at all, with a Swedish message naming a file that cannot be written. No pandas:
the runner's coordinator uses these too."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


class FileWriteError(OSError):
    """A file that cannot be written (Swedish message naming the file and the likely cause)."""


def _write_error(path: Path, exc: OSError) -> FileWriteError:
    if isinstance(exc, PermissionError):
        why = ("den är troligen öppen i ett annat program (till exempel Excel eller en PDF-läsare) eller så saknas "
               "skrivrättighet till mappen. Stäng filen eller välj en annan mapp och försök igen")
    else:
        why = f"{exc.strerror or exc}"
    return FileWriteError(f"Filen {path} kunde inte skrivas: {why}.")


def replace_atomic(path: Path, write) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path`` and rename it into place: a failed or interrupted
    write leaves the old file as it was. A locked or read-only target gives a Swedish message naming it."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # a temporary file is private; the finished file is not
        os.replace(tmp, path)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """A UTF-8 text file (JSON, Markdown) written like ``replace_atomic``."""
    return replace_atomic(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def move_into_place(source: Path, target: Path) -> Path:
    """Rename a finished file onto ``target`` (on the same disk): a target that is locked, for instance open in a
    PDF viewer, gives a Swedish message naming it and is left as it was."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
    except OSError as exc:
        raise _write_error(target, exc) from exc
    return target
