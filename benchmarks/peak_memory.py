"""Peak resident memory of this process in MiB, on Linux, macOS and Windows (where `resource` does not exist)."""
from __future__ import annotations

import sys


def peak_mib() -> float:
    try:
        import resource
    except ImportError:  # Windows: the peak working set
        import psutil
        return psutil.Process().memory_info().peak_wset / 1024 ** 2
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 ** 2 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux
