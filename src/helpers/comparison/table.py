"""The comparison the report shows: per configured KPI the municipality, its comparison group and the country
from Kolada, beside the workbench's own value, with the year the values are for and a Swedish note for anything
the snapshot lacks."""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

import pandas as pd

from .. import formatting as fmt
from ..config import Config
from .catalogue import UNITS, KpiInfo, load_catalogue
from .frame import KoladaSnapshot
from .kolada import read_snapshot
from .section import KoladaSettings, kolada_settings

# Kolada's terms (kolada.se/om-oss/api) ask for "Källa: Kolada" and say that data one has processed must not be
# credited to Kolada: hence the line saying the group value is our own calculation.
SOURCE = "Källa: Kolada (RKA), CC BY 4.0"
SYNTHETIC = "Syntetiska demodata, inte verkliga värden"
FRAME_COLUMNS = ["kpi", "label", "unit", "decimals", "indicator", "own_value", "municipality_value",
                 "group_value", "group_n", "group_size", "country_value", "year", "older", "note"]


def _totals(snapshot: KoladaSnapshot, kpi: str) -> pd.DataFrame:
    f = snapshot.frame
    return f[(f["kpi"] == kpi) & (f["gender"] == "T")]


def _values(rows: pd.DataFrame) -> dict[tuple, float]:
    """(municipality, year) -> its first value in the snapshot's order (rows without a value are skipped)."""
    found: dict[tuple, float] = {}
    for municipality, year, value in zip(rows["municipality_id"], rows["period"], rows["value"]):
        if not pd.isna(value):
            found.setdefault((municipality, year), float(value))
    return found


def _own(own_values: dict, kpi: str, indicator: str | None, info: KpiInfo | None) -> float | None:
    value = own_values.get(kpi, own_values.get(indicator) if indicator else None)
    if value is None or pd.isna(value):
        return None
    # The workbench keeps shares as 0..1; Kolada gives percent as 0..100.
    return float(value) * 100 if info is not None and info.unit == "procent" else float(value)


def _kolada_values(rows: pd.DataFrame, settings: KoladaSettings, kpi: str, period: str, notes: list[str]) -> dict:
    """The year and the municipality's, the group's and the country's values for one KPI; notes appended."""
    me, country, group = settings.municipality_id, settings.country_id, settings.group_ids
    years = sorted(y for y in rows["period"].dropna().unique() if y <= period)
    if not years:
        notes.append(f"Kolada-filen har inga värden för {kpi} för {period} eller tidigare.")
        return {}
    values = _values(rows)
    mine = [y for y in years if (me, y) in values]
    national = [y for y in years if (country, y) in values]
    year = mine[-1] if mine else (national[-1] if national else years[-1])
    out = {"year": year, "older": year < period, "municipality_value": values.get((me, year)),
           "country_value": values.get((country, year))}
    if not mine:
        notes.append(f"{settings.municipality_name} ({me}) saknar värde för {kpi} i Kolada-filen.")
    if out["older"]:
        notes.append(f"Senaste värde i Kolada-filen gäller {year}.")
    if out["country_value"] is None:
        notes.append(f"Riket saknar värde för {year} i Kolada-filen.")
    members = [values[(m, year)] for m in group if (m, year) in values]
    out["group_n"] = len(members)
    if members:
        summary = statistics.median if settings.group_measure == "median" else statistics.fmean
        out["group_value"] = float(summary(members))
        if len(members) < len(group):
            notes.append(f"{settings.group_name}: värde för {len(members)} av {len(group)} kommuner {year}.")
    else:
        notes.append(f"Ingen kommun i {settings.group_name.lower()} har värde för {year} i Kolada-filen.")
    return out


def _indicator(choice, info: KpiInfo | None) -> str | None:
    """The workbench indicator a configured KPI stands for: the config's choice, else the catalogue's."""
    return choice.indikator or (info.indicator if info else None)


def compared_indicators(config: Config) -> list[str] | None:
    """The workbench indicators the config's Kolada KPIs stand for, in order (None when the config has no
    comparison): the report passes their published values to ``build_comparison``."""
    settings = kolada_settings(config)
    if settings is None:
        return None
    catalogue = load_catalogue(settings.catalogue)
    found = (_indicator(choice, catalogue.get(choice.kpi)) for choice in settings.kpis)
    return list(dict.fromkeys(name for name in found if name))


def comparison_frame(snapshot: KoladaSnapshot, settings: KoladaSettings, period: str,
                     own_values: dict[str, float] | None = None,
                     catalogue: dict[str, KpiInfo] | None = None) -> pd.DataFrame:
    """One row per configured KPI (FRAME_COLUMNS). The year is the latest one up to `period` where the
    municipality has a value (else where the country has one); the group and the country are taken for that same
    year. The group value is the mean (Kolada's own convention for groups) or, when configured, the median of the
    members that have a value. `own_values` maps a KPI id or a workbench indicator to the workbench's value on its
    own scale (shares 0..1 for percent KPIs). Nothing is left blank without a note saying why."""
    period = str(period)
    given = own_values is not None
    own_values = own_values or {}
    catalogue = catalogue if catalogue is not None else {}
    out = []
    for choice in settings.kpis:
        kpi, info = choice.kpi, catalogue.get(choice.kpi)
        indicator = _indicator(choice, info)
        rows = _totals(snapshot, kpi)
        notes: list[str] = []
        row = dict(kpi=kpi, label=info.short if info else (snapshot.kpi_titles.get(kpi) or kpi),
                   unit=info.unit if info else "", decimals=info.decimals if info else 1, indicator=indicator,
                   own_value=_own(own_values, kpi, indicator, info), municipality_value=None, group_value=None,
                   group_n=0, group_size=len(settings.group_ids), country_value=None, year=None, older=False)
        if given and row["own_value"] is None:
            notes.append("Uppföljningen har inget publicerat värde för nyckeltalet." if indicator else
                         "Uppföljningen har inget motsvarande nyckeltal (ingen indikator angiven).")
        if info is None:
            notes.append(f"Nyckeltalet {kpi} finns inte i nyckeltalskatalogen; enheten är okänd.")
        elif not info.comparable and row["own_value"] is not None:
            notes.append("Uppföljningens värde mäter inte exakt samma sak som Koladas nyckeltal.")
        if snapshot.frame[snapshot.frame["kpi"] == kpi].empty:
            notes.append(f"Nyckeltalet {kpi} saknas i Kolada-filen.")
        else:
            row.update(_kolada_values(rows, settings, kpi, period, notes))
        row["note"] = " ".join(notes)
        out.append(row)
    frame = pd.DataFrame(out, columns=FRAME_COLUMNS)
    for c in ("own_value", "municipality_value", "group_value", "country_value"):
        frame[c] = frame[c].astype("Float64")
    return frame


def _shown(value, unit: str, decimals: int) -> str:
    if value is None or pd.isna(value):
        return fmt.MISSING
    text = fmt.number(value, decimals)
    return f"{text}{fmt.NBSP}%" if unit == "procent" else text


def display_frame(frame: pd.DataFrame, settings: KoladaSettings, show_own: bool = True) -> pd.DataFrame:
    """The comparison as the report prints it: Swedish headers, Swedish numbers, "–" only with a note.
    `show_own=False` leaves out the workbench's column (when no own values were passed)."""
    group = f"{settings.group_name}, {settings.group_measure}"
    rows = []
    for r in frame.itertuples(index=False):
        unit = UNITS.get(r.unit, "")
        label = f"{r.label} ({unit})" if unit and r.unit != "procent" else r.label
        rows.append({"Nyckeltal": label, "Vårt värde (uppföljningen)": _shown(r.own_value, r.unit, r.decimals),
                     f"{settings.municipality_name} (Kolada)": _shown(r.municipality_value, r.unit, r.decimals),
                     group: _shown(r.group_value, r.unit, r.decimals),
                     "Riket": _shown(r.country_value, r.unit, r.decimals),
                     "År": r.year if r.year else fmt.MISSING, "Kommentar": r.note})
    shown = pd.DataFrame(rows)
    return shown if show_own else shown.drop(columns="Vårt värde (uppföljningen)")


def fetched_date(snapshot: KoladaSnapshot, settings: KoladaSettings | None = None) -> str:
    """When the snapshot was fetched (ÅÅÅÅ-MM-DD): the config's `hamtad`, the file's metadata, else the file's
    modification date."""
    if settings is not None and settings.fetched:
        return settings.fetched
    if snapshot.fetched:
        return snapshot.fetched
    return dt.date.fromtimestamp(snapshot.path.stat().st_mtime).isoformat()


def source_lines(snapshot: KoladaSnapshot, settings: KoladaSettings | None = None) -> list[str]:
    """The lines under the table: the source with the fetch date, how the group value was made, and for a
    synthetic snapshot that the values are not real."""
    lines = [f"{SOURCE}, hämtad {fetched_date(snapshot, settings)}."]
    if settings is not None:
        lines.append(f"{settings.group_name} ({', '.join(settings.group_ids)}): {settings.group_measure} av de "
                     "kommuner som har värde, beräknat av oss ur Koladas värden. Värdena gäller kvinnor och män "
                     "tillsammans.")
    if snapshot.synthetic or (settings is not None and settings.synthetic):
        lines.append(f"{SYNTHETIC}.")
    return lines


@dataclass
class Comparison:
    frame: pd.DataFrame  # comparison_frame
    display: pd.DataFrame  # display_frame
    sources: list[str]  # source_lines
    settings: KoladaSettings
    snapshot: KoladaSnapshot


def build_comparison(config: Config, period: str, own_values: dict[str, float] | None = None) -> Comparison | None:
    """Everything the report needs from the config's `jamforelse.kolada`, or None when it has no such section.
    Raises ConfigError or KoladaFileError (Swedish messages) when the section or the file cannot be used."""
    settings = kolada_settings(config)
    if settings is None:
        return None
    catalogue = load_catalogue(settings.catalogue)
    snapshot = read_snapshot(settings.file, catalogue)
    frame = comparison_frame(snapshot, settings, period, own_values, catalogue)
    return Comparison(frame, display_frame(frame, settings, show_own=own_values is not None),
                      source_lines(snapshot, settings), settings, snapshot)
