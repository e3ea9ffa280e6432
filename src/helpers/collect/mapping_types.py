"""What a mapping is once read: the source columns, codes and constants for each canonical table, and the
file format (helpers.collect.mapping reads them, helpers.collect.mapping_file checks a file)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PERSONNUMMER = "personnummer"  # special target: validated, then replaced by client_id
DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y",
                        "%Y/%m/%d")


class MappingError(ValueError):
    """A mapping file that cannot be used (Swedish message naming the file)."""

    def __init__(self, message: str, file: str | None = None):
        super().__init__(message)
        self.file = file


@dataclass(frozen=True)
class TableMapping:
    table: str
    columns: dict[str, str]  # source column -> canonical column (or "personnummer")
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    file: str | None = None
    sheet: str | tuple[str, ...] | None = None
    header_row: int | None = None
    key_columns: tuple[str, ...] = ()  # natural key: source columns
    key_id: str | None = None  # canonical column built from the natural key (a keyed hash)


@dataclass(frozen=True)
class Mapping:
    name: str
    path: Path | None
    tables: dict[str, TableMapping]
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = ","
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    notes: tuple[str, ...] = ()  # about the file itself (its encoding)
    tables_line: int | None = None  # the line of 'tabeller:'

    def for_table(self, table: str) -> TableMapping:
        if table not in self.tables:
            where = self.path.name if self.path else self.name
            line = f" (tabellerna står under 'tabeller' på rad {self.tables_line})" if self.tables_line else ""
            raise MappingError(f"Mappningen {where} beskriver inte tabellen '{table}'{line}. "
                               f"Den beskriver: {', '.join(self.tables) or 'inga tabeller'}.",
                               str(self.path) if self.path else None)
        return self.tables[table]

    @property
    def personnummer_columns(self) -> set[str]:
        """Source columns mapped to personnummer in any table: keys built from them use the number."""
        return {s for t in self.tables.values() for s, target in t.columns.items() if target == PERSONNUMMER}
