"""Reading workbooks (.xlsx): the sheets the mapping names, or every sheet that has the wanted columns.

A formula cell keeps the value Excel computed when the file was saved. A file written by another program
may have formulas without stored values; those cells are listed (`SourceFrame.formula_cells`) so the
importer can quarantine their rows instead of reading them as empty.

A workbook without formulas (what case systems export) is read with calamine (Rust; some thirty times faster
than openpyxl on the demo's registers); one with formulas, or where calamine is missing, with openpyxl, which
can tell a formula from its stored value.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
import zipfile
from pathlib import Path

import pandas as pd

from ..filehash import file_hash
from .errors import SourceError
from .frames import HEADER_SCAN_ROWS, FormulaCell, SourceFrame, choose_header_row, finish, header_hits, headers


def _cell(v) -> str | None:
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


def _converter():
    """`_cell`, computed once for each distinct value."""
    done: dict = {}

    def converted(v):
        key = (v.__class__, v)  # 1, 1.0 and True are equal but not the same cell text
        if key not in done:
            done[key] = _cell(v)
        return done[key]
    return converted


def _cells(values: list[list]) -> list[list]:
    """`_cell` of every value; text and empty cells pass as they are, other values are converted once each."""
    converted = _converter()
    return [[v if v is None or v.__class__ is str else converted(v) for v in r] for r in values]


def _column_letter(number: int) -> str:
    """Excel's name of a column: 1 -> A, 27 -> AA (openpyxl's get_column_letter without importing openpyxl, which
    reads only the workbooks with formulas)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _open(path: Path, data_only: bool):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(f"Filen {path.name} kan inte läsas som Excel-fil (.xlsx): {exc}") from None


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _formula_in(xml: bytes) -> bool:
    # a formula element needs "<f" or a prefix's ":f"; without either (the usual sheet), no regex search
    return (b"<f" in xml or b":f" in xml) and _FORMULA.search(xml) is not None


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the file holds a formula element (read straight from the package's XML)."""
    try:
        with zipfile.ZipFile(path) as z:
            return any(_formula_in(z.read(n)) for n in z.namelist()
                       if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    except (zipfile.BadZipFile, KeyError, OSError):
        return True  # let openpyxl give its own message


class _Sheet:
    def __init__(self, rows: list[list]):
        self.rows = rows

    def iter_rows(self, max_row: int | None = None, values_only: bool = True):
        return iter(self.rows if max_row is None else self.rows[:max_row])


class _Values:
    """A workbook's cell values as calamine reads them, with the little of openpyxl's interface used here. Every
    sheet is read at once and the file closed (nothing stays open for Excel on Windows to complain about)."""

    def __init__(self, workbook):
        self.sheetnames = list(workbook.sheet_names)
        # an empty cell comes as "" (openpyxl gives None): every use of the rows takes either as empty
        self._sheets = {name: _Sheet(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
                        for name in self.sheetnames}
        close = getattr(workbook, "close", None)
        if close:
            close()

    def __getitem__(self, name: str) -> _Sheet:
        return self._sheets[name]

    def close(self) -> None:
        pass


_RECENT: dict[tuple, _Values] = {}  # the last workbooks read: one register often feeds several tables


def _open_values(path: Path):
    """The fast reader for a workbook without formulas, else None (openpyxl reads it)."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return None
    try:
        key = (str(Path(path).resolve()), file_hash(path))
    except OSError:
        return None
    if key in _RECENT:
        return _RECENT[key]
    if _has_formulas(path):
        return None
    try:
        values = _Values(CalamineWorkbook.from_path(str(path)))
    except Exception:  # noqa: BLE001  (an odd file: openpyxl reads it or says why it cannot)
        return None
    while len(_RECENT) >= 2:
        _RECENT.pop(next(iter(_RECENT)))
    _RECENT[key] = values
    return values


def _sheet_list(names) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _choose_sheets(wb, path: Path, wanted: list[str] | None, header_row: int | None,
                   expected: set[str] | None, notes: list[str]) -> list[str]:
    """The sheets to read: the named ones (checked), else those whose header has the most wanted columns."""
    names = wb.sheetnames
    missing = [s for s in (wanted or []) if s not in names]
    if missing:
        raise SourceError(f"Filen {path.name} saknar bladet {_sheet_list(missing)}. Blad i filen: "
                          f"{', '.join(names)}.")
    hits, found = {}, {}
    for name in names:
        probe = [list(r) for r in wb[name].iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)]
        probe = [["" if c is None else str(c) for c in r] for r in probe]
        row = choose_header_row(probe, expected, header_row) if probe else 1
        header = probe[row - 1] if len(probe) >= row else []
        hits[name] = header_hits(header, expected)
        found[name] = {" ".join(c.split()).casefold() for c in header if c.strip()}
    best = max(hits.values(), default=0)
    if wanted:
        for name in wanted:
            lacking = (expected or set()) - found[name]
            elsewhere = [n for n in names if n not in wanted and expected and expected <= found[n]]
            if expected and (hits[name] == 0 or lacking) and elsewhere:
                raise SourceError(
                    f"Bladet '{name}' i filen {path.name} saknar {len(lacking)} av kolumnerna som mappningen "
                    f"anger; alla finns på bladet {_sheet_list(elsewhere)}. Ange det bladet under 'ark' i "
                    f"mappningen. Blad i filen: {', '.join(names)}.")
        same = [n for n in names if n not in wanted and expected and hits[n] and found[n] == found[wanted[0]]]
        if same:
            notes.append(f"Bladen {_sheet_list(same)} har samma kolumner som {_sheet_list(wanted)} men lästes "
                         "inte, eftersom mappningen bara anger " + _sheet_list(wanted) + ".")
        return wanted
    if not expected or best == 0:
        if expected and len(names) > 1:
            raise SourceError(f"Inget blad i filen {path.name} har kolumnerna som tabellen behöver. Blad i "
                              f"filen: {', '.join(names)}. Ange bladet under 'ark' i mappningen.")
        return names[:1]
    chosen = [n for n in names if hits[n] == best]
    skipped = [n for n in names if n not in chosen]
    if len(chosen) > 1:
        notes.append(f"Bladen {_sheet_list(chosen)} har samma kolumner och lästes alla.")
    if skipped:
        notes.append(f"Bladen {_sheet_list(skipped)} har inte kolumnerna och lästes inte.")
    return chosen


def _read_sheet(ws, stored_values, header_row: int | None, expected: set[str] | None):
    """One sheet -> (header, data rows, header row number, formula cells without a value (data position,
    column, cell, formula)). `stored_values()` gives the sheet's values as Excel saved them."""
    if isinstance(ws, _Sheet):  # calamine's, read only when the file has no formula: text is text
        values, formulas = ws.rows, {}
    else:
        values = [list(r) for r in ws.iter_rows(values_only=True)]  # formulas read as their text, "=..."
        formulas = {(i, j): v for i, row in enumerate(values) for j, v in enumerate(row)
                    if isinstance(v, str) and v.startswith("=")}
    if formulas:
        stored = stored_values()
        for (i, j) in formulas:
            values[i][j] = stored[i][j] if i < len(stored) and j < len(stored[i]) else None
        formulas = {(i, j): (f"{_column_letter(j + 1)}{i + 1}", f) for (i, j), f in formulas.items()}
    last = len(values)  # without the empty rows at the end
    while last and not any(c is not None and str(c).strip() for c in _cells([values[last - 1]])[0]) and \
            not any(i == last - 1 for i, _ in formulas):
        last -= 1
    if not last:
        return None
    rows = _cells(values[:min(last, HEADER_SCAN_ROWS)])
    hdr = choose_header_row([[c or "" for c in r] for r in rows], expected, header_row)
    header = _cells([values[hdr - 1]])[0] if hdr <= last else []
    width = max((i + 1 for i, c in enumerate(header) if c is not None and str(c).strip()), default=0)
    empty_formulas = [(i - hdr, j, ref, f) for (i, j), (ref, f) in formulas.items()
                      if i >= hdr and j < width and values[i][j] is None]
    return headers(header[:width]), _text_columns(values[hdr:last], width), max(0, last - hdr), hdr, empty_formulas


def _text_columns(rows: list[list], width: int) -> list[list]:
    """The first `width` columns of `rows`, each cell as `_cell` gives it without surrounding whitespace and None
    when empty: what `_cells` and then `frames.finish` make of the rows, in one pass over each column."""
    converted = _converter()
    if all(len(r) >= width for r in rows):  # calamine's rows are all as wide as the sheet: no padding needed
        columns = [[r[j] for r in rows] for j in range(width)]
    else:
        columns = list(itertools.zip_longest(*rows))[:width] if rows else []
        columns += [(None,) * len(rows)] * (width - len(columns))
    return [[(v.strip() or None) if v.__class__ is str else (None if v is None else converted(v).strip() or None)
             for v in column] for column in columns]


def read_excel_file(path: Path, *, sheets: list[str] | None = None, header_row: int | None = None,
                    expected: set[str] | None = None) -> SourceFrame:
    notes: list[str] = []
    wb = _open_values(path) or _open(path, data_only=False)
    opened = {}

    def stored_values(name: str):
        if "wb" not in opened:
            opened["wb"] = _open(path, data_only=True)
        return [list(r) for r in opened["wb"][name].iter_rows(values_only=True)]

    try:
        chosen = _choose_sheets(wb, path, sheets, header_row, expected, notes)
        frames, numbers, sheet_of, keep, formula_pos = [], [], [], [], []
        first_header = None
        for name in chosen:
            read = _read_sheet(wb[name], lambda: stored_values(name), header_row, expected)
            if read is None:
                if len(chosen) == 1:
                    raise SourceError(f"Bladet '{name}' i filen {path.name} är tomt.")
                notes.append(f"Bladet '{name}' är tomt.")
                continue
            cols, columns, n, hdr, empty_formulas = read
            first_header = first_header or hdr
            if hdr > 1:
                notes.append(f"Bladet '{name}': rubrikraden är rad {hdr}; raderna ovanför (t.ex. sammanslagna "
                             "rubrikceller) hoppades över.")
            offset = sum(len(f) for f in frames)
            frames.append(pd.DataFrame({j: pd.array(c, dtype="string") for j, c in enumerate(columns)},
                                       index=pd.RangeIndex(n)).set_axis(cols, axis=1))
            numbers += list(range(hdr + 1, hdr + 1 + n))
            sheet_of += [name] * n
            with_formula = {i for i, *_ in empty_formulas}
            keep += [i in with_formula for i in range(n)]
            formula_pos += [(offset + i, cols[j], ref, f) for i, j, ref, f in empty_formulas]
    finally:
        wb.close()
        if "wb" in opened:
            opened["wb"].close()
    if not frames:
        raise SourceError(f"Bladen {_sheet_list(chosen)} i filen {path.name} är tomma.")
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    notes.insert(0, f"Excelblad: {', '.join(chosen)}.")
    df, rows, positions = finish(path.name, df, pd.Series(numbers, dtype="int64"), notes,
                                 keep=pd.Series(keep, dtype=bool),
                                 stripped=all(list(f.columns) == list(df.columns) for f in frames))
    sheet_series = pd.Series(sheet_of, dtype="string").iloc[positions.to_numpy()].reset_index(drop=True)
    where = {int(p): i for i, p in enumerate(positions)}
    formula_cells = [FormulaCell(where[p], col, ref, f) for p, col, ref, f in formula_pos if p in where]
    if formula_cells:
        notes.append(f"{len(formula_cells)} formelceller saknar sparat värde (filen är inte sparad i Excel "
                     "efter att formlerna skrevs).")
    return SourceFrame(path, df, rows, None, None, first_header or 1, ", ".join(chosen), notes, [], sheet_series,
                       formula_cells)
