"""Raw codes a reader must never meet: target groups, intervention types, instruments, survey questions, incident
types, legal grounds, categories, units and indicator names belong in the data, not in a report, a figure or a
workbook sheet. ``raw_codes`` lists those that appear as whole words in a text."""
from __future__ import annotations

import re

from .. import labels
from ..indicators.registry import REGISTRY


_PLAIN = str.maketrans("åäöÅÄÖé", "aaoAAOe")
WORDS = {"man"}  # codes that are also ordinary Swedish words


def code_like(code: str, label: str) -> bool:
    """A code no one would write in prose: with an underscore or a digit (barn_0_12, Q1, LVU2), or a Swedish word
    with its å, ä and ö taken out (oppenvard, klagomal). Codes that are words of their own (familjehem, avbrott)
    read the same as their label and are not codes to a reader."""
    if "_" in code or re.search(r"\d", code):
        return True
    word = (label.split() or [""])[0].lower()
    return code.isascii() and not word.isascii() and code.lower() == word.translate(_PLAIN) and code not in WORDS


def known_codes(config) -> set[str]:
    """Every code-like code with a Swedish label (see ``code_like``)."""
    codes: dict[str, str] = {}
    for table in labels.FIXED.values():
        codes.update(table)
    codes.update(labels.CATEGORIES)
    for grouping in (config.get("etiketter") or {}).values():
        codes.update({str(k): str(v) for k, v in (grouping or {}).items()})
    codes.update(config.units)
    codes.update({name: ind.label for name, ind in REGISTRY.items()})
    return {c for c, label in codes.items() if c != label and not c.isdigit() and code_like(c, label)}


def raw_codes(text: str, config) -> list[str]:
    """The codes that occur in `text` as whole words (underscores count as letters)."""
    found = []
    for code in sorted(known_codes(config)):
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
            found.append(code)
    return found
