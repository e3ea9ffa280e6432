"""Key figures: the headline cells of a scope, this year beside last year, with unit and change."""
from __future__ import annotations

import pandas as pd

from ..analysis.comparisons import difference, signed
from ..formatting import MISSING, SUPPRESSED, format_value
from ..indicators.registry import REGISTRY
from .document import indicator_label
from .tables import Col

# (indicator, category): the cells a committee member looks at first, in the report's order.
HEADLINE = (
    ("mal_i_arenden", ""), ("uppfoljning_6_manader", ""), ("utvardering_efter_insats", ""),
    ("utvardering_skattning_medel", ""), ("maluppfyllelse", "positiv_uppfyllt"),
    ("forandring_fore_efter", "forbattrad"), ("matning_efter_insats", ""), ("utforarjamforelse", ""),
    ("ej_ateraktualiserade", ""), ("forhandsbedomning_14_dagar", ""), ("utredning_4_manader", ""),
    ("utredningstid_median", ""), ("besok_placerade_barn", ""), ("overvagande_i_tid", ""),
    ("placerade", "periodens_slut"), ("forsorjningsstod_mottagare", ""), ("forsorjningsstod_manader", ""),
    ("langvarigt_forsorjningsstod", ""), ("vantetid_ekonomiskt_bistand", ""), ("nojd_ekonomiskt_bistand", ""),
    ("livssituation_forbattrad", ""), ("synpunkter_klagomal", ""), ("lex_sarah", ""), ("ivo_tillsyn", ""),
)


NOT_APPLICABLE = "ej tillämpligt"
NOT_APPLICABLE_NOTE = "Ej tillämpligt = indikatorn gäller inte enhetens verksamhetsområde."
CHANGE_NOTE = ("Förändring i procentenheter för andelar (gäller avsnittets alla tabeller). Om skillnaden är större "
               "än slumpen kan förklara framgår av nyckelfynden och av bilagans tabeller med konfidensintervall.")


def shown(cell, unit: str) -> tuple[str, bool]:
    """(text, suppressed) of one cell's value."""
    if cell is None:
        return MISSING, False
    if cell["status"] != "publicerad":
        return SUPPRESSED, True
    return format_value(cell["value"], unit), False


def change_text(now, before, unit: str) -> str:
    if now is None or before is None or now["status"] != "publicerad" or before["status"] != "publicerad" \
            or pd.isna(now["value"]) or pd.isna(before["value"]):
        return MISSING
    diff, diff_unit = difference(now["value"], before["value"], unit)
    return f"{signed(diff)} {diff_unit}".rstrip()


def label(name: str, category: str) -> str:
    from .. import labels
    text = indicator_label(name, with_unit=True)
    return f"{text}: {labels.category_label(category).lower()}" if category else text


def row(pub, scope: str | None, name: str, category: str = "") -> dict | None:
    """The key-figure row of one cell: None when the indicator does not apply to the scope or has no cell."""
    if name not in REGISTRY or not pub.applies(name, scope):
        return None
    prev = str(int(pub.period) - 1)
    unit = REGISTRY[name].unit
    now = pub.cell(name, scope, pub.period, category=category)
    before = pub.cell(name, scope, prev, category=category)
    if now is None:
        return None
    text_now, hidden_now = shown(now, unit)
    text_before, hidden_before = shown(before, unit)
    n = None if hidden_now or pd.isna(now["n"]) else now["n"]
    hidden = {k for k, h in (("before", hidden_before), ("now", hidden_now), ("n", hidden_now)) if h}
    out = {"label": label(name, category), "before": text_before, "now": text_now,
           "change": change_text(now, before, unit), "n": n,
           "_suppressed": hidden, "_indicator": name, "_category": category}  # "X", with the table's legend
    if REGISTRY[name].kind == "count":  # a count is a count of persons or cases: marked for the privacy check
        out.update(before=None if before is None or hidden_before else before["value"],
                   now=None if hidden_now else now["value"], _kind={"before": "count", "now": "count"})
    return out


def rows(pub, scope: str | None, names=HEADLINE) -> list[dict]:
    """One row per headline cell that applies to the scope."""
    return [r for r in (row(pub, scope, name, category) for name, category in names) if r is not None]


def by_unit(pub, units: dict[str, str], names=HEADLINE) -> tuple[list[dict], list[Col]]:
    """This year's headline values side by side, one row per indicator and one column per unit: each cell is the
    "now" of the unit's own key-figure row (``row``), so it is the same text as in the unit's table. An indicator
    that does not apply to a unit reads NOT_APPLICABLE; an indicator that applies to no unit is left out."""
    out = []
    for name, category in names:
        if name not in REGISTRY:
            continue
        line = {"label": label(name, category), "_suppressed": set(), "_kind": {}, "_indicator": name}
        found = False
        for code in units:
            if not pub.applies(name, code):
                line[code] = NOT_APPLICABLE
                continue
            own = row(pub, code, name, category)
            if own is None:  # applies, but no cell: missing
                line[code] = None
                continue
            found = True
            line[code] = own["now"]
            if "now" in own["_suppressed"]:
                line["_suppressed"].add(code)
            if "now" in own.get("_kind", {}):
                line["_kind"][code] = own["_kind"]["now"]
        if found:
            out.append(line)
    return out, [Col("label", "Indikator")] + [Col(code, name, "text", right=True)
                                               for code, name in units.items()]


def columns(period: str) -> list[Col]:
    prev = str(int(period) - 1)
    return [Col("label", "Indikator"), Col("before", prev, "text", right=True), Col("now", period, "text", right=True),
            Col("change", "Förändring", "text"), Col("n", f"Antal (n) {period}", "count")]
