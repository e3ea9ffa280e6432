"""A source frame -> canonical typed rows and the quarantine of the rows that fail.

Personnummer become pseudonyms here, ids are built from natural keys when the mapping says so, codes are
mapped, and every column is checked against the schema (helpers.collect.validation). Each input row with
at least one problem becomes one quarantine row naming its first problem; personnummer are never shown.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from .. import personnummer as pnr
from ..config import Config
from ..schema import table as table_spec
from . import keys, validation as v
from .batch import NATURAL_COLUMN, QUARANTINE_COLUMNS, SOURCE_COLUMN
from .frames import SourceFrame, norm
from .mapping import DEFAULT_DATE_FORMATS, PERSONNUMMER, Mapping, TableMapping

HIDDEN = "(dolt)"
DERIVED_FROM_PNR = ("client_id", "birth_year", "birth_day", "sex", "id_type")
KEY_HELP = ("Finns inget id i exporten kan mappningen bygga det ur andra kolumner, t.ex. "
            "nyckel: {{kolumner: [Personnummer, Enhet, Insats, Startdatum], id: {col}}} "
            "(se config/mappings/README.md).")


class ImportFileError(ValueError):
    """A file that cannot be used at all: empty, unreadable, a required column missing (Swedish message)."""

    def __init__(self, message: str, file: str | None = None):
        super().__init__(message)
        self.file = file


@dataclass
class Checked:
    typed: pd.DataFrame
    rejected: pd.DataFrame
    bad: pd.Index
    merged: pd.Index
    notes: list[str] = field(default_factory=list)
    natural_ids: pd.Series | None = None  # the natural key as a keyed hash, kept to compare with other files


def mapped_columns(table: str, src_columns: list[str], tmap: TableMapping, name: str) -> tuple[dict, list, list]:
    """Source column -> target for the columns present; dropped source columns; notes."""
    by_norm = {norm(c): c for c in src_columns}
    present, notes = {}, []
    spec = table_spec(table)
    for src, target in tmap.columns.items():
        actual = by_norm.get(norm(src))
        if actual is not None:
            present[actual] = target
        elif target == PERSONNUMMER or (target in spec.names and spec.column(target).required):
            label = "personnummer" if target == PERSONNUMMER else spec.column(target).label
            raise ImportFileError(f"Filen {name} saknar den obligatoriska kolumnen '{src}' ({label}) för "
                                  f"tabellen {table}. Kolumner i filen: {', '.join(src_columns)}.", name)
        else:
            notes.append(f"Kolumnen '{src}' ({target}) finns inte i filen.")
    missing_key = [c for c in tmap.key_columns if norm(c) not in by_norm]
    if missing_key:
        raise ImportFileError(f"Filen {name} saknar {', '.join(repr(c) for c in missing_key)}, som nyckeln för "
                              f"tabellen {table} byggs av. Kolumner i filen: {', '.join(src_columns)}.", name)
    if not present:
        raise ImportFileError(f"Filen {name} har inga kolumner som känns igen för tabellen {table} "
                              f"({spec.label}). Kolumner i filen: {', '.join(src_columns) or 'inga'}.", name)
    provided = set(present.values()) | set(tmap.constants) | ({tmap.key_id} if tmap.key_id else set())
    if PERSONNUMMER in provided:
        provided |= {"client_id"} | ({"birth_year", "birth_day", "sex", "id_type"} if table == "clients" else set())
    for col in spec.required:
        if col not in provided:
            c = spec.column(col)
            hint = " " + KEY_HELP.format(col=col) if col == spec.key[0] and col.endswith("_id") else ""
            raise ImportFileError(f"Filen {name} saknar den obligatoriska kolumnen '{c.label}' ({col}) för "
                                  f"tabellen {table}.{hint}", name)
    used = set(present) | {by_norm[norm(c)] for c in tmap.key_columns}
    dropped = [c for c in src_columns if c not in used]
    return present, dropped, notes


def _scrub_free_text(canon: pd.DataFrame, spec, reference: dt.date, notes: list[str]) -> None:
    """Free-text columns must not carry personnummer: such values are removed, and the summary says so."""
    for col in spec.columns:
        if col.kind != "str" or col.name == "client_id" or col.name not in canon:
            continue
        s = canon[col.name]
        hits = pnr.texts_with_personnummer(s.dropna().unique(), reference)
        if hits:
            mask = s.isin(hits).fillna(False)
            canon.loc[mask, col.name] = pd.NA
            notes.append(f"{int(mask.sum())} värden i kolumnen {col.name} innehöll personnummer och togs bort.")


def _natural_key(src: SourceFrame, tmap: TableMapping, mapping: Mapping | None, formats, reference):
    if not tmap.key_columns:
        return None, ""
    by_norm = {norm(c): c for c in src.df.columns}
    columns = [by_norm[norm(c)] for c in tmap.key_columns]
    pnr_cols = {by_norm[norm(c)] for c in (mapping.personnummer_columns if mapping else set()) if norm(c) in by_norm}
    pnr_cols |= {c for c in columns if norm(c) == PERSONNUMMER}
    return keys.natural_key(src.df, columns, pnr_cols, formats, reference), ", ".join(tmap.key_columns)


def check_rows(table: str, src: SourceFrame, tmap: TableMapping, present: dict, mapping: Mapping | None,
               config: Config, period: str, secret: bytes | None, lookup, other: pd.DataFrame | None,
               source: str) -> Checked:
    spec = table_spec(table)
    period_end = pd.Timestamp(int(period), 12, 31)
    reference = period_end.date()
    df, rows = src.df, src.rows
    notes: list[str] = []
    formats = mapping.date_formats if mapping else DEFAULT_DATE_FORMATS
    canon = pd.DataFrame(index=df.index)
    pnr_source = None
    for source_col, target in present.items():
        if target == PERSONNUMMER:
            pnr_source = source_col
        else:
            canon[target] = df[source_col].astype("string")
    for target, value in tmap.constants.items():
        canon[target] = pd.Series(str(value), index=df.index, dtype="string")
    natural, natural_label = _natural_key(src, tmap, mapping, formats, reference)
    natural_ids = None
    if tmap.key_id:
        canon[tmap.key_id] = keys.built_ids(natural, tmap.key_id, secret)
        notes.append(f"{tmap.key_id} byggdes ur kolumnerna {natural_label} (nyckelbaserad kod, utan personnummer).")
    elif natural is not None:
        natural_ids = keys.built_ids(natural, f"{NATURAL_COLUMN}{keys.SEP}{natural_label}", secret)
    problems = v.Problems()
    for cell in src.formula_cells:
        if cell.column in present:
            mask = pd.Series(df.index == cell.index, index=df.index)
            problems.add(mask, cell.column, None, v.R_FORMULA,
                         f"cellen {cell.cell} har formeln {cell.formula} men inget sparat värde; öppna filen i "
                         "Excel, låt den räkna om och spara den")
    if pnr_source is not None:
        ids = pnr.parse_series(df[pnr_source], secret, reference)
        problems.add(df[pnr_source].isna(), pnr_source, None, v.R_REQUIRED, "Personnummer")
        problems.add(ids["reason"].notna(), pnr_source, None, ids["reason"].fillna(""), "Personnummer")
        for t in (DERIVED_FROM_PNR if table == "clients" else ("client_id",)):
            if t in spec.names:
                derived = ids[t].astype("string")
                canon[t] = derived if t not in canon else canon[t].fillna(derived)
        n = int((ids["id_type"] == "samordningsnummer").sum())
        if n:
            notes.append(f"{n} rader har samordningsnummer.")
    _scrub_free_text(canon, spec, reference, notes)
    typed = _typed(table, spec, canon, tmap, mapping, config, problems, period_end, formats,
                   set(DERIVED_FROM_PNR) if pnr_source is not None else set())
    if table == "measurements" and {"instrument", "score"} <= set(typed.columns):
        v.check_scores(typed, canon, problems)
    v.check_order(spec, typed, canon, problems)
    notes += v.check_refs(spec, typed, canon, problems, lookup)
    merged = v.check_duplicates(spec, typed, rows, problems, merge_identical=(table == "clients"), natural=natural,
                                natural_label=natural_label, built_id=tmap.key_id is not None, other=other,
                                source_column=SOURCE_COLUMN, natural_ids=natural_ids, natural_column=NATURAL_COLUMN)
    if len(merged):
        notes.append(f"{len(merged)} rader gällde en klient som redan fanns på en tidigare rad eller i en annan "
                     "fil och slogs ihop.")
    rejected = _rejected_rows(problems.frame(), canon, rows, src.sheets, source, pnr_source, present)
    return Checked(typed, rejected, problems.bad_index(), merged, notes, natural_ids)


def _typed(table, spec, canon, tmap, mapping, config, problems, period_end, formats, derived) -> pd.DataFrame:
    units = config.units
    typed = pd.DataFrame(index=canon.index)
    decimal = mapping.decimal if mapping else ","
    for col in spec.columns:
        if col.name not in canon:
            continue
        if col.name in derived:
            col = replace(col, required=False)  # a missing or invalid personnummer is already reported
        if col.kind == "code" or col.name in tmap.codes:
            canon[col.name] = v.map_codes(canon[col.name], col, tmap.codes.get(col.name))
        if col.name == "unit" and units:
            canon[col.name] = v.map_units(canon[col.name], units)
        if table == "support_months" and col.name == "month":
            if col.required:
                problems.add(canon[col.name].isna(), col.name, canon[col.name], v.R_REQUIRED, col.label)
            typed[col.name] = v.check_months(canon[col.name], problems, period_end)
            continue
        typed[col.name] = v.check_column(canon, col, problems, period_end=period_end, date_formats=formats,
                                         decimal=decimal, units=units)
    return typed


def _rejected_rows(found: pd.DataFrame, canon: pd.DataFrame, rows: pd.Series, sheets: pd.Series | None,
                   source: str, pnr_source: str | None, present: dict) -> pd.DataFrame:
    if found.empty:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS + list(canon.columns))
    found = found.sort_values(["idx", "order"], kind="stable")
    shown = found["value"].astype("string")
    hide = (found["column"] == pnr_source).to_numpy() | [
        False if pd.isna(x) else pnr.looks_like_personnummer(x) for x in shown]
    found = found.assign(value=shown.mask(hide, HIDDEN),
                         column=found["column"].map(lambda c: present.get(c, c) if c != pnr_source else c))
    text = found["reason"] + ": " + found["column"].astype(str) + " (" + found["detail"].fillna("") + ")"
    first = found.groupby("idx", sort=True).first()
    others = _after_the_first(found["idx"].tolist(), text.tolist())
    out = pd.DataFrame({
        "Källfil": source, "Blad": sheets.loc[first.index].to_numpy() if sheets is not None else "",
        "Rad": rows.loc[first.index].to_numpy(), "Kolumn": first["column"].to_numpy(),
        "Värde": first["value"].to_numpy(), "Orsak": first["reason"].to_numpy(),
        "Detalj": first["detail"].to_numpy(), "Övriga fel": [others[i] for i in first.index]})
    values = canon.loc[first.index].reset_index(drop=True)
    return pd.concat([out, values], axis=1)


def _after_the_first(keys: list, texts: list[str]) -> dict:
    """Per key, its texts after the first joined with "; " (one pass; a grouped join built a Series per
    rejected row)."""
    runs: dict = {}
    for key, text in zip(keys, texts):
        runs.setdefault(key, []).append(text)
    return {key: "; ".join(run[1:]) for key, run in runs.items()}


def read_failures(src: SourceFrame, source: str) -> pd.DataFrame:
    """Quarantine rows for the lines the reader set aside (no values: the line could not be split)."""
    bad = src.bad_rows
    return pd.DataFrame({"Källfil": source, "Blad": [b.sheet or "" for b in bad], "Rad": [b.row for b in bad],
                         "Kolumn": "", "Värde": "", "Orsak": [b.reason for b in bad],
                         "Detalj": [b.detail for b in bad], "Övriga fel": ""}, columns=QUARANTINE_COLUMNS)
