"""The canonical, pseudonymised tables, declared once.

The declarations drive validation at import, the Excel registration templates of step 1 and the
data dictionary (``data_dictionary()``). Column names are English; labels and descriptions are the
Swedish text a user sees.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# Kinds of column: "str", "int", "float", "date", "bool", "code" (one of `codes`).


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    label: str
    description: str = ""
    required: bool = False
    codes: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    ref: str | None = None  # "table.column" that must exist
    not_after_period: bool = False  # a date that cannot lie after the period's end


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    description: str
    step: int  # the step (1-6) whose notebook imports it
    key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


SEXES = ("kvinna", "man", "annat", "okänt")
# Verksamhetsområden: a unit declares the areas it works with (config `enheter[].omraden`), an indicator the areas
# it concerns, so that a unit's report shows exactly the indicators that apply to it.
AREAS = {"barn_unga": "Barn och unga", "missbruk_vuxen": "Vuxna – missbruk och beroende",
         "ekonomiskt_bistand": "Ekonomiskt bistånd", "aldre": "Äldre", "funktionsnedsattning": "Funktionsnedsättning",
         "ovrigt": "Övrigt"}
UNITS_HINT = "enhetens kod, t.ex. barn_unga"
ATTAINMENT = ("positiv_uppfyllt", "positiv_ej_uppfyllt", "ingen_forandring", "negativ", "ej_bedomt")
ATTAINMENT_LABELS = {
    "positiv_uppfyllt": "Positiv förändring och målet uppfyllt",
    "positiv_ej_uppfyllt": "Positiv förändring men målet inte uppfyllt",
    "ingen_forandring": "Ingen förändring",
    "negativ": "Negativ förändring",
    "ej_bedomt": "Ej bedömt",
}
OCCASIONS = ("fore", "under", "efter", "uppfoljning")
OCCASION_LABELS = {"fore": "Före insats", "under": "Under insats", "efter": "Efter insats",
                   "uppfoljning": "Uppföljning"}

# Instruments: range and direction ("lower" = a lower score is better).
INSTRUMENTS: dict[str, dict] = {
    "AUDIT": {"label": "AUDIT (alkohol)", "min": 0, "max": 40, "better": "lower"},
    "DUDIT": {"label": "DUDIT (droger)", "min": 0, "max": 44, "better": "lower"},
    "ASI_alkohol": {"label": "ASI, alkohol (intervjuarskattning)", "min": 0, "max": 9, "better": "lower"},
    "ASI_narkotika": {"label": "ASI, narkotika (intervjuarskattning)", "min": 0, "max": 9, "better": "lower"},
    "KASAM13": {"label": "KASAM-13", "min": 13, "max": 91, "better": "higher"},
    "problemdagar": {"label": "Problemdagar senaste 30 dagarna", "min": 0, "max": 30, "better": "lower"},
    "egen_skala": {"label": "Egen skala 1–10", "min": 1, "max": 10, "better": "higher"},
}

INTERVENTION_TYPES = (
    "HVB", "familjehem", "konsulentstott_familjehem", "jourhem", "kontaktfamilj", "oppenvard",
    "behandling_missbruk", "boendestod", "ekonomiskt_bistand", "arbetsmarknadsinsats",
)
# Survey questions. The adults' brukarundersökning: SKR's seven questions on a 1–5 scale (1 = most positive).
# The children's and young people's own answers (barnenkät, after Göteborg's subjective quality indicators):
# six questions answered ja / delvis / nej. 9 = vet ej on every scale.
SURVEY_QUESTIONS = ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7")
CHILD_SURVEY_QUESTIONS = ("B1", "B2", "B3", "B4", "B5", "B6")
DONT_KNOW = 9
SURVEY_SCALES: dict[str, dict] = {
    "skala_1_5": {"label": "1–5 (1 = mest positivt, 5 = minst positivt)", "answers": (1, 2, 3, 4, 5)},
    "ja_delvis_nej": {"label": "1 = ja, 2 = delvis, 3 = nej", "answers": (1, 2, 3)},
}
# Each question's scale and, for the barnenkät, the favourable answer. B3 asks whether the child has been
# kränkt or illa behandlad: there "nej" (3) is the favourable answer. The adults' favourable answers are a
# setting (`indikatorer.positiva_svar`, default 1–2).
SURVEY_QUESTION_SCALES = {**{q: "skala_1_5" for q in SURVEY_QUESTIONS},
                          **{q: "ja_delvis_nej" for q in CHILD_SURVEY_QUESTIONS}}
CHILD_FAVOURABLE = {"B1": (1,), "B2": (1,), "B3": (3,), "B4": (1,), "B5": (1,), "B6": (1,)}
# Ekonomiskt bistånd: the main reason a client gave for "ej tillfredsställande" (Nacka's evaluation after
# finished support asks for a motivation; the code list is the workbench's).
DISSATISFACTION_REASONS = ("handlaggningstid", "bemotande", "beslutets_innehall", "information",
                           "tillganglighet", "annat")

C = Column
TABLES: dict[str, Table] = {t.name: t for t in [
    Table("clients", "Klienter", "En rad per klient (pseudonym). Födelseår och kön härleds ur personnumret.", 2,
          ("client_id",), (
              C("client_id", "str", "Klient-id", "Pseudonym (HMAC-SHA-256) av personnumret", required=True),
              C("birth_year", "int", "Födelseår", required=True, min=1900, max=2100),
              C("birth_day", "int", "Födelsedag (dag i månaden)", "Används bara för urval på födelsedagar",
                min=1, max=31),
              C("sex", "code", "Kön", required=True, codes=SEXES),
              C("id_type", "code", "Typ av id", codes=("personnummer", "samordningsnummer", "reservnummer",
                                                        "saknas")),
          )),
    Table("cases", "Ärenden", "Aktualiseringar: ett ärende per klient och enhet.", 2, ("case_id",), (
        C("case_id", "str", "Ärende-id", required=True),
        C("client_id", "str", "Klient-id", required=True, ref="clients.client_id"),
        C("unit", "str", "Enhet", UNITS_HINT, required=True),
        C("target_group", "str", "Målgrupp"),
        C("opened", "date", "Aktualiseringsdatum", required=True, not_after_period=True),
        C("source", "code", "Aktualiseringstyp", codes=("anmälan", "ansökan", "övrigt")),
        C("reason", "str", "Anledning"),
        C("closed", "date", "Avslutsdatum", not_after_period=True),
    )),
    Table("investigations", "Barnavårdsutredningar", "Anmälan, förhandsbedömning och utredning.", 2,
          ("investigation_id",), (
              C("investigation_id", "str", "Utrednings-id", required=True),
              C("case_id", "str", "Ärende-id", ref="cases.case_id"),
              C("client_id", "str", "Klient-id", required=True, ref="clients.client_id"),
              C("unit", "str", "Enhet", UNITS_HINT),
              C("report_received", "date", "Anmälan inkom", required=True, not_after_period=True),
              C("pre_assessment_date", "date", "Förhandsbedömning klar", not_after_period=True),
              C("pre_assessment_decision", "code", "Beslut förhandsbedömning",
                codes=("inleda", "inte_inleda", "paford_pagaende")),
              C("investigation_start", "date", "Utredning inledd", not_after_period=True),
              C("investigation_end", "date", "Utredning avslutad", not_after_period=True),
              C("extended", "bool", "Förlängd (särskilda skäl)"),
              C("outcome", "code", "Utfall", codes=("insats", "ingen_insats", "hanvisning")),
          )),
    Table("interventions", "Insatser", "Beslutade insatser med start, slut och avslutsorsak.", 3,
          ("intervention_id",), (
              C("intervention_id", "str", "Insats-id", required=True),
              C("case_id", "str", "Ärende-id", ref="cases.case_id"),
              C("client_id", "str", "Klient-id", required=True, ref="clients.client_id"),
              C("unit", "str", "Enhet", UNITS_HINT, required=True),
              C("type", "code", "Typ av insats", required=True, codes=INTERVENTION_TYPES),
              C("provider", "str", "Utförare"),
              C("provider_type", "code", "Utförartyp", codes=("intern", "extern")),
              C("decided", "date", "Beslutsdatum", not_after_period=True),
              C("start", "date", "Startdatum", required=True, not_after_period=True),
              C("end", "date", "Slutdatum", not_after_period=True),
              C("end_reason", "code", "Avslutsorsak", codes=("planerad", "avbrott", "annan")),
              C("planned_sessions", "float", "Planerad dos (antal tillfällen)", min=0, max=1000),
          )),
    Table("sessions", "Genomförande", "Dos per insats: samtal och besök som hållits eller uteblivit.", 3,
          ("intervention_id",), (
              C("intervention_id", "str", "Insats-id", required=True, ref="interventions.intervention_id"),
              C("client_id", "str", "Klient-id", ref="clients.client_id"),
              C("individual_sessions", "int", "Individuella samtal", min=0, max=1000),
              C("group_sessions", "int", "Gruppsamtal", min=0, max=1000),
              C("relative_sessions", "int", "Samtal med anhöriga", min=0, max=1000),
              C("visits_held", "int", "Genomförda besök", min=0, max=1000),
              C("visits_missed", "int", "Uteblivna besök", min=0, max=1000),
          )),
    Table("placements", "Placeringar", "Placeringar utanför hemmet.", 3, ("placement_id",), (
        C("placement_id", "str", "Placerings-id", required=True),
        C("client_id", "str", "Klient-id", required=True, ref="clients.client_id"),
        C("case_id", "str", "Ärende-id", ref="cases.case_id"),
        C("unit", "str", "Enhet", UNITS_HINT),
        C("form", "code", "Placeringsform", required=True,
          codes=("familjehem", "konsulentstott_familjehem", "jourhem", "HVB", "stodboende", "SiS")),
        C("legal_basis", "code", "Lagrum", codes=("SoL", "LVU2", "LVU3", "LVM")),
        C("start", "date", "Startdatum", required=True, not_after_period=True),
        C("end", "date", "Slutdatum", not_after_period=True),
    )),
    Table("placement_visits", "Besök hos placerade barn", "Besök av socialsekreterare.", 3,
          ("placement_id", "date"), (
              C("placement_id", "str", "Placerings-id", required=True, ref="placements.placement_id"),
              C("date", "date", "Besöksdatum", required=True, not_after_period=True),
              C("individual_talk", "bool", "Enskilt samtal med barnet"),
          )),
    Table("placement_reviews", "Överväganden och omprövningar", "Övervägande (SoL, 2 § LVU) och omprövning "
          "(3 § LVU).", 3, ("placement_id", "date", "type"), (
              C("placement_id", "str", "Placerings-id", required=True, ref="placements.placement_id"),
              C("date", "date", "Datum", required=True, not_after_period=True),
              C("type", "code", "Typ", required=True, codes=("overvagande", "omprovning")),
          )),
    Table("support_applications", "Ansökningar om ekonomiskt bistånd", "Nybesök: första kontakt och beslut.", 2,
          ("application_id",), (
              C("application_id", "str", "Ansöknings-id", required=True),
              C("client_id", "str", "Klient-id", required=True, ref="clients.client_id"),
              C("first_contact", "date", "Första kontakt", required=True, not_after_period=True),
              C("decision_date", "date", "Beslutsdatum", not_after_period=True),
              C("decision", "code", "Beslut", codes=("bifall", "delvis_bifall", "avslag")),
          )),
    Table("support_months", "Utbetalt försörjningsstöd", "En rad per klient och månad med utbetalning.", 3,
          ("client_id", "month"), (
              C("client_id", "str", "Klient-id", required=True, ref="clients.client_id"),
              C("month", "str", "Månad (ÅÅÅÅ-MM)", required=True),
              C("amount", "float", "Belopp (kr)", required=True, min=0, max=1_000_000),
          )),
    Table("measurements", "Mätningar", "Huvudproblemet mätt med instrument före, under och efter insats.", 4,
          ("measurement_id",), (
              C("measurement_id", "str", "Mätnings-id", required=True),
              C("client_id", "str", "Klient-id", required=True, ref="clients.client_id"),
              C("intervention_id", "str", "Insats-id", ref="interventions.intervention_id"),
              C("instrument", "code", "Instrument", required=True, codes=tuple(INSTRUMENTS)),
              C("occasion", "code", "Tillfälle", required=True, codes=OCCASIONS),
              C("date", "date", "Datum", required=True, not_after_period=True),
              C("score", "float", "Poäng", "Inom instrumentets skala", required=True),
          )),
    Table("goals", "Mål", "Mål för insatsen, formulerade med klienten.", 2, ("goal_id",), (
        C("goal_id", "str", "Mål-id", required=True),
        C("intervention_id", "str", "Insats-id", required=True, ref="interventions.intervention_id"),
        C("client_id", "str", "Klient-id", required=True, ref="clients.client_id"),
        C("set_on", "date", "Satt datum", required=True, not_after_period=True),
        C("area", "str", "Livsområde"),
    )),
    Table("goal_followups", "Måluppföljningar", "Måluppfyllelse på Socialstyrelsens generella skala.", 4,
          ("goal_id", "date"), (
              C("goal_id", "str", "Mål-id", required=True, ref="goals.goal_id"),
              C("date", "date", "Uppföljningsdatum", required=True, not_after_period=True),
              C("attainment", "code", "Måluppfyllelse", required=True, codes=ATTAINMENT),
          )),
    Table("evaluations", "Klientens utvärdering", "Klientens egen skattning efter avslutad insats.", 4,
          ("intervention_id",), (
              C("intervention_id", "str", "Insats-id", required=True, ref="interventions.intervention_id"),
              C("client_id", "str", "Klient-id", ref="clients.client_id"),
              C("date", "date", "Datum", required=True, not_after_period=True),
              C("rating", "int", "Skattning 1–10", "I vilken omfattning insatsen hjälpte", min=1, max=10),
              C("satisfied", "code", "Tillfredsställande (ekonomiskt bistånd)", codes=("ja", "nej")),
              C("dissatisfaction_reason", "code", "Orsak till ej tillfredsställande",
                "Huvudsaklig orsak när klienten svarat att ekonomiskt bistånd inte var tillfredsställande",
                codes=DISSATISFACTION_REASONS),
          )),
    Table("survey_answers", "Brukarenkät", "Anonyma svar: en rad per svarande och fråga.", 4,
          ("respondent_id", "question_id"), (
              C("respondent_id", "str", "Svars-id", required=True),
              C("survey", "str", "Enkät", required=True),
              C("unit", "str", "Enhet", UNITS_HINT, required=True),
              C("target_group", "str", "Målgrupp"),
              C("sex", "code", "Kön", codes=SEXES),
              C("intervention_type", "code", "Insats (barnenkät)", "Den insats barnet eller den unga har, "
                "t.ex. placering i familjehem eller öppenvård", codes=INTERVENTION_TYPES),
              C("question_id", "code", "Fråga", required=True, codes=SURVEY_QUESTIONS + CHILD_SURVEY_QUESTIONS),
              C("answer", "int", "Svar", "Brukarundersökningen (Q1–Q7): 1 = mest positivt … 5 = minst positivt. "
                "Barnenkäten (B1–B6): 1 = ja, 2 = delvis, 3 = nej. 9 = vet ej.", required=True, min=1, max=9),
          )),
    Table("incidents", "Synpunkter, klagomål, lex Sarah och tillsyn", "Räkningar på organisationsnivå.", 4,
          ("incident_id",), (
              C("incident_id", "str", "Id", required=True),
              C("type", "code", "Typ", required=True,
                codes=("synpunkt", "klagomal", "lex_sarah", "lex_sarah_ivo", "ivo_tillsyn")),
              C("date", "date", "Datum", required=True, not_after_period=True),
              C("category", "str", "Kategori"),
              C("unit", "str", "Enhet", UNITS_HINT),
          )),
]}
del C


def table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"Okänd tabell '{name}'. Kända tabeller: {', '.join(TABLES)}") from None


def data_dictionary() -> pd.DataFrame:
    """One row per table and column, with Swedish labels: the documentation of the data model."""
    import pandas as pd

    rows = []
    for t in TABLES.values():
        for c in t.columns:
            rule = []
            if c.codes:
                rule.append("koder: " + ", ".join(c.codes))
            if c.min is not None or c.max is not None:
                rule.append(f"intervall: {c.min:g}–{c.max:g}")
            if c.ref:
                rule.append(f"måste finnas i {c.ref}")
            if c.not_after_period:
                rule.append("inte efter periodens slut")
            rows.append({"Tabell": t.name, "Tabellnamn": t.label, "Kolumn": c.name, "Benämning": c.label,
                         "Beskrivning": c.description, "Typ": c.kind, "Obligatorisk": "ja" if c.required else "nej",
                         "Regler": "; ".join(rule)})
    return pd.DataFrame(rows)
