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

import numpy as np
import pandas as pd

from .. import personnummer as pnr
from ..tables import factorize
from .dates import iso

ID_LENGTH = 20  # hex characters, like the pseudonyms
SEP = "\x1f"


def _normalised(values: pd.Series, is_pnr: bool, formats, reference: dt.date) -> np.ndarray:
    """Each value's normalised text (object array; a missing value is ""), worked out once per distinct value."""
    codes, uniques = factorize(values.astype("string"))
    texts = [u.strip() for u in uniques.tolist()] + [""]  # the last for the missing values (code -1)
    if is_pnr:
        numbers = pnr.parse_many(texts, reference)["number"].tolist()
        normal = [" ".join(u.split()) if n is None else n for u, n in zip(texts, numbers)]
    else:
        normal = [iso(u, formats) or " ".join(u.split()).casefold() for u in texts]
    return np.array(normal, dtype=object)[codes]


def natural_key(df: pd.DataFrame, columns, personnummer_columns: set[str], formats,
                reference: dt.date) -> pd.Series:
    """One text per row joining the normalised values of `columns` (source columns present in `df`)."""
    parts = [_normalised(df[c], c in personnummer_columns, formats, reference) for c in columns]
    key = parts[0] if len(parts) == 1 else [SEP.join(values) for values in zip(*parts)]
    return pd.Series(pd.array(key, dtype="string"), index=df.index, name=columns[0] if len(parts) == 1 else None)


def built_ids(key: pd.Series, id_column: str, secret: bytes) -> pd.Series:
    """A keyed hash per natural key, computed once per distinct key."""
    codes, distinct = factorize(key)
    hashes = pnr.keyed_hashes(secret, [f"{id_column}{SEP}{k}".encode("utf-8") for k in distinct.tolist()])
    ids = np.array([h[:ID_LENGTH] for h in hashes] + [None], dtype=object)[codes]  # a missing key: no id
    return pd.Series(pd.array(ids, dtype="string"), index=key.index, name=key.name)
