"""Excel registration templates for step 1, generated from the schema declarations.

One workbook per occasion (före/under/efter) and canonical table in the plan: a data sheet whose headers are the
schema's Swedish labels (so a filled-in template reads back through the import without a mapping file), one row per
sampled client (pseudonym only) and data validation from the declarations (drop-down lists for codes, numeric
ranges, date cells), and an instruction sheet in Swedish. Templates list pseudonyms, so they are written under
``data/processed/<period>/urval/``, never under reports/.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name

from .. import schema
from ..atomic import replace_atomic
from .spec import PLAN_OCCASIONS, Plan

# Tables that come from the case-system export (step 2), not from caseworkers' registration.
CASE_SYSTEM_TABLES = ("clients", "cases")
BOOL_VALUES = ("ja", "nej")
DATE_FORMAT = "yyyy-mm-dd"
PREFILLED = "#E7E6E6"  # the fill of prefilled cells
HEADER = "#D9E1F2"     # the fill of header rows
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


def _fit(text: str, limit: int) -> str:
    """Excel refuses a validation whose message or title is longer than its limit (255 and 32 characters)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _list_source(values: list[str], name: str, codes: list[tuple[str, list[str]]]):
    """A drop-down list: inline when short, else a range of the hidden sheet "Koder" (``codes`` collects its
    columns, in order)."""
    if len(",".join(values)) <= INLINE_LIST_LIMIT:
        return list(values)
    codes.append((name, list(values)))
    letter = xl_col_to_name(len(codes) - 1)
    return f"=Koder!${letter}$2:${letter}${len(values) + 1}"


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


def _messages(label: str, rule: str) -> dict:
    return {"ignore_blank": True, "error_type": "stop", "show_error": True, "error_title": "Ogiltigt värde",
            "error_message": _fit(f"{label}: {rule}.", 255), "show_input": True,
            "input_title": _fit(label, 32), "input_message": _fit(rule, 255)}


def _validation(column: schema.Column, period: str, instruments: list[str],
                codes: list[tuple[str, list[str]]]) -> dict | None:
    """The column's data validation (xlsxwriter's options), or None when any value is allowed."""
    if column.kind == "code":
        values = list(instruments) if column.name == "instrument" and instruments else list(column.codes)
        rule = {"validate": "list", "source": _list_source(values, column.name, codes)}
    elif column.kind == "bool":
        rule = {"validate": "list", "source": _list_source(list(BOOL_VALUES), column.name, codes)}
    elif column.kind == "date":
        rule = {"validate": "date", "criteria": "between" if column.not_after_period else ">=",
                "minimum": "DATE(1900,1,1)"}
        if column.not_after_period:
            rule["maximum"] = f"DATE({int(period)},12,31)"
    elif column.kind in ("int", "float") and column.min is not None and column.max is not None:
        rule = {"validate": "integer" if column.kind == "int" else "decimal", "criteria": "between",
                "minimum": f"{column.min:g}", "maximum": f"{column.max:g}"}
    else:
        return None
    return {**rule, **_messages(column.label, _column_rule(column, period, instruments))}


def _score_validations(letter: str, instruments_per_row: list[str | None]) -> list[dict]:
    """measurements.score: each row gets the range of its instrument (one validation per instrument, over the
    runs of rows that have it)."""
    out = []
    for instrument in dict.fromkeys(i for i in instruments_per_row if i):
        spec = schema.INSTRUMENTS[instrument]
        rows = [row for row, i in enumerate(instruments_per_row, start=2) if i == instrument]
        out.append({"validate": "decimal", "criteria": "between", "minimum": f"{spec['min']:g}",
                    "maximum": f"{spec['max']:g}", "multi_range": " ".join(_runs(letter, rows)),
                    "ignore_blank": True, "show_error": True, "error_type": "stop", "error_title": "Ogiltigt värde",
                    "error_message": f"{spec['label']}: poängen ska ligga mellan {spec['min']} och {spec['max']}."})
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


def _validate(ws, first_row: int, col: int, last_row: int, options: dict) -> None:
    if ws.data_validation(first_row, col, last_row, col, options) != 0:  # xlsxwriter only warns
        raise ValueError(f"Valideringen av kolumn {xl_col_to_name(col)} i {ws.name} kunde inte skrivas: {options}")


def _instruction_sheet(book: Workbook, data_title: str, plan: Plan, table: str, occasion: str,
                       columns: list[schema.Column], prefilled: set[str], period: str, instruments: list[str]) -> None:
    ws = book.add_worksheet("Instruktioner")
    spec = schema.table(table)
    title, bold = book.add_format({"bold": True, "font_size": 14}), book.add_format({"bold": True})
    lines = [
        (f"Registrering {schema.OCCASION_LABELS[occasion].lower()}: {spec.label.lower()}", title),
        (f"{plan.name} – period {period}", bold),
        (f"Syfte: {plan.purpose}", None),
        ("", None),
        ("Så fyller du i mallen", bold),
        (f"1. Fyll i fliken \"{data_title}\": en rad per klient i urvalet.", None),
        ("2. Grå celler är redan ifyllda: ändra dem inte. Klient-id är en pseudonym.", None),
        ("3. Skriv aldrig personnummer, namn eller andra uppgifter som pekar ut en person.", None),
        ("4. Välj koder i listorna och skriv datum som ÅÅÅÅ-MM-DD. Excel stoppar värden utanför reglerna.", None),
        ("5. Ändra inte rubrikerna: filen läses in med dem. Spara som .xlsx och lämna den till analytikern.", None),
    ]
    for r in plan.registration:
        if r.get("vad") or r.get("nar") or r.get("vem"):
            lines.append((f"Planen: {r.get('vad', '')} – när: {r.get('nar', '')} – vem: {r.get('vem', '')}", None))
    lines.append(("", None))
    for row, (text, font) in enumerate(lines):
        if text:
            ws.write_string(row, 0, text, font)
    header = book.add_format({"bold": True, "bg_color": HEADER, "pattern": 1})
    ws.write_row(len(lines), 0, ["Kolumn", "Obligatorisk", "Förifylld", "Beskrivning", "Tillåtna värden"], header)
    for row, c in enumerate(columns, start=len(lines) + 1):
        ws.write_row(row, 0, [c.label, "ja" if c.required else "nej", "ja" if c.name in prefilled else "nej",
                              c.description or "", _column_rule(c, period, instruments)])
    for col, width in enumerate((34, 13, 11, 50, 60)):
        ws.set_column(col, col, width)


def _codes_sheet(book: Workbook, codes: list[tuple[str, list[str]]]) -> None:
    """The long drop-down lists, one column each under its column's name, on a hidden sheet."""
    ws = book.add_worksheet("Koder")
    for col, (name, values) in enumerate(codes):
        ws.write_column(0, col, [name, *values])
    ws.hide()


def write_workbook(target, plan: Plan, table: str, occasion: str, sample: pd.DataFrame, period: str) -> None:
    """Write the registration workbook for one table and occasion to ``target`` (a path or a binary file).

    Written with xlsxwriter: a data sheet whose every row carries its column's look (grey when prefilled, a date or
    text format), an instruction sheet, and a hidden sheet of long code lists when one is needed."""
    planned = template_tables(plan, occasion).get(table, [])
    columns = template_columns(table, planned)
    instruments = [i for i in plan.instruments if i in schema.INSTRUMENTS]
    prefill = template_rows(table, occasion, sample, period, instruments)
    last = max(2, len(prefill) + 1)  # the last row (Excel's numbering) the validations cover: the sample's, or one
    book = Workbook(target, {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    ws = book.add_worksheet(schema.table(table).label[:31])
    headers = {required: book.add_format({"bold": required, "bg_color": HEADER, "pattern": 1, "text_wrap": True,
                                           "valign": "top"}) for required in (False, True)}
    looks: dict[tuple, object] = {}

    def look(prefilled: bool, kind: str):
        if (prefilled, kind) not in looks:
            options = {"bg_color": PREFILLED, "pattern": 1} if prefilled else {}
            looks[prefilled, kind] = book.add_format(
                options | ({"num_format": {"date": DATE_FORMAT, "text": "@"}[kind]} if kind else {}))
        return looks[prefilled, kind]

    codes: list[tuple[str, list[str]]] = []
    for j, c in enumerate(columns):
        ws.write_string(0, j, c.label, headers[bool(c.required)])
        if c.description:
            ws.write_comment(0, j, c.description, {"author": "Mall"})
        kind = "date" if c.kind == "date" else "text" if c.kind in ("str", "code") else ""
        # The column's look is its default, so every row a caseworker adds has it; prefilled cells are grey.
        ws.set_column(j, j, max(14, min(40, len(c.label) + 4)), look(False, kind))
        if c.name in prefill:
            for i, v in enumerate(prefill[c.name].tolist(), start=1):
                if pd.isna(v):
                    ws.write_blank(i, j, None, look(True, kind))
                else:
                    ws.write_string(i, j, str(v), look(True, kind))
        if c.name == "score" and "instrument" in prefill:
            for options in _score_validations(xl_col_to_name(j), list(prefill["instrument"])):
                _validate(ws, 1, j, last - 1, options)
            continue
        options = _validation(c, period, instruments, codes)
        if options is not None and c.name not in prefill:
            _validate(ws, 1, j, last - 1, options)
    ws.freeze_panes(1, 0)
    _instruction_sheet(book, ws.name, plan, table, occasion, columns, set(prefill.columns), period, instruments)
    if codes:
        _codes_sheet(book, codes)
    book.close()


def template_path(sample_dir: Path, occasion: str, table: str) -> Path:
    return Path(sample_dir) / f"registrering_{occasion}_{table}.xlsx"


def write_templates(plan: Plan, sample: pd.DataFrame, sample_dir: Path, period: str) -> list[Path]:
    """Write every template of the plan (each occasion and table) under ``sample_dir``; returns the paths."""
    sample_dir = Path(sample_dir)
    sample_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for occasion in PLAN_OCCASIONS:
        for table in template_tables(plan, occasion):
            written.append(replace_atomic(template_path(sample_dir, occasion, table),
                                          lambda tmp, t=table, o=occasion: write_workbook(tmp, plan, t, o, sample,
                                                                                           str(period))))
    return written


def templates_overview(paths: list[Path]) -> pd.DataFrame:
    """Swedish table of the written templates for the notebook (file, occasion, table)."""
    rows = []
    for p in paths:
        _, occasion, table = p.stem.split("_", 2)
        rows.append({"Fil": p.name, "Tillfälle": schema.OCCASION_LABELS.get(occasion, occasion),
                     "Tabell": schema.table(table).label})
    return pd.DataFrame(rows, columns=["Fil", "Tillfälle", "Tabell"])
