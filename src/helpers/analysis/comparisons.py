"""Step 6: compare with earlier periods and between groups, and follow trends.

Reads the publication's indicator tables (all periods in one table per indicator) and writes
``analys/<scope>/jamforelser.parquet`` and ``trend.parquet``. The key findings drawn from these comparisons are
in ``findings``.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .. import formatting as fmt
from .goals import IndicatorInfo, format_value, subject
from ..schema import ATTAINMENT_LABELS
from ..tables import write_atomic

GROUP_GROUPINGS = ("unit", "sex", "age_group", "target_group", "type", "provider", "provider_type",
                   "question_id")
NOT_IN_TREND = ("month",)
GROUPING_LABELS = {"total": "Totalt", "unit": "enhet", "sex": "kön", "age_group": "åldersgrupp",
                   "target_group": "målgrupp", "type": "insatstyp", "provider": "utförare",
                   "provider_type": "utförartyp", "month": "månad", "instrument": "instrument",
                   "question_id": "fråga"}
CATEGORY_LABELS = {**ATTAINMENT_LABELS, "forbattrad": "Förbättrad", "oforandrad": "Oförändrad",
                   "forsamrad": "Försämrad", "anmalningar": "Inkomna anmälningar", "inledda": "Inledda utredningar",
                   "avslutade": "Avslutade utredningar",
                   # the user survey's questions (SKR:s brukarundersökning IFO), short forms
                   "Q1": "Nöjd med stödet", "Q2": "Lätt att få kontakt", "Q3": "Lätt att förstå informationen",
                   "Q4": "Förståelse för min situation", "Q5": "Tillfrågad om synpunkter",
                   "Q6": "Kunnat påverka hjälpen", "Q7": "Situationen har förbättrats"}
INDICATOR_COLUMNS = ["indicator", "period", "grouping", "group", "category", "numerator", "denominator", "value",
                     "ci_low", "ci_high", "n", "suppressed"]
COMPARISON_COLUMNS = ["jamforelse", "indikator", "etikett", "grouping", "group", "category", "period", "referens",
                      "varde", "ci_low", "ci_high", "n", "ref_varde", "ref_ci_low", "ref_ci_high", "ref_n",
                      "skillnad", "skillnad_enhet", "overlappar", "text"]


# --- reading --------------------------------------------------------------------------------------------

def normalise(df: pd.DataFrame, name: str = "") -> pd.DataFrame:
    """The contract's columns with stable types: period/group/category as str, suppressed as bool."""
    df = df.copy()
    for col in INDICATOR_COLUMNS:
        if col not in df:
            df[col] = name if col == "indicator" else (False if col == "suppressed" else np.nan)
    for col in ("indicator", "period", "grouping", "group"):
        df[col] = df[col].astype(str)
    df["category"] = df["category"].fillna("").astype(str)
    df["suppressed"] = df["suppressed"].fillna(False).astype(bool)
    for col in ("numerator", "denominator", "value", "ci_low", "ci_high", "n"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    return df


def glossary() -> dict[str, IndicatorInfo]:
    """name -> (label, unit) from the indicator registry."""
    from ..indicators.registry import INDICATORS
    return {i.name: IndicatorInfo(i.label, i.unit) for i in INDICATORS}


def info_for(name: str, table: pd.DataFrame, glossary: dict[str, IndicatorInfo]) -> IndicatorInfo:
    """The glossary entry, or a guess: a table with intervals holds shares, otherwise counts."""
    if name in glossary:
        return glossary[name]
    has_ci = not table.empty and table["ci_low"].notna().any()
    return IndicatorInfo(name.replace("_", " ").capitalize(), "andel" if has_ci else "antal")


def combined(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frames = [t for t in tables.values() if not t.empty]
    if not frames:
        return normalise(pd.DataFrame(columns=INDICATOR_COLUMNS))
    return pd.concat(frames, ignore_index=True)


# --- wording --------------------------------------------------------------------------------------------

def category_label(code: str) -> str:
    """Swedish label of a category code (the registry's labels win when it can be imported)."""
    try:
        from ..indicators.registry import CATEGORY_LABELS as registry_labels
    except ImportError:
        registry_labels = {}
    return {**CATEGORY_LABELS, **registry_labels}.get(code, code)


def group_label(group: str, unit_names: dict[str, str] | None = None) -> str:
    return (unit_names or {}).get(group, group)


def difference(value: float, reference: float, unit: str) -> tuple[float, str]:
    """value - reference, in percentage points for shares."""
    if unit == "andel":
        return (value - reference) * 100, "procentenheter"
    return value - reference, "dagar" if "dagar" in unit else ""


def signed(x: float, decimals: int = 0) -> str:
    """+5 / −3 / ±0 (rounded first, so −0,2 rounded to 0 is ±0)."""
    r = round(x, decimals)
    if r == 0:
        return "±0"
    return ("+" if r > 0 else "") + fmt.number(r, decimals)


def intervals_overlap(a_low, a_high, b_low, b_high) -> bool | None:
    """Whether two intervals overlap; None when either is missing."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (a_low, a_high, b_low, b_high)):
        return None
    return bool(a_low <= b_high and b_low <= a_high)


def uncertainty_text(overlap: bool | None) -> str:
    if overlap is None:
        return ""
    if overlap:
        return " Konfidensintervallen (95 %) överlappar, så skillnaden kan bero på slumpen."
    return (" Konfidensintervallen (95 %) överlappar inte: skillnaden är troligen större än den slumpmässiga "
            "osäkerheten.")


def _shown(value, n, unit) -> str:
    text = format_value(value, unit)
    return text if pd.isna(n) or unit == "antal" else f"{text} (n = {fmt.integer(n)})"


def _what(info: IndicatorInfo, category: str) -> str:
    base = subject(info)
    return f"{base} ({category_label(category).lower()})" if category else base


# --- comparisons ----------------------------------------------------------------------------------------

def _first_by(df: pd.DataFrame, keys: tuple[str, ...]) -> dict[tuple, dict]:
    """key -> the first row (as a dict) with that key."""
    out: dict[tuple, dict] = {}
    for r in df.to_dict("records"):
        out.setdefault(tuple(r[k] for k in keys), r)
    return out


# --- comparisons (row by row) ----------------------------------------------------------------------------------------

def _compare(kind: str, name: str, info: IndicatorInfo, row: pd.Series, ref: pd.Series | None, reference: str,
             sentence) -> dict:
    out = {"jamforelse": kind, "indikator": name, "etikett": info.label, "grouping": row["grouping"],
           "group": row["group"], "category": row["category"], "period": row["period"], "referens": reference,
           "varde": row["value"], "ci_low": row["ci_low"], "ci_high": row["ci_high"], "n": row["n"],
           "ref_varde": np.nan, "ref_ci_low": np.nan, "ref_ci_high": np.nan, "ref_n": np.nan,
           "skillnad": np.nan, "skillnad_enhet": "", "overlappar": None, "text": ""}
    if ref is not None:
        out.update(ref_varde=ref["value"], ref_ci_low=ref["ci_low"], ref_ci_high=ref["ci_high"], ref_n=ref["n"])
    if ref is None or pd.isna(row["value"]) or pd.isna(ref["value"]):
        out["text"] = "Kan inte jämföras: uppgiften saknas eller redovisas inte (för litet underlag)."
        return out
    diff, diff_unit = difference(row["value"], ref["value"], info.unit)
    overlap = intervals_overlap(row["ci_low"], row["ci_high"], ref["ci_low"], ref["ci_high"])
    out.update(skillnad=diff, skillnad_enhet=diff_unit, overlappar=overlap)
    out["text"] = sentence(diff, diff_unit) + uncertainty_text(overlap)
    return out


def compare_periods(tables: dict[str, pd.DataFrame], period: str, glossary: dict[str, IndicatorInfo],
                    unit_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Each cell of ``period`` against the same cell in the latest earlier period."""
    rows = []
    period = str(period)
    for name, df in tables.items():
        info = info_for(name, df, glossary)
        earlier = sorted(p for p in df["period"].unique() if p < period)
        if not earlier:
            continue
        prev = earlier[-1]
        current = df[(df["period"] == period) & ~df["grouping"].isin(NOT_IN_TREND)]
        before = _first_by(df[df["period"] == prev], ("grouping", "group", "category"))
        for row in current.to_dict("records"):
            ref = before.get((row["grouping"], row["group"], row["category"]))

            def sentence(diff, diff_unit, row=row, ref=ref):
                where = "" if row["grouping"] == "total" else f" ({group_label(row['group'], unit_names)})"
                before_text = _shown(ref["value"], ref["n"], info.unit)
                now_text = _shown(row["value"], row["n"], info.unit)
                change = f"{signed(diff)} {diff_unit}".rstrip()
                if signed(diff) == "±0":
                    return (f"{_what(info, row['category'])}{where} var oförändrad: {before_text} år {prev} och "
                            f"{now_text} år {period} ({change}).")
                verb = "ökade" if diff > 0 else "minskade"
                return (f"{_what(info, row['category'])}{where} {verb} från {before_text} år {prev} till "
                        f"{now_text} år {period} ({change}).")
            rows.append(_compare("tid", name, info, row, ref, prev, sentence))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def compare_groups(tables: dict[str, pd.DataFrame], period: str, glossary: dict[str, IndicatorInfo],
                   unit_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Each group of ``period`` (unit, sex, age group, intervention type, provider ...) against the total."""
    rows = []
    for name, df in tables.items():
        info = info_for(name, df, glossary)
        now = df[df["period"] == str(period)]
        totals = {key[0]: r for key, r in _first_by(now[now["grouping"] == "total"], ("category",)).items()}
        for row in now[now["grouping"].isin(GROUP_GROUPINGS)].to_dict("records"):
            ref = totals.get(row["category"])

            def sentence(diff, diff_unit, row=row, ref=ref):
                return (f"{_what(info, row['category'])}, {group_label(row['group'], unit_names)}: "
                        f"{_shown(row['value'], row['n'], info.unit)} jämfört med "
                        f"{_shown(ref['value'], ref['n'], info.unit)} totalt ({f'{signed(diff)} {diff_unit}'.rstrip()}).")
            rows.append(_compare("grupp", name, info, row, ref, "Totalt", sentence))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def comparisons(tables, period, glossary, unit_names=None) -> pd.DataFrame:
    parts = [compare_periods(tables, period, glossary, unit_names), compare_groups(tables, period, glossary, unit_names)]
    parts = [p for p in parts if not p.empty]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COMPARISON_COLUMNS)
    out["overlappar"] = out["overlappar"].astype("boolean")
    return out


def group_spread(comparison_table: pd.DataFrame) -> pd.DataFrame:
    """Per indicator, grouping and category: the largest gap between two groups (highest minus lowest)."""
    g = comparison_table[(comparison_table["jamforelse"] == "grupp") & comparison_table["varde"].notna()]
    if g.empty:
        return pd.DataFrame(columns=["indikator", "grouping", "category", "hogst", "lagst", "spridning"])
    rows = []
    for (ind, grouping, cat), part in g.groupby(["indikator", "grouping", "category"], sort=True):
        if len(part) < 2:
            continue
        hi, lo = part.loc[part["varde"].idxmax()], part.loc[part["varde"].idxmin()]
        rows.append({"indikator": ind, "grouping": grouping, "category": cat, "hogst": hi["group"],
                     "lagst": lo["group"], "hogst_varde": hi["varde"], "lagst_varde": lo["varde"],
                     "hogst_n": hi["n"], "lagst_n": lo["n"], "spridning": hi["varde"] - lo["varde"],
                     "overlappar": intervals_overlap(hi["ci_low"], hi["ci_high"], lo["ci_low"], lo["ci_high"])})
    return pd.DataFrame(rows)


# --- trend ----------------------------------------------------------------------------------------------

def trend(tables: dict[str, pd.DataFrame], glossary: dict[str, IndicatorInfo]) -> pd.DataFrame:
    """Each series over the periods available, with its least-squares change per year and direction."""
    frames = []
    for name, df in tables.items():
        if df.empty:
            continue
        info = info_for(name, df, glossary)
        part = df[~df["grouping"].isin(NOT_IN_TREND)].copy()
        part["etikett"] = info.label
        part["enhet"] = info.unit
        fit = _slopes(part)
        keys = list(zip(part["grouping"], part["group"], part["category"]))
        part["antal_perioder"] = [int(fit[k][0]) for k in keys]
        part["forandring_per_ar"] = [fit[k][1] for k in keys]
        part["riktning"] = [direction(fit[k][1], fit[k][2], info.unit, int(fit[k][0])) for k in keys]
        frames.append(part)
    cols = ["indicator", "etikett", "enhet", "grouping", "group", "category", "period", "value", "ci_low",
            "ci_high", "n", "suppressed", "antal_perioder", "forandring_per_ar", "riktning"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)[cols]
    return out.sort_values(["indicator", "grouping", "group", "category", "period"], kind="stable"
                           ).reset_index(drop=True)


def _slopes(part: pd.DataFrame) -> dict[tuple, tuple[int, float, float]]:
    """(grouping, group, category) -> (periods with a value, least-squares slope per year, mean value)."""
    v = part[part["value"].notna()]
    x = v["period"].astype(int).astype(float)
    y = v["value"].astype(float)
    sums = pd.DataFrame({"k": 1.0, "x": x, "y": y, "xx": x * x, "xy": x * y}).groupby(
        [v["grouping"], v["group"], v["category"]], sort=False).sum()
    out = {}
    for key, r in zip(sums.index, sums.itertuples(index=False)):
        spread = r.k * r.xx - r.x * r.x
        slope = (r.k * r.xy - r.x * r.y) / spread if r.k >= 2 and spread > 0 else np.nan
        out[key] = (r.k, float(slope), r.y / r.k)
    missing = set(zip(part["grouping"], part["group"], part["category"])) - set(out)
    return {**out, **{key: (0, np.nan, np.nan) for key in missing}}


def direction(slope: float, mean: float, unit: str, periods: int) -> str:
    """'ökande', 'minskande' or 'oförändrad' (under 1 procentenhet, or 1 % of the mean, per year)."""
    if periods < 2 or pd.isna(slope):
        return "för få perioder"
    threshold = 0.01 if unit == "andel" else 0.01 * abs(mean)
    if abs(slope) < threshold:
        return "oförändrad"
    return "ökande" if slope > 0 else "minskande"


# --- writing --------------------------------------------------------------------------------------------

def write_analysis(analysis_dir: str | Path, comparison_table: pd.DataFrame, trend_table: pd.DataFrame
                   ) -> list[Path]:
    d = Path(analysis_dir)
    return [write_atomic(comparison_table, d / "jamforelser.parquet"), write_atomic(trend_table, d / "trend.parquet")]
