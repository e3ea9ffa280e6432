"""Checks made before a run writes anything: formats, units, data for the period, writable folders, and a lock
so two runs never write the same output folder at once. A refusal is an ``ArgumentError`` (exit code 2)."""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .failures import PipelineError
from .locks import hold

FORMATS = ("html", "pdf")


class ArgumentError(PipelineError):
    """The run was refused before it started; nothing has been written (exit code 2)."""


def parse_formats(formats) -> tuple[str, ...]:
    items = formats.split(",") if isinstance(formats, str) else list(formats or ())
    wanted = tuple(dict.fromkeys(f.strip().lower() for f in items if f and f.strip()))
    if not wanted:
        raise ArgumentError("Inget format angivet: ange html, pdf eller html,pdf med --formats.")
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ArgumentError(f"Okänt format: {', '.join(unknown)}. Välj html och/eller pdf.")
    return wanted


def unit_list(config, units=(), all_units: bool = False) -> tuple[list[str], list[str]]:
    """The units to report on, each once, in the order given; and notes about repeats."""
    asked = list(config.units) if all_units else []
    asked += [str(u) for u in (units or [])]
    notes = []
    seen: list[str] = []
    for u in asked:
        if u in seen:
            if not all_units:
                notes.append(f"Enheten {u} angavs mer än en gång; den körs en gång.")
            continue
        seen.append(u)
    for u in seen:
        if u not in config.units:
            raise ArgumentError(f"Okänd enhet '{u}'. Kända enheter: {', '.join(config.units)}.")
    folders: dict[str, str] = {}
    for u in seen:  # two codes that only differ in case would share a folder on some file systems
        other = folders.setdefault(u.casefold(), u)
        if other != u:
            raise ArgumentError(f"Enheterna {other} och {u} skulle skriva i samma mapp; byt kod på den ena.")
    return seen, notes


def require_data(period: str, config, data_dir: Path) -> None:
    """Refuse a period with neither raw exports (in data/raw/<period>/ or its subfolders) nor processed tables."""
    raw = data_dir / "raw" / period
    processed = data_dir / "processed" / period
    from ..collect.rawfiles import has_raw_files

    if has_raw_files(raw) or any(processed.glob("*.parquet")):
        return
    raise ArgumentError(f"Det finns inga data för period {period}: {raw} saknar exportfiler och {processed} "
                        f"saknar bearbetade tabeller. Lägg periodens exporter i {raw} (eller kör "
                        "`uppfoljning demo` för demodata) och försök igen.")


def require_writable(folder: Path, what: str, option: str) -> None:
    """Refuse a folder the run cannot write, naming it (not a source file) as the cause."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    problem = None
    if not existing.is_dir():
        problem = f"{existing} är en fil, inte en mapp"
    else:
        try:
            fd, probe = tempfile.mkstemp(prefix=".skrivtest-", dir=existing)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            problem = ("mappen är skrivskyddad" if exc.errno == errno.EROFS or isinstance(exc, PermissionError)
                       else f"{exc.strerror or exc}")
            problem += f" ({existing})" if existing != folder else ""
    if problem:
        raise ArgumentError(f"{what} {folder} går inte att skriva till: {problem}. Välj en annan mapp med "
                            f"{option} eller ge skrivrättighet till mappen.")


class RunLock:
    """An exclusive lock on an output folder for the length of a run."""

    def __init__(self, output_dir: Path):
        self.path = output_dir / "notebooks" / ".korning.lock"
        self._fh = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:  # Windows: no advisory locks; two runs on one folder are then not prevented
            self._fh = hold(self.path)
        except BlockingIOError:  # held by another run (an unwritable folder was refused before)
            raise ArgumentError(f"En annan körning skriver redan till {self.path.parent.parent}. Vänta tills den "
                                "är klar och försök igen.") from None
        return self

    def __exit__(self, *exc):
        if self._fh is not None:
            self._fh.close()  # closing the file releases its lock
        return False
