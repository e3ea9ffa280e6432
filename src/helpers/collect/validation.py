"""Row-level validation of a mapped source against the canonical schema, vectorised per column.

Every check adds problems (row, column, value, reason, detail). A row with at least one problem is
rejected; its first problem (in check order) is its reason in the summary, the others are listed with it.
Reasons are short Swedish categories so they can be counted; the detail says what exactly was wrong.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from ..schema import ATTAINMENT_LABELS, INSTRUMENTS, OCCASION_LABELS, Column, Table

R_REQUIRED = "Obligatoriskt värde saknas"
R_CODE = "Okänd kod"
R_UNIT = "Okänd enhet"
R_NUMBER = "Inte ett tal"
R_INTEGER = "Inte ett heltal"
R_RANGE = "Värde utanför tillåtet intervall"
R_SCALE = "Poäng utanför instrumentets skala"
R_DATE = "Ogiltigt datum"
R_OLD_DATE = "Orimligt tidigt datum"
R_AFTER_PERIOD = "Datum efter periodens slut"
R_ORDER = "Slutdatum före startdatum"
R_BOOL = "Ogiltigt ja/nej-värde"
R_MONTH = "Ogiltig månad (ÅÅÅÅ-MM)"
R_REF = "Okänd referens"
R_DUPLICATE = "Dubblett (samma post flera gånger)"
R_KEY_CONFLICT = "Dubblett med andra värden (samma id)"
R_UNSPLITTABLE = "Raden kunde inte delas upp i kolumner"

EARLIEST_DATE = pd.Timestamp("1900-01-01")
TRUE_WORDS = {"ja", "j", "1", "true", "sant", "x", "yes"}
FALSE_WORDS = {"nej", "n", "0", "false", "falskt", "no"}
# Start/end pairs that must be in order, per table.
ORDERED_DATES = {
    "cases": [("opened", "closed")],
    "interventions": [("start", "end"), ("decided", "end")],
    "placements": [("start", "end")],
    "investigations": [("report_received", "pre_assessment_date"), ("investigation_start", "investigation_end")],
    "support_applications": [("first_contact", "decision_date")],
}
_LABEL_CODES = {"attainment": ATTAINMENT_LABELS, "occasion": OCCASION_LABELS}
_MONTH_RE = re.compile(r"^(\d{4})-?(\d{2})(?:-\d{2})?(?:[ T].*)?$")


class Problems:
    """Collected problems; `order` keeps the order in which they were found."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, column: str, values: pd.Series | None, reason, detail=None) -> None:
        """Rows where `mask` holds have a problem; `reason` and `detail` are text or per-row Series."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        idx = mask[mask].index

        def per_row(x) -> pd.Series:
            if isinstance(x, pd.Series):
                return x.loc[idx].astype("string")
            return pd.Series(x, index=idx, dtype="string")
        self._parts.append(pd.DataFrame({
            "idx": idx.to_numpy(), "column": column, "value": per_row(values).to_numpy(),
            "reason": per_row(reason).to_numpy(), "detail": per_row(detail).to_numpy(),
            "order": len(self._parts)}))

    def frame(self) -> pd.DataFrame:
        if not self._parts:
            return pd.DataFrame(columns=["idx", "column", "value", "reason", "detail", "order"])
        return pd.concat(self._parts, ignore_index=True)

    def bad_index(self) -> pd.Index:
        if not self._parts:
            return pd.Index([])
        return pd.Index(np.unique(np.concatenate([p["idx"].to_numpy() for p in self._parts])))


def parse_numbers(s: pd.Series, decimal: str = ",") -> pd.Series:
    text = s.astype("string").str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    if decimal == ".":
        text = text.str.replace(",", "", regex=False)
    else:
        text = text.str.replace(",", ".", regex=False)
    text = text.str.replace("\u2212", "-", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("Float64")


def parse_dates(s: pd.Series, formats) -> pd.Series:
    """Dates in the first matching format; unparseable -> NaT. Each format is tried on what is left."""
    text = s.astype("string")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    todo = text.notna()
    for fmt in formats:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna()
        out.loc[ok[ok].index] = parsed[ok].astype("datetime64[ns]")
        todo.loc[ok[ok].index] = False
    return out


def map_codes(s: pd.Series, col: Column, mapping: dict[str, str] | None) -> pd.Series:
    """Source codes -> canonical codes: the mapping, then the Swedish labels, then case-insensitive codes."""
    out = s.astype("string")
    lookup: dict[str, str] = {}
    for code in col.codes:
        lookup[code.casefold()] = code
    for code, label in _LABEL_CODES.get(col.name, {}).items():
        lookup[label.casefold()] = code
    for src, dst in (mapping or {}).items():
        lookup[str(src).casefold()] = str(dst)
    if not lookup:
        return out
    folded = out.str.strip().str.casefold()
    mapped = folded.map(lookup)
    return mapped.where(mapped.notna(), out).astype("string")


def check_column(df: pd.DataFrame, col: Column, problems: Problems, *, period_end: pd.Timestamp,
                 date_formats, decimal: str, units: dict[str, str] | None) -> pd.Series:
    """Validate one canonical column in place of its text; returns the typed column."""
    s = df[col.name]
    missing = s.isna()
    if col.required:
        problems.add(missing, col.name, s, R_REQUIRED, col.label)
    present = ~missing
    if col.kind in ("int", "float"):
        num = parse_numbers(s, decimal)
        problems.add(present & num.isna(), col.name, s, R_NUMBER, col.label)
        if col.kind == "int":
            problems.add(num.notna() & (num != num.round()), col.name, s, R_INTEGER, col.label)
        if col.min is not None or col.max is not None:
            lo = -np.inf if col.min is None else col.min
            hi = np.inf if col.max is None else col.max
            problems.add(num.notna() & ((num < lo) | (num > hi)), col.name, s, R_RANGE,
                         f"{col.label}: tillåtet {lo:g}–{hi:g}")
        return num
    if col.kind == "date":
        d = parse_dates(s, date_formats)
        problems.add(present & d.isna(), col.name, s, R_DATE, f"{col.label}: ange ÅÅÅÅ-MM-DD")
        problems.add(d.notna() & (d < EARLIEST_DATE), col.name, s, R_OLD_DATE, col.label)
        if col.not_after_period:
            problems.add(d.notna() & (d > period_end), col.name, s, R_AFTER_PERIOD,
                         f"{col.label}: periodens slut är {period_end:%Y-%m-%d}")
        return d
    if col.kind == "bool":
        folded = s.astype("string").str.casefold()
        val = pd.Series(pd.NA, index=s.index, dtype="boolean")
        val[folded.isin(TRUE_WORDS).fillna(False)] = True
        val[folded.isin(FALSE_WORDS).fillna(False)] = False
        problems.add(present & val.isna(), col.name, s, R_BOOL, f"{col.label}: ange ja eller nej")
        return val
    if col.kind == "code":
        problems.add(present & ~s.isin(col.codes).fillna(False), col.name, s, R_CODE,
                     f"{col.label}: tillåtna koder är {', '.join(col.codes)}")
        return s
    if col.name == "unit" and units:
        problems.add(present & ~s.isin(list(units)).fillna(False), col.name, s, R_UNIT,
                     f"Kända enheter: {', '.join(units)}")
    return s


def map_units(s: pd.Series, units: dict[str, str]) -> pd.Series:
    """Unit names from the config (e.g. 'Barn och unga') -> unit codes; codes stay as they are."""
    lookup = {name.casefold(): code for code, name in units.items()}
    lookup.update({code.casefold(): code for code in units})
    mapped = s.astype("string").str.casefold().map(lookup)
    return mapped.where(mapped.notna(), s).astype("string")


def check_months(s: pd.Series, problems: Problems, period_end: pd.Timestamp) -> pd.Series:
    """support_months.month as ÅÅÅÅ-MM (also accepts ÅÅÅÅMM and a full date)."""
    parts = s.astype("string").str.extract(_MONTH_RE)
    year = pd.to_numeric(parts[0], errors="coerce")
    month = pd.to_numeric(parts[1], errors="coerce")
    ok = year.notna() & month.between(1, 12)
    problems.add(s.notna() & ~ok, "month", s, R_MONTH, "Månad (ÅÅÅÅ-MM)")
    text = parts[0].str.cat(parts[1], sep="-").astype("string").where(ok)
    after = ok & ((year > period_end.year) | ((year == period_end.year) & (month > period_end.month)))
    problems.add(after, "month", s, R_AFTER_PERIOD, f"Månad: periodens slut är {period_end:%Y-%m-%d}")
    return text


def check_scores(typed: pd.DataFrame, text: pd.DataFrame, problems: Problems) -> None:
    """measurements.score within the range of its instrument."""
    inst = typed["instrument"]
    lo = inst.map({k: v["min"] for k, v in INSTRUMENTS.items()}).astype("Float64")
    hi = inst.map({k: v["max"] for k, v in INSTRUMENTS.items()}).astype("Float64")
    score = typed["score"]
    bad = score.notna() & lo.notna() & ((score < lo) | (score > hi))
    detail = inst.astype("string") + " " + lo.astype("Int64").astype("string") + "–" + hi.astype(
        "Int64").astype("string")
    problems.add(bad, "score", text["score"], R_SCALE, detail)


def check_order(table: Table, typed: pd.DataFrame, text: pd.DataFrame, problems: Problems) -> None:
    for first, last in ORDERED_DATES.get(table.name, []):
        if first in typed and last in typed:
            a, b = typed[first], typed[last]
            problems.add(a.notna() & b.notna() & (b < a), last, text[last], R_ORDER,
                         f"{table.column(last).label} före {table.column(first).label.lower()}")


def check_refs(table: Table, typed: pd.DataFrame, text: pd.DataFrame, problems: Problems, lookup) -> list[str]:
    """References to other tables; `lookup(name)` gives that table or None when it is not imported."""
    notes = []
    for col in table.columns:
        if not col.ref or col.name not in typed:
            continue
        ref_table, ref_col = col.ref.split(".")
        other = lookup(ref_table)
        if other is None:
            notes.append(f"Kolumnen {col.name} kunde inte kontrolleras mot {ref_table}: den tabellen är inte "
                         "importerad för perioden.")
            continue
        known = set(other[ref_col].dropna().astype(str))
        v = typed[col.name]
        problems.add(v.notna() & ~v.astype("string").isin(known).fillna(False), col.name, text[col.name], R_REF,
                     f"{col.label} finns inte i {ref_table}")
    return notes


def check_duplicates(table: Table, typed: pd.DataFrame, rows: pd.Series, problems: Problems,
                     merge_identical: bool) -> pd.Index:
    """Repeated records among the rows still valid. Returns the index of identical repeats that are
    merged into their first occurrence (only when `merge_identical`); the others become problems."""
    ok = typed.drop(index=problems.bad_index(), errors="ignore")
    key = [k for k in table.key if k in ok]
    if ok.empty or not key:
        return pd.Index([])
    cols = [c for c in table.names if c in ok]
    first_row = rows.loc[ok.index]
    same = ok.duplicated(subset=cols, keep="first")
    same_key = ok.duplicated(subset=key, keep="first") & ~same
    def first_of(mask: pd.Series, subset: list[str]) -> pd.Series:
        firsts = ok.loc[~ok.duplicated(subset=subset, keep="first"), subset].assign(_first=first_row)
        merged = ok.loc[mask, subset].reset_index().merge(firsts, on=subset, how="left").set_index("index")
        return "rad " + merged["_first"].astype("Int64").astype("string")
    merged_idx = pd.Index([])
    if same.any():
        detail = "samma post som " + first_of(same, cols)
        if merge_identical:
            merged_idx = same[same].index
        else:
            problems.add(same, key[0], ok[key[0]], R_DUPLICATE, detail)
    if same_key.any():
        problems.add(same_key, key[0], ok[key[0]], R_KEY_CONFLICT,
                     "samma " + "/".join(key) + " som " + first_of(same_key, key))
    return merged_idx
