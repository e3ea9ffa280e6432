"""What every Kolada reader returns: the tidy frame, the snapshot around it and the error it raises."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .catalogue import KpiInfo

COLUMNS = ["kpi", "kpi_title", "municipality_id", "municipality_name", "period", "gender", "value", "count",
           "status"]
GENDERS = ("T", "K", "M")
KNOWN_NAMES = {"0000": "Riket"}


class KoladaFileError(ValueError):
    """A Kolada file that cannot be used; the Swedish message names the file and the place in it."""


@dataclass
class KoladaSnapshot:
    frame: pd.DataFrame  # COLUMNS, period as a string, one row per kpi, municipality, period, gender
    path: Path
    synthetic: bool = False
    fetched: str | None = None  # ÅÅÅÅ-MM-DD
    names: dict[str, str] = field(default_factory=dict)
    kpi_titles: dict[str, str] = field(default_factory=dict)


def tidy_frame(rows: list[tuple], path: Path, names: dict[str, str], titles: dict[str, str],
               catalogue: dict[str, KpiInfo] | None) -> pd.DataFrame:
    """The rows (kpi, municipality, period, gender, value, count, status, place) as the tidy frame; a
    kpi/municipality/period/gender given twice with different values is an error naming both places."""
    seen: dict[tuple, tuple] = {}
    unique = []
    for r in rows:
        key = r[:4]
        if key in seen:
            if seen[key][4:7] != r[4:7]:
                raise KoladaFileError(f"Kolada-filen {path}: {r[0]} för {r[1]} år {r[2]} (kön {r[3]}) står två "
                                      f"gånger med olika värden: {seen[key][7]} och {r[7]}.")
            continue
        seen[key] = r
        unique.append(r)
    df = pd.DataFrame([r[:7] for r in unique],
                      columns=["kpi", "municipality_id", "period", "gender", "value", "count", "status"])
    all_names = {**KNOWN_NAMES, **{str(k): str(v) for k, v in names.items()}}
    catalogue = catalogue or {}
    df["kpi_title"] = [catalogue[k].title if k in catalogue else titles.get(k, "") for k in df["kpi"]]
    df["municipality_name"] = [all_names.get(m, m) for m in df["municipality_id"]]
    df["value"] = df["value"].astype("Float64")
    df["count"] = df["count"].astype("Int64")
    for c in ("kpi", "kpi_title", "municipality_id", "municipality_name", "period", "gender", "status"):
        df[c] = df[c].astype("string")
    return df[COLUMNS].sort_values(["kpi", "municipality_id", "period", "gender"], ignore_index=True)


def read_text(path: Path) -> str:
    if not path.exists():
        raise KoladaFileError(f"Kolada-filen {path} finns inte. Hämta den med `uppfoljning kolada hamta` "
                              "eller ange rätt fil under jamforelse.kolada.fil i konfigurationen.")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")
