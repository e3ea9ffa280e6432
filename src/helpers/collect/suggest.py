"""A commented mapping skeleton from an export's headers (`uppfoljning mapping suggest`).

Headers are matched to the table's columns by their canonical names, the schema's Swedish labels and the
usual names in Swedish case-system exports. For every coded column the skeleton lists the allowed codes
(helpers.schema, and the config's units) and the values found in the file, mapped where the value is
already a code or its label. An export without the table's id gets a `nyckel` that builds it. The result
is a valid mapping that `uppfoljning mapping check` can try at once; what is left to decide is commented.
"""
from __future__ import annotations

import difflib
import json
from pathlib import Path

import yaml

from ..personnummer import looks_like_personnummer
from ..schema import ATTAINMENT_LABELS, OCCASION_LABELS, table as table_spec
from .dates import parse_date
from .decoding import ENCODING_NAMES
from .frames import norm
from .mapping import DEFAULT_DATE_FORMATS, PERSONNUMMER, expected_headers
from .mapping_file import validate_mapping
from .sources import DELIMITER_NAMES, read_source

MAX_VALUES = 25
SYNONYMS = {
    PERSONNUMMER: ["personnummer", "pnr", "personnr", "person-nr", "personnummer/samordningsnummer",
                   "samordningsnummer", "personid"],
    "unit": ["enhet", "verksamhet", "avdelning", "enhetsnamn"],
    "type": ["insats", "insatstyp", "typ av insats", "insatsnamn", "typ"],
    "start": ["startdatum", "start", "från", "fr.o.m.", "from", "påbörjad"],
    "end": ["slutdatum", "slut", "till", "t.o.m.", "tom", "avslutad"],
    "end_reason": ["avslutsorsak", "avslutningsorsak", "orsak till avslut", "avslut"],
    "provider": ["utförare", "leverantör"],
    "decided": ["beslutsdatum", "beslut", "beslutad"],
    "opened": ["aktualiseringsdatum", "aktualiserad", "inkom"],
    "closed": ["avslutsdatum", "avslutad"],
    "case_id": ["ärendenummer", "ärende", "ärende-id", "ärendenr"],
    "intervention_id": ["insatsnummer", "insats-id", "insatsnr", "insatsid"],
    "date": ["datum"],
}
# Columns that together say which record a row is, per table, for exports without ids.
NATURAL_KEYS = {
    "cases": [PERSONNUMMER, "unit", "opened"],
    "investigations": [PERSONNUMMER, "report_received"],
    "interventions": [PERSONNUMMER, "unit", "type", "start"],
    "placements": [PERSONNUMMER, "form", "start"],
    "support_applications": [PERSONNUMMER, "first_contact"],
    "measurements": [PERSONNUMMER, "instrument", "occasion", "date"],
    "goals": [PERSONNUMMER, "intervention_id", "set_on", "area"],
    "incidents": ["type", "date", "category", "unit"],
}
_LABELS = {"attainment": ATTAINMENT_LABELS, "occasion": OCCASION_LABELS}


def q(text) -> str:
    """A YAML scalar in double quotes (JSON strings are valid YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


def match_headers(table: str, headers: list[str]) -> dict[str, str]:
    """Header -> canonical column (or personnummer), each column at most once."""
    spec = table_spec(table)
    targets = set(spec.names) | ({PERSONNUMMER} if "client_id" in spec.names else set())
    lookup = {}
    for c in spec.columns:
        lookup.setdefault(norm(c.name), c.name)
        lookup.setdefault(norm(c.label), c.name)
    for target, words in SYNONYMS.items():
        if target in targets:
            for w in words:
                lookup.setdefault(norm(w), target)
    if PERSONNUMMER in targets:
        lookup[norm(PERSONNUMMER)] = PERSONNUMMER
    found: dict[str, str] = {}
    for h in headers:
        target = lookup.get(norm(h))
        if target is None:
            close = difflib.get_close_matches(norm(h), list(lookup), n=1, cutoff=0.85)
            target = lookup[close[0]] if close else None
        if target and target not in found.values() and not (target == "client_id"):
            found[h] = target
    return found


def _code_lines(table: str, column: str, values: list[str], units: dict[str, str]) -> list[str]:
    col = table_spec(table).column(column)
    if column == "unit":
        allowed = {code: name for code, name in units.items()}
    else:
        allowed = {code: _LABELS.get(column, {}).get(code, code) for code in col.codes}
    lookup = {norm(code): code for code in allowed} | {norm(label): code for code, label in allowed.items()}
    shown = ", ".join(allowed) if allowed else "(inga: ange enheter i konfigurationen)"
    lines = [f"      {column}:   # tillåtna koder: {shown}"]
    for value in values:
        code = lookup.get(norm(value))
        if code is not None:
            lines.append(f"        {q(value)}: {q(code)}")
            continue
        close = difflib.get_close_matches(norm(value), list(lookup), n=1, cutoff=0.6)
        maybe = f" (kanske {lookup[close[0]]})" if close else ""
        lines.append(f"        # {q(value)}: ?   # ← välj en av koderna ovan{maybe}")
    return lines


def _date_formats(src_df, date_columns: list[str]) -> list[str]:
    used = []
    for c in date_columns:
        for value in src_df[c].dropna().astype(str).unique()[:200]:
            for fmt in DEFAULT_DATE_FORMATS:
                if parse_date(value.strip(), [fmt]) is not None:
                    if fmt not in used:
                        used.append(fmt)
                    break
    return used or ["%Y-%m-%d"]


def suggest_mapping(path: str | Path, table: str, units: dict[str, str] | None = None) -> str:
    """The skeleton as YAML text (checked to load as a valid mapping)."""
    spec = table_spec(table)
    p = Path(path)
    src = read_source(p, expected=expected_headers(table, None))
    headers = list(src.df.columns)
    found = match_headers(table, headers)
    units = units or {}
    enc = {"utf-8-sig": "utf-8", None: None}.get(src.encoding, src.encoding)
    out = [f"# Mappning för tabellen {table} ({spec.label}), skapad ur {p.name} med 'uppfoljning mapping suggest'.",
           "# Läs config/mappings/README.md, fyll i det som är kommenterat och prova med",
           f"#   uppfoljning mapping check <den här filen> {p.name}",
           f"namn: {q(p.stem + ' (förslag)')}", "filformat:"]
    if src.encoding:
        out += [f"  encoding: {q(enc)}   # {ENCODING_NAMES.get(src.encoding, src.encoding)}, som filen lästes",
                f"  delimiter: {q(src.delimiter)}   # {DELIMITER_NAMES.get(src.delimiter, src.delimiter)}"]
    dates = [h for h, t in found.items() if t in spec.names and spec.column(t).kind == "date"]
    out += ['  decimal: ","', f"  datumformat: [{', '.join(q(f) for f in _date_formats(src.df, dates))}]",
            "tabeller:", f"  {table}:", f"    fil: {q(p.name)}"]
    if src.sheet:
        sheets = src.sheet.split(", ")
        out.append(f"    ark: {q(sheets[0]) if len(sheets) == 1 else '[' + ', '.join(q(s) for s in sheets) + ']'}")
    out.append(f"    rubrikrad: {src.header_row}")
    out.append("    kolumner:")
    for h in headers:
        target = found.get(h)
        if target is None:
            out.append(f"      # {q(h)}: ?   # ← ingen motsvarighet hittades; kolumnen tas bort vid import")
            continue
        label = "personnummer, ersätts av en pseudonym" if target == PERSONNUMMER else spec.column(target).label
        required = target == PERSONNUMMER or spec.column(target).required
        out.append(f"      {q(h)}: {target}   # {label}{' (obligatorisk)' if required else ''}")
    mapped = set(found.values())
    missing = [c for c in spec.required if c not in mapped and not (c == "client_id" and PERSONNUMMER in mapped)]
    id_col = spec.key[0]
    key_lines = []
    if id_col in missing and id_col.endswith("_id"):
        natural = NATURAL_KEYS.get(table, [])
        by_target = {t: h for h, t in found.items()}
        cols = [by_target[t] for t in natural if t in by_target]
        prefix = "" if natural and len(cols) == len(natural) else "# "
        key_lines = [f"    # Filen har inget {id_col}: det byggs ur kolumnerna nedan (en nyckelbaserad kod utan "
                     "personnummer),", "    # och rader med samma nyckel räknas som dubbletter.",
                     f"    {prefix}nyckel:", f"    {prefix}  kolumner: [{', '.join(q(c) for c in cols) or '?'}]",
                     f"    {prefix}  id: {id_col}"]
        missing.remove(id_col)
    if missing:
        out.append("    # Obligatoriska kolumner som saknas i filen: " +
                   ", ".join(f"{c} ({spec.column(c).label})" for c in missing))
    coded = [(h, t) for h, t in found.items() if t in spec.names and (spec.column(t).kind == "code" or t == "unit")]
    if coded:
        out.append("    koder:")
        for h, t in coded:
            values = [v for v in src.df[h].dropna().astype(str).str.strip().value_counts().index[:MAX_VALUES]
                      if not looks_like_personnummer(v)]
            out += _code_lines(table, t, values, units)
    out += key_lines
    text = "\n".join(out) + "\n"
    validate_mapping(yaml.safe_load(text), p.name)  # the skeleton must load as it is
    return text
