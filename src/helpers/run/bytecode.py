"""The package's bytecode written before a run starts its processes.

Where PYTHONDONTWRITEBYTECODE is set (containers and CI machines often set it), Python never writes the cache
of a module it compiles: after an install or an update of this package, every kernel, worker and work-ahead
process of every run compiled each module of it anew (some 0,3 s a process, the kernel's on the run's critical
path). Third-party packages get their cache when they are installed; this package's own modules get it here.
"""
from __future__ import annotations

import compileall
import py_compile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def write_bytecode(package_dir: Path = PACKAGE_DIR) -> bool:
    """Write the missing or outdated bytecode of the package's modules (some 10 ms when none is). Checked by
    timestamp, as Python itself writes it, also where SOURCE_DATE_EPOCH would make the default a source hash
    read on every import. False when some could not be compiled or written (a read-only install): those are
    compiled on import, as before."""
    try:
        return bool(compileall.compile_dir(str(package_dir), quiet=2,
                                           invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP))
    except OSError:
        return False
