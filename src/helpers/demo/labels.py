"""The source systems' Swedish codes for canonical values: what the exports print and the mappings read back."""
from __future__ import annotations

from ..schema import ATTAINMENT_LABELS

UNIT = {"barn_unga": "Barn och unga", "vuxna_missbruk": "Vuxenenheten", "ekonomiskt_bistand": "Ekonomiskt bistånd"}
TARGET_GROUP = {"barn_0_12": "Barn 0–12 år", "unga_13_20": "Ungdom 13–20 år", "vuxna_missbruk": "Vuxna, missbruk",
                "vuxna_ekb": "Vuxna, ekonomiskt bistånd"}
CASE_SOURCE = {"anmälan": "Anmälan", "ansökan": "Ansökan", "övrigt": "Övrig aktualisering"}
PRE_DECISION = {"inleda": "Inleda utredning", "inte_inleda": "Inte inleda utredning",
                "paford_pagaende": "Påförd pågående utredning"}
OUTCOME = {"insats": "Insats beviljad", "ingen_insats": "Ingen insats", "hanvisning": "Hänvisning"}
INTERVENTION = {"HVB": "HVB", "familjehem": "Familjehem", "konsulentstott_familjehem": "Konsulentstött familjehem",
                "jourhem": "Jourhem", "kontaktfamilj": "Kontaktfamilj", "oppenvard": "Öppenvård",
                "behandling_missbruk": "Missbruksbehandling", "boendestod": "Boendestöd",
                "ekonomiskt_bistand": "Försörjningsstöd", "arbetsmarknadsinsats": "Arbetsmarknadsinsats"}
PROVIDER_TYPE = {"intern": "Egen regi", "extern": "Extern utförare"}
END_REASON = {"planerad": "Avslutad enligt plan", "avbrott": "Avbruten", "annan": "Annan orsak"}
PLACEMENT_FORM = {"familjehem": "Familjehem", "konsulentstott_familjehem": "Konsulentstött familjehem",
                  "jourhem": "Jourhem", "HVB": "HVB", "stodboende": "Stödboende", "SiS": "SiS-institution"}
LEGAL_BASIS = {"SoL": "SoL", "LVU2": "LVU 2 §", "LVU3": "LVU 3 §", "LVM": "LVM"}
REVIEW = {"overvagande": "Övervägande", "omprovning": "Omprövning"}
DECISION = {"bifall": "Bifall", "delvis_bifall": "Delvis bifall", "avslag": "Avslag"}
INSTRUMENT = {"AUDIT": "AUDIT", "DUDIT": "DUDIT", "ASI_alkohol": "ASI alkohol (intervjuare)",
              "ASI_narkotika": "ASI narkotika (intervjuare)", "KASAM13": "KASAM-13",
              "problemdagar": "Problemdagar (30 dagar)", "egen_skala": "Egen skala 1–10"}
OCCASION = {"fore": "Före", "under": "Under", "efter": "Efter", "uppfoljning": "Uppföljning"}
ATTAINMENT = dict(ATTAINMENT_LABELS)
SATISFIED = {"ja": "Ja", "nej": "Nej"}
DISSATISFACTION = {"handlaggningstid": "Handläggningstid", "bemotande": "Bemötande",
                   "beslutets_innehall": "Beslutets innehåll", "information": "Information",
                   "tillganglighet": "Tillgänglighet", "annat": "Annat"}
SURVEY_UNIT = {"barn_unga": "IFO Barn och unga", "vuxna_missbruk": "IFO Missbruk vuxna",
               "ekonomiskt_bistand": "IFO Ekonomiskt bistånd"}
SURVEY_GROUP = {"vardnadshavare": "Vårdnadshavare", "unga_13": "Ungdom 13 år och äldre", "vuxna": "Vuxen",
                "barn_0_12": "Barn 10–12 år", "unga_13_20": "Ungdom 13–20 år"}
SEX = {"kvinna": "Kvinna", "man": "Man", "okänt": "Vill ej uppge"}
QUESTION = {**{f"Q{i}": f"F{i}" for i in range(1, 8)}, **{f"B{i}": f"BF{i}" for i in range(1, 7)}}
INCIDENT = {"synpunkt": "Synpunkt", "klagomal": "Klagomål", "lex_sarah": "Lex Sarah-rapport",
            "lex_sarah_ivo": "Lex Sarah-anmälan till IVO", "ivo_tillsyn": "IVO-tillsyn"}


def reverse(labels: dict[str, str]) -> dict[str, str]:
    """Source label -> canonical code, as a mapping's `koder` holds it."""
    return {label: code for code, label in labels.items()}
