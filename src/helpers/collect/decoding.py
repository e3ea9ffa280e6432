"""Bytes of a text export -> lines of text, deciding the encoding line by line.

Swedish exports are UTF-8 (with or without BOM) or Windows-1252, and a file put together from several
exports can mix the two. A whole file that is valid UTF-8 is UTF-8. Otherwise every line is decoded on its
own: a line that is not valid UTF-8 is Windows-1252; a line that is valid in both is read in the one that
gives fewer characters unlikely in Swedish text (UTF-8 "å" read as Windows-1252 is "Ã¥"; Windows-1252
"Ä–" read as UTF-8 is "Ė"), and on a tie as UTF-8. The file's encoding is the one most non-ASCII lines
have, and the lines in the other encoding are named in a note: they are read correctly, not garbled. A line that is neither
(bytes undefined in Windows-1252 in a line that is not UTF-8) cannot be read and is listed in
`unreadable`, so the importer quarantines its row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .errors import SourceError

ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 med BOM", "cp1252": "Windows-1252",
                  "utf-16": "UTF-16", "latin-1": "ISO-8859-1"}
LINE_LIMIT_IN_NOTES = 5
# Multi-byte UTF-8 sequences: a line without one is not UTF-8 text beyond ASCII.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
# Non-ASCII characters that Swedish exports hold; others in a decoded line suggest the wrong encoding.
_LIKELY = "åäöÅÄÖéÉèÈêëüÜáÁàíóúñæÆøØçß–—‘’“”„…«»§½°€£×·´¨\u00a0\u202f"
_UNLIKELY = re.compile(f"[^\\x00-\\x7f{_LIKELY}]")


def _unlikely(text: str) -> int:
    return len(_UNLIKELY.findall(text))


def _score(text: str) -> tuple[int, int]:
    return (_unlikely(text), sum(1 for ch in text if ord(ch) > 127))


@dataclass
class Decoded:
    lines: list[str]  # each with its line ending, as in the file
    encoding: str
    notes: list[str] = field(default_factory=list)
    unreadable: set[int] = field(default_factory=set)  # 1-based line numbers


def _line_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:LINE_LIMIT_IN_NOTES])
    more = len(numbers) - LINE_LIMIT_IN_NOTES
    return shown + (f" och {more} till" if more > 0 else "")


def _split(text: str) -> list[str]:
    return text.splitlines(keepends=True) if not _has_unusual_breaks(text) else _split_plain(text)


def _has_unusual_breaks(text: str) -> bool:
    # str.splitlines also breaks on \x0b, \x0c, \x1c-\x1e, \x85, \u2028, \u2029: not line ends in a CSV file
    return any(ch in text for ch in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _candidate_lines(body: bytes, raw_lines: list[bytes]) -> list[int]:
    """Indexes of the lines holding a byte pair that could be UTF-8 (``_UTF8_MULTIBYTE``: a lead byte and a
    continuation byte; a continuation byte is never a lead, so the pairs do not overlap). Found with numpy: a file
    of mixed encodings has such a pair in most lines, ~0,4 s per 10 MB one match at a time."""
    b = np.frombuffer(body, dtype=np.uint8)
    pairs = np.flatnonzero((b[:-1] >= 0xC2) & (b[:-1] <= 0xF4) & (b[1:] >= 0x80) & (b[1:] <= 0xBF))
    if not len(pairs):
        return []
    ends = np.cumsum([len(line) for line in raw_lines])
    return np.unique(np.searchsorted(ends, pairs, side="right")).tolist()


def _split_plain(text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)]


def decode(raw: bytes, hint: str | None, name: str) -> Decoded:
    """Decode `raw`; `hint` is the mapping's encoding (None or 'auto' to detect)."""
    hint = None if hint in (None, "", "auto") else str(hint).lower().replace("_", "-")
    if hint in ("utf8", "utf-8-bom"):
        hint = "utf-8"
    if hint in ("windows-1252", "cp-1252", "latin-1", "latin1", "iso-8859-1", "iso8859-1", "iso-8859-15"):
        hint = "cp1252"  # Windows-1252 is ISO-8859-1 with more printable characters: read line by line
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or hint in ("utf-16", "utf-16-le", "utf-16-be"):
        return _whole(raw, "utf-16", name, hint)
    if raw.startswith(b"\xef\xbb\xbf"):
        body = raw[3:]
        encoding = "utf-8-sig"
    else:
        body = raw
        encoding = "utf-8"
    if hint not in (None, "utf-8", "utf-8-sig", "cp1252"):
        return _whole(raw, hint, name, hint)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _per_line(body, name, hint, bom=encoding == "utf-8-sig")
    if not text.isascii() and encoding == "utf-8" and _unlikely(text):
        try:
            if _unlikely(body.decode("cp1252")) < _unlikely(text):
                return _per_line(body, name, hint, bom=False)
        except UnicodeDecodeError:
            pass
    if hint == "cp1252" and text.isascii():
        encoding = hint  # nothing tells the two apart: the mapping is right
    return Decoded(_split(text), encoding, [_chosen(encoding, hint, name)])


def _chosen(encoding: str, hint: str | None, name: str) -> str:
    label = ENCODING_NAMES.get(encoding, encoding)
    if hint is None:
        return f"Teckenkodning: {label} (upptäckt)."
    if hint == encoding or (hint == "utf-8" and encoding == "utf-8-sig"):
        return f"Teckenkodning: {label} (enligt mappningen)."
    return f"Filen {name} är inte {ENCODING_NAMES.get(hint, hint)} som mappningen anger; den lästes som {label}."


def _whole(raw: bytes, encoding: str, name: str, hint: str | None) -> Decoded:
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise SourceError(f"Filen {name} kan inte läsas med teckenkodningen {encoding} som mappningen anger. "
                          "Ange encoding: auto i mappningens filformat.") from None
    text = text.lstrip("\ufeff")
    label = ENCODING_NAMES.get(encoding, encoding)
    how = "enligt mappningen" if hint else "upptäckt"
    return Decoded(_split(text), encoding, [f"Teckenkodning: {label} ({how})."])


def _decide(line: bytes) -> tuple[str, str | None]:
    """One line that has non-ASCII bytes: (text, 'utf-8' | 'cp1252' | None when neither reads it)."""
    as_utf8 = as_cp1252 = None
    if _UTF8_MULTIBYTE.search(line):
        try:
            as_utf8 = line.decode("utf-8")
        except UnicodeDecodeError:
            pass
    try:
        as_cp1252 = line.decode("cp1252")
    except UnicodeDecodeError:
        pass
    if as_utf8 is not None and (as_cp1252 is None or _score(as_utf8) <= _score(as_cp1252)):
        return as_utf8, "utf-8"
    if as_cp1252 is not None:
        return as_cp1252, "cp1252"
    return line.decode("cp1252", errors="replace"), None


def _per_line(body: bytes, name: str, hint: str | None, bom: bool) -> Decoded:
    """A file that is not UTF-8 as a whole: decide every line that has non-ASCII bytes on its own."""
    raw_lines = body.splitlines(keepends=True)
    utf8_lines, unreadable = [], set()
    try:  # fast: Windows-1252 throughout, only lines with UTF-8-like byte pairs need a look
        lines = _split(body.decode("cp1252"))
        candidates = _candidate_lines(body, raw_lines)
    except UnicodeDecodeError:
        lines, candidates = [""] * len(raw_lines), range(len(raw_lines))
    for i in candidates:
        line = raw_lines[i]
        if line.isascii():
            lines[i] = line.decode("ascii")
            continue
        lines[i], kind = _decide(line)
        if kind == "utf-8":
            utf8_lines.append(i + 1)
        elif kind is None:
            unreadable.add(i + 1)
    utf8 = set(utf8_lines)
    cp1252_lines = [i + 1 for i, line in enumerate(raw_lines)
                    if i + 1 not in utf8 and i + 1 not in unreadable and not line.isascii()]
    if bom or len(utf8_lines) > len(cp1252_lines):
        encoding, minority, other = ("utf-8-sig" if bom else "utf-8"), cp1252_lines, "cp1252"
    else:
        encoding, minority, other = "cp1252", utf8_lines, "utf-8"
    notes = [_chosen(encoding, hint, name)]
    if minority:
        n, was = len(minority), f"var {ENCODING_NAMES[other]} och inte {ENCODING_NAMES[encoding]} som resten av filen"
        notes.append(f"Rad {minority[0]} i filen {name} {was}; den lästes som {ENCODING_NAMES[other]}." if n == 1
                     else f"{n} rader i filen {name} (raderna {_line_list(minority)}) {was}; de lästes som "
                     f"{ENCODING_NAMES[other]}.")
    if unreadable:
        n = len(unreadable)
        notes.append(f"{'Rad' if n == 1 else 'Raderna'} {_line_list(sorted(unreadable))} i filen {name} har tecken "
                     "som varken är UTF-8 eller Windows-1252 och lades i karantän.")
    return Decoded(lines, encoding, notes, unreadable)
