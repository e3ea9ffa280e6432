"""What a follow-up plan file (``config/planer/<kommun>.yml``) may contain: its keys and their types.

Whether the named variables, instruments, units and methods exist is checked against the data model by
``spec.check_plan``; this model catches misspelt keys and values of the wrong kind, with their line numbers.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Population(Strict):
    enheter: list[str] = Field(default_factory=list, description="en lista med enhetskoder, t.ex. [barn_unga]")
    malgrupper: list[str] = Field(default_factory=list, description="en lista med målgrupper ([] = alla)")
    insatstyper: list[str] = Field(default_factory=list, description="en lista med insatstyper")
    period: str | None = Field(None, description="text, t.ex. kalenderår")


class Registration(Strict):
    vad: str = Field(description="vad som registreras")
    nar: str | None = Field(None, description="när det registreras")
    vem: str | None = Field(None, description="vem som registrerar")


class Sampling(Strict):
    metod: str = Field("alla", description="en urvalsmetod, t.ex. alla eller fodelsedagar")
    parametrar: dict[str, Any] = Field(default_factory=dict, description="metodens inställningar (nyckel: värde)")
    seed: Any = None  # number checks with Swedish wording are in spec.check_plan
    felmarginal: Any = None
    andel: Any = None


class PlanFile(Strict):
    namn: str | None = Field(None, description="planens namn")
    syfte: str | None = Field(None, description="text: vad verksamheten behöver veta och varför")
    population: Population | None = None
    variabler: dict[str, list[str]] | None = Field(
        None, description="per tillfälle (fore, under, efter) en lista med tabell.kolumn")
    instrument: list[str] | None = Field(None, description="en lista med instrument, t.ex. [AUDIT]")
    registrering: list[Registration] | None = None
    urval: Sampling | None = None
