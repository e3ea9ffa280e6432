"""Lines of a delimited text file -> records, each numbered by the line where it starts in the file.

A quoted field may hold line breaks, so a record can span lines; its row number is its first line, the
number an analyst sees in an editor. A quote that never closes would swallow the rest of the file into
one field. A record is taken for such a runaway when it spans lines and its field count differs from the
header, or a swallowed line looks like a whole record of its own (as many delimiters as the header), or it
spans more than MAX_RECORD_LINES lines, or the file ends inside the quote. Then only the line where the
quote opened is set aside, with its reason, and reading goes on from the next line. Fields longer than the
csv module's limit (131 072 characters), lines that cannot be split into the header's columns and lines
with unreadable characters are set aside the same way: every line is either a record or a `BadRow`.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass

R_UNSPLITTABLE = "Raden kunde inte delas upp i kolumner"
R_QUOTE = "Citattecken som inte stängs"
R_LONG_FIELD = "För långt fält"
R_ENCODING = "Oläsliga tecken"
R_UNREADABLE = "Raden kunde inte läsas"
MAX_RECORD_LINES = 50
FIELD_LIMIT = 131_072


@dataclass(frozen=True)
class BadRow:
    row: int  # 1-based line (or Excel row) number
    reason: str
    detail: str
    sheet: str | None = None


class _Runaway(Exception):
    pass


class _Feed:
    """The file's lines from `start`, counting how many were handed to the csv reader."""

    def __init__(self, lines: list[str], start: int):
        self.lines, self.pos, self.record_start = lines, start, start

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        if self.pos - self.record_start >= MAX_RECORD_LINES:
            raise _Runaway
        line = self.lines[self.pos]
        self.pos += 1
        return line


def parse_line(line: str, sep: str) -> list[str]:
    """One physical line on its own (for headers and probes)."""
    try:
        return next(csv.reader([line.rstrip("\r\n")], delimiter=sep), [])
    except csv.Error:
        return line.rstrip("\r\n").split(sep)


def _quote_detail(row: int) -> str:
    return (f"ett fält på rad {row} börjar med citattecken som inte stängs; raden lästes inte och läsningen "
            "fortsatte på nästa rad")


def _is_runaway(fields: list[str], swallowed: list[str], sep: str, width: int, at_eof: bool) -> bool:
    if at_eof and fields and fields[-1].endswith(("\n", "\r")):
        return True  # the file ended inside the quoted field
    if not swallowed:
        return False
    if len(fields) != width:
        return True
    return width >= 2 and any(line.count(sep) >= width - 1 for line in swallowed)


def split_records(lines: list[str], sep: str, start: int, width: int,
                  unreadable: set[int] = frozenset()) -> tuple[list[tuple[int, list[str]]], list[BadRow]]:
    """Records of lines[start:] (0-based start) as (first line number, fields), and the lines set aside."""
    records: list[tuple[int, list[str]]] = []
    bad: list[BadRow] = []
    n = len(lines)
    i = start
    while i < n:
        feed = _Feed(lines, i)
        reader = csv.reader(feed, delimiter=sep, quotechar='"', strict=False)
        restart = n
        while True:
            first = feed.record_start = feed.pos
            try:
                fields = next(reader)
            except StopIteration:
                break
            except _Runaway:
                bad.append(BadRow(first + 1, R_QUOTE, _quote_detail(first + 1)))
                restart = first + 1
                break
            except csv.Error as exc:
                bad.append(_csv_error(first + 1, exc))
                restart = first + 1
                break
            last = feed.pos
            if _is_runaway(fields, lines[first + 1:last], sep, width, last == n):
                bad.append(BadRow(first + 1, R_QUOTE, _quote_detail(first + 1)))
                restart = first + 1
                break
            if unreadable and any(k in unreadable for k in range(first + 1, last + 1)):
                bad.append(BadRow(first + 1, R_ENCODING, "raden har tecken som varken är UTF-8 eller "
                                                         "Windows-1252; spara filen som UTF-8 och importera igen"))
                continue
            records.append((first + 1, fields))
        i = restart
    return records, bad


def _csv_error(row: int, exc: csv.Error) -> BadRow:
    text = str(exc)
    if "field larger" in text:
        return BadRow(row, R_LONG_FIELD, f"ett fält är längre än {FIELD_LIMIT:,} tecken".replace(",", "\u00a0"))
    if "NUL" in text:
        return BadRow(row, R_UNREADABLE, "raden innehåller NUL-tecken (binära data)")
    return BadRow(row, R_UNREADABLE, text)
