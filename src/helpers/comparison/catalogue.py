"""The KPI catalogue (config/kolada/nyckeltal.yml): which Kolada KPIs match which workbench indicators, with
their title, unit and how sure we are of the id."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..config import PROJECT_ROOT, ConfigError

DEFAULT_CATALOGUE = PROJECT_ROOT / "config" / "kolada" / "nyckeltal.yml"
UNITS = {"procent": "%", "dagar": "dagar", "antal": "", "index": ""}


@dataclass(frozen=True)
class KpiInfo:
    id: str
    title: str  # Kolada's title
    short: str  # the report's label
    unit: str  # procent (0-100 as Kolada gives it), dagar, antal or index
    decimals: int
    higher_is_better: bool | None
    indicator: str | None  # the workbench indicator it matches, if any
    comparable: bool  # the workbench indicator measures the same thing
    confirmed: bool  # id and title seen in a copy of Kolada's metadata
    source: str
    note: str


def load_catalogue(path: str | Path | None = None) -> dict[str, KpiInfo]:
    """KPI id -> KpiInfo. Raises ConfigError (Swedish, naming the file) when the file cannot be used."""
    p = Path(path) if path else DEFAULT_CATALOGUE
    if not p.exists():
        raise ConfigError(f"Nyckeltalskatalogen {p} finns inte.")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"Nyckeltalskatalogen {p} kunde inte läsas: {exc}") from exc
    out = {}
    for kpi, e in (data.get("nyckeltal") or {}).items():
        if not isinstance(e, dict) or "titel" not in e or e.get("enhet") not in UNITS:
            raise ConfigError(f"Nyckeltalskatalogen {p}: {kpi} behöver titel och en enhet ({', '.join(UNITS)}).")
        out[str(kpi)] = KpiInfo(
            id=str(kpi), title=str(e["titel"]), short=str(e.get("kort", e["titel"])), unit=e["enhet"],
            decimals=int(e.get("decimaler", 1 if e["enhet"] == "dagar" else 0)),
            higher_is_better=e.get("hogre_ar_battre"), indicator=e.get("indikator"),
            comparable=bool(e.get("jamforbar", True)), confirmed=bool(e.get("bekraftad", False)),
            source=str(e.get("kalla", "")), note=str(e.get("not", "")).strip())
    return out
