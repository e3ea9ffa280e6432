"""Natural keys: the columns that say which record a row is (e.g. person, unit, type of intervention and
start date), whatever id the export gives it, and ids built from them for exports that have none.

Values are normalised before they are compared, so the same record gives the same key in every export of
the same system: a personnummer becomes its 12-digit form (YYMMDD-NNNC becomes YYYYMMDDNNNC), a date ÅÅÅÅ-MM-DD
(20250110 = 2025-01-10), other text is compared without case and extra spaces. A built id is a keyed
hash (HMAC-SHA-256 under the pseudonymisation key, like client_id) of the id column's name and the
normalised values: stable between files and periods, and it never contains or reveals the personnummer.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .. import personnummer as pnr
from .dates import iso

ID_LENGTH = 20  # hex characters, like the pseudonyms
SEP = "\x1f"


def _normalise(values: pd.Series, is_pnr: bool, formats, reference: dt.date) -> pd.Series:
    text = values.astype("string").str.strip().fillna("")
    uniques = text.unique().tolist()
    if is_pnr:
        numbers = pnr.parse_many(uniques, reference)["number"]
        lookup = {u: " ".join(u.split()) if n is None else n for u, n in zip(uniques, numbers)}
    else:
        lookup = {u: iso(u, formats) or " ".join(u.split()).casefold() for u in uniques}
    return text.map(lookup).astype("string")


def natural_key(df: pd.DataFrame, columns, personnummer_columns: set[str], formats,
                reference: dt.date) -> pd.Series:
    """One text per row joining the normalised values of `columns` (source columns present in `df`)."""
    parts = [_normalise(df[c], c in personnummer_columns, formats, reference) for c in columns]
    key = parts[0]
    for p in parts[1:]:
        key = key + SEP + p
    return key


def built_ids(key: pd.Series, id_column: str, secret: bytes) -> pd.Series:
    """A keyed hash per natural key, computed once per distinct key."""
    distinct = key.unique().tolist()
    hashes = pnr.keyed_hashes(secret, [f"{id_column}{SEP}{k}".encode("utf-8") for k in distinct])
    lookup = {k: h[:ID_LENGTH] for k, h in zip(distinct, hashes)}
    return key.map(lookup).astype("string")
