"""Excel registration templates for step 1, generated from the schema declarations.

One workbook per occasion (före/under/efter) and canonical table in the plan: a data sheet whose headers are the
schema's Swedish labels (so a filled-in template reads back through the import without a mapping file), one row per
sampled client (pseudonym only) and data validation from the declarations (drop-down lists for codes, numeric
ranges, date cells), and an instruction sheet in Swedish. Templates list pseudonyms, so they are written under
``data/processed/<period>/urval/``, never under reports/.
"""
from __future__ import annotations

from copy import copy
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation

from .. import schema
from ..atomic import replace_atomic
from .spec import PLAN_OCCASIONS, Plan

# Tables that come from the case-system export (step 2), not from caseworkers' registration.
CASE_SYSTEM_TABLES = ("clients", "cases")
BOOL_VALUES = ("ja", "nej")
DATE_FORMAT = "yyyy-mm-dd"
PREFILLED = PatternFill("solid", fgColor="E7E6E6")
HEADER = PatternFill("solid", fgColor="D9E1F2")
INLINE_LIST_LIMIT = 250  # Excel limits an inline list to 255 characters


def template_tables(plan: Plan, occasion: str) -> dict[str, list[str]]:
    """Table -> planned columns for one occasion, without the tables the case system delivers."""
    return {t: cols for t, cols in plan.variables_by_table(occasion).items() if t not in CASE_SYSTEM_TABLES}


def template_columns(table: str, planned: list[str]) -> list[schema.Column]:
    """The columns of a template: the table's key and required columns plus the planned ones, in schema order."""
    spec = schema.table(table)
    wanted = set(spec.key) | set(spec.required) | set(planned)
    return [c for c in spec.columns if c.name in wanted]


def _own_id(table: str) -> str | None:
    """The table's own identifier column (e.g. measurement_id), generated in the template."""
    spec = schema.table(table)
    first = spec.column(spec.key[0])
    return first.name if first.name.endswith("_id") and not first.ref and first.name != "client_id" else None


def _generated_id(table: str, occasion: str, period: str, row: int) -> str:
    # Goals are set before the intervention and followed up after it: one id per client, shared by occasions.
    if table == "goals":
        return f"R{period}-mal-{row:04d}"
    return f"R{period}-{table}-{occasion}-{row:04d}"


def template_rows(table: str, occasion: str, sample: pd.DataFrame, period: str,
                  instruments: list[str]) -> pd.DataFrame:
    """Prefilled values: one row per sampled client (per instrument for measurements), pseudonym only."""
    clients = sample.drop_duplicates("client_id").reset_index(drop=True)
    per_client = list(instruments or [None]) if table == "measurements" else [None]
    repeat = len(per_client)
    df = pd.DataFrame({  # client by client, each with its instruments in the plan's order
        "client_id": clients["client_id"].repeat(repeat).to_numpy(),
        "case_id": (clients["case_id"] if "case_id" in clients else pd.Series(None, index=clients.index,
                                                                             dtype=object)).repeat(repeat).to_numpy(),
        "_row": (clients.index + 1).repeat(repeat).to_numpy(),
        "instrument": per_client * len(clients)})
    cols = schema.table(table).names
    own = _own_id(table)
    out = pd.DataFrame(index=df.index)
    if own:
        suffix = df["instrument"].fillna("").map(lambda s: f"-{s}" if s else "")
        out[own] = [_generated_id(table, occasion, period, n) for n in df["_row"]] + suffix
    if "client_id" in cols:
        out["client_id"] = df["client_id"]
    if "case_id" in cols:
        out["case_id"] = df["case_id"]
    if table == "goal_followups":
        out["goal_id"] = [_generated_id("goals", occasion, period, n) for n in df["_row"]]
    if "occasion" in cols:
        out["occasion"] = occasion
    if table == "measurements" and instruments:
        out["instrument"] = df["instrument"]
    return out


def _list_validation(wb: Workbook, values: list[str], name: str) -> DataValidation:
    text = ",".join(values)
    if len(text) <= INLINE_LIST_LIMIT:
        return DataValidation(type="list", formula1=f'"{text}"', allow_blank=True)
    codes = wb["Koder"] if "Koder" in wb.sheetnames else wb.create_sheet("Koder")
    codes.sheet_state = "hidden"
    col = codes.max_column + 1 if codes.max_row > 1 or codes["A1"].value else 1
    letter = get_column_letter(col)
    codes.cell(row=1, column=col, value=name)
    for i, v in enumerate(values, start=2):
        codes.cell(row=i, column=col, value=v)
    return DataValidation(type="list", formula1=f"Koder!${letter}$2:${letter}${len(values) + 1}", allow_blank=True)


def _column_rule(column: schema.Column, period: str, instruments: list[str]) -> str:
    """The allowed values, in Swedish, for the instruction sheet."""
    if column.kind == "code":
        codes = instruments if column.name == "instrument" and instruments else column.codes
        return "välj i listan: " + ", ".join(codes)
    if column.kind == "bool":
        return "ja eller nej"
    if column.kind == "date":
        return "datum ÅÅÅÅ-MM-DD" + (f", senast {period}-12-31" if column.not_after_period else "")
    if column.name == "score" and instruments:
        return "; ".join(f"{schema.INSTRUMENTS[i]['label']}: {schema.INSTRUMENTS[i]['min']}–"
                         f"{schema.INSTRUMENTS[i]['max']}" for i in instruments)
    kind = "heltal" if column.kind == "int" else "tal"
    if column.min is not None and column.max is not None:
        return f"{kind} {column.min:g}–{column.max:g}"
    return "text" if column.kind == "str" else kind


def _validation(wb: Workbook, column: schema.Column, period: str, instruments: list[str]) -> DataValidation | None:
    if column.kind == "code":
        codes = list(instruments) if column.name == "instrument" and instruments else list(column.codes)
        dv = _list_validation(wb, codes, column.name)
    elif column.kind == "bool":
        dv = _list_validation(wb, list(BOOL_VALUES), column.name)
    elif column.kind == "date":
        if column.not_after_period:
            dv = DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)",
                                formula2=f"DATE({int(period)},12,31)", allow_blank=True)
        else:
            dv = DataValidation(type="date", operator="greaterThanOrEqual", formula1="DATE(1900,1,1)",
                                allow_blank=True)
    elif column.kind in ("int", "float") and column.min is not None and column.max is not None:
        dv = DataValidation(type="whole" if column.kind == "int" else "decimal", operator="between",
                            formula1=f"{column.min:g}", formula2=f"{column.max:g}", allow_blank=True)
    else:
        return None
    dv.error = f"{column.label}: {_column_rule(column, period, instruments)}."
    dv.errorTitle = "Ogiltigt värde"
    dv.errorStyle = "stop"
    dv.showErrorMessage = True
    dv.prompt = _column_rule(column, period, instruments)
    dv.promptTitle = column.label[:32]
    dv.showInputMessage = True
    return dv


def _score_validations(letter: str, instruments_per_row: list[str | None]) -> list[DataValidation]:
    """measurements.score: each row gets the range of its instrument."""
    out = []
    for instrument in dict.fromkeys(i for i in instruments_per_row if i):
        spec = schema.INSTRUMENTS[instrument]
        dv = DataValidation(type="decimal", operator="between", formula1=f"{spec['min']:g}",
                            formula2=f"{spec['max']:g}", allow_blank=True, showErrorMessage=True,
                            errorStyle="stop", errorTitle="Ogiltigt värde",
                            error=f"{spec['label']}: poängen ska ligga mellan {spec['min']} och {spec['max']}.")
        # One range per run of rows: adding the cells one at a time takes quadratic time in openpyxl.
        rows = [row for row, i in enumerate(instruments_per_row, start=2) if i == instrument]
        dv.sqref = MultiCellRange(" ".join(_runs(letter, rows)))
        out.append(dv)
    return out


def _runs(letter: str, rows: list[int]) -> list[str]:
    """Consecutive rows as ranges: [2, 3, 4, 7] -> ["D2:D4", "D7"]."""
    out, start = [], None
    for k, row in enumerate(rows):
        if start is None:
            start = row
        if k + 1 == len(rows) or rows[k + 1] != row + 1:
            out.append(f"{letter}{start}" if start == row else f"{letter}{start}:{letter}{row}")
            start = None
    return out


def _instruction_sheet(wb: Workbook, plan: Plan, table: str, occasion: str, columns: list[schema.Column],
                       prefilled: set[str], period: str, instruments: list[str]) -> None:
    ws = wb.create_sheet("Instruktioner")
    spec = schema.table(table)
    lines = [
        (f"Registrering {schema.OCCASION_LABELS[occasion].lower()}: {spec.label.lower()}", Font(bold=True, size=14)),
        (f"{plan.name} – period {period}", Font(bold=True)),
        (f"Syfte: {plan.purpose}", None),
        ("", None),
        ("Så fyller du i mallen", Font(bold=True)),
        (f"1. Fyll i fliken \"{ws.parent.worksheets[0].title}\": en rad per klient i urvalet.", None),
        ("2. Grå celler är redan ifyllda: ändra dem inte. Klient-id är en pseudonym.", None),
        ("3. Skriv aldrig personnummer, namn eller andra uppgifter som pekar ut en person.", None),
        ("4. Välj koder i listorna och skriv datum som ÅÅÅÅ-MM-DD. Excel stoppar värden utanför reglerna.", None),
        ("5. Ändra inte rubrikerna: filen läses in med dem. Spara som .xlsx och lämna den till analytikern.", None),
    ]
    for r in plan.registration:
        if r.get("vad") or r.get("nar") or r.get("vem"):
            lines.append((f"Planen: {r.get('vad', '')} – när: {r.get('nar', '')} – vem: {r.get('vem', '')}", None))
    lines.append(("", None))
    for text, font in lines:
        ws.append([text])
        if font:
            ws.cell(row=ws.max_row, column=1).font = font
    ws.append(["Kolumn", "Obligatorisk", "Förifylld", "Beskrivning", "Tillåtna värden"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER
    for c in columns:
        ws.append([c.label, "ja" if c.required else "nej", "ja" if c.name in prefilled else "nej",
                   c.description, _column_rule(c, period, instruments)])
    for letter, width in zip("ABCDE", (34, 13, 11, 50, 60)):
        ws.column_dimensions[letter].width = width


def build_workbook(plan: Plan, table: str, occasion: str, sample: pd.DataFrame, period: str) -> Workbook:
    """The registration workbook for one table and occasion."""
    planned = template_tables(plan, occasion).get(table, [])
    columns = template_columns(table, planned)
    instruments = [i for i in plan.instruments if i in schema.INSTRUMENTS]
    prefill = template_rows(table, occasion, sample, period, instruments)
    wb = Workbook()
    ws = wb.active
    ws.title = schema.table(table).label[:31]
    ws.append([c.label for c in columns])
    for j, c in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j)
        cell.font = Font(bold=c.required)
        cell.fill = HEADER
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if c.description:
            cell.comment = Comment(c.description, "Mall")
        ws.column_dimensions[get_column_letter(j)].width = max(14, min(40, len(c.label) + 4))
    last = max(2, len(prefill) + 1)
    values = [prefill[c.name].astype(object).where(prefill[c.name].notna(), None).tolist() if c.name in prefill
              else [None] * len(prefill) for c in columns]
    for row in zip(*values):
        ws.append(list(row))
    for j, c in enumerate(columns, start=1):
        letter = get_column_letter(j)
        first = ws.cell(row=2, column=j)
        if c.name in prefill:
            first.fill = PREFILLED
        if c.kind == "date":
            first.number_format = DATE_FORMAT
        elif c.kind in ("str", "code"):
            first.number_format = "@"
        for r in range(3, last + 1):  # the same style: copied, not looked up again for every cell (most of the time)
            ws.cell(row=r, column=j)._style = copy(first._style)
        if c.name == "score" and "instrument" in prefill:
            for dv in _score_validations(letter, list(prefill["instrument"])):
                ws.add_data_validation(dv)
            continue
        dv = _validation(wb, c, period, instruments)
        if dv is not None and c.name not in prefill:
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    _instruction_sheet(wb, plan, table, occasion, columns, set(prefill.columns), period, instruments)
    wb.active = 0
    return wb


def template_path(sample_dir: Path, occasion: str, table: str) -> Path:
    return Path(sample_dir) / f"registrering_{occasion}_{table}.xlsx"


def write_templates(plan: Plan, sample: pd.DataFrame, sample_dir: Path, period: str) -> list[Path]:
    """Write every template of the plan (each occasion and table) under ``sample_dir``; returns the paths."""
    sample_dir = Path(sample_dir)
    sample_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for occasion in PLAN_OCCASIONS:
        for table in template_tables(plan, occasion):
            wb = build_workbook(plan, table, occasion, sample, str(period))
            written.append(replace_atomic(template_path(sample_dir, occasion, table), wb.save))
    return written


def templates_overview(paths: list[Path]) -> pd.DataFrame:
    """Swedish table of the written templates for the notebook (file, occasion, table)."""
    rows = []
    for p in paths:
        _, occasion, table = p.stem.split("_", 2)
        rows.append({"Fil": p.name, "Tillfälle": schema.OCCASION_LABELS.get(occasion, occasion),
                     "Tabell": schema.table(table).label})
    return pd.DataFrame(rows, columns=["Fil", "Tillfälle", "Tabell"])
