"""How an indicator and a group read inside a Swedish sentence: "andelen avslutade insatser som klienten själv
utvärderat", "i Barn och unga" / "i övriga enheter".

The committee's own wording (``matt`` of a goal in the config) wins over the built-in phrases; an indicator
without either reads as its label ("andelen för ”Mål i alla ärenden”").
"""
from __future__ import annotations

from .. import labels
from .goals import IndicatorInfo, subject

# (indicator, category) -> the measure as a sentence's subject, lower case.
PHRASES = {
    ("mal_i_arenden", ""): "andelen pågående insatser med dokumenterat mål",
    ("uppfoljning_6_manader", ""): "andelen insatser med en måluppföljning de senaste sex månaderna",
    ("utvardering_efter_insats", ""): "andelen avslutade insatser som klienten själv utvärderat",
    ("nojd_ekonomiskt_bistand", ""): "andelen som tyckte att det ekonomiska biståndet var tillfredsställande",
    ("maluppfyllelse", "positiv_uppfyllt"): "andelen uppföljda mål som uppfyllts",
    ("forandring_fore_efter", "forbattrad"): "andelen mätpar (före och efter insats) som visar en förbättring",
    ("matning_efter_insats", ""): "andelen förmätningar som följts av en eftermätning",
    ("langvarigt_forsorjningsstod", ""): "andelen mottagare av försörjningsstöd med långvarigt stöd",
    ("forhandsbedomning_14_dagar", ""): "andelen förhandsbedömningar som var klara inom 14 dagar",
    ("utredning_4_manader", ""): "andelen utredningar som var klara inom fyra månader",
    ("besok_placerade_barn", ""): "andelen placerade barn som fått de besök och enskilda samtal som krävs",
    ("overvagande_i_tid", ""): "andelen placeringar där övervägande eller omprövning gjorts i tid",
    ("livssituation_forbattrad", ""): "andelen svarande som anser att situationen förbättrats",
    ("utforarjamforelse", ""): "andelen avslutade insatser som avslutades enligt plan",
    ("avslutade_insatser", "planerad"): "andelen avslutade insatser som avslutades enligt plan",
    ("ej_ateraktualiserade", ""): "andelen klienter som inte fått ett nytt ärende inom ett år",
}
# Indicators whose categories are separate questions: the phrase names the question.
PER_QUESTION = {"brukarenkat_positiva": ("andelen positiva svar på frågan ”{}”", "andelen positiva svar",
                                         "frågor i brukarenkäten")}

# grouping -> (in the group, in the rest of the organisation); {} is the group's label.
GROUP_PHRASES = {
    "unit": ("i {}", "i övriga enheter"),
    "sex": ("bland {}", "bland övriga"),
    "age_group": ("i åldersgruppen {}", "i övriga åldersgrupper"),
    "target_group": ("i målgruppen {}", "i övriga målgrupper"),
    "type": ("för insatstypen {}", "för övriga insatstyper"),
    "provider": ("hos {}", "hos övriga utförare"),
    "provider_type": ("för {}", "för övriga utförare"),
}
DEFAULT_GROUP_PHRASE = ("för {}", "för övriga")
# Groups whose name reads better in a sentence in its own way.
IN_SENTENCE = {("provider_type", "intern"): "i egen regi", ("provider_type", "extern"): "hos externa utförare"}


def lower_first(text: str) -> str:
    """'Barn 0–12 år' -> 'barn 0–12 år'; acronyms stay ('HVB ...', 'LVU 2 §')."""
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def committee_phrases(config) -> dict[str, str]:
    """indicator -> the committee's ``matt`` phrase of a goal on its total (the first such goal)."""
    out: dict[str, str] = {}
    for goal in (config.get("mal") or []) if config is not None else []:
        if not isinstance(goal, dict) or not goal.get("matt") or not goal.get("indikator"):
            continue
        group = goal.get("grupp") or {}
        if isinstance(group, dict) and group.get("category"):
            continue
        out.setdefault(str(goal["indikator"]), lower_first(str(goal["matt"]).strip()))
    return out


def measure(indicator: str, category: str, info: IndicatorInfo, committee: dict[str, str] | None = None) -> str:
    """The measure as the (lower-case) subject of a sentence."""
    if indicator in PER_QUESTION and category:
        return PER_QUESTION[indicator][0].format(labels.category_label(category))
    if not category and committee and indicator in committee:
        return committee[indicator]
    if (indicator, category) in PHRASES:
        return PHRASES[(indicator, category)]
    base = lower_first(subject(info))
    return f"{base} ({labels.category_label(category).lower()})" if category else base


def merged_measure(indicator: str, info: IndicatorInfo, committee: dict[str, str] | None = None
                   ) -> tuple[str, str]:
    """(the measure without its category, the categories' plural noun) for a sentence on several categories."""
    if indicator in PER_QUESTION:
        return PER_QUESTION[indicator][1], PER_QUESTION[indicator][2]
    return measure(indicator, "", info, committee), "kategorier"


def group_phrases(grouping: str, group: str, config=None, other: str = "") -> tuple[str, str]:
    """('i Barn och unga', 'i övriga enheter') for a group and the rest of its grouping; when the rest is one
    other group, that group ('bland kvinnor', 'bland män')."""
    inside, rest = GROUP_PHRASES.get(grouping, DEFAULT_GROUP_PHRASE)

    def named(code: str) -> str:
        if (grouping, code) in IN_SENTENCE:
            return IN_SENTENCE[(grouping, code)]
        name = labels.group_label(grouping, code, config)
        return inside.format(name if grouping in ("unit", "provider") else lower_first(name))
    return named(group), (named(other) if other else rest)
