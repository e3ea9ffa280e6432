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


def rows(pub, scope: str | None, names=HEADLINE) -> list[dict]:
    """One row per headline cell that applies to the scope."""
    prev = str(int(pub.period) - 1)
    out = []
    for name, category in names:
        if name not in REGISTRY or not pub.applies(name, scope):
            continue
        unit = REGISTRY[name].unit
        now = pub.cell(name, scope, pub.period, category=category)
        before = pub.cell(name, scope, prev, category=category)
        if now is None:
            continue
        text_now, hidden_now = shown(now, unit)
        text_before, hidden_before = shown(before, unit)
        n = None if hidden_now or pd.isna(now["n"]) else now["n"]
        row = {"label": label(name, category), "before": text_before, "now": text_now,
               "change": change_text(now, before, unit), "n": n,
               "_suppressed": {"n"} if hidden_now else set(), "_indicator": name}
        if REGISTRY[name].kind == "count":  # a count is a count of persons or cases: marked for the privacy check
            row.update(before=None if before is None or hidden_before else before["value"],
                       now=None if hidden_now else now["value"], _kind={"before": "count", "now": "count"})
            row["_suppressed"] |= {k for k, hidden in (("before", hidden_before), ("now", hidden_now)) if hidden}
        out.append(row)
    return out


def columns(period: str) -> list[Col]:
    prev = str(int(period) - 1)
    return [Col("label", "Indikator"), Col("before", prev, "text"), Col("now", period, "text"),
            Col("change", "Förändring", "text"), Col("n", f"Antal (n) {period}", "count")]
