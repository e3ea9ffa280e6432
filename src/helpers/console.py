"""Console output that never crashes: a Windows console or a redirected stream in cp1252 cannot print "→" or
"≥", so such characters are replaced instead of raising UnicodeEncodeError after the work is done."""
from __future__ import annotations

import sys


def setup_console() -> None:
    """Let stdout and stderr replace characters their encoding lacks (call once at program start)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):  # not a TextIOWrapper (e.g. captured in tests)
            pass


def say(message: str, file=None) -> None:
    """Print one line, flushed, replacing characters the stream's encoding cannot show."""
    stream = file or sys.stdout
    try:
        print(message, file=stream, flush=True)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        print(message.encode(encoding, errors="replace").decode(encoding), file=stream, flush=True)
