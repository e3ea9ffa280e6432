"""Step 6: compare with earlier periods and between groups, and follow trends.

Reads the publication's indicator tables (all periods in one table per indicator) and writes
``analys/<scope>/jamforelser.parquet`` and ``trend.parquet``. The key findings drawn from these comparisons are
in ``findings``.
"""
from __future__ import annotations

import math
from collections import namedtuple
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

CELL = ["table_name", "grouping", "group", "category"]  # one series: the table it comes from and its cell
MEASURES = ["value", "ci_low", "ci_high", "n"]
NOT_COMPARABLE = "Kan inte jämföras: uppgiften saknas eller redovisas inte (för litet underlag)."


def _cells(tables: dict[str, pd.DataFrame], glossary: dict[str, IndicatorInfo]
           ) -> tuple[pd.DataFrame, dict[str, IndicatorInfo]]:
    """Every non-empty table's cells in one frame, in the tables' order, with the table's name in ``table_name``;
    and each table's glossary entry."""
    names = [name for name, df in tables.items() if not df.empty]
    infos = {name: info_for(name, tables[name], glossary) for name in names}
    if not names:
        return pd.DataFrame(columns=["table_name", *INDICATOR_COLUMNS]), infos
    cells = pd.concat([tables[name] for name in names], ignore_index=True)
    cells["table_name"] = np.repeat(names, [len(tables[name]) for name in names])
    return cells, infos


def _with_reference(cells: pd.DataFrame, references: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """``cells`` with the first reference cell of the same key beside it as ref_value, ref_ci_low, ... (missing
    when there is none)."""
    ref = references.drop_duplicates(on)[on + MEASURES].rename(columns={m: f"ref_{m}" for m in MEASURES})
    return cells.merge(ref, on=on, how="left")


def _differences(pairs: pd.DataFrame, units: pd.Series, comparable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``difference`` of each pair by its indicator's unit (missing, and "" as its unit, unless comparable)."""
    diff, diff_unit = np.full(len(pairs), np.nan), np.full(len(pairs), "", dtype=object)
    for unit in units.unique():
        rows = (units == unit).to_numpy()
        d, u = difference(pairs["value"], pairs["ref_value"], unit)
        diff, diff_unit = np.where(rows, d, diff), np.where(rows, u, diff_unit)
    return np.where(comparable, diff, np.nan), np.where(comparable, diff_unit, "")


ROW_FIELDS = ["table_name", "grouping", "group", "category", "period", "reference", *MEASURES,
              *(f"ref_{m}" for m in MEASURES)]
Pair = namedtuple("Pair", ROW_FIELDS)


def _comparison_table(kind: str, pairs: pd.DataFrame, reference, infos: dict[str, IndicatorInfo], sentence
                      ) -> pd.DataFrame:
    """The comparison rows of the cell/reference ``pairs`` (``reference`` is each row's ``referens``);
    ``sentence(info, pair, diff, diff_unit)`` words a comparable pair (a ``Pair`` of plain values)."""
    if pairs.empty:
        return pd.DataFrame([], columns=COMPARISON_COLUMNS)
    pairs = pairs.reset_index(drop=True).assign(reference=reference)
    units = pairs["table_name"].map({name: info.unit for name, info in infos.items()})
    comparable = pairs["value"].notna().to_numpy() & pairs["ref_value"].notna().to_numpy()
    diff, diff_unit = _differences(pairs, units, comparable)
    overlap, text = [], []
    rows = map(Pair._make, zip(*(pairs[c].to_numpy().tolist() for c in ROW_FIELDS)))
    for p, ok, d, u in zip(rows, comparable.tolist(), diff.tolist(), diff_unit.tolist()):
        o = intervals_overlap(p.ci_low, p.ci_high, p.ref_ci_low, p.ref_ci_high) if ok else None
        overlap.append(o)
        text.append(sentence(infos[p.table_name], p, d, u) + uncertainty_text(o) if ok else NOT_COMPARABLE)
    return pd.DataFrame({
        "jamforelse": [kind] * len(pairs), "indikator": pairs["table_name"].tolist(),
        "etikett": pairs["table_name"].map({name: info.label for name, info in infos.items()}).tolist(),
        "grouping": pairs["grouping"], "group": pairs["group"], "category": pairs["category"],
        "period": pairs["period"], "referens": pairs["reference"].tolist(), "varde": pairs["value"],
        "ci_low": pairs["ci_low"], "ci_high": pairs["ci_high"], "n": pairs["n"], "ref_varde": pairs["ref_value"],
        "ref_ci_low": pairs["ref_ci_low"], "ref_ci_high": pairs["ref_ci_high"], "ref_n": pairs["ref_n"],
        "skillnad": diff, "skillnad_enhet": diff_unit.tolist(), "overlappar": overlap, "text": text},
        columns=COMPARISON_COLUMNS)


def compare_periods(tables: dict[str, pd.DataFrame], period: str, glossary: dict[str, IndicatorInfo],
                    unit_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Each cell of ``period`` against the same cell in the latest earlier period."""
    period = str(period)
    cells, infos = _cells(tables, glossary)
    earlier = cells[cells["period"] < period].groupby("table_name", sort=False)["period"].max()
    cells["previous"] = cells["table_name"].map(earlier)
    current = cells[(cells["period"] == period) & ~cells["grouping"].isin(NOT_IN_TREND) & cells["previous"].notna()]
    pairs = _with_reference(current, cells[cells["period"] == cells["previous"]], CELL)

    def sentence(info, p, diff, diff_unit):
        where = "" if p.grouping == "total" else f" ({group_label(p.group, unit_names)})"
        before_text = _shown(p.ref_value, p.ref_n, info.unit)
        now_text = _shown(p.value, p.n, info.unit)
        change = f"{signed(diff)} {diff_unit}".rstrip()
        if signed(diff) == "±0":
            return (f"{_what(info, p.category)}{where} var oförändrad: {before_text} år {p.reference} och "
                    f"{now_text} år {period} ({change}).")
        verb = "ökade" if diff > 0 else "minskade"
        return (f"{_what(info, p.category)}{where} {verb} från {before_text} år {p.reference} till "
                f"{now_text} år {period} ({change}).")
    return _comparison_table("tid", pairs, pairs["previous"], infos, sentence)


def compare_groups(tables: dict[str, pd.DataFrame], period: str, glossary: dict[str, IndicatorInfo],
                   unit_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Each group of ``period`` (unit, sex, age group, intervention type, provider ...) against the total."""
    cells, infos = _cells(tables, glossary)
    now = cells[cells["period"] == str(period)]
    totals = now[now["grouping"] == "total"]
    pairs = _with_reference(now[now["grouping"].isin(GROUP_GROUPINGS)], totals, ["table_name", "category"])

    def sentence(info, p, diff, diff_unit):
        return (f"{_what(info, p.category)}, {group_label(p.group, unit_names)}: "
                f"{_shown(p.value, p.n, info.unit)} jämfört med "
                f"{_shown(p.ref_value, p.ref_n, info.unit)} totalt ({f'{signed(diff)} {diff_unit}'.rstrip()}).")
    return _comparison_table("grupp", pairs, "Totalt", infos, sentence)


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
    keys = ["indikator", "grouping", "category"]
    g = g[g.groupby(keys)["varde"].transform("size") >= 2]  # a gap needs two groups
    if g.empty:
        return pd.DataFrame([])
    by = g.groupby(keys, sort=True)["varde"]
    hi, lo = g.loc[by.idxmax().to_numpy()], g.loc[by.idxmin().to_numpy()]
    return pd.DataFrame({
        "indikator": hi["indikator"].tolist(), "grouping": hi["grouping"].tolist(),
        "category": hi["category"].tolist(), "hogst": hi["group"].tolist(), "lagst": lo["group"].tolist(),
        "hogst_varde": hi["varde"].to_numpy(), "lagst_varde": lo["varde"].to_numpy(), "hogst_n": hi["n"].to_numpy(),
        "lagst_n": lo["n"].to_numpy(), "spridning": hi["varde"].to_numpy() - lo["varde"].to_numpy(),
        "overlappar": [intervals_overlap(*v) for v in zip(hi["ci_low"], hi["ci_high"], lo["ci_low"], lo["ci_high"])]})


# --- trend ----------------------------------------------------------------------------------------------

def trend(tables: dict[str, pd.DataFrame], glossary: dict[str, IndicatorInfo]) -> pd.DataFrame:
    """Each series over the periods available, with its least-squares change per year and direction."""
    cols = ["indicator", "etikett", "enhet", "grouping", "group", "category", "period", "value", "ci_low",
            "ci_high", "n", "suppressed", "antal_perioder", "forandring_per_ar", "riktning"]
    cells, infos = _cells(tables, glossary)
    if cells.empty:
        return pd.DataFrame(columns=cols)
    part = cells[~cells["grouping"].isin(NOT_IN_TREND)]
    fit = _slopes(part)
    fit["riktning"] = [direction(slope, mean, infos[table].unit, periods) for table, periods, slope, mean in
                       zip(fit["table_name"], fit["antal_perioder"], fit["forandring_per_ar"], fit["mean"])]
    out = part.merge(fit, on=CELL, how="left").assign(
        etikett=lambda d: d["table_name"].map({name: info.label for name, info in infos.items()}),
        enhet=lambda d: d["table_name"].map({name: info.unit for name, info in infos.items()}))[cols]
    return out.sort_values(["indicator", "grouping", "group", "category", "period"], kind="stable"
                           ).reset_index(drop=True)


def _slopes(part: pd.DataFrame) -> pd.DataFrame:
    """Per series (``CELL``): antal_perioder (periods with a value), forandring_per_ar (least-squares slope per
    year) and mean (mean value); cells without a value are left out (a series with none: 0 periods, no slope)."""
    has = part["value"].notna()
    x = part["period"].astype(int).astype(float).where(has)
    y = part["value"].astype(float)
    sums = pd.DataFrame({**{c: part[c] for c in CELL}, "k": has.astype(float).where(has), "x": x, "y": y,
                         "xx": x * x, "xy": x * y}).groupby(CELL, sort=False).sum()
    spread = sums["k"] * sums["xx"] - sums["x"] * sums["x"]
    slope = ((sums["k"] * sums["xy"] - sums["x"] * sums["y"]) / spread).where((sums["k"] >= 2) & (spread > 0))
    return pd.DataFrame({"antal_perioder": sums["k"].astype(int), "forandring_per_ar": slope,
                         "mean": sums["y"] / sums["k"]}).reset_index()


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
