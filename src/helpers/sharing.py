"""Results shared between the processes of one run: a process that starts on a piece of work claims it, another
that needs the same result waits for it (or, working ahead, leaves it), and equal inputs give the same key in
every process (no set or hash order in the keys). The runner names the folder in the environment (``SHARED_ENV``),
which its workers and kernels inherit; without it, everything is just computed. Used for the import steps' source
files read as text (collect/importing.py) and checked (collect/memo.py), and step 05's indicator cells
(publication/compute.py)."""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
import pickle
import time
from pathlib import Path, PurePath
from typing import Callable

SHARED_ENV = "UPPFOLJNING_IMPORTMINNE"  # the folder a run's processes share results through
WAIT_S = 0.05
LONGEST_WAIT_S = 30 * 60  # the longest wait for work another process is on (beyond it, that process hangs)
# Announced by step 05 once every published file but the workbook is written: all an annex is made from. The
# runner starts the annexes then, in another worker, while the kernel writes the workbook (seconds of a core).
PUBLICATION_WRITTEN = "publikation.skriven"


def digest(*parts) -> str:
    """A digest of picklable parts; two parts that differ in any way never give the same digest, and equal parts
    give the same digest in every process (sets are sorted, objects are taken field by field)."""
    return hashlib.blake2b(stable_bytes(_canonical(parts)), digest_size=20).hexdigest()


def stable_bytes(value) -> bytes:
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


def mark(folder: Path | str | None, name: str) -> None:
    """Leave ``name`` in the run's shared ``folder`` (None: no run shares one), for the processes that wait for
    it; a folder already gone (the run ended) is no error."""
    if folder:
        with contextlib.suppress(OSError):
            (Path(folder) / name).touch()


def announce(name: str) -> None:
    """Under the runner, leave ``name`` in the run's shared folder: the coordinator may begin what waits for it
    (``announced``). Without the runner, nothing."""
    mark(os.environ.get(SHARED_ENV), name)


def announced(folder: Path | str | None, name: str) -> bool:
    """Whether ``name`` has been left in the run's shared ``folder`` (``mark``, ``announce``)."""
    return folder is not None and (Path(folder) / name).exists()


TAKEN = object()  # what ``shared(..., ahead=True)`` returns for a key another process has done or is doing


class Busy(Exception):
    """Raised by ``shared(..., wait=False)`` for a key another (living) process is working on (``key``)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def still_busy(key: str) -> bool:
    """Whether another process of the run is still on ``key`` (claimed by a living process, not finished)."""
    folder = os.environ.get(SHARED_ENV)
    if not folder:
        return False
    claim = Path(folder) / f"{key}.pagar"
    return claim.exists() and not (Path(folder) / f"{key}.pkl").exists() and _claimant_alive(claim)


def active() -> bool:
    """Does this process share results with others (is it run by the runner)?"""
    return bool(os.environ.get(SHARED_ENV))


def shared(key: str, compute: Callable, ahead: bool = False, wait: bool = True):
    """compute(), shared with the run's other processes when the runner names a folder (else just compute()).
    ``ahead``: a process working ahead of the kernel does not wait for, nor read, what another process has done
    or is doing: it gets ``TAKEN`` (where the two meet, it has nothing left to do). Without ``wait``, a result
    another process is working on raises ``Busy`` (the caller turns to other work); a finished one is read."""
    folder = os.environ.get(SHARED_ENV)
    return _shared(Path(folder), key, compute, ahead, wait) if folder else compute()


def _shared(folder: Path, key: str, compute: Callable, ahead: bool = False, wait: bool = True):
    """The result another process of the run computed, else compute() and share it. A source another process is
    working on is waited for; one whose process is gone is taken over."""
    done, claim = folder / f"{key}.pkl", folder / f"{key}.pagar"
    started = time.monotonic()
    while True:
        if done.exists():
            if ahead:
                return TAKEN
            try:
                return pickle.loads(done.read_bytes())
            except Exception:  # noqa: BLE001  (unreadable: compute it here)
                return compute()
        try:
            fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if not _claimant_alive(claim):  # a process that died on it: take it over
                try:
                    claim.unlink(missing_ok=True)
                    continue
                except OSError:
                    return compute()
            if time.monotonic() - started > LONGEST_WAIT_S:
                return compute()
            if ahead:
                return TAKEN
            if not wait:
                raise Busy(key)
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


def folder_state() -> set[str]:
    """What the run's shared folder holds now (names); empty without one. See ``wait_for_change``."""
    folder = os.environ.get(SHARED_ENV)
    if folder:
        with contextlib.suppress(OSError):
            return set(os.listdir(folder))
    return set()


def wait_for_change(before: set[str], timeout: float = LONGEST_WAIT_S) -> None:
    """Return once the run's shared folder holds something else than ``before`` (``folder_state`` taken before
    the work that found everything busy: a result finished, a claim taken or let go), or after ``timeout``: for a
    process that has nothing to do until another finishes what it is on. Without a shared folder, at once."""
    if not active():
        return
    started = time.monotonic()
    while folder_state() == before and time.monotonic() - started < timeout:
        time.sleep(WAIT_S)


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
