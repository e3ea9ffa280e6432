"""Reading a YAML file that a person edits by hand: its text encoding, where every value stands (line numbers)
and what it looked like before YAML converted it (``0114`` unquoted becomes the octal number 76).

Syntax errors, duplicate keys and unreadable encodings become a ``YamlFileError`` with a Swedish message.
A file saved in Windows-1252 or UTF-16 is read, with a note saying so.
"""
from __future__ import annotations

import codecs
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple  # a path into the document: mapping keys and list indices, as in pydantic's error locations

_SYNTAX_HINTS = {
    "mapping values are not allowed here": "ett kolon på fel ställe; sätt text som innehåller ': ' inom citattecken",
    "found character '\\t' that cannot start any token": "tabbtecken går inte att använda för indrag; använd mellanslag",
    "could not find expected ':'": "ett kolon saknas efter en nyckel, eller ett citattecken är inte avslutat",
    "did not find expected key": "indraget stämmer inte med raderna ovanför",
    "did not find expected '-' indicator": "indraget i listan stämmer inte med raderna ovanför",
    "found undefined alias": "ett alias (*namn) som inte är definierat",
    "found unexpected end of stream": "filen tar slut mitt i ett värde; ett citattecken är troligen inte avslutat",
    "expected <block end>, but found '-'": "en listrad har fel indrag",
    "while scanning a quoted scalar": "ett citattecken är inte avslutat",
    "expected ',' or ']'": "en lista inom [ ] saknar ett avslutande ] (eller ett kommatecken)",
    "expected ',' or '}'": "ett avsnitt inom { } saknar ett avslutande } (eller ett kommatecken)",
}
_SCALAR_KINDS = {
    "tag:yaml.org,2002:int": "talet",
    "tag:yaml.org,2002:float": "decimaltalet",
    "tag:yaml.org,2002:bool": "sanningsvärdet",
    "tag:yaml.org,2002:null": "ett tomt värde",
    "tag:yaml.org,2002:timestamp": "datumet",
}


def _timestamp_or_text(loader, node):
    """An impossible unquoted date (2026-13-13) stays text, for the schema to report."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible unquoted date as text."""


# The same on libyaml's parser (~8 times faster; every process of a run reads the config and the mappings several
# times). A file it refuses is read again by _Loader, whose messages the Swedish hints know.
_FastLoader = type("_FastLoader", (yaml.CSafeLoader,), {}) if getattr(yaml, "__with_libyaml__", False) else _Loader
for _loader in {_Loader, _FastLoader}:
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


class YamlFileError(ValueError):
    """A YAML file that cannot be read; the message is Swedish and names the file (and the line, when known)."""


@dataclass
class YamlDocument:
    path: Path
    data: Any
    encoding: str
    notes: list[str] = field(default_factory=list)
    _values: dict[Loc, yaml.Node] = field(default_factory=dict, repr=False)
    _keys: dict[Loc, yaml.Node] = field(default_factory=dict, repr=False)

    def node(self, loc: Loc) -> yaml.Node | None:
        """The value node at ``loc`` (or, when ``loc`` ends in a key that maps nothing, that key's node)."""
        loc = tuple(loc)
        return self._values.get(loc) or self._keys.get(loc)

    def key_node(self, loc: Loc) -> yaml.Node | None:
        return self._keys.get(tuple(loc))

    def line(self, loc: Loc) -> int | None:
        """1-based line of ``loc``, or of the nearest enclosing value that exists in the file."""
        loc = tuple(loc)
        while True:
            node = self._keys.get(loc) or self._values.get(loc)
            if node is not None:
                return node.start_mark.line + 1
            if not loc:
                return None
            loc = loc[:-1]

    def is_mapping(self, loc: Loc) -> bool:
        return isinstance(self._values.get(tuple(loc)), yaml.MappingNode)

    def plain_scalar(self, loc: Loc, key: bool = False) -> tuple[str, str] | None:
        """(raw text, Swedish kind) when the value (or key) at ``loc`` was written without quotes and YAML
        made something other than text of it, e.g. ("0114", "talet") for ``kommunkod: 0114``."""
        node = self._keys.get(tuple(loc)) if key else self._values.get(tuple(loc))
        if isinstance(node, yaml.ScalarNode) and not node.style and node.tag in _SCALAR_KINDS:  # plain: None or ""
            return node.value, _SCALAR_KINDS[node.tag]
        return None

    def altered_numbers(self) -> list[tuple[Loc, bool]]:
        """(loc, is_key) of the unquoted keys and values YAML read as a number that reads back differently,
        in file order: ``010`` (octal 8), ``0114`` (76), ``1_000``, ``1.10``, ``1:30`` (90)."""
        found = []
        with _constructor() as loader:
            for nodes, is_key in ((self._keys, True), (self._values, False)):
                for loc, node in nodes.items():
                    kind = self.plain_scalar(loc, key=is_key)
                    if (kind and kind[1] in ("talet", "decimaltalet")
                            and str(loader.construct_object(node, deep=True)) != node.value):
                        found.append((node.start_mark.index, loc, is_key))
        return [(loc, is_key) for _, loc, is_key in sorted(found, key=lambda f: f[0])]


def decode(raw: bytes, what: str) -> tuple[str, str, list[str]]:
    """The text of a file, its encoding and notes. UTF-8 (with or without BOM) is expected; UTF-16 with a BOM
    and Windows-1252 are read with a note; anything else is refused."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise YamlFileError(f"{what} kunde inte läsas: den börjar som UTF-16 men är trasig ({exc.reason}).") from exc
        return text, "utf-16", [f"{what} är sparad som UTF-16 (”Unicode”). Den lästes, men spara den hellre "
                                "som UTF-8."]
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as utf8_error:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            line = raw[:utf8_error.start].count(b"\n") + 1
            raise YamlFileError(
                f"{what} kunde inte läsas: tecknen på rad {line} är varken UTF-8 eller Windows-1252. "
                "Öppna filen i en textredigerare och spara den som UTF-8.") from utf8_error
        if "\x00" in text:
            raise YamlFileError(f"{what} är ingen textfil (den innehåller binära data).")
        line = raw[:utf8_error.start].count(b"\n") + 1
        return text, "cp1252", [f"{what} är sparad som Windows-1252 (ANSI), inte UTF-8 (första avvikande tecknet "
                                f"på rad {line}). Den lästes ändå; spara den som UTF-8 så slipper du meddelandet."]


def syntax_problem(exc: yaml.YAMLError) -> tuple[int | None, int | None, str]:
    """(line, column, Swedish explanation) of a YAML syntax error; line and column are 1-based."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", "") or "").strip()
    context = str(getattr(exc, "context", "") or "").strip()
    hint = next((h for k, h in _SYNTAX_HINTS.items() if k in problem or k in context), None)
    detail = hint or f"{problem or exc} (tolkningsfelets engelska text)"
    return (mark.line + 1, mark.column + 1, detail) if mark is not None else (None, None, detail)


def _syntax_error(exc: yaml.YAMLError, what: str) -> YamlFileError:
    line, column, detail = syntax_problem(exc)
    where = f" på rad {line}, kolumn {column}" if line is not None else ""
    return YamlFileError(f"{what} kunde inte läsas (YAML-fel{where}): {detail}.")


def read_yaml(path: str | Path, what: str | None = None, raw: bytes | None = None) -> YamlDocument:
    """Read a YAML file with the positions of its values; ``what`` names it in messages
    (default: "Filen <path>"). ``raw``: its bytes, already read."""
    path = Path(path)
    what = what or f"Filen {path}"
    try:
        raw = path.read_bytes() if raw is None else raw
    except OSError as exc:
        raise YamlFileError(f"{what} kunde inte läsas: {exc.strerror or exc}.") from exc
    text, encoding, notes = decode(raw, what)
    try:
        root, data = _parse(text, _FastLoader)
    except yaml.YAMLError:
        try:
            root, data = _parse(text, _Loader)
        except yaml.YAMLError as exc:
            raise _syntax_error(exc, what) from exc
    doc = YamlDocument(path, data, encoding, notes)
    if root is not None:
        with _constructor() as keys:
            _index(root, (), doc, what, keys)
    return doc


def _parse(text: str, loader_class) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()


@contextmanager
def _constructor():
    """One loader that constructs the values of many nodes as YAML reads them (a new one costs as much as a node)."""
    loader = _Loader("")
    try:
        yield loader
    finally:
        loader.dispose()


def _index(node: yaml.Node, loc: Loc, doc: YamlDocument, what: str, keys: _Loader) -> None:
    doc._values[loc] = node
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = keys.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                section = f"avsnittet {' → '.join(str(p) for p in loc)}" if loc else "filens översta nivå"
                raise YamlFileError(f"{what}: nyckeln '{key_node.value}' står två gånger i {section} (rad "
                                    f"{seen[key]} och rad {line}). Ta bort den ena; annars gäller bara den sista.")
            seen[key] = line
            doc._keys[loc + (key,)] = key_node
            _index(value_node, loc + (key,), doc, what, keys)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, loc + (i,), doc, what, keys)
