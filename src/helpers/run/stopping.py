"""SIGTERM (systemd, kill, a scheduler) stops a run the way Ctrl-C does: queued work is cancelled, running
kernels are stopped and the reports that were already there stay as they were."""
from __future__ import annotations

import contextlib
import signal


def _as_interrupt(signum, frame):
    raise KeyboardInterrupt


@contextlib.contextmanager
def stop_on_sigterm():
    try:
        previous = signal.signal(signal.SIGTERM, _as_interrupt)
    except ValueError:  # not the main thread: leave the default
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
