"""The long form of an indicator's rows as integer cell keys, for counting with numpy instead of grouping strings.

Every row appears once per grouping (the total first) in the organisation's scope and once more in its unit's
scope. Each appearance gets the key of its cell (scope, grouping, group); keys are numbered so that ascending keys
follow the cells' order: scope, then grouping, then the group's name.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..grouping import MISSING_GROUP, TOTAL_GROUP, as_group
from ..tables import factorize


def group_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each value's code among the column's group names (as ``as_group`` names them), the names sorted."""
    if values.dtype == object and not all(isinstance(v, str) for v in pd.unique(values.dropna())):
        values = as_group(values)  # mixed objects: name them first so that 1 and 1.0 stay apart
    codes, uniques = factorize(values)
    # as_group on the distinct values only: as text, missing and empty named MISSING_GROUP (strings already are
    # their own text, and factorize leaves missing values out)
    if isinstance(values.dtype, pd.StringDtype):
        names = np.asarray(uniques, dtype=object)
    else:
        names = pd.Series(uniques, dtype=values.dtype).astype("string").to_numpy(dtype=object,
                                                                                na_value=MISSING_GROUP)
    names[names == ""] = MISSING_GROUP
    labels, inverse = np.unique(np.append(names, MISSING_GROUP), return_inverse=True)
    return inverse[codes], labels  # code -1 (missing) picks the last entry, MISSING_GROUP


@dataclass
class LongKeys:
    rows: np.ndarray  # each appearance's row position
    key: np.ndarray  # its cell key
    scopes: np.ndarray  # scope names by scope code
    grouping: np.ndarray  # grouping name by slot (key % width)
    group: np.ndarray  # group name by slot

    @property
    def width(self) -> int:
        return len(self.group)

    @property
    def size(self) -> int:
        return len(self.scopes) * self.width

    def columns(self, keys: np.ndarray) -> dict[str, np.ndarray]:
        """scope, grouping and group of the given keys."""
        slot = keys % self.width
        return {"scope": self.scopes[keys // self.width], "grouping": self.grouping[slot], "group": self.group[slot]}


def long_keys(df: pd.DataFrame, groupings: list[str], units: list[str], org: str) -> LongKeys:
    """The rows once per grouping (total first) in the organisation's scope, and again in their unit's scope."""
    n = len(df)
    scopes = [org] + [u for u in units if u != org]
    scope_code = {s: i for i, s in enumerate(scopes)}
    names = ["total"] + [g for g in groupings if g in df]
    codes, labels = [np.zeros(n, dtype=np.int64)], [np.array([TOTAL_GROUP], dtype=object)]
    for g in names[1:]:
        c, lab = group_codes(df[g])
        codes.append(c)
        labels.append(lab)
    offsets = np.cumsum([0] + [len(lab) for lab in labels[:-1]])
    width = int(offsets[-1] + len(labels[-1]))
    unit_rows = None
    if units and "unit" in df:
        ucodes, uniques = factorize(df["unit"])
        wanted = set(units)
        to_scope = np.array([scope_code[u] if u in wanted else -1 for u in uniques] + [-1], dtype=np.int64)
        scope = to_scope[ucodes]
        unit_rows = np.flatnonzero(scope >= 0)
        unit_base = scope[unit_rows] * width
    all_rows = np.arange(n)
    rows, keys = [], []
    for c, off in zip(codes, offsets):
        rows.append(all_rows)
        keys.append(c + off)
        if unit_rows is not None:
            rows.append(unit_rows)
            keys.append(unit_base + off + c[unit_rows])
    return LongKeys(np.concatenate(rows), np.concatenate(keys).astype(np.int64), np.asarray(scopes, dtype=object),
                    np.repeat(np.asarray(names, dtype=object), [len(lab) for lab in labels]),
                    np.concatenate(labels))
