"""Mappings from a source system's export to the canonical tables (YAML under config/mappings/).

```yaml
namn: Verksamhetssystem (CSV-export)
filformat: {encoding: auto, delimiter: auto, decimal: ",", datumformat: ["%Y-%m-%d"]}
tabeller:
  cases:
    fil: arenden.csv        # optional default file
    ark: Mål                # xlsx sheet
    rubrikrad: 2            # 1-based header row
    kolumner: {Personnummer: personnummer, Ärendenummer: case_id}
    koder: {unit: {"Barn och unga": barn_unga}}
    fasta: {source: övrigt}
```
Without a mapping the file's headers are the canonical column names or the schema's Swedish labels.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..resources import CONFIG_DIR
from ..schema import table as table_spec

PERSONNUMMER = "personnummer"  # special target: validated, then replaced by client_id
DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y",
                        "%Y/%m/%d")


class MappingError(ValueError):
    """A mapping file that cannot be used (Swedish message naming the file)."""


@dataclass(frozen=True)
class TableMapping:
    table: str
    columns: dict[str, str]  # source column -> canonical column (or "personnummer")
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    file: str | None = None
    sheet: str | None = None
    header_row: int | None = None


@dataclass(frozen=True)
class Mapping:
    name: str
    path: Path | None
    tables: dict[str, TableMapping]
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = ","
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS

    def for_table(self, table: str) -> TableMapping:
        if table not in self.tables:
            where = self.path.name if self.path else self.name
            raise MappingError(f"Mappningen {where} beskriver inte tabellen '{table}'. "
                               f"Den beskriver: {', '.join(self.tables) or 'inga tabeller'}.")
        return self.tables[table]


def resolve_mapping_path(name: str | Path, config=None) -> Path:
    """A mapping file: as given, else under the config's mappings folder, else under config/mappings/."""
    p = Path(name).expanduser()
    candidates = [p]
    if not p.is_absolute():
        if config is not None:
            candidates.append(config.dir / "mappings" / p)
        candidates.append(CONFIG_DIR / "mappings" / p)
    for c in candidates:
        if c.is_file():
            return c
    raise MappingError(f"Mappningsfilen {name} finns inte (sökt i {', '.join(str(c.parent) for c in candidates)}).")


def _str_dict(value, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MappingError(f"{where} ska vara en tabell (nyckel: värde).")
    return {str(k): str(v) for k, v in value.items() if v is not None}


def load_mapping(name: str | Path, config=None) -> Mapping:
    path = resolve_mapping_path(name, config)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"Mappningsfilen {path.name} kunde inte läsas: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("tabeller"), dict):
        raise MappingError(f"Mappningsfilen {path.name} saknar avsnittet 'tabeller'.")
    fmt = data.get("filformat") or {}
    tables = {}
    for tname, spec in data["tabeller"].items():
        where = f"Mappningsfilen {path.name}, tabell '{tname}'"
        try:
            schema = table_spec(str(tname))
        except KeyError as exc:
            raise MappingError(f"{where}: {exc.args[0]}") from None
        spec = spec or {}
        columns = _str_dict(spec.get("kolumner"), f"{where}: 'kolumner'")
        for src, target in columns.items():
            if target != PERSONNUMMER and target not in schema.names:
                raise MappingError(f"{where}: källkolumnen '{src}' mappas till '{target}', som inte är en "
                                   f"kolumn i {tname}. Kolumner: {', '.join(schema.names)}.")
        codes = {}
        for col, table_codes in (spec.get("koder") or {}).items():
            codes[str(col)] = _str_dict(table_codes, f"{where}: 'koder' för {col}")
        header = spec.get("rubrikrad")
        tables[str(tname)] = TableMapping(
            str(tname), columns, codes, _str_dict(spec.get("fasta"), f"{where}: 'fasta'"),
            spec.get("fil"), None if spec.get("ark") is None else str(spec.get("ark")),
            int(header) if header not in (None, "", "auto") else None)
    formats = fmt.get("datumformat") or []
    formats = tuple(dict.fromkeys([*(str(f) for f in formats), *DEFAULT_DATE_FORMATS]))
    enc = fmt.get("encoding")
    delim = fmt.get("delimiter")
    return Mapping(str(data.get("namn") or path.stem), path, tables,
                   None if enc in (None, "auto") else str(enc),
                   None if delim in (None, "auto") else str(delim), str(fmt.get("decimal") or ","), formats)


def _norm(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def identity_mapping(table: str, headers: list[str]) -> TableMapping:
    """Map headers that are canonical column names or the schema's Swedish labels (case-insensitive)."""
    spec = table_spec(table)
    lookup = {}
    for c in spec.columns:
        lookup[_norm(c.label)] = c.name
        lookup[_norm(c.name)] = c.name
    if table == "clients" or "client_id" in spec.names:
        lookup.setdefault(_norm(PERSONNUMMER), PERSONNUMMER)
    columns = {}
    for h in headers:
        target = lookup.get(_norm(h))
        if target and target not in columns.values():
            columns[h] = target
    return TableMapping(table, columns)


def expected_headers(table: str, mapping: TableMapping | None) -> set[str]:
    """Column names that identify the header row of a file for `table`."""
    if mapping is not None and mapping.columns:
        return set(mapping.columns)
    spec = table_spec(table)
    return {c.name for c in spec.columns} | {c.label for c in spec.columns}
