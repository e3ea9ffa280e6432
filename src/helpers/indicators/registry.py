"""The indicator registry: every indicator declared once, with its Swedish definition."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import pandas as pd

from ..grouping import GROUPING_LABELS
from ..labels import DISSATISFACTION_REASONS, DOSE, SURVEY_QUESTIONS
from ..schema import ATTAINMENT_LABELS, CHILD_SURVEY_QUESTIONS
from . import change, coverage, flow, investigations, organisation, placements, support, surveys
from . import child_survey, dose, placements_monthly, support_evaluation

UNIT_KIND = {"andel": "share", "antal": "count", "medelvärde": "mean", "median": "median",
             "median_dagar": "median", "medelvärde_dagar": "mean", "median_poäng": "median",
             "medelvärde_poäng": "mean", "medelvärde_månader": "mean"}
UNIT_LABELS = {"andel": "Andel (%)", "antal": "Antal", "medelvärde": "Medelvärde", "median": "Median",
               "median_dagar": "Median, dagar", "medelvärde_dagar": "Medelvärde, dagar",
               "median_poäng": "Median, poäng", "medelvärde_poäng": "Medelvärde, poäng",
               "medelvärde_månader": "Medelvärde, månader"}

# Swedish labels of the category codes used in the `category` column.
CATEGORY_LABELS = {**{k: v for k, v in ATTAINMENT_LABELS.items()}, **change.CHANGE_LABELS,
                   **investigations.MONTHLY_LABELS, **placements.POINT_LABELS,
                   "planerad": "Planerat avslut", "avbrott": "Avbrott", "annan": "Annan orsak",
                   **{q: SURVEY_QUESTIONS[q] for q in CHILD_SURVEY_QUESTIONS}, **DISSATISFACTION_REASONS,
                   **DOSE}


@dataclass(frozen=True)
class View:
    """An indicator shown as one category of another indicator's cells (the same numbers, one place):
    `category` is a category code, or `setting` names the config key (under `indikatorer:`) that holds it."""
    of: str
    category: str = ""
    setting: str = ""
    groupings: tuple[str, ...] | None = None

    def category_in(self, config) -> str:
        if not self.setting:
            return self.category
        return str((config.get("indikatorer") or {}).get(self.setting, self.category))


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    description: str
    numerator_text: str
    denominator_text: str
    unit: str
    tables: tuple[str, ...]
    groupings: tuple[str, ...]
    compute: Callable
    distribution: bool = False  # the categories of a group add up to its base
    population: str = ""  # name of the population its denominator (or n, or count) counts; shared = same numbers
    areas: tuple[str, ...] | None = None  # verksamhetsområden it concerns (None: all); elsewhere "ej tillämpligt"
    view: "View | None" = None  # a view of another indicator's cells, not computed on its own
    numerator_of: tuple[str, str] | None = None  # its numerator is this (indicator, category)'s numerator

    @property
    def base(self) -> str:
        """The population key of its denominator: indicators with the same key share their bases."""
        return self.population or self.name

    @property
    def kind(self) -> str:
        """"share", "count", "mean" or "median": how disclosure control treats the cells."""
        return UNIT_KIND[self.unit]


IV = ("unit", "type", "provider_type", "target_group", "sex", "age_group")
_I = Indicator
INDICATORS = [
    _I("mal_i_arenden", "Mål i alla ärenden", "Andel av periodens pågående insatser som har minst ett "
       "dokumenterat mål (satt senast vid periodens slut).", "Pågående insatser med minst ett mål",
       "Insatser som pågått någon gång under perioden", "andel", ("interventions", "goals", "clients", "cases"),
       IV, coverage.goals_in_interventions),
    _I("uppfoljning_6_manader", "Måluppföljning minst var 6:e månad", "Andel av insatserna som pågått minst "
       "6 månader (vid avslut eller periodens slut) där något mål följts upp under de senaste 6 månaderna.",
       "Insatser med en måluppföljning de senaste 6 månaderna", "Pågående insatser som pågått minst 6 månader",
       "andel", ("interventions", "goals", "goal_followups"), IV, coverage.followed_up_every_six_months),
    _I("utvardering_efter_insats", "Utvärdering efter avslutad insats", "Andel av de insatser som avslutats "
       "under perioden där klienten själv utvärderat insatsen (skattning 1–10 eller nöjd/inte nöjd).",
       "Avslutade insatser med klientens utvärdering", "Insatser avslutade under perioden", "andel",
       ("interventions", "evaluations"), IV + ("provider",), coverage.evaluated_after_finish),
    _I("utvardering_skattning", "Klientens skattning 1–10", "Fördelning av klientens skattning av i vilken "
       "omfattning insatsen hjälpte (1–10), för insatser avslutade under perioden. Kategori = skattningen.",
       "Utvärderingar med skattningen", "Utvärderingar med en skattning", "andel",
       ("interventions", "evaluations"), tuple(coverage.RATING_GROUPS), coverage.rating_distribution,
       distribution=True),
    _I("utvardering_skattning_medel", "Klientens skattning, medelvärde", "Medelvärde av klientens skattning "
       "1–10 för insatser avslutade under perioden.", "Summa skattningar", "Antal skattningar", "medelvärde",
       ("interventions", "evaluations"), IV, coverage.rating_mean),
    _I("utvardering_skattning_median", "Klientens skattning, median", "Median av klientens skattning 1–10 "
       "för insatser avslutade under perioden.", "–", "Antal skattningar", "median",
       ("interventions", "evaluations"), IV, coverage.rating_median),
    _I("nojd_ekonomiskt_bistand", "Tillfredsställande ekonomiskt bistånd", "Andel som efter avslutat "
       "ekonomiskt bistånd svarat att insatsen var tillfredsställande.", "Svar 'tillfredsställande'",
       "Besvarade utvärderingar", "andel", ("interventions", "evaluations"), ("unit", "sex", "age_group"),
       coverage.satisfied_with_support),
    _I("maluppfyllelse", "Måluppfyllelse", "Mål som följts upp under perioden, efter den senaste bedömda "
       "uppföljningen i perioden, på Socialstyrelsens generella skala i fyra steg ('ej bedömt' räknas inte). "
       "Kategori = steget.", "Mål i kategorin", "Mål med en bedömd uppföljning under perioden", "andel",
       ("goals", "goal_followups", "interventions"),
       tuple(change.ATTAINMENT_GROUPS), change.goal_attainment,
       distribution=True),
    _I("forandring_fore_efter", "Förändring före–efter insats", "Parvisa mätningar (första mätningen före "
       "och senaste mätningen efter/vid uppföljning under perioden) per klient, insats och instrument: andel "
       "förbättrade, oförändrade och försämrade, med hänsyn till instrumentets riktning.",
       "Mätpar i kategorin", "Mätpar med både före- och eftermätning", "andel",
       ("measurements", "interventions"), tuple(change.CHANGE_GROUPS), change.change_distribution,
       distribution=True),
    _I("forandring_median", "Förändring före–efter, median", "Median av skillnaden efter minus före per "
       "instrument (poäng på instrumentets skala).", "–", "Mätpar", "median_poäng", ("measurements",),
       ("instrument",), change.change_median),
    _I("forandring_medel", "Förändring före–efter, medelvärde", "Medelvärde av skillnaden efter minus före per "
       "instrument (poäng på instrumentets skala).", "Summa skillnader", "Mätpar", "medelvärde_poäng",
       ("measurements",), ("instrument",), change.change_mean),
    _I("matning_efter_insats", "Eftermätning gjord (bortfall)", "Andel av förmätningarna i insatser som "
       "avslutats under perioden som har en eftermätning med samma instrument. Resten är bortfall.",
       "Förmätningar med eftermätning", "Förmätningar i avslutade insatser", "andel",
       ("measurements", "interventions"), tuple(change.CHANGE_GROUPS), change.measured_after),
    _I("forsorjningsstod_mottagare", "Mottagare av försörjningsstöd", "Antal personer med utbetalt "
       "försörjningsstöd någon månad under perioden.", "Personer", "–", "antal", ("support_months", "clients"),
       ("sex", "age_group"), support.recipient_count),
    _I("forsorjningsstod_manader", "Månader med försörjningsstöd", "Medelantal månader med utbetalt "
       "försörjningsstöd under kalenderåret per mottagare.", "Summa månader", "Mottagare",
       "medelvärde_månader", ("support_months", "clients"), ("sex", "age_group"), support.months_mean),
    _I("forsorjningsstod_manader_fordelning", "Mottagare efter antal månader", "Mottagare av försörjningsstöd "
       "fördelade efter antal månader med utbetalning under kalenderåret. Kategori = antal månader.",
       "Mottagare i kategorin", "Mottagare", "andel", ("support_months", "clients"), ("sex", "age_group"),
       support.months_distribution, distribution=True),
    _I("langvarigt_forsorjningsstod", "Långvarigt försörjningsstöd", "Andel av mottagarna med utbetalning "
       "10–12 månader under kalenderåret (Socialstyrelsens definition).", "Mottagare med minst 10 månader",
       "Mottagare med minst en månad", "andel", ("support_months", "clients"), ("sex", "age_group"),
       support.long_term_share),
    _I("vantetid_ekonomiskt_bistand", "Väntetid till beslut, ekonomiskt bistånd (median)", "Median antal dagar "
       "från första kontakt (nybesök) till beslut, för beslut fattade under perioden.", "–",
       "Ansökningar med beslut", "median_dagar", ("support_applications", "clients"), ("sex", "age_group"),
       support.waiting_median),
    _I("vantetid_ekonomiskt_bistand_medel", "Väntetid till beslut, ekonomiskt bistånd (medelvärde)",
       "Medelantal dagar från första kontakt (nybesök) till beslut (KKiK-måttet).", "Summa dagar",
       "Ansökningar med beslut", "medelvärde_dagar", ("support_applications", "clients"), ("sex", "age_group"),
       support.waiting_mean),
    _I("forhandsbedomning_14_dagar", "Förhandsbedömning inom 14 dagar", "Andel av anmälningarna som kom in "
       "under perioden där förhandsbedömningen var klar inom 14 dagar (11 kap. 1 a § SoL). Anmälningar som vid "
       "periodens slut ännu inte passerat 14 dagar utan beslut räknas inte.", "Förhandsbedömningar klara inom "
       "14 dagar", "Anmälningar under perioden", "andel", ("investigations", "clients"),
       ("unit", "sex", "age_group"), investigations.pre_assessment_in_time),
    _I("utredning_4_manader", "Utredning klar inom 4 månader", "Andel av utredningarna som avslutades under "
       "perioden och var klara senast 4 kalendermånader efter att de inleddes (11 kap. 2 § SoL). Förlängda "
       "utredningar redovisas separat.", "Utredningar klara inom 4 månader", "Utredningar avslutade under "
       "perioden", "andel", ("investigations", "clients"), ("unit", "sex", "age_group", "extended"),
       investigations.within_four_months),
    _I("utredningstid_median", "Utredningstid (median)", "Median antal dagar från inledd till avslutad "
       "utredning, för utredningar avslutade under perioden.", "–", "Avslutade utredningar", "median_dagar",
       ("investigations", "clients"), ("unit", "sex", "age_group"), investigations.duration_median),
    _I("utredningstid_medel", "Utredningstid (medelvärde)", "Medelantal dagar från inledd till avslutad "
       "utredning, för utredningar avslutade under perioden.", "Summa dagar", "Avslutade utredningar",
       "medelvärde_dagar", ("investigations", "clients"), ("unit", "sex", "age_group"),
       investigations.duration_mean),
    _I("utredningar_per_manad", "Anmälningar och utredningar per månad", "Antal inkomna anmälningar, inledda "
       "och avslutade utredningar per månad. Kategori = vad som räknas.", "Antal", "–", "antal",
       ("investigations",), ("month",), investigations.per_month),
    _I("placerade", "Placerade vid periodens början och slut", "Antal personer placerade utanför hemmet den "
       "första och den sista dagen i perioden. Kategori = tidpunkten.", "Placerade personer", "–", "antal",
       ("placements", "clients"), tuple(placements.GROUPS), placements.placed_at_start_and_end),
    _I("besok_placerade_barn", "Placerade barn som besökts", "Andel av barnen som varit placerade hela "
       "perioden (ej LVM) som fått minst k besök av socialsekreterare under perioden, varav minst ett med "
       "enskilt samtal (6 kap. 7 b § SoL). k anges i konfigurationen (indikatorer.besok_per_ar).",
       "Barn med minst k besök och enskilt samtal", "Barn placerade hela perioden", "andel",
       ("placements", "placement_visits", "clients"), tuple(placements.GROUPS), placements.visited_children),
    _I("overvagande_i_tid", "Övervägande och omprövning i tid", "Andel av placeringarna med en tidsgräns under "
       "perioden där varje övervägande (SoL, 2 § LVU) eller omprövning (3 § LVU) gjorts inom 6 månader från "
       "placeringens start eller förra beslutet (6 kap. 8 § SoL, 13 § LVU).", "Placeringar där alla "
       "tidsgränser hölls", "Placeringar med en tidsgräns under perioden", "andel",
       ("placements", "placement_reviews", "clients"), tuple(placements.GROUPS), placements.reviews_on_time),
    _I("brukarenkat_positiva", "Brukarenkät: andel positiva svar", "Andel positiva svar (1–2 på skalan 1–5) "
       "per fråga bland dem som besvarat frågan; 'vet ej' räknas inte. Kategori = frågan.",
       "Positiva svar", "Svar på frågan (utom 'vet ej')", "andel", ("survey_answers",),
       tuple(surveys.GROUPS), surveys.positive_per_question),
    _I("livssituation_forbattrad", "Andel som anser att situationen förbättrats", "Andel positiva svar på "
       "brukarenkätens fråga om hur situationen förändrats; 'vet ej' räknas inte.", "Positiva svar",
       "Svar på frågan (utom 'vet ej')", "andel", ("survey_answers",), tuple(surveys.GROUPS),
       surveys.situation_improved),
    _I("avslutade_insatser", "Avslutade insatser: planerat avslut eller avbrott", "Insatser som avslutats "
       "under perioden efter avslutsorsak. Kategori = avslutsorsaken.", "Insatser med avslutsorsaken",
       "Insatser avslutade under perioden", "andel", ("interventions",), tuple(flow.IV_GROUPS),
       flow.end_reasons, distribution=True),
    _I("utforarjamforelse", "Utförarjämförelse: planerat avslut", "Andel av insatserna som avslutats under "
       "perioden som avslutades enligt plan, per utförare.", "Insatser med planerat avslut",
       "Insatser avslutade under perioden", "andel", ("interventions",),
       ("provider", "provider_type", "type", "unit"), flow.provider_comparison),
    _I("ej_ateraktualiserade", "Ej återaktualiserade inom ett år", "Andel av klienterna vars ärenden avslutades "
       "första halvåret föregående år som inte fått ett nytt ärende inom 12 månader (KKiK).",
       "Klienter utan nytt ärende inom 12 månader", "Klienter med avslut första halvåret föregående år",
       "andel", ("cases", "clients"), ("unit", "sex", "age_group"), flow.not_reactualised),
    _I("synpunkter_klagomal", "Synpunkter och klagomål", "Antal synpunkter och klagomål under perioden.",
       "Antal", "–", "antal", ("incidents",), tuple(organisation.GROUPS), organisation.complaints),
    _I("lex_sarah", "Lex Sarah-rapporter", "Antal lex Sarah-rapporter under perioden, och hur många som "
       "anmälts till IVO.", "Antal", "–", "antal", ("incidents",),
       tuple(organisation.GROUPS), organisation.lex_sarah),
    _I("ivo_tillsyn", "IVO-tillsyn", "Antal tillsynsärenden från IVO under perioden.", "Antal", "–", "antal",
       ("incidents",), tuple(organisation.GROUPS[1:]), organisation.ivo_supervision),
    _I("barnenkat_positiva", "Barns och ungas egna svar: andel positiva svar", "Barnenkäten: barns och ungas "
       "egna svar om trygghet, bemötande, kränkning, skola, hälsa och tandvård (ja, delvis eller nej). Andel som "
       "gett det positiva svaret per fråga bland dem som besvarat frågan; 'vet ej' räknas inte. Positivt svar är "
       "'ja', utom på frågan om kränkning: där räknas 'nej' (inte kränkt eller illa behandlad). Kategori = frågan.",
       "Positiva svar ('ja'; på frågan om kränkning 'nej')", "Svar på frågan (utom 'vet ej')", "andel",
       ("survey_answers",), tuple(child_survey.GROUPS), child_survey.favourable_per_question),
    _I("ekb_ej_tillfredsstallande_orsak", "Orsak till att ekonomiskt bistånd inte var tillfredsställande",
       "De som efter avslutat ekonomiskt bistånd svarat att insatsen inte var tillfredsställande, fördelade efter "
       "den huvudsakliga orsak de angett. 'Uppgift saknas' = ingen orsak angiven. Basen är svaren 'ej "
       "tillfredsställande' i indikatorn Tillfredsställande ekonomiskt bistånd. Kategori = orsaken.",
       "Svar 'ej tillfredsställande' med orsaken", "Svar 'ej tillfredsställande'", "andel",
       ("interventions", "evaluations"), tuple(support_evaluation.GROUPS), support_evaluation.dissatisfaction_reasons,
       distribution=True),
    _I("insatser_enligt_plan", "Insatser genomförda enligt plan", "Andel av de insatser som avslutats under "
       "perioden och har en planerad dos där antalet genomförda tillfällen (individuella samtal, gruppsamtal, "
       "samtal med anhöriga och genomförda besök) är minst det planerade. Insatser utan registrerat genomförande "
       "räknas inte.", "Insatser med minst den planerade dosen genomförd", "Avslutade insatser med planerad dos "
       "och registrerat genomförande", "andel", ("interventions", "sessions"), tuple(dose.PLAN_GROUPS),
       dose.delivered_as_planned),
    _I("tillfallen_per_insats", "Planerade och genomförda tillfällen per avslutad insats", "Medelantal planerade "
       "och genomförda tillfällen per insats, för insatser som avslutats under perioden och har en planerad dos och "
       "registrerat genomförande: planerade, alla genomförda och per slag (individuella samtal, gruppsamtal, samtal "
       "med anhöriga, genomförda besök). Ett tomt antal räknas som 0. Kategori = vad som räknas.",
       "Summa tillfällen", "Avslutade insatser med planerad dos och registrerat genomförande", "medelvärde",
       ("interventions", "sessions"), tuple(dose.IV_GROUPS), dose.sessions_mean),
    _I("genomforda_besok", "Genomförda besök av bokade", "Andel av de bokade besöken (genomförda och uteblivna) "
       "som genomfördes, i insatser som avslutats under perioden. Räknar besök, inte personer.",
       "Genomförda besök (antal besök)", "Bokade besök: genomförda och uteblivna (antal besök)", "andel",
       ("interventions", "sessions"), tuple(dose.VISIT_GROUPS), dose.visits_held),
    _I("placerade_per_manad", "Placerade den första dagen i varje månad", "Antal personer placerade utanför "
       "hemmet den första dagen i varje månad under perioden. En person med flera placeringar samtidigt räknas en "
       "gång, med den senast påbörjade placeringens form och lagrum. Kategori = månaden (ÅÅÅÅ-MM).",
       "Placerade personer", "–", "antal", ("placements", "cases"), tuple(placements_monthly.GROUPS),
       placements_monthly.placed_first_of_month),
]
del _I

# Indicators whose denominators (or n, or counts) count the same population share those numbers.
POPULATIONS = {
    "utvardering_efter_insats": "avslutade_insatser", "avslutade_insatser": "avslutade_insatser",
    "utforarjamforelse": "avslutade_insatser",
    "utvardering_skattning": "skattningar", "utvardering_skattning_medel": "skattningar",
    "utvardering_skattning_median": "skattningar",
    "forandring_fore_efter": "matpar", "forandring_median": "matpar", "forandring_medel": "matpar",
    "forsorjningsstod_mottagare": "ekb_mottagare", "forsorjningsstod_manader": "ekb_mottagare",
    "forsorjningsstod_manader_fordelning": "ekb_mottagare", "langvarigt_forsorjningsstod": "ekb_mottagare",
    "vantetid_ekonomiskt_bistand": "ekb_beslut", "vantetid_ekonomiskt_bistand_medel": "ekb_beslut",
    "utredning_4_manader": "avslutade_utredningar", "utredningstid_median": "avslutade_utredningar",
    "utredningstid_medel": "avslutade_utredningar",
    "insatser_enligt_plan": "dos_avslutade", "tillfallen_per_insats": "dos_avslutade",
}
# Verksamhetsområden (schema.AREAS) an indicator concerns; a unit outside them shows it as "ej tillämpligt".
_EKB, _BARN, _VUXEN = ("ekonomiskt_bistand",), ("barn_unga",), ("missbruk_vuxen",)
AREAS = {
    **{n: _EKB for n in ("nojd_ekonomiskt_bistand", "forsorjningsstod_mottagare", "forsorjningsstod_manader",
                         "forsorjningsstod_manader_fordelning", "langvarigt_forsorjningsstod",
                         "vantetid_ekonomiskt_bistand", "vantetid_ekonomiskt_bistand_medel")},
    **{n: _BARN for n in ("forhandsbedomning_14_dagar", "utredning_4_manader", "utredningstid_median",
                          "utredningstid_medel", "utredningar_per_manad", "besok_placerade_barn",
                          "overvagande_i_tid")},
    "placerade": _BARN + _VUXEN,
    "barnenkat_positiva": _BARN, "ekb_ej_tillfredsstallande_orsak": _EKB, "placerade_per_manad": _BARN + _VUXEN,
}
VIEWS = {
    "livssituation_forbattrad": View("brukarenkat_positiva", category="Q7", setting="fraga_forandring"),
}
# Numerators that count the same rows as another indicator's category: one quantity in the linked set.
NUMERATORS = {"utforarjamforelse": ("avslutade_insatser", "planerad")}
# Counts an indicator shows as one category that another indicator counts too, from the same rows: one quantity
# in the linked set. (indicator, category) -> (population, category); "{period}" stands for the cell's period.
SHARED_COUNTS = {
    ("placerade_per_manad", "{period}-01"): ("placerade", "periodens_start"),  # the first of January
    ("utredningar_per_manad", "avslutade"): ("avslutade_utredningar", ""),  # the 4-month share's and duration's base
}
# Bases that are another share's complement, from the same rows: base = its denominator − its numerator (the
# reasons are given by those who answered "ej tillfredsställande").
COMPLEMENT_BASES = {"ekb_ej_tillfredsstallande_orsak": "nojd_ekonomiskt_bistand"}
# A mean's sum is the weighted sum of a distribution's categories (the mean rating = Σ rating × count / n).
WEIGHTED_SUMS = {"utvardering_skattning_medel": ("utvardering_skattning", {str(r): float(r) for r in range(1, 11)})}
INDICATORS = [replace(i, population=POPULATIONS.get(i.name, ""), areas=AREAS.get(i.name), view=VIEWS.get(i.name),
                      numerator_of=NUMERATORS.get(i.name)) for i in INDICATORS]

REGISTRY: dict[str, Indicator] = {i.name: i for i in INDICATORS}


def get(name: str) -> Indicator:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"Okänd indikator '{name}'. Kända indikatorer: {', '.join(REGISTRY)}") from None


def dictionary() -> pd.DataFrame:
    """The registry's data dictionary (ordlista), one row per indicator."""
    return pd.DataFrame([{
        "name": i.name, "label": i.label, "description": i.description, "numerator": i.numerator_text,
        "denominator": i.denominator_text, "unit": i.unit, "unit_label": UNIT_LABELS[i.unit],
        "tables": ", ".join(i.tables),
        "groupings": ", ".join(GROUPING_LABELS.get(g, g) for g in i.groupings),
        "grouping_codes": ", ".join(i.groupings),
    } for i in INDICATORS])
