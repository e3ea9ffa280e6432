"""Writing the exports byte for byte reproducibly: CSV in the promised encoding and delimiter, Excel with
merged title rows, Excel dates and fixed timestamps (the same seed gives identical files)."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from ..atomic import replace_atomic
from .exports import SourceFile
from .faults import FAULT_COLUMN

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def write(source: SourceFile, folder: Path, period: str) -> tuple[Path, int]:
    """Write one export; returns its path and its number of data rows."""
    path = folder / source.name
    if source.is_excel:
        rows = _write_xlsx(source, path, period)
    else:
        df = source.sheets[""].frame.drop(columns=[FAULT_COLUMN], errors="ignore")
        text = df.to_csv(sep=source.delimiter, index=False, lineterminator="\r\n")
        _atomic(path, text.encode(source.encoding))
        rows = len(df)
    return path, rows


def _write_xlsx(source: SourceFile, path: Path, period: str) -> int:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    rows = 0
    for name, sheet in source.sheets.items():
        ws = wb.create_sheet(name)
        df = sheet.frame.drop(columns=[FAULT_COLUMN], errors="ignore")
        if sheet.title:
            ws.append([sheet.title])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(df.columns))
            ws.cell(1, 1).font = Font(bold=True, size=13)
        ws.append(list(df.columns))
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for values in df.itertuples(index=False, name=None):
            ws.append([None if v is None or (isinstance(v, float) and v != v) else v for v in values])
        for col in ws.iter_cols(min_row=ws.max_row - len(df) + 1):
            for cell in col:
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    cell.number_format = "yyyy-mm-dd"
        for i, column in enumerate(df.columns, 1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = max(12, len(str(column)) + 4)
        rows += len(df)
    stamp = dt.datetime(int(period) + 1, 1, 15, 8, 0, 0)
    wb.properties.creator = "Exempelkommun"
    wb.properties.created = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    _atomic(path, _reproducible_zip(buffer.getvalue(), stamp))
    return rows


def _atomic(path: Path, data: bytes) -> None:
    replace_atomic(path, lambda tmp: Path(tmp).write_bytes(data))


def _reproducible_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The same workbook as bytes that do not depend on when it was written: fixed entry times and a fixed
    'modified' in the document properties (openpyxl stamps the current time on save)."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + iso.encode() + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, content)
    return out.getvalue()
