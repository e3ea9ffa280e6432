"""Swedish messages for a YAML file checked against a pydantic model: the key, its line in the file, what is
expected, and for an unknown key the known key it most likely meant."""
from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from .yamldoc import Loc, YamlDocument, YamlFileError, read_yaml

# English (or misspelt) keys people write for the Swedish ones; difflib catches the rest.
KEY_SYNONYMS = {
    "name": "namn", "code": "kod", "units": "enheter", "unit": "enheter", "periods": "perioder",
    "municipality": "kommun", "municipality_code": "kommunkod", "sources": "kallor", "file": "fil",
    "mapping": "mappning", "tables": "tabeller", "step": "steg", "goals": "mal", "goal": "mal",
    "indicators": "indikatorer", "texts": "texter", "key": "pseudonym", "disclosure": "rojandekontroll",
    "purpose": "syfte", "variables": "variabler", "instruments": "instrument", "sample": "urval",
    "sampling": "urval", "method": "metod", "parameters": "parametrar", "margin": "felmarginal",
}


def _unwrap(annotation: Any) -> list[Any]:
    """The alternatives of an annotation with Optional/Union/Annotated taken apart."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        out = []
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                out.extend(_unwrap(arg))
        return out
    return [annotation]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _model_field(model: type[BaseModel], key: str):
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info
    return None


def _step(annotations: list[Any], part) -> tuple[list[Any], Any]:
    """The annotations one step down ``part`` (a key or a list index), and the FieldInfo when it is a field."""
    following, info = [], None
    for ann in annotations:
        for alt in _unwrap(ann):
            origin = typing.get_origin(alt)
            if _is_model(alt) and isinstance(part, str):
                found = _model_field(alt, part)
                if found is not None:
                    info = found
                    following.append(found.annotation)
            elif origin is list and isinstance(part, int):
                following.append(typing.get_args(alt)[0])
            elif origin is dict:
                following.append(typing.get_args(alt)[1])
    return following, info


def lookup(model: type[BaseModel], loc: Loc) -> tuple[list[Any], Any]:
    """The possible annotations of the value at ``loc`` and, when its last step is a model field, its FieldInfo."""
    current: list[Any] = [model]
    info = None
    for part in loc:
        if part == "[key]":
            break
        current, info = _step(current, part)
        if not current:
            return [], None
    return current, info


def known_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a mapping at ``loc`` may hold (empty when it is not a model)."""
    for ann in lookup(model, loc)[0]:
        for alt in _unwrap(ann):
            if _is_model(alt):
                return [i.alias or n for n, i in alt.model_fields.items()]
    return []


def suggestion(key: str, known: list[str]) -> str | None:
    key_text = str(key)
    if KEY_SYNONYMS.get(key_text.lower()) in known:
        return KEY_SYNONYMS[key_text.lower()]
    close = difflib.get_close_matches(key_text.lower(), known, n=1, cutoff=0.6)
    return close[0] if close else None


def where(loc: Loc, doc: YamlDocument | None = None) -> str:
    """``('enheter', 1, 'namn')`` -> "enheter → nr 2 → namn" (list items counted from 1, as people do)."""
    parts = []
    for i, part in enumerate(loc):
        if part == "[key]":
            continue
        is_index = isinstance(part, int) and not (doc is not None and doc.is_mapping(loc[:i]))
        parts.append(f"nr {part + 1}" if is_index else str(part))
    return " → ".join(parts) if parts else "filen"


def quoted_hint(doc: YamlDocument, loc: Loc, key: bool) -> str | None:
    raw = doc.plain_scalar(loc, key=key)
    if raw is None:
        return None
    text, kind = raw
    value = doc.data
    try:
        for part in loc[:-1] if key else loc:
            value = value[part]
        value = loc[-1] if key else value
    except (KeyError, IndexError, TypeError):
        value = text
    if kind in ("talet", "decimaltalet", "datumet"):
        made = f"{kind} {value}" if str(value) != text else {"talet": "ett tal", "decimaltalet": "ett decimaltal",
                                                             "datumet": "ett datum"}[kind]
    else:
        made = kind
    if key:
        return f"skriv nyckeln inom citattecken: \"{text}\": (utan citattecken läser YAML {text} som {made})"
    return f"skriv värdet inom citattecken: \"{text}\" (utan citattecken läser YAML {text} som {made})"


def _expected(info) -> str:
    return f" Förväntat: {info.description}." if info is not None and info.description else ""


def describe(error: dict, model: type[BaseModel], doc: YamlDocument) -> tuple[int | None, str]:
    """(line, Swedish sentence) for one pydantic error."""
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    is_key = bool(loc) and loc[-1] == "[key]"
    value_loc = loc[:-1] if is_key else loc
    line = doc.line(value_loc)
    info = lookup(model, value_loc)[1]
    name = where(loc, doc)
    expected = _expected(info)
    value = error.get("input")
    shown = repr(value) if isinstance(value, str) else str(value)

    if kind == "extra_forbidden":
        known = known_keys(model, loc[:-1])
        guess = suggestion(loc[-1], known)
        text = f"{name}: okänd nyckel '{loc[-1]}'."
        text += f" Menade du '{guess}'?" if guess else ""
        if known:
            text += f" Tillåtna nycklar här: {', '.join(known)}."
        return line, text
    if kind == "missing":
        return line, f"{name}: nyckeln saknas.{expected}"
    hint = quoted_hint(doc, value_loc, key=is_key) if kind in ("string_type", "string_pattern_mismatch") else None
    if is_key:
        info = lookup(model, value_loc[:-1])[1]
        expected = _expected(info)
        parent = where(value_loc[:-1], doc)
        return line, f"{parent}: nyckeln {value} ska vara text: {hint or 'sätt den inom citattecken'}.{expected}"
    if hint:
        return line, f"{name}: {hint}.{expected}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return line, f"{name}: ska vara ett heltal, inte {shown}.{expected}"
    if kind in ("bool_type", "bool_parsing"):
        return line, (f"{name}: ska vara true eller false (utan citattecken), inte {shown}.{expected}")
    if kind in ("float_type", "float_parsing"):
        return line, f"{name}: ska vara ett tal med decimalpunkt (t.ex. 0.05), inte {shown}.{expected}"
    if kind == "string_type":
        return line, f"{name}: ska vara text, inte {shown}.{expected}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {"greater_than_equal": ("minst", "ge"), "greater_than": ("större än", "gt"),
                 "less_than_equal": ("högst", "le"), "less_than": ("mindre än", "lt")}[kind]
        return line, f"{name}: ska vara {words[0]} {ctx.get(words[1])}, inte {shown}.{expected}"
    if kind == "list_type":
        return line, f"{name}: ska vara en lista (en rad per post som börjar med '- ').{expected}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return line, f"{name}: ska vara ett avsnitt med nycklar (nyckel: värde), inte {shown}.{expected}"
    if kind == "literal_error":
        return line, f"{name}: ska vara en av {ctx.get('expected')}, inte {shown}."
    if kind in ("string_too_short", "too_short"):
        return line, f"{name}: får inte vara tom.{expected}"
    if kind == "string_pattern_mismatch":
        return line, f"{name}: {shown} har fel form.{expected}"
    if kind == "value_error":
        return line, f"{name}: {ctx.get('error', error.get('msg'))}"
    return line, f"{name}: ogiltigt värde {shown}.{expected}"


def messages(exc: ValidationError, model: type[BaseModel], doc: YamlDocument) -> list[str]:
    """One Swedish line per problem, in the order of the file."""
    errors = exc.errors()
    # "name:" instead of "namn:" gives a missing and an unknown key: say it once, as the unknown one.
    meant = {(tuple(e["loc"][:-1]), suggestion(e["loc"][-1], known_keys(model, e["loc"][:-1])))
             for e in errors if e["type"] == "extra_forbidden"}
    errors = [e for e in errors if not (e["type"] == "missing" and (tuple(e["loc"][:-1]), e["loc"][-1]) in meant)]
    described = [describe(e, model, doc) for e in errors]
    described.sort(key=lambda item: (item[0] or 0))
    return [f"rad {line}: {text}" if line else text for line, text in dict.fromkeys(described)]


def check_file(path, model: type[BaseModel], what: str, error: type[Exception], extra_checks=None,
               raw: bytes | None = None):
    """Read the YAML file at ``path`` and check it against ``model``.

    Returns (data, notes): the data as YAML gave it, and notes about the file (its encoding). Raises ``error``
    with one line per problem: the line in the file, the key, and what is expected.
    """
    try:
        doc = read_yaml(path, what, raw)
    except YamlFileError as exc:
        raise error(str(exc)) from None
    check_document(doc, model, what, error, extra_checks)
    return doc.data, doc.notes


def check_document(doc: YamlDocument, model: type[BaseModel], what: str, error: type[Exception],
                   extra_checks=None) -> None:
    """Raise ``error`` listing every problem of a read YAML document against ``model`` (see check_file)."""
    if doc.data is None:
        raise error(f"{what} är tom.")
    if not isinstance(doc.data, dict):
        raise error(f"{what} ska bestå av nycklar med värden (nyckel: värde), inte {type(doc.data).__name__}.")
    try:
        model.model_validate(doc.data)
        problems = []
    except ValidationError as exc:
        problems = messages(exc, model, doc)
    if not problems and extra_checks is not None:
        for loc, text in extra_checks(doc.data):
            line = doc.line(loc)
            problems.append(f"rad {line}: {where(loc, doc)}: {text}" if line else f"{where(loc, doc)}: {text}")
    if problems:
        raise error(f"{what} har {'ett fel' if len(problems) == 1 else f'{len(problems)} fel'}:\n- "
                    + "\n- ".join(problems))
