"""What a municipality's configuration (``config/<kommun>.yml``) may contain, declared once with pydantic.

Strict everywhere: codes and periods are text (quoted in YAML), ``demo`` is a YAML boolean, numbers are numbers,
and unknown keys are errors. The sections ``import``, ``korning`` and ``jamforelse`` are open here: their own
modules check them.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from . import schema

PERIOD_PATTERN = r"^(19|20)\d{2}$"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)


def _report_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            dt.date.fromisoformat(value)
            return value
        except ValueError:
            pass
    raise ValueError(f"ska vara ett datum som ÅÅÅÅ-MM-DD, t.ex. \"2026-03-13\", inte {value!r}.")


def _known_table(value: str) -> str:
    if value not in schema.TABLES:
        raise ValueError(f"okänd tabell '{value}'. Kända tabeller: {', '.join(schema.TABLES)}.")
    return value


Text = Annotated[str, StringConstraints(min_length=1)]
PeriodText = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]
ReportDate = Annotated[Any, AfterValidator(_report_date)]
TableName = Annotated[str, AfterValidator(_known_table)]
Open = Any  # a section another module checks


class Period(Strict):
    diarienummer: str | None = Field(None, description='text inom citattecken, t.ex. "SN 2026/0027"')
    rapportdatum: ReportDate | None = Field(None, description='datum som ÅÅÅÅ-MM-DD, t.ex. "2026-03-13"')


Area = Literal["barn_unga", "missbruk_vuxen", "ekonomiskt_bistand", "aldre", "funktionsnedsattning", "ovrigt"]


class Unit(Strict):
    kod: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$")] = Field(
        description="en kort kod utan mellanslag, t.ex. barn_unga")
    namn: Text = Field(description="enhetens namn som det skrivs i rapporten")
    omraden: list[Area] | None = Field(None, description="en lista med verksamhetsområden: barn_unga, "
                                       "missbruk_vuxen, ekonomiskt_bistand, aldre, funktionsnedsattning, ovrigt")


class Disclosure(Strict):
    min_cell: int = Field(5, ge=2, description="ett heltal, minst 2 (antal under det undertrycks)")
    min_group: int = Field(10, ge=2, description="ett heltal, minst 2")
    skyddsintervall: int | None = Field(None, ge=1, description="ett heltal, minst 1 (standard: min_cell)")


class Action(Strict):
    id: str | None = None
    beslutad: PeriodText = Field(description='året vars redovisning beslutar åtgärden, inom citattecken: "2025"')
    vad: Text
    vem: Text
    senast: str | None = Field(None, description='datum som ÅÅÅÅ-MM-DD inom citattecken')
    indikator: str | None = None
    status: Literal["planerad", "pågår", "genomförd", "avbruten"] = "planerad"
    uppfoljning: str | None = None


class Findings(Strict):
    min_skillnad: float = Field(0.05, ge=0, le=1, description="en andel, t.ex. 0.05 för 5 procentenheter")
    metod: Literal["holm", "bh"] = "holm"
    alfa: float = Field(0.05, gt=0, lt=1)
    max_antal: int = Field(8, ge=1)


class ReportSettings(Strict):
    strikt: bool = Field(False, description="true: en text som säger emot siffrorna stoppar körningen")
    fynd: Findings | None = None


class Pseudonym(Strict):
    nyckel_miljovariabel: Text = Field("UPPFOLJNING_NYCKEL", description="namnet på en miljövariabel")
    nyckelfil: str | None = Field(None, description="sökväg till nyckelfilen, utanför projektmappen")


class Source(Strict):
    fil: Text = Field(description="filnamnet under data/raw/<period>/")
    mappning: str | None = Field(None, description="mappningsfil under config/mappings/")
    tabeller: list[TableName] = Field(description="lista med kanoniska tabeller, t.ex. [clients, cases]")
    steg: Literal[2, 3, 4] = Field(description="2, 3 eller 4")


class Target(Strict):
    typ: Literal["minst", "hogst", "lagre_an_foregaende", "hogre_an_foregaende"]
    varde: float | None = Field(None, description="ett tal; andelar som 0.8 för 80 %")


class GoalGroup(Strict):
    grouping: Text
    group: str | None = None
    category: str | None = None


class Goal(Strict):
    text: Text
    indikator: Text
    matt: str | None = None
    mal: Target
    delvis: float | None = Field(None, ge=0, description="ett tal ≥ 0, t.ex. 0.05 för 5 procentenheter")
    delvis_enheter: bool | None = None
    grupp: GoalGroup | None = None


class IndicatorSettings(Strict):
    besok_per_ar: int = Field(4, ge=1, description="ett heltal, minst 1")
    uppfoljning_manader: int = Field(6, ge=1, description="ett heltal, minst 1")
    langvarigt_manader: int = Field(10, ge=1, le=12, description="ett heltal 1–12")
    forhandsbedomning_dagar: int = Field(14, ge=1, description="ett heltal, minst 1")
    utredning_manader: int = Field(4, ge=1, description="ett heltal, minst 1")
    overvagande_manader: int = Field(6, ge=1, description="ett heltal, minst 1")
    positiva_svar: list[int] = Field([1, 2], description="en lista med svarsvärden, t.ex. [1, 2]")
    fraga_forandring: Text = Field("Q7", description="fråge-id i brukarenkäten, t.ex. Q7")


class MunicipalityConfig(Strict):
    kommun: Text = Field(description="kommunens namn, t.ex. Exempelkommun")
    kommunkod: Annotated[str, StringConstraints(pattern=r"^\d{4}$")] | None = Field(
        None, description='fyra siffror inom citattecken, t.ex. "0114"')
    namnd: str | None = None
    forvaltning: str | None = None
    demo: bool = Field(False, description="true (syntetiska data) eller false, utan citattecken")
    default_period: PeriodText | None = Field(None, description='ett år inom citattecken, t.ex. "2025"')
    perioder: dict[PeriodText, Period] = Field(
        default_factory=dict, description="ett avsnitt per år med året inom citattecken (\"2025\":), annars hittar rapporten inte "
        "periodens diarienummer och datum")
    enheter: list[Unit] = Field(description="en lista med enheter (kod och namn)")
    rojandekontroll: Disclosure | None = None
    pseudonym: Pseudonym | None = None
    texter: str | None = Field(None, description="mapp med rapportens texter, relativt konfigurationsfilen")
    plan: str | None = Field(None, description="uppföljningsplanen, relativt konfigurationsfilen")
    kallor: list[Source] = Field(default_factory=list, description="en lista med källfiler")
    mal: list[Goal] = Field(default_factory=list, description="en lista med nämndens mål")
    indikatorer: IndicatorSettings | None = None
    etiketter: dict[str, dict[str, Text]] | None = Field(
        None, description="svenska namn på kommunens egna koder per indelning, t.ex. target_group: {barn_0_12: …}")
    atgarder: list[Action] = Field(default_factory=list, description="en lista med åtgärder")
    rapport: ReportSettings | None = None
    # Sections the modules that read them check (open here for now).
    import_: Open = Field(None, alias="import")
    korning: Open = None
    jamforelse: Open = None


def cross_checks(data: dict) -> list[tuple[tuple, str]]:
    """Problems that involve more than one value: (location, Swedish text)."""
    problems = []
    seen: dict[str, int] = {}
    for i, unit in enumerate(data.get("enheter") or []):
        code = unit.get("kod")
        if code in seen:
            problems.append((("enheter", i, "kod"), f"enhetskoden '{code}' används redan av enhet nr {seen[code] + 1}."))
        seen.setdefault(code, i)
    return problems
