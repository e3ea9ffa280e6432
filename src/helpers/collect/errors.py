"""Errors of the collect step that several of its modules raise (Swedish messages naming the file)."""
from __future__ import annotations


class SourceError(ValueError):
    """A source file that cannot be used at all (Swedish message naming the file)."""
