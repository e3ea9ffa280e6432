"""Python's cycle collector paused while a report's figures are drawn or its documents rendered.

A parsed document and a chart's artists are large graphs of objects that live through the whole step; the
collector's full passes kept scanning them (and the rest of the process) without finding anything to free,
about a tenth of a unit's CPU time. Paused, the garbage a step leaves is freed by the first collection after it.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collection_paused():
    """Pause the cycle collector for the block (also as a decorator); nested or concurrent pauses end with the
    collector as the outermost found it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
