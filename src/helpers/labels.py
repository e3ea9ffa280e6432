"""Swedish labels for every code a reader could meet: groupings, groups and categories.

Codes that are the same everywhere live here (from the schema); codes a municipality chooses (its units and
target groups, the survey's respondent groups) come from its config (`enheter`, `etiketter`). A code without a
label is shown as it is and listed by ``missing_labels`` so a test can fail on it.
"""
from __future__ import annotations

from .formatting import month
from .grouping import GROUPING_LABELS, MISSING_GROUP, TOTAL_GROUP
from .schema import AREAS, ATTAINMENT_LABELS, INSTRUMENTS

SEX = {"kvinna": "Kvinnor", "man": "Män", "annat": "Annat kön", "okänt": "Kön okänt"}
INTERVENTION_TYPES = {
    "HVB": "HVB (hem för vård eller boende)", "familjehem": "Familjehem",
    "konsulentstott_familjehem": "Konsulentstött familjehem", "jourhem": "Jourhem", "kontaktfamilj": "Kontaktfamilj",
    "oppenvard": "Öppenvård", "behandling_missbruk": "Behandling för missbruk", "boendestod": "Boendestöd",
    "ekonomiskt_bistand": "Ekonomiskt bistånd", "arbetsmarknadsinsats": "Arbetsmarknadsinsats"}
PROVIDER_TYPES = {"intern": "Egen regi", "extern": "Extern utförare"}
PLACEMENT_FORMS = {"familjehem": "Familjehem", "konsulentstott_familjehem": "Konsulentstött familjehem",
                   "jourhem": "Jourhem", "HVB": "HVB", "stodboende": "Stödboende", "SiS": "SiS-institution"}
LEGAL_BASES = {"SoL": "SoL (frivillig placering)", "LVU2": "LVU 2 § (hemmiljön)", "LVU3": "LVU 3 § (eget beteende)",
               "LVM": "LVM"}
INCIDENT_TYPES = {"synpunkt": "Synpunkter", "klagomal": "Klagomål", "lex_sarah": "Lex Sarah-rapporter (internt)",
                  "lex_sarah_ivo": "Lex Sarah-anmälningar till IVO", "ivo_tillsyn": "Tillsynsärenden från IVO"}
EXTENDED = {"ja": "Förlängd utredning", "nej": "Inte förlängd"}
SURVEY_QUESTIONS = {
    "Q1": "Nöjd med stödet", "Q2": "Lätt att få kontakt med handläggaren", "Q3": "Lätt att förstå informationen",
    "Q4": "Handläggaren förstod min situation", "Q5": "Tillfrågad om mina synpunkter",
    "Q6": "Kunnat påverka hjälpen", "Q7": "Situationen har förbättrats",
    # Barnenkäten: each label names the favourable answer the indicator counts (B3: "nej" to kränkning).
    "B1": "Känner mig trygg där jag bor", "B2": "Vuxna lyssnar på mig",
    "B3": "Har inte blivit kränkt eller illa behandlad (svarat nej)",
    "B4": "Går i skolan och får stöd i skolan", "B5": "Mår bra",
    "B6": "Har fått gå till tandläkaren när jag behövt"}
DISSATISFACTION_REASONS = {
    "handlaggningstid": "Handläggningstid", "bemotande": "Bemötande", "beslutets_innehall": "Beslutets innehåll",
    "information": "Information", "tillganglighet": "Tillgänglighet", "annat": "Annan orsak"}
DOSE = {"planerade_tillfallen": "Planerade tillfällen", "alla_tillfallen": "Alla genomförda tillfällen", "individuella_samtal": "Individuella samtal",
        "gruppsamtal": "Gruppsamtal", "anhorigsamtal": "Samtal med anhöriga",
        "genomforda_besok": "Genomförda besök"}
CATEGORIES = {
    **ATTAINMENT_LABELS,
    "forbattrad": "Förbättrad", "oforandrad": "Oförändrad", "forsamrad": "Försämrad",
    "anmalningar": "Inkomna anmälningar", "inledda": "Inledda utredningar", "avslutade": "Avslutade utredningar",
    "periodens_start": "Vid periodens början", "periodens_slut": "Vid periodens slut",
    "planerad": "Planerat avslut", "avbrott": "Avbrott", "annan": "Annan orsak",
    **{str(r): f"Skattning {r}" for r in range(1, 11)},
    **SURVEY_QUESTIONS,
    **DISSATISFACTION_REASONS, MISSING_GROUP: MISSING_GROUP,
    **DOSE,
}
FIXED = {
    "sex": SEX, "type": INTERVENTION_TYPES, "provider_type": PROVIDER_TYPES, "form": PLACEMENT_FORMS,
    "legal_basis": LEGAL_BASES, "incident_type": INCIDENT_TYPES, "extended": EXTENDED,
    "question_id": SURVEY_QUESTIONS, "instrument": {k: v["label"] for k, v in INSTRUMENTS.items()},
    "area_code": AREAS,
}
# Groupings whose groups are free text already written for people (providers, life areas, complaint categories).
FREE_TEXT = ("provider", "area", "category_type", "age_group")


def grouping_label(grouping: str) -> str:
    return GROUPING_LABELS.get(grouping, grouping)


def group_label(grouping: str, code: str, config=None) -> str:
    """The Swedish name of a group: "barn_unga" → "Barn och unga", "kvinna" → "Kvinnor", "2025-03" → "mars 2025"."""
    code = str(code)
    if code in (TOTAL_GROUP, MISSING_GROUP) or grouping in FREE_TEXT:
        return code
    if grouping == "month" and len(code) == 7 and code[4] == "-":
        return month(code)
    if grouping == "unit" and config is not None:
        return config.unit_name(code)
    custom = ((config.get("etiketter") or {}).get(grouping) or {}) if config is not None else {}
    if code in custom:
        return str(custom[code])
    return FIXED.get(grouping, {}).get(code, code)


def _is_month(code: str) -> bool:
    return len(code) == 7 and code[4] == "-" and code[:4].isdigit() and code[5:].isdigit()


def category_label(code: str) -> str:
    """The Swedish name of a category: "avbrott" → "Avbrott", "2025-03" → "mars 2025" (a month series)."""
    code = str(code)
    if code not in CATEGORIES and _is_month(code):
        return month(code)
    return CATEGORIES.get(code, code)


def has_label(grouping: str, code: str, config=None) -> bool:
    """True when the group reaches a reader with a Swedish name (a label may equal its code, as "HVB" does)."""
    custom = ((config.get("etiketter") or {}).get(grouping) or {}) if config is not None else {}
    return grouping in FREE_TEXT or code in (TOTAL_GROUP, MISSING_GROUP) or code in FIXED.get(grouping, {}) \
        or code in custom or group_label(grouping, code, config) != code or (grouping == "month")


def missing_labels(cells, config=None) -> list[str]:
    """Codes in a frame of cells (grouping, group, category) that would reach a reader without a label."""
    out = set()
    for grouping, group in set(zip(cells["grouping"], cells["group"])):
        if grouping != "total" and not has_label(grouping, group, config):
            out.add(f"{grouping}={group}")
    for category in set(cells["category"]):
        if category and category not in CATEGORIES and not category.endswith("månader") and not _is_month(category):
            out.add(f"kategori={category}")
    return sorted(out)
