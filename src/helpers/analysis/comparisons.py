"""Step 6: compare with earlier periods and between groups, follow trends, and draft the key findings.

Reads the indicator tables of step 5 (``<output_dir>/indicators/<name>.parquet``, all periods in one table) and
writes ``<output_dir>/analys/jamforelser.parquet``, ``trend.parquet`` and ``nyckelfynd.md``.
"""
from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import formatting as fmt
from .goals import IndicatorInfo, format_value, subject
from ..schema import ATTAINMENT_LABELS
from ..tables import write_atomic

CAUTION = ("Uppföljningsdata visar förändring, inte effekten av en insats: förändringen kan ha andra orsaker "
           "än insatsen (Socialstyrelsen 2014).")
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
MARKER_RE = re.compile(r"<!-- nyckelfynd genererade automatiskt, kontrollsumma ([0-9a-f]{12})[^>]*-->\n")


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
        before = df[df["period"] == prev].set_index(["grouping", "group", "category"])
        for _, row in current.iterrows():
            key = (row["grouping"], row["group"], row["category"])
            ref = before.loc[key] if key in before.index else None
            if isinstance(ref, pd.DataFrame):
                ref = ref.iloc[0]

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
        totals = now[now["grouping"] == "total"].set_index("category")
        for _, row in now[now["grouping"].isin(GROUP_GROUPINGS)].iterrows():
            ref = totals.loc[row["category"]] if row["category"] in totals.index else None
            if isinstance(ref, pd.DataFrame):
                ref = ref.iloc[0]

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
        slopes = {}
        for key, s in part.groupby(["grouping", "group", "category"], sort=False):
            s = s[s["value"].notna()]
            slope = float(np.polyfit(s["period"].astype(int), s["value"], 1)[0]) if len(s) >= 2 else np.nan
            slopes[key] = (len(s), slope, direction(slope, s["value"].mean(), info.unit, len(s)))
        keys = list(zip(part["grouping"], part["group"], part["category"]))
        part["antal_perioder"] = [slopes[k][0] for k in keys]
        part["forandring_per_ar"] = [slopes[k][1] for k in keys]
        part["riktning"] = [slopes[k][2] for k in keys]
        frames.append(part)
    cols = ["indicator", "etikett", "enhet", "grouping", "group", "category", "period", "value", "ci_low",
            "ci_high", "n", "suppressed", "antal_perioder", "forandring_per_ar", "riktning"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)[cols]
    return out.sort_values(["indicator", "grouping", "group", "category", "period"], kind="stable"
                           ).reset_index(drop=True)


def direction(slope: float, mean: float, unit: str, periods: int) -> str:
    """'ökande', 'minskande' or 'oförändrad' (under 1 procentenhet, or 1 % of the mean, per year)."""
    if periods < 2 or pd.isna(slope):
        return "för få perioder"
    threshold = 0.01 if unit == "andel" else 0.01 * abs(mean)
    if abs(slope) < threshold:
        return "oförändrad"
    return "ökande" if slope > 0 else "minskande"


# --- key findings ---------------------------------------------------------------------------------------

def key_findings(goal_table: pd.DataFrame, comparison_table: pd.DataFrame, period: str,
                 unit_names: dict[str, str] | None = None, top: int = 3) -> list[str]:
    """A short list drawn from the numbers: goal status, largest changes, groups that differ most."""
    items = []
    if goal_table is not None and not goal_table.empty:
        counts = goal_table["status"].value_counts()
        parts = [f"{counts.get(s, 0)} {s}" for s in ("uppnått", "delvis uppnått", "inte uppnått", "kan inte mätas")
                 if counts.get(s, 0)]
        items.append(f"Av nämndens {len(goal_table)} mål för {period} är " + _join(parts) + ".")
        for _, g in goal_table[goal_table["status"].isin(["inte uppnått", "delvis uppnått"])].iterrows():
            items.append(f"Målet ”{g['mal'].rstrip('.')}” är {g['status']}. {g['resultat_text']}")
    c = comparison_table
    if c is not None and not c.empty:
        shares = c[c["skillnad_enhet"] == "procentenheter"]
        changes = shares[(shares["jamforelse"] == "tid") & (shares["grouping"] == "total")
                         & shares["skillnad"].notna()]
        changes = changes.reindex(changes["skillnad"].abs().sort_values(ascending=False, kind="stable").index)
        for _, r in changes[changes["skillnad"].abs() >= 0.5].head(top).iterrows():
            items.append("Förändring: " + r["text"])
        separate = ~shares["overlappar"].astype("boolean").fillna(True).astype(bool)
        groups = shares[(shares["jamforelse"] == "grupp") & shares["skillnad"].notna() & separate]
        groups = groups.reindex(groups["skillnad"].abs().sort_values(ascending=False, kind="stable").index)
        for _, r in groups.head(top).iterrows():
            items.append("Skillnad mellan grupper: " + r["text"])
    if len(items) == (1 if goal_table is not None and not goal_table.empty else 0):
        items.append("Inga tydliga förändringar eller skillnader mellan grupper syns i underlaget.")
    return items


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " och " + parts[-1]


def render_key_findings(items: list[str]) -> str:
    """The Markdown the analyst edits: a marker line, the list, and the caution."""
    body = "".join(f"- {item}\n" for item in items) + f"\n*{CAUTION}*\n"
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]
    return (f"<!-- nyckelfynd genererade automatiskt, kontrollsumma {digest}. Filen skrivs om vid nästa körning "
            f"så länge den är oredigerad; när du ändrar texten behålls dina ändringar. -->\n{body}")


def is_generated_unedited(text: str) -> bool:
    """True when the file still carries the marker and its body is exactly what was generated."""
    m = MARKER_RE.match(text)
    return bool(m) and hashlib.sha256(text[m.end():].encode("utf-8")).hexdigest()[:12] == m.group(1)


def write_key_findings(path: str | Path, items: list[str]) -> bool:
    """Write nyckelfynd.md unless the analyst has edited it. Returns whether the file was written."""
    path = Path(path)
    if path.exists() and not is_generated_unedited(path.read_text(encoding="utf-8")):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(render_key_findings(items), encoding="utf-8")
    tmp.replace(path)
    return True


def read_key_findings(path: str | Path) -> str:
    """The findings as Markdown for the report, without the marker line."""
    text = Path(path).read_text(encoding="utf-8")
    m = MARKER_RE.match(text)
    return text[m.end():] if m else text


# --- writing --------------------------------------------------------------------------------------------

def write_analysis(analysis_dir: str | Path, comparison_table: pd.DataFrame, trend_table: pd.DataFrame
                   ) -> list[Path]:
    d = Path(analysis_dir)
    return [write_atomic(comparison_table, d / "jamforelser.parquet"), write_atomic(trend_table, d / "trend.parquet")]
