"""The check of the `jamforelse:` section of the municipality config: a pydantic v2 model and Swedish problems
(helpers.comparison.section runs it for a section it has not seen pass: pydantic costs ~0,3 s of a core to import
in a kernel that has no other use for it)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

COUNTRY_ID = "0000"  # Kolada's id for Riket (the whole country)
_MUNICIPALITY = re.compile(r"^\d{4}$")
_KPI = re.compile(r"^[A-Z]\d{5}$")


def _code(value: str, what: str) -> str:
    if not _MUNICIPALITY.fullmatch(value):
        raise ValueError(f"{what} ska vara fyra siffror inom citattecken, t.ex. \"0180\" (fick \"{value}\")")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class GroupSection(_Strict):
    namn: str = Field(min_length=1)
    kommuner: list[str] = Field(min_length=1)
    matt: Literal["medelvärde", "median"] = "medelvärde"

    @field_validator("kommuner")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        for v in value:
            _code(v, "Kommunkoden")
        if len(set(value)) != len(value):
            raise ValueError("samma kommun står flera gånger")
        return value


class KpiEntry(_Strict):
    kpi: str
    indikator: str | None = None

    @field_validator("kpi")
    @classmethod
    def _kpi(cls, value: str) -> str:
        if not _KPI.fullmatch(value):
            raise ValueError(f"Koladas nyckeltals-id ska vara en stor bokstav och fem siffror, t.ex. \"U31402\" "
                             f"(fick \"{value}\")")
        return value


class KoladaSection(_Strict):
    fil: str = Field(min_length=1)
    syntetisk: bool = False
    kommun_id: str | None = None
    riket_id: str = COUNTRY_ID
    hamtad: str | None = None
    katalog: str | None = None
    jamforelsegrupp: GroupSection
    nyckeltal: list[KpiEntry] = Field(min_length=1)

    @field_validator("kommun_id", "riket_id")
    @classmethod
    def _own(cls, value: str | None) -> str | None:
        return None if value is None else _code(value, "Koden")

    @field_validator("hamtad")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"datumet ska skrivas ÅÅÅÅ-MM-DD (fick \"{value}\")") from None
        return value

    @model_validator(mode="after")
    def _unique(self) -> "KoladaSection":
        kpis = [k.kpi for k in self.nyckeltal]
        twice = sorted({k for k in kpis if kpis.count(k) > 1})
        if twice:
            raise ValueError("nyckeltalet står flera gånger: " + ", ".join(twice))
        return self


class ComparisonSection(_Strict):
    """The whole `jamforelse:` mapping. Only Kolada is defined so far."""
    kolada: KoladaSection | None = None


_MESSAGES = {
    "missing": "saknas",
    "extra_forbidden": "är en okänd nyckel (stavfel?)",
    "string_type": "ska vara text inom citattecken, t.ex. \"0180\"",
    "bool_type": "ska vara true eller false",
    "list_type": "ska vara en lista",
    "model_type": "ska vara en mappning (nyckel: värde)",
    "dict_type": "ska vara en mappning (nyckel: värde)",
    "string_too_short": "får inte vara tomt",
    "too_short": "får inte vara tom",
}


def _where(loc: tuple) -> str:
    text = "jamforelse"
    for part in loc:
        text += f"[{part + 1}]" if isinstance(part, int) else f".{part}"
    return text


def _problem(error: dict) -> str:
    kind = error["type"]
    if kind == "value_error":
        what = str(error.get("ctx", {}).get("error", error["msg"]))
    elif kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", " eller ")
        what = f"ska vara en av {expected}"
    else:
        what = _MESSAGES.get(kind, "har ett ogiltigt värde")
    return f"{_where(error['loc'])}: {what}."


def problems(data: Any) -> list[str]:
    """Swedish problems in the `jamforelse:` section (the mapping under that key); empty when it is fine."""
    if data is None:
        return []
    try:
        ComparisonSection.model_validate(data)
    except ValidationError as exc:
        return [_problem(e) for e in exc.errors()]
    return []


def checked_kolada(section: dict) -> dict:
    """The section's ``kolada:`` mapping checked, with its defaults filled in, as plain data."""
    return KoladaSection.model_validate(section["kolada"]).model_dump(mode="json")
