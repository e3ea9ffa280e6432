"""Tables about an import for the notebooks of steps 2-4 (Swedish headings, one row per source)."""
from __future__ import annotations

import pandas as pd

from ..schema import table as table_spec
from .batch import QUARANTINE_COLUMNS
from .decoding import ENCODING_NAMES
from .sources import DELIMITER_NAMES


def summary_table(results) -> pd.DataFrame:
    rows = []
    for r in results:
        rows.append({"Tabell": f"{table_spec(r.table).label} ({r.table})", "Källfil": r.source,
                     "Kodning": ENCODING_NAMES.get(r.encoding, r.encoding) if r.encoding else f"Excel ({r.sheet})",
                     "Avgränsare": DELIMITER_NAMES.get(r.delimiter, r.delimiter) if r.delimiter else "–",
                     "Rader in": r.rows_in, "Godkända": r.accepted_rows, "Avvisade": len(r.rejected),
                     "varav sammanslagna": r.merged, "Poster i tabellen": len(r.accepted),
                     "Stämmer (in = godkända + avvisade)": "ja" if r.reconciled else "NEJ"})
    return pd.DataFrame(rows, columns=["Tabell", "Källfil", "Kodning", "Avgränsare", "Rader in", "Godkända",
                                       "Avvisade", "varav sammanslagna", "Poster i tabellen",
                                       "Stämmer (in = godkända + avvisade)"])


def reasons_table(results) -> pd.DataFrame:
    rows = [{"Tabell": r.table, "Källfil": r.source, "Orsak": reason, "Antal rader": n}
            for r in results for reason, n in sorted(r.reasons.items(), key=lambda kv: (-kv[1], kv[0]))]
    return pd.DataFrame(rows, columns=["Tabell", "Källfil", "Orsak", "Antal rader"])


def missing_table(results) -> pd.DataFrame:
    """Missing values per column among the accepted records of each import."""
    rows = []
    for r in results:
        spec = table_spec(r.table)
        n = len(r.accepted)
        for col in spec.columns:
            missing = int(r.accepted[col.name].isna().sum()) if col.name in r.accepted else n
            rows.append({"Tabell": r.table, "Källfil": r.source, "Kolumn": col.name, "Benämning": col.label,
                         "Obligatorisk": "ja" if col.required else "nej", "Poster": n, "Saknas": missing,
                         "Andel som saknas": (missing / n) if n else None})
    return pd.DataFrame(rows, columns=["Tabell", "Källfil", "Kolumn", "Benämning", "Obligatorisk", "Poster",
                                       "Saknas", "Andel som saknas"])


def quarantine_rows(results, limit: int = 20) -> pd.DataFrame:
    """The first rejected rows for a quick look in the audit trail: where and why, never the rejected value (a case
    number or personnummer there would identify a person; the quarantine file, which is internal, has it)."""
    shown = [c for c in QUARANTINE_COLUMNS if c != "Värde"]
    parts = [r.rejected[shown].assign(Tabell=r.table) for r in results if len(r.rejected)]
    if not parts:
        return pd.DataFrame(columns=["Tabell"] + shown)
    df = pd.concat(parts, ignore_index=True)
    return df[["Tabell"] + shown].head(limit)
