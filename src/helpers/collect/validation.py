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

from ..tables import coerce, factorize
from ..schema import ATTAINMENT_LABELS, INSTRUMENTS, OCCASION_LABELS, Column, Table
from .dates import parse_dates
from .records import R_ENCODING, R_LONG_FIELD, R_QUOTE, R_UNREADABLE, R_UNSPLITTABLE  # noqa: F401 (reasons)

R_REQUIRED = "Obligatoriskt värde saknas"
R_CODE = "Okänd kod"
R_UNIT = "Okänd enhet"
R_NUMBER = "Inte ett tal"
R_INTEGER = "Inte ett heltal"
R_RANGE = "Värde utanför tillåtet intervall"
R_SCALE = "Poäng utanför instrumentets skala"
R_DATE = "Ogiltigt datum"
R_OLD_DATE = "Orimligt tidigt datum"
R_LATE_DATE = "Orimligt sent datum"
R_AFTER_PERIOD = "Datum efter periodens slut"
R_ORDER = "Slutdatum före startdatum"
R_BOOL = "Ogiltigt ja/nej-värde"
R_MONTH = "Ogiltig månad (ÅÅÅÅ-MM)"
R_REF = "Okänd referens"
R_DUPLICATE = "Dubblett (samma post flera gånger)"
R_KEY_CONFLICT = "Dubblett med andra värden (samma id)"
R_NATURAL_CONFLICT = "Dubblett med andra värden (samma nyckel)"
R_FORMULA = "Formel utan sparat värde"
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


def by_unique(s: pd.Series, fn):
    """`fn(s)` for a function that works value by value, computed once per distinct value (missing included)."""
    codes, uniques = factorize(s, use_na_sentinel=False)
    out = fn(pd.Series(uniques, dtype=s.dtype, name=s.name)).take(codes)
    out.index = s.index
    return out


def parse_numbers(s: pd.Series, decimal: str = ",") -> pd.Series:
    return by_unique(s.astype("string"), lambda u: _numbers(u, decimal))


def _numbers(s: pd.Series, decimal: str) -> pd.Series:
    text = s.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    if decimal == ".":
        text = text.str.replace(",", "", regex=False)
    else:
        text = text.str.replace(",", ".", regex=False)
    text = text.str.replace("\u2212", "-", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("Float64")


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
    return by_unique(out, lambda u: _mapped(u, lookup))


def _mapped(s: pd.Series, lookup: dict[str, str]) -> pd.Series:
    mapped = s.str.strip().str.casefold().map(lookup)
    return mapped.where(mapped.notna(), s).astype("string")


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
        d, unreadable, early, late = parse_dates(s, date_formats)
        problems.add(present & unreadable, col.name, s, R_DATE, f"{col.label}: ange ÅÅÅÅ-MM-DD")
        problems.add(early, col.name, s, R_OLD_DATE, f"{col.label}: tidigast 1900-01-01")
        if late.any():  # the detail is built only where it is needed (a column at a time, ~20 ms per 100 000 rows)
            open_end = s.astype("string").str.strip().str.startswith("9999").fillna(False)
            late_detail = pd.Series(f"{col.label}: senast 2100-12-31", index=s.index, dtype="string").mask(
                open_end, f"{col.label}: 9999-12-31 betyder ofta 'tills vidare'; lämna fältet tomt om det inte "
                          "finns något datum")
            problems.add(late, col.name, s, R_LATE_DATE, late_detail)
        if col.not_after_period:
            problems.add(d.notna() & (d > period_end), col.name, s, R_AFTER_PERIOD,
                         f"{col.label}: periodens slut är {period_end:%Y-%m-%d}")
        return d
    if col.kind == "bool":
        val = by_unique(s.astype("string"), _booleans)
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


def _booleans(s: pd.Series) -> pd.Series:
    folded = s.str.casefold()
    val = pd.Series(pd.NA, index=s.index, dtype="boolean")
    val[folded.isin(TRUE_WORDS).fillna(False)] = True
    val[folded.isin(FALSE_WORDS).fillna(False)] = False
    return val


def map_units(s: pd.Series, units: dict[str, str]) -> pd.Series:
    """Unit names from the config (e.g. 'Barn och unga') -> unit codes; codes stay as they are."""
    lookup = {name.casefold(): code for code, name in units.items()}
    lookup.update({code.casefold(): code for code in units})
    return by_unique(s.astype("string"), lambda u: _mapped_units(u, lookup))


def _mapped_units(s: pd.Series, lookup: dict[str, str]) -> pd.Series:
    mapped = s.str.casefold().map(lookup)
    return mapped.where(mapped.notna(), s).astype("string")


def check_months(s: pd.Series, problems: Problems, period_end: pd.Timestamp) -> pd.Series:
    """support_months.month as ÅÅÅÅ-MM (also accepts ÅÅÅÅMM and a full date)."""
    parts = by_unique(s.astype("string"), _month_parts)
    year, month = parts["year"], parts["month"]
    ok = year.notna() & month.between(1, 12)
    problems.add(s.notna() & ~ok, "month", s, R_MONTH, "Månad (ÅÅÅÅ-MM)")
    text = parts["text"].where(ok)
    after = ok & ((year > period_end.year) | ((year == period_end.year) & (month > period_end.month)))
    problems.add(after, "month", s, R_AFTER_PERIOD, f"Månad: periodens slut är {period_end:%Y-%m-%d}")
    return text


def _month_parts(s: pd.Series) -> pd.DataFrame:
    parts = s.str.extract(_MONTH_RE)
    return pd.DataFrame({"year": pd.to_numeric(parts[0], errors="coerce"),
                         "month": pd.to_numeric(parts[1], errors="coerce"),
                         "text": parts[0].str.cat(parts[1], sep="-").astype("string")})


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
    """References to other tables; `lookup(name, column)` gives that column of that table, or None when the table
    is not imported."""
    notes = []
    for col in table.columns:
        if not col.ref or col.name not in typed:
            continue
        ref_table, ref_col = col.ref.split(".")
        other = lookup(ref_table, ref_col)
        if other is None:
            notes.append(f"Kolumnen {col.name} kunde inte kontrolleras mot {ref_table}: den tabellen är inte "
                         "importerad för perioden.")
            continue
        known = other.dropna().astype("string").unique()  # compared as text, in a hash table
        v = typed[col.name]
        problems.add(v.notna() & ~v.astype("string").isin(known).fillna(False), col.name, text[col.name], R_REF,
                     f"{col.label} finns inte i {ref_table}")
    return notes


def _signature(df: pd.DataFrame, cols: list[str]) -> pd.Series:
    """One text per row joining the values of `cols` (missing values compare equal)."""
    out = pd.Series("", index=df.index, dtype="string")
    for i, c in enumerate(cols):
        part = df[c].astype("string").fillna("\x00")
        out = part if i == 0 else out + "\x1f" + part
    return out


def _groups(df: pd.DataFrame, cols: list[str]) -> pd.Series:
    """One integer per row, equal for rows whose `cols` are all equal (missing values compare equal): within one
    frame what `_signature` tells, without building a text per row."""
    if not cols:
        return pd.Series(0, index=df.index, dtype="int64")
    return df.groupby(cols, dropna=False, sort=False, observed=True).ngroup()


def _first_row(sig: pd.Series, rows: pd.Series) -> pd.Series:
    """For each row, 'rad N' where N is the file row of the first row with the same signature."""
    first = rows.loc[sig.index].groupby(sig.to_numpy()).transform("first")
    return "rad " + first.astype("Int64").astype("string")


def check_duplicates(table: Table, typed: pd.DataFrame, rows: pd.Series, problems: Problems, *,
                     merge_identical: bool, natural: pd.Series | None = None, natural_label: str = "",
                     built_id: bool = False, other: pd.DataFrame | None = None,
                     source_column: str = "import_source", natural_ids: pd.Series | None = None,
                     natural_column: str = "import_key") -> pd.Index:
    """Repeated records among the rows still valid, and rows that another source file already gave.

    Exact repeats (every column equal) are R_DUPLICATE, or merged into their first occurrence when
    `merge_identical` (clients: one row per case); the index of merged rows is returned. Rows with the
    same id but other values are R_KEY_CONFLICT. With a natural key (`natural`, one text per row), rows
    with the same key are duplicates too, whatever their ids: R_DUPLICATE when everything but the id is
    equal, else R_NATURAL_CONFLICT. When the id itself is built from the natural key (`built_id`), a
    conflict on it is R_NATURAL_CONFLICT. Other source files are compared on the id and, when the rows
    carry their natural key as a keyed hash (`natural_ids`; the other files' in `natural_column`), on that
    key too."""
    ok = typed.drop(index=problems.bad_index(), errors="ignore")
    key = [k for k in table.key if k in ok]
    merged_idx = pd.Index([])
    if ok.empty or not key:
        return merged_idx
    cols = [c for c in table.names if c in ok]
    full, keysig = _groups(ok, cols), _groups(ok, key)
    same = full.duplicated(keep="first")
    if same.any():
        if merge_identical:
            merged_idx = same[same].index
        else:
            problems.add(same, key[0], ok[key[0]], R_DUPLICATE, "samma post som " + _first_row(full, rows))
    conflict = keysig.duplicated(keep="first") & ~same
    if conflict.any():
        reason, what = (R_NATURAL_CONFLICT, natural_label) if built_id else (R_KEY_CONFLICT, "/".join(key))
        problems.add(conflict, key[0], ok[key[0]], reason, f"samma {what} som " + _first_row(keysig, rows))
    rest = ~(same | conflict)
    if natural is not None and not built_id and rest.any():
        nat = natural.loc[ok.index][rest]
        dup = nat.duplicated(keep="first")
        if dup.any():
            body = _groups(ok.loc[nat.index], [c for c in cols if c not in key])
            exact = pd.DataFrame({"natural": nat, "body": body}).duplicated(keep="first")
            where = _first_row(nat, rows)
            problems.add(dup & exact, key[0], ok[key[0]], R_DUPLICATE, "samma post som " + where + " (annat id)")
            problems.add(dup & ~exact, key[0], ok[key[0]], R_NATURAL_CONFLICT, f"samma {natural_label} som " + where)
            rest.loc[dup[dup].index] = False
    if other is not None and len(other) and rest.any():
        merged_idx = merged_idx.append(_check_other_sources(table, ok[rest], key, cols, other, problems,
                                                            merge_identical, built_id, natural_label,
                                                            source_column))
        rest &= ~ok.index.isin(problems.bad_index()) & ~ok.index.isin(merged_idx)
        if natural_ids is not None and not built_id and not merge_identical and natural_column in other \
                and rest.any():
            _natural_in_other_sources(table, ok[rest], key, cols, natural_ids, other, problems, natural_label,
                                      source_column, natural_column)
    return merged_idx


def _check_other_sources(table: Table, ok: pd.DataFrame, key: list[str], cols: list[str], other: pd.DataFrame,
                         problems: Problems, merge_identical: bool, built_id: bool, natural_label: str,
                         source_column: str) -> pd.Index:
    """Rows whose id another source file of the same table already gave (e.g. barn/ and vuxen/arenden.csv)."""
    other_key = _signature(other, key)
    source_of = pd.Series(other[source_column].astype("string").to_numpy(), index=other_key.to_numpy())
    source_of = source_of[~source_of.index.duplicated()]
    keysig = _signature(ok, key)
    hit = keysig.isin(set(other_key))
    if not hit.any():
        return pd.Index([])
    present = [c for c in cols if c in other]
    mine, theirs = coerce(table.name, ok[present])[present], coerce(table.name, other[present])[present]
    identical = hit & _signature(mine, present).isin(set(_signature(theirs, present)))
    where = "i filen " + keysig.map(source_of).fillna("?")
    if merge_identical:
        merged = identical[identical].index
    else:
        merged = pd.Index([])
        problems.add(identical, key[0], ok[key[0]], R_DUPLICATE, "samma post som " + where)
    reason, what = (R_NATURAL_CONFLICT, natural_label) if built_id else (R_KEY_CONFLICT, "/".join(key))
    problems.add(hit & ~identical, key[0], ok[key[0]], reason, f"samma {what} som " + where)
    return merged


def _natural_in_other_sources(table: Table, ok: pd.DataFrame, key: list[str], cols: list[str],
                              natural_ids: pd.Series, other: pd.DataFrame, problems: Problems, natural_label: str,
                              source_column: str, natural_column: str) -> None:
    """Rows whose natural key a row of another source file has under another id: R_DUPLICATE when everything
    but the id is equal, else R_NATURAL_CONFLICT; the detail names that row's id and file."""
    theirs = other[other[natural_column].notna()]
    mine = natural_ids.loc[ok.index].astype("string")
    hit = mine.isin(set(theirs[natural_column].astype("string")))
    if not hit.any():
        return
    body = [c for c in cols if c in other and c not in key]
    their_nat = theirs[natural_column].astype("string")
    their_full = their_nat + "\x1e" + _signature(coerce(table.name, theirs[body])[body], body)
    my_full = mine + "\x1e" + _signature(coerce(table.name, ok[body])[body], body)
    label = table.column(key[0]).label if len(key) == 1 else "/".join(key)
    their_row = (f"{label} " + _signature(theirs, key).str.replace("\x1f", "/", regex=False) + " i filen "
                 + theirs[source_column].astype("string").fillna("?"))

    def where(their_sig: pd.Series, my_sig: pd.Series) -> pd.Series:
        first = pd.Series(their_row.to_numpy(), index=their_sig.to_numpy())
        return my_sig.map(first[~first.index.duplicated()]).fillna("?")

    exact = hit & my_full.isin(set(their_full))
    problems.add(exact, key[0], ok[key[0]], R_DUPLICATE, "samma post som " + where(their_full, my_full) + " (annat id)")
    problems.add(hit & ~exact, key[0], ok[key[0]], R_NATURAL_CONFLICT,
                 f"samma {natural_label} som " + where(their_nat, mine))
