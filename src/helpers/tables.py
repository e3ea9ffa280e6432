"""Reading and writing the processed (canonical) tables of a period: Parquet, written atomically."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from .schema import table as table_spec

_PANDAS_KIND = {"str": "string", "code": "string", "int": "Int64", "float": "Float64", "bool": "boolean",
                "date": "datetime64[ns]"}


def empty_table(name: str) -> pd.DataFrame:
    spec = table_spec(name)
    return pd.DataFrame({c.name: pd.Series(dtype=_PANDAS_KIND[c.kind]) for c in spec.columns})


def coerce(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Give a frame the declared columns (in order) and dtypes; extra columns are kept after them."""
    spec = table_spec(name)
    out = df.copy()
    for c in spec.columns:
        if c.name not in out:
            out[c.name] = pd.Series(pd.NA, index=out.index)
        if c.kind == "date":
            out[c.name] = pd.to_datetime(out[c.name], errors="coerce").astype("datetime64[ns]")
        else:
            out[c.name] = out[c.name].astype(_PANDAS_KIND[c.kind])
    extra = [c for c in out.columns if c not in spec.names]
    return out[spec.names + extra]


def table_path(processed_dir: Path, name: str) -> Path:
    return Path(processed_dir) / f"{name}.parquet"


def load_table(processed_dir: str | Path, name: str) -> pd.DataFrame:
    """A processed table, or an empty one with the declared columns when the period has none."""
    path = table_path(Path(processed_dir), name)
    if not path.exists():
        return empty_table(name)
    return coerce(name, pd.read_parquet(path))


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


def write_atomic(df: pd.DataFrame, path: Path) -> Path:
    """Write Parquet through a temporary file and rename: a failed write leaves the old file as it was."""
    return replace_atomic(Path(path), lambda tmp: df.to_parquet(tmp, index=False))


def write_excel_csv(df: pd.DataFrame, path: Path) -> Path:
    """A CSV that Swedish Excel opens correctly by double-click: UTF-8 with BOM, semicolon, decimal comma."""
    return replace_atomic(Path(path), lambda tmp: df.to_csv(tmp, sep=";", decimal=",", index=False,
                                                            encoding="utf-8-sig"))


def write_table(processed_dir: str | Path, name: str, df: pd.DataFrame) -> Path:
    return write_atomic(coerce(name, df), table_path(Path(processed_dir), name))
