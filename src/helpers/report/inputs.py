"""Reading the files the report is built from; a missing file degrades to "uppgift saknas", never a crash."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis.findings import read_key_findings
from ..config import Config, Paths
from ..indicators.registry import dictionary
from ..publication.store import MissingStepError, load_publication, require_publication
from ..publication.views import Publication

INDICATOR_COLUMNS = ["indicator", "period", "grouping", "group", "category", "numerator", "denominator", "value",
                     "ci_low", "ci_high", "n", "suppressed"]
GOAL_COLUMNS = ["mal", "indikator", "malvarde_text", "resultat_text", "status", "varde", "n"]


def read_parquet(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    if path.exists():
        return pd.read_parquet(path)
    return pd.DataFrame(columns=columns or [])


def read_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


@dataclass
class Figure:
    id: str
    title: str
    alt: str
    section: str
    data_uri: str


@dataclass
class ReportInputs:
    publication: Publication
    scope: str | None
    indicators: pd.DataFrame
    glossary: pd.DataFrame
    suppression: dict
    goals: pd.DataFrame
    comparisons: pd.DataFrame
    trend: pd.DataFrame
    key_findings: str
    figures: list[Figure] = field(default_factory=list)


def load_indicators(folder: Path, period: str | None = None) -> pd.DataFrame:
    """The indicator cells; with `period`, only that period's (the files also hold earlier periods)."""
    frames = [pd.read_parquet(p) for p in sorted(folder.glob("*.parquet")) if p.stem != "ordlista"]
    frames = [f for f in frames if set(INDICATOR_COLUMNS) <= set(f.columns)]
    if not frames:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    df["category"] = df["category"].fillna("").astype(str)
    df["group"] = df["group"].fillna("").astype(str)
    df["grouping"] = df["grouping"].fillna("").astype(str)
    df["suppressed"] = df["suppressed"].fillna(False).astype(bool)
    if period is not None:
        df = df[df["period"].astype(str) == str(period)].reset_index(drop=True)
    return df


def _data_uri(path: Path) -> str | None:
    if not path.is_file():
        return None
    mime = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def load_figures(folder: Path) -> list[Figure]:
    """Figures in report order from figurer.json; SVG preferred (sharp in print), PNG otherwise."""
    figures = []
    for item in read_json(folder / "figurer.json", []):
        uri = None
        for key in ("fil_svg", "fil_png"):
            if item.get(key):
                uri = _data_uri(folder / item[key]) or _data_uri(Path(item[key]))
                if uri:
                    break
        if uri and str(item.get("alt", "")).strip():
            figures.append(Figure(str(item.get("id", "")), str(item.get("rubrik", "")), str(item["alt"]).strip(),
                                  str(item.get("avsnitt", "")), uri))
    return figures


def require_steps(paths: Paths, scope: str | None = None) -> None:
    """Stop with a clear message when step 5's publication or step 6's analysis for the scope is missing."""
    require_publication(paths.publication, paths.period)
    if not (paths.analysis_for(scope) / "mal.parquet").exists():
        raise MissingStepError(f"Analysen för {paths.period} saknas i {paths.analysis_for(scope)}. Kör steg 6 "
                               "(06_analysera) för perioden först.")


def load_inputs(paths: Paths, config: Config, scope: str | None = None) -> ReportInputs:
    """Everything one report shows: its scope's cells of the period's publication, its analysis and figures."""
    pub = load_publication(paths.publication, config, paths.period)
    tables = pub.tables(scope)
    frames = [t[t["period"] == paths.period] for t in tables.values()]
    indicators = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=INDICATOR_COLUMNS)
    analysis = paths.analysis_for(scope)
    key_findings = analysis / "nyckelfynd.md"
    glossary = dictionary().rename(columns={"numerator": "numerator_text", "denominator": "denominator_text"})
    return ReportInputs(
        publication=pub, scope=scope, indicators=indicators, glossary=glossary, suppression=pub.meta,
        goals=read_parquet(analysis / "mal.parquet", GOAL_COLUMNS),
        comparisons=read_parquet(analysis / "jamforelser.parquet"),
        trend=read_parquet(analysis / "trend.parquet"),
        key_findings=read_key_findings(key_findings) if key_findings.exists() else "",
        figures=load_figures(paths.figures),
    )
