"""Swedish formats: decimal comma, space as thousands separator, "70 %", ÅÅÅÅ-MM-DD, month names."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

NBSP = "\u00a0"  # non-breaking space between groups of thousands and before %
SUPPRESSED = "X"  # shown for a suppressed cell
MISSING = "–"  # shown for a value that does not exist

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")
MONTHS_SHORT = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def number(value, decimals: int = 0) -> str:
    """1234567.891 -> '1 234 567,9' (decimals=1). Missing -> '–'."""
    if _is_missing(value):
        return MISSING
    text = f"{float(value):,.{decimals}f}" if decimals else f"{round(float(value)):,d}"
    if text.startswith("-") and float(text[1:].replace(",", "")) == 0:
        text = text[1:]  # no "−0,0"
    return text.replace(",", NBSP).replace(".", ",").replace("-", "−")


def integer(value) -> str:
    return number(value, 0)


def percent(share, decimals: int = 0) -> str:
    """A share 0..1 -> '70 %'."""
    if _is_missing(share):
        return MISSING
    return f"{number(float(share) * 100, decimals)}{NBSP}%"


def date(value) -> str:
    """Any date -> 'ÅÅÅÅ-MM-DD'."""
    if _is_missing(value) or value is pd.NaT:
        return MISSING
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def date_long(value) -> str:
    """For running text: '1 januari 2026'."""
    if _is_missing(value) or value is pd.NaT:
        return MISSING
    d = pd.Timestamp(value)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def month(value, short: bool = False) -> str:
    """'2025-03' or a date -> 'mars 2025' (or 'mar 2025')."""
    d = pd.Timestamp(str(value) + "-01") if isinstance(value, str) and len(value) == 7 else pd.Timestamp(value)
    names = MONTHS_SHORT if short else MONTHS
    return f"{names[d.month - 1]} {d.year}"


def today() -> dt.date:
    return dt.date.today()


UNIT_WORDS = {"dagar": "dagar", "poäng": "poäng", "månader": "månader"}


def format_value(value, unit: str, extra_decimals: int = 0) -> str:
    """An indicator value in Swedish, by the indicator's unit ("andel", "antal", "median_dagar", ...)."""
    if unit == "andel":
        return percent(value, extra_decimals)
    stat, _, measure = unit.partition("_")
    decimals = 0 if unit in ("antal", "median_dagar") else (1 if stat in ("medelvärde", "median") else 0)
    text = number(value, decimals + extra_decimals)
    return f"{text} {UNIT_WORDS[measure]}" if measure in UNIT_WORDS else text


def display_table(df: pd.DataFrame, shares=(), decimals: dict | None = None, counts=()):
    """A frame for the analyst's eyes in a notebook: no index column, Swedish numbers ("70 %", "1 234",
    decimal comma), "–" for missing values and text never cut off. ``shares`` are 0..1 columns shown as
    percent; ``counts`` whole numbers; ``decimals`` gives other numeric columns their decimals."""
    decimals = dict(decimals or {})
    formats = {}
    for col in df.columns:
        if col in shares:
            formats[col] = percent
        elif col in counts:
            formats[col] = integer
        elif col in decimals:
            formats[col] = (lambda d: (lambda v: number(v, d)))(decimals[col])
        elif pd.api.types.is_bool_dtype(df[col]):
            formats[col] = lambda v: MISSING if _is_missing(v) else ("ja" if v else "nej")
        elif pd.api.types.is_integer_dtype(df[col]):
            formats[col] = integer
        elif pd.api.types.is_float_dtype(df[col]):
            whole = df[col].dropna()
            formats[col] = integer if len(whole) and (whole == whole.round()).all() else \
                (lambda v: number(v, 1))
        else:
            formats[col] = lambda v: MISSING if _is_missing(v) else str(v)
    return (df.style.format(formats, na_rep=MISSING).hide(axis="index")
            .set_table_styles([{"selector": "td, th", "props": "white-space: normal; max-width: none;"}]))
