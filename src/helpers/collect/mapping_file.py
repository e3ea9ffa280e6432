"""The mapping file's format as a pydantic model, and its check: every fault named in Swedish with the file, the
line, the key and what is expected (see helpers.collect.mapping, which imports this module only to check a file it
has not seen pass: pydantic costs ~0,3 s of a core to import in each process of a run)."""
from __future__ import annotations

import codecs
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError
from yaml import YAMLError

from ..schema import TABLES, table as table_spec
from ..schema_messages import quoted_hint
from ..yamldoc import YamlDocument, YamlFileError, read_yaml, syntax_problem
from .mapping_types import DEFAULT_DATE_FORMATS, PERSONNUMMER, Mapping, MappingError, TableMapping

DELIMITERS = {";": ";", ",": ",", "|": "|", "\t": "\t", "\\t": "\t", "tab": "\t", "tabb": "\t"}
MAX_ERRORS_SHOWN = 12


# --- The file format, as a pydantic model --------------------------------------------------------------

def _text(value: Any) -> str:
    """A YAML scalar as text: numbers are accepted (1 -> "1"); yes/no, lists and tables are not."""
    if isinstance(value, bool):
        raise PydanticCustomError("mappning", "läses som ja/nej-värdet {value}; skriv det inom citattecken om "
                                  "det är text, t.ex. \"Yes\"", {"value": "true" if value else "false"})
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    if value is None:
        raise PydanticCustomError("mappning", "saknar värde; ange text eller ta bort raden")
    raise PydanticCustomError("mappning", "ska vara text, inte {kind}", {"kind": _kind(value)})


def _header_row(value: Any):
    if value in (None, "auto"):
        return None
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())) \
            or int(value) < 1:
        raise PydanticCustomError("mappning", "ska vara radnumret för rubrikraden (ett heltal, 1 eller mer) "
                                  "eller auto")
    return int(value)


def _sheets(value: Any):
    if value is None:
        return None
    if isinstance(value, list) and value and all(isinstance(v, (str, int)) for v in value):
        return tuple(str(v) for v in value)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    raise PydanticCustomError("mappning", "ska vara namnet på ett blad i arbetsboken eller en lista med "
                              "blad, t.ex. [Mål, Mål 2024]")


def _delimiter(value: Any):
    if value in (None, "auto"):
        return None
    if isinstance(value, str) and value in DELIMITERS:
        return DELIMITERS[value]
    raise PydanticCustomError("mappning", "ska vara \";\", \",\", \"|\", tab eller auto")


def _encoding(value: Any):
    if value in (None, "auto"):
        return None
    if isinstance(value, str):
        try:
            codecs.lookup(value)
            return value
        except LookupError:
            pass
    raise PydanticCustomError("mappning", "ska vara en teckenkodning: auto, utf-8, cp1252 (Windows-1252) "
                              "eller utf-16")


def _date_format(value: Any):
    if isinstance(value, str) and "%" in value:
        return value
    raise PydanticCustomError("mappning", "ska vara ett datumformat med %-koder, t.ex. \"%Y-%m-%d\" eller "
                              "\"%Y%m%d\"")


Text = Annotated[str, BeforeValidator(_text)]


def _table(value: Any):
    return {} if value is None else value  # "koder:" with every line commented out is an empty table


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileFormat(_Model):
    encoding: Annotated[str | None, BeforeValidator(_encoding)] = None
    delimiter: Annotated[str | None, BeforeValidator(_delimiter)] = None
    decimal: Annotated[str, BeforeValidator(lambda v: v if v in (",", ".") else _bad_decimal())] = ","
    datumformat: list[Annotated[str, BeforeValidator(_date_format)]] = Field(default_factory=list)


def _bad_decimal():
    raise PydanticCustomError("mappning", "ska vara \",\" (decimalkomma) eller \".\" (decimalpunkt)")


class KeySpec(_Model):
    kolumner: list[Text] = Field(min_length=1)
    id: Text | None = None


class TableSpec(_Model):
    fil: Text | None = None
    ark: Annotated[str | tuple[str, ...] | None, BeforeValidator(_sheets)] = None
    rubrikrad: Annotated[int | None, BeforeValidator(_header_row)] = None
    kolumner: Annotated[dict[Text, Text], BeforeValidator(_table)] = Field(default_factory=dict)
    koder: Annotated[dict[Text, Annotated[dict[Text, Text], BeforeValidator(_table)]],
                     BeforeValidator(_table)] = Field(default_factory=dict)
    fasta: Annotated[dict[Text, Text], BeforeValidator(_table)] = Field(default_factory=dict)
    nyckel: KeySpec | None = None


class MappingFile(_Model):
    namn: Text | None = None
    beskrivning: Text | None = None
    filformat: FileFormat = Field(default_factory=FileFormat)
    tabeller: dict[Text, TableSpec]


_MODELS_AT = {(): MappingFile, ("filformat",): FileFormat, ("tabeller", "*"): TableSpec,
              ("tabeller", "*", "nyckel"): KeySpec}
_EXPECTED = {
    "string_type": "ska vara text", "int_type": "ska vara ett heltal", "int_parsing": "ska vara ett heltal",
    "dict_type": "ska vara en tabell med nyckel: värde på varje rad", "list_type": "ska vara en lista, t.ex. [A, B]",
    "missing": "saknas", "too_short": "får inte vara tom", "model_type": "ska vara en tabell med nyckel: värde",
}


def _kind(value) -> str:
    return {dict: "en tabell", list: "en lista", type(None): "tomt"}.get(type(value), f"'{value}'")


def _where(loc: tuple) -> str:
    return " → ".join(str(p) for p in loc) if loc else "filens översta nivå"


def _allowed(loc: tuple) -> str:
    pattern = tuple("*" if i == 1 and loc[0] == "tabeller" else p for i, p in enumerate(loc))
    model = _MODELS_AT.get(pattern)
    return ", ".join(model.model_fields) if model else ""


def _swedish(err: dict) -> tuple[tuple, str]:
    """(location, Swedish text) of one pydantic error."""
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return loc, f"{_where(loc)}: okänd nyckel. Tillåtna nycklar här: {_allowed(loc[:-1])}"
    if kind == "mappning":
        return loc, f"{_where(loc)}: {err['msg']}"
    expected = _EXPECTED.get(kind, err["msg"])
    value = err.get("input")
    shown = "" if kind == "missing" else f" (nu {_kind(value)[:60]})"
    return loc, f"{_where(loc)}: {expected}{shown}"


def _altered_numbers(doc: YamlDocument) -> list[tuple[tuple, str]]:
    """Unquoted codes, column names and values that YAML read as another number (``010`` -> 8)."""
    errors = []
    for loc, is_key in doc.altered_numbers():
        if not is_key and loc[-1] == "rubrikrad":  # a number there is meant as one
            continue
        shown = loc[:-1] + (doc.key_node(loc).value,) if is_key else loc
        errors.append((loc, f"{_where(shown)}: {quoted_hint(doc, loc, is_key)}"))
    return errors



def _semantic_errors(model: MappingFile) -> list[tuple[tuple, str]]:
    """Table and column names against the schema: (location, Swedish text)."""
    errors = []

    def error(*loc_and_text):
        *loc, text = loc_and_text
        errors.append((("tabeller", *loc), f"{_where(('tabeller', *loc))}: {text}"))

    for tname, spec in model.tabeller.items():
        if tname not in TABLES:
            error(tname, f"okänd tabell. Kända tabeller: {', '.join(TABLES)}")
            continue
        schema = table_spec(tname)
        columns = ", ".join(schema.names)
        for src, target in spec.kolumner.items():
            if target != PERSONNUMMER and target not in schema.names:
                error(tname, "kolumner", src, f"'{target}' är inte en kolumn i {tname}. "
                      f"Kolumner: {PERSONNUMMER}, {columns}")
        for section in ("koder", "fasta"):
            for col in getattr(spec, section):
                if col not in schema.names:
                    error(tname, section, col, f"inte en kolumn i {tname}. Kolumner: {columns}")
        if spec.nyckel is not None and spec.nyckel.id is not None:
            if spec.nyckel.id not in schema.names or schema.column(spec.nyckel.id).kind != "str":
                ids = ", ".join(c.name for c in schema.columns if c.kind == "str" and c.name.endswith("_id"))
                error(tname, "nyckel", "id", f"'{spec.nyckel.id}' är inte en id-kolumn i {tname}. Id-kolumner: {ids}")
            elif spec.nyckel.id in spec.kolumner.values():
                error(tname, "nyckel", "id", f"{spec.nyckel.id} mappas redan från en kolumn i filen; ta bort den "
                      "raden under 'kolumner' eller 'id' under 'nyckel'")
    return errors


def _with_lines(errors: list[tuple[tuple, str]], doc: YamlDocument | None) -> list[str]:
    """The texts in file order, each ending with its line ("(rad 7)") when the file is known."""
    if doc is None:
        return [text for _, text in errors]
    located = []
    for loc, text in errors:
        line = doc.line(tuple(p for p in loc if p != "[key]"))
        located.append((line or 0, f"{text} (rad {line})" if line else text))
    return list(dict.fromkeys(text for _, text in sorted(located, key=lambda item: item[0])))


def validate_mapping(data: Any, name: str, doc: YamlDocument | None = None) -> MappingFile:
    """The parsed YAML as a `MappingFile`, or MappingError listing every fault in Swedish (with its line
    when the read document `doc` is given)."""
    if not isinstance(data, dict):
        line = doc.line(()) if doc is not None else None
        raise MappingError(f"Mappningsfilen {name} ska vara en YAML-tabell med nycklarna namn, filformat och "
                           f"tabeller (nu {_kind(data)}{f', rad {line}' if line else ''}).", name)
    errors = _altered_numbers(doc) if doc is not None else []
    try:
        model = MappingFile.model_validate(data)
        errors += _semantic_errors(model)
    except ValidationError as exc:
        errors += [_swedish(e) for e in exc.errors()]
    errors = _with_lines(errors, doc)
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        head = f"Mappningsfilen {name} har {len(errors)} fel" if len(errors) > 1 else f"Mappningsfilen {name}"
        lines = [f"  - {e}" for e in shown] + ([f"  - … och {more} till"] if more > 0 else [])
        raise MappingError(f"{head}:\n" + "\n".join(lines) if len(errors) > 1 else f"{head}: {errors[0]}.", name)
    return model


def _runtime(model: MappingFile, path: Path | None, name: str, doc: YamlDocument | None = None) -> Mapping:
    tables = {}
    for tname, spec in model.tabeller.items():
        key = spec.nyckel
        tables[tname] = TableMapping(tname, dict(spec.kolumner), {c: dict(v) for c, v in spec.koder.items()},
                                     dict(spec.fasta), spec.fil, spec.ark, spec.rubrikrad,
                                     tuple(key.kolumner) if key else (), key.id if key else None)
    fmt = model.filformat
    formats = tuple(dict.fromkeys([*fmt.datumformat, *DEFAULT_DATE_FORMATS]))
    return Mapping(model.namn or name, path, tables, fmt.encoding, fmt.delimiter, fmt.decimal, formats,
                   tuple(doc.notes) if doc else (), doc.line(("tabeller",)) if doc else None)


def _read_error(exc: YamlFileError, what: str) -> str:
    """yamldoc's message, except that a syntax error says "är inte giltig YAML (rad, kolumn)"."""
    if not isinstance(exc.__cause__, YAMLError):
        return str(exc)
    line, column, detail = syntax_problem(exc.__cause__)
    where = f" (rad {line}, kolumn {column})" if line is not None else ""
    return f"{what} är inte giltig YAML{where}: {detail}."


def checked_mapping(path: Path, raw: bytes | None = None) -> Mapping:
    """The mapping file at ``path`` (``raw``: its bytes, already read) read and checked, or MappingError."""
    try:
        doc = read_yaml(path, f"Mappningsfilen {path.name}", raw)
    except YamlFileError as exc:
        raise MappingError(_read_error(exc, f"Mappningsfilen {path.name}"), str(path)) from None
    try:
        model = validate_mapping(doc.data, path.name, doc)
    except MappingError as exc:
        raise MappingError(str(exc), str(path)) from None
    return _runtime(model, path, path.stem, doc)
