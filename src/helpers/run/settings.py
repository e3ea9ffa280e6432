"""The ``korning:`` section of a municipality's config: settings for unattended runs.

    korning:
      cell_timeout_s: 600   # longest time one notebook cell may run, in seconds; 0 = no limit

Read defensively: a missing section gives the defaults, a value that cannot be used is ignored with a warning
(the config schema validates it separately). A command-line option wins over the config.
"""
from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_CELL_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class RunSettings:
    cell_timeout_s: float | None = DEFAULT_CELL_TIMEOUT_S  # None: no limit
    warnings: tuple[str, ...] = field(default=())


def _timeout(value, source: str) -> tuple[float | None, str | None]:
    if isinstance(value, bool):
        return DEFAULT_CELL_TIMEOUT_S, f"{source} ska vara ett antal sekunder; standardvärdet används."
    try:
        seconds = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return DEFAULT_CELL_TIMEOUT_S, f"{source} ({value!r}) är inte ett antal sekunder; standardvärdet används."
    if seconds < 0 or seconds != seconds:
        return DEFAULT_CELL_TIMEOUT_S, f"{source} ({value!r}) får inte vara negativt; standardvärdet används."
    return (None if seconds == 0 else seconds), None


def run_settings(config, cell_timeout=None) -> RunSettings:
    """Settings from ``config`` (a Config or a dict) and the command line (``cell_timeout``, seconds)."""
    data = getattr(config, "data", config) or {}
    section = data.get("korning") if isinstance(data, dict) else None
    notes = []
    if section is not None and not isinstance(section, dict):
        notes.append("Avsnittet korning: i konfigurationen ska vara en tabell med nycklar; det används inte.")
        section = None
    section = section or {}
    timeout: float | None = DEFAULT_CELL_TIMEOUT_S
    if cell_timeout is not None:
        timeout, note = _timeout(cell_timeout, "--cell-timeout")
    elif "cell_timeout_s" in section:
        timeout, note = _timeout(section["cell_timeout_s"], "korning.cell_timeout_s")
    else:
        note = None
    if note:
        notes.append(note)
    return RunSettings(timeout, tuple(notes))
