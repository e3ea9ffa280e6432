"""Reading source files the way Swedish exports come: encoding, delimiter, title rows, Excel sheets.

Everything is read as text (empty cells as missing); types are decided later by validation against the
schema. The reader says what it chose (`SourceFrame.notes`, in Swedish), so the analyst can check it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 med BOM", "cp1252": "Windows-1252",
                  "utf-16": "UTF-16", "latin-1": "ISO-8859-1"}
DELIMITER_NAMES = {";": "semikolon", ",": "komma", "\t": "tabb", "|": "lodstreck"}
CANDIDATE_DELIMITERS = (";", "\t", ",", "|")
HEADER_SCAN_ROWS = 10


class SourceError(ValueError):
    """A source file that cannot be used at all (Swedish message naming the file)."""


@dataclass
class SourceFrame:
    """A source file read as text: `df` has one string column per header cell, `rows` the file's row numbers."""
    path: Path
    df: pd.DataFrame
    rows: pd.Series  # 1-based row (line) number in the file of each data row
    encoding: str | None = None  # None for Excel
    delimiter: str | None = None
    header_row: int = 1
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (row number, Swedish reason): unsplittable


def _decode_probe(raw: bytes, hint: str | None, path: Path, notes: list[str]) -> str:
    """Choose an encoding: the hint if it decodes, else BOM, UTF-8, Windows-1252."""
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        detected = "utf-16"
    elif raw.startswith(b"\xef\xbb\xbf"):
        detected = "utf-8-sig"
    else:
        try:
            raw.decode("utf-8")
            detected = "utf-8"
        except UnicodeDecodeError:
            try:
                raw.decode("cp1252")
                detected = "cp1252"
            except UnicodeDecodeError:
                detected = "latin-1"
    if hint and hint != "auto":
        try:
            raw.decode(hint)
            if not (hint == "utf-8" and detected == "utf-8-sig"):
                notes.append(f"Teckenkodning: {ENCODING_NAMES.get(hint, hint)} (enligt mappningen).")
                return hint
        except (UnicodeDecodeError, LookupError):
            pass
        notes.append(f"Filen {path.name} är inte {ENCODING_NAMES.get(hint, hint)} som mappningen anger; "
                     f"den lästes som {ENCODING_NAMES[detected]}.")
        return detected
    notes.append(f"Teckenkodning: {ENCODING_NAMES[detected]} (upptäckt).")
    return detected


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    return [len(r) for r in csv.reader(lines, delimiter=delimiter)]


def _choose_delimiter(lines: list[str], hint: str | None, path: Path, notes: list[str]) -> str:
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
        if scores[hint][1] >= 2 or scores[best][1] < 2:
            notes.append(f"Avgränsare: {DELIMITER_NAMES.get(hint, repr(hint))} (enligt mappningen).")
            return hint
        notes.append(f"Filen {path.name} är inte avgränsad med {DELIMITER_NAMES.get(hint, repr(hint))} som "
                     f"mappningen anger; avgränsaren {DELIMITER_NAMES[best]} användes.")
        return best
    if scores[best][1] < 2:
        notes.append("Avgränsare: ingen hittades, filen har en enda kolumn.")
        return ";"
    notes.append(f"Avgränsare: {DELIMITER_NAMES[best]} (upptäckt).")
    return best


def _norm(name) -> str:
    return " ".join(str(name).split()).casefold()


def _choose_header_row(rows: list[list[str]], expected: set[str] | None, hint: int | None) -> int:
    """1-based header row: the hint, else the row naming most expected columns, else the first full row."""
    if hint:
        return int(hint)
    filled = [sum(1 for c in r if str(c).strip()) for r in rows]
    if not filled or max(filled) == 0:
        return 1
    if expected:
        hits = [sum(1 for c in r if _norm(c) in expected) for r in rows]
        if max(hits) > 0:
            return hits.index(max(hits)) + 1
    widest = max(filled)
    for i, n in enumerate(filled):
        if n >= max(2, widest * 0.6) or n == widest:
            return i + 1
    return 1


def _headers(cells: list, path: Path, header_row: int) -> list[str]:
    names, seen = [], {}
    for i, c in enumerate(cells):
        name = " ".join(str(c).split()) if c is not None and str(c).strip() else f"Kolumn {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return names


def _finish(path: Path, df: pd.DataFrame, first_data_row: int, notes: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Strip cells, turn empty cells into missing, drop empty rows; keep each row's number in the file."""
    rows = pd.Series(range(first_data_row, first_data_row + len(df)), index=df.index, dtype="int64")
    for col in df.columns:
        s = df[col].astype("string").str.strip()
        df[col] = s.mask(s == "")
    empty = df.isna().all(axis=1) if len(df.columns) else pd.Series(True, index=df.index)
    if empty.any():
        notes.append(f"{int(empty.sum())} helt tomma rader hoppades över.")
        df, rows = df.loc[~empty], rows.loc[~empty]
    df = df.reset_index(drop=True)
    rows = rows.reset_index(drop=True)
    if df.empty:
        notes.append(f"Filen {path.name} innehåller inga datarader.")
    return df, rows


def read_text_file(path: Path, *, encoding: str | None = None, delimiter: str | None = None,
                   header_row: int | None = None, expected: set[str] | None = None) -> SourceFrame:
    raw = path.read_bytes()
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise SourceError(f"Filen {path.name} är tom.")
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(f"Filen {path.name} kan inte läsas som text (den verkar vara en binärfil).")
    notes: list[str] = []
    enc = _decode_probe(raw, encoding, path, notes)
    text = raw.decode(enc)
    del raw
    probe_lines = [ln for ln in text[:200_000].splitlines()[:HEADER_SCAN_ROWS + 20]]
    sep = _choose_delimiter([ln for ln in probe_lines if ln.strip()] or [""], delimiter, path, notes)
    probe_rows = list(csv.reader(probe_lines[:HEADER_SCAN_ROWS], delimiter=sep))
    hdr = _choose_header_row(probe_rows, expected, header_row)
    if hdr > 1:
        notes.append(f"Rubrikraden är rad {hdr}; raderna ovanför hoppades över.")
    bad: list[tuple[int, str]] = []
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, header=0,
                         skiprows=hdr - 1, skip_blank_lines=False, quotechar='"', engine="c",
                         on_bad_lines="error", index_col=False)
        df.columns = _headers(list(df.columns), path, hdr)
        df, rows = _finish(path, df, hdr + 1, notes)
    except pd.errors.EmptyDataError:
        raise SourceError(f"Filen {path.name} är tom.") from None
    except pd.errors.ParserError:
        df, rows, bad = _read_ragged(text, sep, hdr, path, notes)
    return SourceFrame(path, df, rows, enc, sep, hdr, None, notes, bad)


def _read_ragged(text: str, sep: str, hdr: int, path: Path, notes: list[str]):
    """Slow path for files with rows of too many fields: those rows are set aside with their line number."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header: list[str] | None = None
    data, numbers, bad = [], [], []
    for fields in reader:
        if reader.line_num < hdr:
            continue
        if header is None:
            header = fields
            continue
        line = reader.line_num
        if len(fields) > len(header) and any(f.strip() for f in fields[len(header):]):
            bad.append((line, f"Raden har {len(fields)} fält men rubrikraden {len(header)}"))
            continue
        data.append((fields + [""] * len(header))[:len(header)])
        numbers.append(line)
    cols = _headers(header or [], path, hdr)
    df = pd.DataFrame(data, columns=cols, dtype="string")
    df, _ = _finish(path, df, 0, notes)
    keep = [n for n, row in zip(numbers, data) if any(str(c).strip() for c in row)]
    if bad:
        notes.append(f"{len(bad)} rader hade fler fält än rubrikraden och kunde inte delas upp.")
    return df, pd.Series(keep, dtype="int64"), bad


def _excel_cell(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if v.time() == dt.time(0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, bool):
        return "ja" if v else "nej"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_excel_file(path: Path, *, sheet: str | None = None, header_row: int | None = None,
                    expected: set[str] | None = None) -> SourceFrame:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    import zipfile
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise SourceError(f"Filen {path.name} kan inte läsas som Excel-fil (.xlsx): {exc}") from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise SourceError(f"Filen {path.name} saknar bladet '{sheet}'. Blad i filen: "
                              f"{', '.join(wb.sheetnames)}.")
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        rows = [[_excel_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    notes = [f"Excelblad: {ws.title}."]
    while rows and not any(c is not None and str(c).strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise SourceError(f"Bladet '{ws.title}' i filen {path.name} är tomt.")
    hdr = _choose_header_row([[c or "" for c in r] for r in rows[:HEADER_SCAN_ROWS]], expected, header_row)
    if hdr > 1:
        notes.append(f"Rubrikraden är rad {hdr}; raderna ovanför (t.ex. sammanslagna rubrikceller) hoppades över.")
    header = rows[hdr - 1]
    width = max((i + 1 for i, c in enumerate(header) if c is not None and str(c).strip()), default=0)
    data = [r[:width] + [None] * (width - len(r)) for r in rows[hdr:]]
    df = pd.DataFrame(data, columns=_headers(header[:width], path, hdr), dtype="string")
    df, numbers = _finish(path, df, hdr + 1, notes)
    return SourceFrame(path, df, numbers, None, None, hdr, ws.title, notes)


def read_source(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None,
                sheet: str | None = None, header_row: int | None = None,
                expected: set[str] | None = None) -> SourceFrame:
    """Read a .csv/.txt/.xlsx source as text. `expected` (column names) helps find the header row."""
    p = Path(path)
    if not p.exists():
        raise SourceError(f"Filen {p} finns inte.")
    if not p.is_file():
        raise SourceError(f"{p} är inte en fil.")
    exp = {_norm(e) for e in expected} if expected else None
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_excel_file(p, sheet=sheet, header_row=header_row, expected=exp)
    if suffix == ".xls":
        raise SourceError(f"Filen {p.name} är i det gamla Excelformatet .xls. Spara den som .xlsx eller CSV.")
    return read_text_file(p, encoding=encoding, delimiter=delimiter, header_row=header_row, expected=exp)
