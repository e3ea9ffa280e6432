"""The `jamforelse:` section of the municipality config as a run uses it: resolved settings. Its check (a pydantic
model, Swedish problems) is in section_model.py, run only for a section this code has not seen pass."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import checked_files
from ..config import Config, ConfigError

# The modules whose code decides what a section gives (checked_files: a pass is remembered with its values).
CHECKED_BY = ("comparison/section.py", "comparison/section_model.py")


@dataclass(frozen=True)
class KpiChoice:
    """A configured Kolada KPI, and the workbench indicator it stands for when the config names one."""
    kpi: str
    indikator: str | None = None


@dataclass(frozen=True)
class KoladaSettings:
    """The Kolada comparison as one run uses it: paths resolved, defaults filled in."""
    file: Path
    synthetic: bool
    municipality_id: str
    municipality_name: str
    country_id: str
    group_name: str
    group_ids: tuple[str, ...]
    group_measure: str  # "medelvärde" (Kolada's own convention for groups) or "median"
    kpis: tuple[KpiChoice, ...]
    fetched: str | None
    catalogue: Path | None


def validate_section(data: Any) -> list[str]:
    """Swedish problems in the `jamforelse:` section (the mapping under that key); empty when it is fine."""
    from .section_model import problems
    return problems(data)


def kolada_settings(config: Config) -> KoladaSettings | None:
    """The config's Kolada comparison, or None when it has none. A faulty section raises ConfigError."""
    k = _checked_kolada(config)
    if k is None:
        return None
    own = k["kommun_id"] or str(config.get("kommunkod", "") or "")
    if not re.fullmatch(r"\d{4}", own):
        raise ConfigError(f"Konfigurationsfilen {config.path}: jamforelse.kolada.kommun_id saknas och kommunkod "
                          "är inte fyra siffror inom citattecken.")
    group = k["jamforelsegrupp"]
    return KoladaSettings(
        file=config.resolve(k["fil"]), synthetic=k["syntetisk"], municipality_id=own,
        municipality_name=str(config.get("kommun", own)), country_id=k["riket_id"],
        group_name=group["namn"], group_ids=tuple(group["kommuner"]), group_measure=group["matt"],
        kpis=tuple(KpiChoice(**choice) for choice in k["nyckeltal"]), fetched=k["hamtad"],
        catalogue=config.resolve(k["katalog"]) if k["katalog"] else None)


def _checked_kolada(config: Config) -> dict | None:
    """The section's ``kolada:`` mapping as checked (defaults filled in), None without one. A section that passed
    is remembered by its values (repr keeps a date apart from the same text) and the checking code; a faulty one
    is checked, and its problems named, every time."""
    section = config.get("jamforelse")
    verdict = checked_files.key(repr(section).encode(), CHECKED_BY)
    try:
        return json.loads(checked_files.recall(verdict) or b"")
    except ValueError:  # not passed yet (or spoilt): checked
        pass
    problems = validate_section(section)
    if problems:
        raise ConfigError(f"Konfigurationsfilen {config.path} har fel i avsnittet jamforelse:\n  - "
                          + "\n  - ".join(problems))
    from .section_model import checked_kolada

    k = checked_kolada(section) if section and section.get("kolada") else None
    checked_files.remember(verdict, json.dumps(k).encode())
    return k
