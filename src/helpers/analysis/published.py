"""The publication a report is drawn from, loaded once for its figures and its text (both in notebook 07)."""
from __future__ import annotations

from pathlib import Path

from ..config import Config, Paths
from ..publication.store import META, PUBLISHED_FILE, load_publication
from ..publication.views import Publication

_last_publication: tuple[tuple, Config, Publication] | None = None


def report_publication(paths: Paths, config: Config) -> Publication:
    """The period's publication, loaded once for the figures and the text of a report: the same folder, period
    and config object (kept here, so its id is not reused) with its files unchanged give the same Publication."""
    global _last_publication
    folder = Path(paths.publication)
    files = [folder / PUBLISHED_FILE, folder / META]
    key = (str(folder.resolve()), str(paths.period), id(config),
           tuple((s.st_ino, s.st_size, s.st_mtime_ns) if (s := _stat(f)) else None for f in files))
    if _last_publication is None or _last_publication[0] != key:
        _last_publication = (key, config, load_publication(folder, config, paths.period))
    return _last_publication[2]


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:
        return None
