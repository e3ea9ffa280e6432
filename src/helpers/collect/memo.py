"""Imports already done in this process: the same source, read and checked under the same rules against the same
tables, gives the same result, so it is not read and checked again.

Steps 02-04 each import their sources together with the tables those refer to (cases for interventions, clients
for cases), and step 01 imports the clients first; in one warm kernel that meant reading and checking the case
export four times. A result is reused only when everything it was computed from is byte for byte the same: the
file's content, the mapping, the config, the pseudonymisation key, the period, and the rows of every table its
references and its duplicate check were compared with. Anything else is a miss and is computed anew.

Within a run, the runner shares results between its processes (helpers/sharing.py): from the moment the kernel
starts step 01, a spare process reads the source files of steps 02-04 (all but the clients', which the kernel
starts with), then checks the sources of steps 02-04 the kernel's last first, leaving for later one that needs
a result the kernel is on (``importing.import_ahead``); the kernel finds the files read and the results there, or
waits for one the spare is on.
"""
from __future__ import annotations

import contextlib
import hashlib
from collections import OrderedDict
from dataclasses import replace
from typing import Callable

from ..sharing import shared, stable_bytes

LIMIT = 48  # results kept (a period has about twenty table imports)
_results: OrderedDict = OrderedDict()
_waiting = [True]  # False: a result another process is on raises sharing.Busy instead of being waited for


@contextlib.contextmanager
def not_waiting():
    """Within: a result another process of the run is working on raises ``sharing.Busy`` (a process working ahead
    turns to other work instead of waiting)."""
    _waiting[0] = False
    try:
        yield
    finally:
        _waiting[0] = True


def frame_digest(df) -> str:
    """Rows, index, column names and types of a table (None: no table)."""
    if df is None:
        return "-"
    import pandas as pd

    h = hashlib.blake2b(digest_size=20)
    h.update(stable_bytes((list(map(str, df.columns)), [str(t) for t in df.dtypes], len(df))))
    if len(df.columns):
        h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    else:
        h.update(pd.util.hash_pandas_object(df.index).to_numpy().tobytes())
    return h.hexdigest()


def remembered(key: str | None, compute: Callable):
    """The result for `key` if it was computed in this process, else compute() (kept unless it raised).
    A key of None (inputs that cannot be fingerprinted) always computes."""
    if key is None:
        return compute()
    if key in _results:
        _results.move_to_end(key)
        return _fresh(_results[key])
    result = shared(key, compute, wait=_waiting[0])
    _results[key] = result
    while len(_results) > LIMIT:
        _results.popitem(last=False)
    return _fresh(result)


def _fresh(result):
    """A copy the caller may change without changing what is remembered."""
    return replace(result, accepted=result.accepted.copy(), rejected=result.rejected.copy(),
                   reasons=dict(result.reasons), dropped_columns=list(result.dropped_columns),
                   notes=list(result.notes))


def forget() -> None:
    _results.clear()
