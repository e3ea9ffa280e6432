"""Dates in source files: parsed once per distinct value, never outside the years 1900-2100.

pandas holds dates as nanoseconds from 1970, which ends in 2262 and starts in 1677: a date such as
9999-12-31 ("tills vidare" in some case systems) or 0001-01-01 must be caught before it becomes a
Timestamp. A format without separators (%Y%m%d) only takes a value with exactly its number of digits,
so 250131 is not read as the year 2501.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from ..tables import factorize

EARLIEST = dt.datetime(1900, 1, 1)
LATEST = dt.datetime(2100, 12, 31, 23, 59, 59)
_DIGITS = {"%Y": 4, "%m": 2, "%d": 2, "%H": 2, "%M": 2, "%S": 2}
_ONLY_DIRECTIVES = re.compile(r"^(?:%[YmdHMS])+$")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # what %Y-%m-%d reads with every digit written out


def _digits_needed(fmt: str) -> int | None:
    if not _ONLY_DIRECTIVES.match(fmt):
        return None
    return sum(_DIGITS[fmt[i:i + 2]] for i in range(0, len(fmt), 2))


def parse_date(text: str, formats) -> dt.datetime | None:
    """The first format that reads `text`, or None."""
    for fmt in formats:
        need = _digits_needed(fmt)
        if need is not None and not (text.isdigit() and len(text) == need):
            continue
        try:
            if fmt == "%Y-%m-%d" and _ISO_DATE.fullmatch(text):  # the same date, a sixth of strptime's time
                return dt.datetime.fromisoformat(text)
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def parse_dates(s: pd.Series, formats) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(dates as datetime64[ns] with NaT where not usable, unreadable, too early, too late) for a column."""
    codes, uniques = factorize(s.astype("string"))
    parsed = [parse_date(u.strip(), formats) for u in uniques.tolist()]
    kind = np.array([_BAD if d is None else _EARLY if d < EARLIEST else _LATE if d > LATEST else _OK for d in parsed]
                    + [_MISSING], dtype=np.int8)[codes]
    usable = pd.DatetimeIndex([d if d is not None and EARLIEST <= d <= LATEST else pd.NaT for d in parsed] + [pd.NaT],
                              dtype="datetime64[ns]")
    values = pd.Series(usable.to_numpy()[codes], index=s.index, name=s.name)
    return values, *(pd.Series(kind == k, index=s.index, name=s.name) for k in (_BAD, _EARLY, _LATE))


_OK, _BAD, _EARLY, _LATE, _MISSING = range(5)


def iso(text: str, formats) -> str | None:
    """A date value as ÅÅÅÅ-MM-DD when it is a date in one of the formats (for building keys)."""
    d = parse_date(text, formats)
    return d.strftime("%Y-%m-%d") if d is not None and d.time() == dt.time(0) else (
        d.isoformat(sep=" ") if d is not None else None)
