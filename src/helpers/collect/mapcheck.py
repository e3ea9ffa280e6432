"""`uppfoljning mapping check`: what a mapping would do to a file, before anything is imported.

The file is imported without writing (references are checked against the period's processed tables when
they exist) and the outcome is told per table: rows in, accepted, rejected, counts per reason, the first
rejected rows and the alarms the import would raise.
"""
from __future__ import annotations

from pathlib import Path

from ..formatting import integer, percent
from .alarms import settings, source_alarms, unit_alarms
from .importing import ImportFileError, import_file
from .mapping import Mapping, load_mapping
from .validation import R_UNIT

FIRST_ROWS = 10


def tables_for(mapping: Mapping, file: Path, tables: list[str] | None) -> list[str]:
    """The tables to check: those asked for, else those whose `fil` is the file, else the only one."""
    if tables:
        for t in tables:
            mapping.for_table(t)
        return list(tables)
    named = [t for t, spec in mapping.tables.items() if spec.file and Path(spec.file).name == file.name]
    if named:
        return named
    if len(mapping.tables) == 1:
        return list(mapping.tables)
    raise ImportFileError(f"Mappningen {mapping.path.name if mapping.path else mapping.name} anger ingen tabell "
                          f"med fil: {file.name}. Ange tabellen med --table (en av {', '.join(mapping.tables)}).",
                          str(file))


def check(mapping_path, file, period: str, config, data_dir="data", tables: list[str] | None = None):
    """Results of a dry-run import of `file` for each table (nothing is written)."""
    mapping = load_mapping(mapping_path, config)
    path = Path(file)
    return [import_file(t, path, period, mapping=mapping, config=config, data_dir=data_dir, write=False)
            for t in tables_for(mapping, path, tables)]


def report(results, config) -> list[str]:
    """Swedish lines for the terminal."""
    lines = []
    for r in results:
        share = f" ({percent(len(r.rejected) / r.rows_in)})" if r.rows_in else ""
        lines.append(f"{r.table}: {integer(r.rows_in)} rader in, {integer(r.accepted_rows)} skulle godkännas, "
                     f"{integer(len(r.rejected))} skulle avvisas{share}.")
        for reason, n in sorted(r.reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {integer(n)} × {reason}")
        if len(r.rejected):
            lines.append("  Första avvisade raderna:")
            for _, row in r.rejected.head(FIRST_ROWS).iterrows():
                where = f"rad {row['Rad']}" + (f" (blad {row['Blad']})" if str(row.get("Blad") or "") else "")
                value = f" = {row['Värde']!s}" if str(row["Värde"] or "") not in ("", "<NA>", "nan") else ""
                column = f" – {row['Kolumn']}{value}" if str(row["Kolumn"] or "") else ""
                lines.append(f"    {where}: {row['Orsak']}{column} ({row['Detalj']})")
        for note in r.notes:
            lines.append(f"  {note}")
    alarms = source_alarms(results, settings(config).max_share)
    if any(R_UNIT in r.reasons for r in results):  # a file need not have every unit; wrong unit codes matter
        alarms += unit_alarms(results, config.units)
    for alarm in alarms:
        lines.append(f"Larm: {alarm.meddelande}")
    return lines
