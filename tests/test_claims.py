"""Live numbers in texts and the claims check: planted contradictions are caught, honest texts pass."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.config import Config
from helpers.report import claims, live
from helpers.publication.views import Publication


def cell(indicator, period, value, n=100, scope="hela", grouping="total", group="Totalt", category="",
         status="publicerad", kind="share"):
    num = value * n if kind == "share" else value
    return {"cell_id": f"{indicator}|{scope}|{period}|{grouping}|{group}|{category}", "indicator": indicator,
            "scope": scope, "period": period, "grouping": grouping, "group": group, "category": category,
            "numerator": num, "denominator": n if kind == "share" else np.nan, "value": value, "ci_low": np.nan,
            "ci_high": np.nan, "n": n, "kind": kind, "status": status}


CONFIG = Config(Path("/nonexistent/k.yml"), {"kommun": "K", "enheter": [{"kod": "a", "namn": "Enhet A"}]})
PUB = Publication(pd.DataFrame([
    cell("mal_i_arenden", "2024", 0.77, 5733), cell("mal_i_arenden", "2025", 0.76, 5793),
    cell("mal_i_arenden", "2025", 0.85, 933, scope="a"), cell("mal_i_arenden", "2024", 0.80, 920, scope="a"),
    cell("utvardering_efter_insats", "2024", 0.58, 412), cell("utvardering_efter_insats", "2025", 0.66, 431),
    cell("synpunkter_klagomal", "2024", 61, kind="count", n=61), cell("synpunkter_klagomal", "2025", 56, kind="count", n=56),
    cell("besok_placerade_barn", "2025", np.nan, status="undertryckt"),
    cell("brukarenkat_positiva", "2024", 0.70, 80, category="Q6"), cell("brukarenkat_positiva", "2025", 0.57, 75, category="Q6"),
]), CONFIG, "2025")
GOALS = pd.DataFrame([{"mal": "Mål i alla ärenden", "indikator": "mal_i_arenden", "malvarde_text": "minst 95 %",
                       "resultat_text": "", "status": "inte uppnått", "varde": 0.76, "n": 5793}])


def check(text: str, scope=None):
    ctx = live.TextContext(PUB, scope, GOALS)
    rendered = live.render(text, ctx)
    return live.strip(rendered), claims.check_text(rendered, ctx, "test.md")


def test_live_values_are_the_cells():
    shown, found = check("Andelen insatser med mål {{ mal_i_arenden.riktning }} {{ mal_i_arenden.fran_till }} "
                         "({{ mal_i_arenden.forandring }}); målet var {{ mal_i_arenden.malvarde }} och är "
                         "{{ mal_i_arenden.status }}.")
    assert shown == ("Andelen insatser med mål minskade från 77\u00a0% år 2024 till 76\u00a0% år 2025 "
                     "(−1 procentenheter); målet var minst 95 % och är inte uppnått.")
    assert found == []


def test_a_units_text_reads_the_units_cells():
    shown, found = check("Hos oss har {{ mal_i_arenden.andel }} av insatserna mål.", scope="a")
    assert shown == "Hos oss har 85\u00a0% av insatserna mål." and found == []
    shown, _ = check("Enhet A: {{ mal_i_arenden.enhet('a').andel }}.")
    assert shown == "Enhet A: 85\u00a0%."


def test_a_suppressed_cell_is_never_a_number():
    shown, _ = check("Besöken: {{ besok_placerade_barn.andel }}.")
    assert "visas inte" in shown and "%" not in shown


@pytest.mark.parametrize("text, message", [
    # the demo's old sentence: the share fell 77 -> 76 %
    ("Fler insatser har dokumenterade mål: {{ mal_i_arenden.fran_till }}.", "stämmer inte med mal_i_arenden"),
    ("Andelen insatser med mål ökade till {{ mal_i_arenden.andel }}.", "\"ökade\" stämmer inte"),
    ("Andelen med mål är nu 80 % ({{ mal_i_arenden.andel }}).", "siffran 80 % stämmer inte"),
    ("Målet för {{ mal_i_arenden.andel }} har uppnåtts... uppnått", "stämmer inte med målet"),
    ("Möjligheten att påverka ({{ brukarenkat_positiva.kategori('Q6').andel }}) har förbättrats.", "stämmer inte"),
    ("Antalet klagomål ökade till {{ synpunkter_klagomal.antal }}.", "\"ökade\" stämmer inte"),
    ("Se {{ mal_i_arenden.procent }}.", None),
    ("Se {{ okand_indikator.andel }}.", "okänd hänvisning: okand_indikator"),
])
def test_planted_contradictions_are_caught(text, message):
    _, found = check(text)
    errors = [c for c in found if c.level == claims.ERROR]
    assert errors, found
    if message:
        assert any(message in c.message for c in errors), [c.message for c in errors]


@pytest.mark.parametrize("text", [
    "De flesta klagomålen rör bemötande och tillgänglighet.",
    "Fler klienter har fått lämna sin egen bedömning.",
    "Resultaten ligger på 91 % i år.",
])
def test_claims_without_a_source_are_unverified(text):
    _, found = check(text)
    assert found and all(c.level == claims.UNVERIFIED for c in found)


@pytest.mark.parametrize("text", [
    "Andelen avslutade insatser som klienten utvärderat ökade {{ utvardering_efter_insats.fran_till }}.",
    "Antalet synpunkter och klagomål minskade till {{ synpunkter_klagomal.antal }} ({{ synpunkter_klagomal.forandring }}).",
    "Möjligheten att påverka försämrades: {{ brukarenkat_positiva.kategori('Q6').fran_till }}.",
    "Barnavårdsutredningar ska vara klara inom fyra månader enligt 11 kap. 2 § SoL.",
    "Nämnden följer SOSFS 2011:9 och redovisar perioden 1 januari–31 december 2025.",
    "Målet är att minst 80 procent ska ha en plan, {{ mal_i_arenden.andel }} hade det.",
])
def test_honest_texts_pass(text):
    _, found = check(text)
    assert found == []


def test_strict_option(monkeypatch):
    assert not claims.strict(CONFIG)
    monkeypatch.setenv("UPPFOLJNING_STRIKT", "1")
    assert claims.strict(CONFIG)
    assert claims.strict(Config(Path("/x.yml"), {"kommun": "K", "enheter": [], "rapport": {"strikt": True}}))
