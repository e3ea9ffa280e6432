"""Imports already done in this process: the same source, read and checked under the same rules against the same
tables, gives the same result, so it is not read and checked again.

Steps 02-04 each import their sources together with the tables those refer to (cases for interventions, clients
for cases), and step 01 imports the clients first; in one warm kernel that meant reading and checking the case
export four times. A result is reused only when everything it was computed from is byte for byte the same: the
file's content, the mapping, the config, the pseudonymisation key, the period, and the rows of every table its
references and its duplicate check were compared with. Anything else is a miss and is computed anew.

Within a run, the runner shares results between its processes through a folder named in the environment
(``SHARED_ENV``): from the moment the kernel starts step 01, a spare process reads and checks the sources of steps
04, 03 and 02 (``importing.import_ahead``), and the kernel finds them there. A process that starts on a source claims it first;
another that needs the same source waits for it instead of doing it twice. Keys are computed the same way in
every process (no set or hash order in them), so equal inputs give the same key in each.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import time
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Callable

LIMIT = 48  # results kept (a period has about twenty table imports)
SHARED_ENV = "UPPFOLJNING_IMPORTMINNE"  # the folder a run's processes share results through
WAIT_S = 0.05
LONGEST_WAIT_S = 30 * 60  # the longest wait for a source another process is on (beyond it, that process hangs)
_results: OrderedDict = OrderedDict()


def digest(*parts) -> str:
    """A digest of picklable parts; two parts that differ in any way never give the same digest, and equal parts
    give the same digest in every process (sets are sorted, objects are taken field by field)."""
    return hashlib.blake2b(_bytes(_canonical(parts)), digest_size=20).hexdigest()


def _bytes(value) -> bytes:
    """Pickled without the memo, so two equal values give the same bytes whether or not they share objects
    (pickle writes a second reference to one object differently from an equal copy)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


def _canonical(x):
    """``x`` as nested tuples whose pickle does not depend on the process (set order follows string hashing,
    which differs between processes)."""
    if x is None or isinstance(x, (str, bytes, bool, int, float)):
        return x
    if isinstance(x, PurePath):
        return ("path", str(x))
    if isinstance(x, dict):
        return ("dict", tuple((_canonical(k), _canonical(v)) for k, v in x.items()))
    if isinstance(x, (set, frozenset)):
        return ("set", tuple(sorted((_canonical(v) for v in x), key=repr)))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(_canonical(v) for v in x))
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (type(x).__qualname__, _canonical({f.name: getattr(x, f.name) for f in dataclasses.fields(x)}))
    if hasattr(x, "__dict__") and not isinstance(x, type):
        return (type(x).__qualname__, _canonical(vars(x)))
    return x


def file_digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def frame_digest(df) -> str:
    """Rows, index, column names and types of a table (None: no table)."""
    if df is None:
        return "-"
    import pandas as pd

    h = hashlib.blake2b(digest_size=20)
    h.update(_bytes((list(map(str, df.columns)), [str(t) for t in df.dtypes], len(df))))
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
    folder = os.environ.get(SHARED_ENV)
    result = _shared(Path(folder), key, compute) if folder else compute()
    _results[key] = result
    while len(_results) > LIMIT:
        _results.popitem(last=False)
    return _fresh(result)


def _shared(folder: Path, key: str, compute: Callable):
    """The result another process of the run computed, else compute() and share it. A source another process is
    working on is waited for, unless that process is gone."""
    done, claim = folder / f"{key}.pkl", folder / f"{key}.pagar"
    started = time.monotonic()
    while True:
        if done.exists():
            try:
                return pickle.loads(done.read_bytes())
            except Exception:  # noqa: BLE001  (unreadable: compute it here)
                return compute()
        try:
            fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if not _claimant_alive(claim) or time.monotonic() - started > LONGEST_WAIT_S:
                return compute()
            time.sleep(WAIT_S)
            continue
        except OSError:  # the folder is gone (the run ended): nothing to share with
            return compute()
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        try:
            result = compute()
            partial = folder / f"{key}.{os.getpid()}.tmp"
            try:
                partial.write_bytes(pickle.dumps(result, protocol=5))
                os.replace(partial, done)
            except OSError:  # not shared (a full disk, the run ended): the others compute it themselves
                partial.unlink(missing_ok=True)
            return result
        finally:
            claim.unlink(missing_ok=True)


def _claimant_alive(claim: Path) -> bool:
    try:
        pid = int(claim.read_text() or 0)
    except (OSError, ValueError):
        return True  # being written this moment
    if not pid:
        return True
    try:
        import psutil
    except ImportError:
        return True
    return psutil.pid_exists(pid)


def _fresh(result):
    """A copy the caller may change without changing what is remembered."""
    return replace(result, accepted=result.accepted.copy(), rejected=result.rejected.copy(),
                   reasons=dict(result.reasons), dropped_columns=list(result.dropped_columns),
                   notes=list(result.notes))


def forget() -> None:
    _results.clear()
