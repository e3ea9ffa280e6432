"""Reading source files the way Swedish exports come: encoding, delimiter, title rows, Excel sheets.

Everything is read as text (empty cells as missing); types are decided later by validation against the
schema. The reader says what it chose (`SourceFrame.notes`, in Swedish), so the analyst can check it, and
every data line ends up either as a row of the frame or as a `BadRow` with its line number and reason.
"""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
from collections import Counter
from pathlib import Path

import pandas as pd

from .decoding import ENCODING_NAMES, decode
from .errors import SourceError
from .excel import read_excel_file
from .frames import HEADER_SCAN_ROWS, SourceFrame, choose_header_row, finish, headers, norm
from .records import FIELD_LIMIT, R_UNSPLITTABLE, BadRow, parse_line, split_records

__all__ = ["DELIMITER_NAMES", "ENCODING_NAMES", "SourceError", "SourceFrame", "read_source"]

DELIMITER_NAMES = {";": "semikolon", ",": "komma", "\t": "tabb", "|": "lodstreck"}
CANDIDATE_DELIMITERS = (";", "\t", ",", "|")


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    try:
        return [len(r) for r in csv.reader(lines, delimiter=delimiter)]
    except csv.Error:
        return [len(parse_line(ln[:10_000], delimiter)) for ln in lines]


def _choose_delimiter(lines: list[str], hint: str | None, name: str, notes: list[str]) -> str:
    """The delimiter that splits the probe lines into the most consistent number (> 1) of fields."""
    def score(d: str) -> tuple[float, int]:
        counts = [c for c in _field_counts(lines, d) if c > 0]
        if not counts:
            return (0.0, 0)
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            return (0.0, mode)
        return (counts.count(mode) / len(counts), mode)

    scores = {d: score(d) for d in CANDIDATE_DELIMITERS}
    best = max(CANDIDATE_DELIMITERS, key=lambda d: scores[d])  # ties: the order of CANDIDATE_DELIMITERS
    if hint and hint != "auto":
        if scores.get(hint, (0, 0))[1] >= 2 or scores[best][1] < 2:
            notes.append(f"Avgränsare: {DELIMITER_NAMES.get(hint, repr(hint))} (enligt mappningen).")
            return hint
        notes.append(f"Filen {name} är inte avgränsad med {DELIMITER_NAMES.get(hint, repr(hint))} som "
                     f"mappningen anger; avgränsaren {DELIMITER_NAMES[best]} användes.")
        return best
    if scores[best][1] < 2:
        notes.append("Avgränsare: ingen hittades, filen har en enda kolumn.")
        return ";"
    notes.append(f"Avgränsare: {DELIMITER_NAMES[best]} (upptäckt).")
    return best


class _Reads:
    """The text files a block will read, each as often as it will read it, and what a later read of the same file
    can start from (kept until the file's last read)."""

    def __init__(self, paths):
        self.left = Counter(str(p) for p in paths)
        self.texts: dict[str, tuple[tuple, _Text]] = {}  # path -> (bytes and options, the file decoded)

    def wanted(self, path: Path) -> bool:
        """Whether this read of ``path`` can use a reading kept, or must keep its own for a later read."""
        return str(path) in self.texts or self.left[str(path)] > 1

    def get(self, path: Path, key: tuple) -> "_Text | None":
        kept = self.texts.get(str(path))
        return kept[1] if kept is not None and kept[0] == key else None

    def done(self, path: Path, key: tuple, text: "_Text") -> None:
        self.left[str(path)] -= 1
        if self.left[str(path)] > 0:
            self.texts[str(path)] = (key, text)
        else:
            self.texts.pop(str(path), None)


_READS: list[_Reads] = []


@contextlib.contextmanager
def reading_once(paths):
    """Within the block, a text file among ``paths`` (listed as often as the block reads it) that feeds several
    tables (cases and clients, interventions and sessions) is decoded and parsed once, not once per table; each
    table gets a copy of its own."""
    _READS.append(_Reads(paths))
    try:
        yield
    finally:
        _READS.pop()


def read_text_file(path: Path, *, encoding: str | None = None, delimiter: str | None = None,
                   header_row: int | None = None, expected: set[str] | None = None) -> SourceFrame:
    raw = path.read_bytes()
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise SourceError(f"Filen {path.name} är tom.")
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(f"Filen {path.name} kan inte läsas som text (den verkar vara en binärfil).")
    reads = _READS[-1] if _READS and _READS[-1].wanted(path) else None
    key = (hashlib.sha256(raw).digest(), encoding, delimiter) if reads is not None else ()
    text = reads.get(path, key) if reads is not None else None
    if text is None:
        text = _Text(path, decode(raw, encoding, path.name), delimiter)
    del raw
    hdr = choose_header_row(text.probe_fields, expected, header_row)
    if hdr not in text.frames:
        text.frames[hdr] = _frame(path, text, hdr)
    if reads is not None:
        reads.done(path, key, text)
    return _copy(text.frames[hdr])


class _Text:
    """A text file decoded, its delimiter chosen and its first lines split: what every header row starts from."""

    def __init__(self, path: Path, decoded, delimiter: str | None):
        self.decoded, self.notes = decoded, list(decoded.notes)
        probe = [ln[:20_000].rstrip("\r\n") for ln in decoded.lines[:HEADER_SCAN_ROWS + 20]]
        self.sep = _choose_delimiter([ln for ln in probe if ln.strip()] or [""], delimiter, path.name, self.notes)
        self.probe_fields = [parse_line(ln, self.sep) for ln in probe[:HEADER_SCAN_ROWS]]
        self.frames: dict[int, SourceFrame] = {}


def _frame(path: Path, text: _Text, hdr: int) -> SourceFrame:
    decoded, sep, lines, notes = text.decoded, text.sep, text.decoded.lines, list(text.notes)
    if hdr > len(lines):
        raise SourceError(f"Filen {path.name} har ingen rad {hdr} (rubrikraden enligt mappningen).")
    if hdr > 1:
        notes.append(f"Rubrikraden är rad {hdr}; raderna ovanför hoppades över.")
    header = headers(parse_line(lines[hdr - 1], sep))
    width = len(header)
    fast = None if decoded.unreadable else _plain_table(lines, hdr, sep, header)
    if fast is not None:
        df, rows, _ = finish(path.name, fast, pd.Series(range(hdr + 1, hdr + 1 + len(fast)), dtype="int64"), notes)
        return SourceFrame(path, df, rows, decoded.encoding, sep, hdr, None, notes, [])
    records, bad = split_records(lines, sep, hdr, width, decoded.unreadable)
    data, numbers = [], []
    for number, fields in records:
        if len(fields) > width and any(f.strip() for f in fields[width:]):
            bad.append(BadRow(number, R_UNSPLITTABLE, f"Raden har {len(fields)} fält men rubrikraden {width}"))
            continue
        data.append((fields + [""] * width)[:width] if len(fields) != width else fields)
        numbers.append(number)
    columns = list(zip(*data)) if data else [()] * width
    df = pd.DataFrame({name: pd.array(list(col), dtype="string") for name, col in zip(header, columns)},
                      columns=header)
    df, rows, _ = finish(path.name, df, pd.Series(numbers, dtype="int64"), notes)
    if bad:
        notes.append(_bad_note(bad))
    bad.sort(key=lambda b: b.row)
    return SourceFrame(path, df, rows, decoded.encoding, sep, hdr, None, notes, bad)


def _copy(frame: SourceFrame) -> SourceFrame:
    """A frame of its own for each table (what one import changes in it, the other does not see)."""
    return dataclasses.replace(frame, df=frame.df.copy(), rows=frame.rows.copy(), notes=list(frame.notes),
                               bad_rows=list(frame.bad_rows))


def _plain_table(lines: list[str], hdr: int, sep: str, header: list[str]) -> pd.DataFrame | None:
    """The fast path for the common file: no quotes, no line longer than a field may be, no line with more
    fields than the header. Then every line is one record and pandas' C reader splits them; else None."""
    data = lines[hdr:]
    body = "".join(data)
    if not data or '"' in body or max(map(len, data)) > FIELD_LIMIT:
        return None
    extra = "\x00"  # one column more than the header: a line with too many fields shows up there
    try:
        df = pd.read_csv(io.StringIO(body), sep=sep, header=None, names=header + [extra], dtype=str,
                         quoting=csv.QUOTE_NONE, keep_default_na=False, skip_blank_lines=False, engine="c",
                         index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None
    if len(df) != len(data) or (df[extra].fillna("") != "").any():
        return None
    return df.drop(columns=extra)


def _bad_note(bad: list[BadRow]) -> str:
    counts: dict[str, int] = {}
    for b in bad:
        counts[b.reason] = counts.get(b.reason, 0) + 1
    parts = ", ".join(f"{reason.lower()}: {n}" for reason, n in counts.items())
    return f"{len(bad)} rader kunde inte läsas som vanliga rader och lades i karantän ({parts})."


def read_source(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None,
                sheet: str | list[str] | None = None, header_row: int | None = None,
                expected: set[str] | None = None) -> SourceFrame:
    """Read a .csv/.txt/.xlsx source as text. `expected` (column names) helps find the header row and,
    in a workbook without a named sheet, the sheets to read."""
    p = Path(path)
    if not p.exists():
        raise SourceError(f"Filen {p} finns inte.")
    if not p.is_file():
        raise SourceError(f"{p} är inte en fil.")
    exp = {norm(e) for e in expected} if expected else None
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheets = [sheet] if isinstance(sheet, str) else (list(sheet) if sheet else None)
        return read_excel_file(p, sheets=sheets, header_row=header_row, expected=exp)
    if suffix == ".xls":
        raise SourceError(f"Filen {p.name} är i det gamla Excelformatet .xls. Spara den som .xlsx eller CSV.")
    return read_text_file(p, encoding=encoding, delimiter=delimiter, header_row=header_row, expected=exp)
