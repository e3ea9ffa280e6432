"""Reading Kolada data as CSV: the API's data flattened, one row per kpi, municipality, period and gender.

Columns (header row required, in any order): kpi, municipality, period, gender, value; optional count, status,
municipality_name, kpi_title, isdeleted. rKolada's names are accepted too (municipality_id, year). Separator
`;`, `,` or tab; with `;` a decimal comma is read. UTF-8 (with or without BOM) or Windows-1252.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from .catalogue import KpiInfo
from .frame import GENDERS, KoladaFileError, KoladaSnapshot, read_text, tidy_frame

REQUIRED = ("kpi", "municipality", "period", "gender", "value")
ALIASES = {"municipality_id": "municipality", "year": "period", "kpi_id": "kpi", "municipality_title":
           "municipality_name"}


def _delimiter(header: str) -> str:
    return max((";", "\t", ","), key=header.count)


def _float(text: str, decimal_comma: bool) -> float | None:
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if decimal_comma:
        t = t.replace(",", ".")
    if t == "":
        return None
    return float(t)


def read_csv(path: Path, catalogue: dict[str, KpiInfo] | None = None) -> KoladaSnapshot:
    text = read_text(path)
    if not text.strip():
        raise KoladaFileError(f"Kolada-filen {path} är tom.")
    sep = _delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in next(reader)]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise KoladaFileError(f"Kolada-filen {path}, rad 1 (rubrikraden): kolumnen {', '.join(missing)} saknas. "
                              f"Kolumner som krävs: {', '.join(REQUIRED)}. Filen har: {', '.join(header)}.")
    col = {name: i for i, name in enumerate(header)}
    rows, names, titles = [], {}, {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise KoladaFileError(f"Kolada-filen {path}, rad {line}: {len(record)} fält, men rubrikraden har "
                                  f"{len(header)} (skiljetecken \"{sep}\").")
        get = {name: record[i].strip() for name, i in col.items()}

        def fail(column: str, what: str):
            raise KoladaFileError(f"Kolada-filen {path}, rad {line}, kolumn {column}: {what}.")

        if get.get("isdeleted", "").lower() in ("true", "1", "ja"):
            continue
        if not get["kpi"]:
            fail("kpi", "nyckeltals-id saknas")
        if not get["municipality"]:
            fail("municipality", "kommunkod saknas")
        if not (get["period"].isdigit() and len(get["period"]) == 4):
            fail("period", f"\"{get['period']}\" är inget årtal")
        if get["gender"] not in GENDERS:
            fail("gender", f"\"{get['gender']}\" ska vara T, K eller M")
        try:
            value = _float(get["value"], sep == ";")
        except ValueError:
            fail("value", f"\"{get['value']}\" är inget tal")
        count = None
        if get.get("count"):
            try:
                count = int(get["count"])
            except ValueError:
                fail("count", f"\"{get['count']}\" är inget heltal")
        if get.get("municipality_name"):
            names[get["municipality"]] = get["municipality_name"]
        if get.get("kpi_title"):
            titles[get["kpi"]] = get["kpi_title"]
        rows.append((get["kpi"], get["municipality"], get["period"], get["gender"], value, count,
                     get.get("status", ""), f"rad {line}"))
    return KoladaSnapshot(tidy_frame(rows, path, names, titles, catalogue), path, names=names, kpi_titles=titles)
