"""Code that runs inside a warm kernel: pre-import the heavy modules once, and give every step notebook the
state a fresh kernel would have (empty namespace, no open figures, the same rcParams, warnings filters,
environment, sys.path and working directory, and execution counts from 1). Imported modules stay imported:
that is what makes the kernel warm. Imports nothing from helpers, so importing it costs nothing."""
from __future__ import annotations

import gc
import importlib
import os
import sys
import time
import warnings

_baseline: dict = {}


def prepare(modules: list[str]) -> float:
    """Import ``modules`` (missing ones are skipped) and record the baseline state; returns seconds taken."""
    started = time.perf_counter()
    import_frozen(modules, then=_record_baseline)
    one_arrow_thread()
    return time.perf_counter() - started


def one_arrow_thread() -> None:
    """Arrow's conversions and Parquet reads on this process's own thread, in every process of a run: the run keeps
    the cores busy with processes of its own, and Arrow's thread pools only add hand-overs (turning a table's text
    columns into Arrow for Parquet took about twice the CPU time on two threads as on one). Not in a notebook run
    by hand, where the pools may have the cores to themselves."""
    import pyarrow

    pyarrow.set_cpu_count(1)
    pyarrow.set_io_thread_count(1)


def import_frozen(modules, then=None) -> None:
    """Import ``modules`` (missing ones are skipped; a notebook reports a real import error in its own cell), then
    call ``then``, with the cycle collector off: imports make few objects that die, so one collection at the end,
    not hundreds on the way (~10 %). What is left is frozen: permanent, later collections (each reset has one)
    skip it, and a fork of this process does not copy its pages by scanning them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:
                pass
        if then is not None:
            then()
        gc.collect()
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


def _record_baseline() -> None:
    _baseline["environ"] = dict(os.environ)
    _baseline["path"] = list(sys.path)
    _baseline["warnings"] = list(warnings.filters)
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        import matplotlib.pyplot  # noqa: F401  (activates the inline backend and its rc settings first)
        _baseline["rc"] = dict(mpl.rcParams)


def reset(cwd: str) -> None:
    """Back to the baseline before the next notebook."""
    shell = _shell()
    if shell is not None:
        shell.run_line_magic("reset", "-f")
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if "rc" in _baseline:
                mpl.rcParams.clear()
                mpl.rcParams.update(_baseline["rc"])
            else:  # imported by a notebook: what a new kernel would load (its backend stays)
                mpl.rcParams.update({k: v for k, v in mpl.rcParamsOrig.items() if k != "backend"})
    if "environ" in _baseline:
        os.environ.clear()
        os.environ.update(_baseline["environ"])
        sys.path[:] = _baseline["path"]
        warnings.filters[:] = _baseline["warnings"]
        mutated = getattr(warnings, "_filters_mutated", None)  # forget cached "already warned" state
        if mutated is not None:
            mutated()
    os.chdir(cwd)
    if shell is not None:
        shell.execution_count = 1
    _forget_shared_imports()


def _forget_shared_imports() -> None:
    """Under the runner, import results are also in the run's shared folder (helpers/sharing.py): the kernel need
    not hold them from one notebook to the next (at 50 000 clients they held a third of its memory into step 05)."""
    memo = sys.modules.get("helpers.collect.memo")
    if memo is not None and os.environ.get("UPPFOLJNING_IMPORTMINNE"):  # sharing.SHARED_ENV (a test keeps them equal)
        memo.forget()
        gc.collect()


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
