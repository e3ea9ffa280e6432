"""Key findings by the stated rule: tests, corrections, complements, duplicates, wording and nyckelfynd.md."""
import math
from pathlib import Path

import pandas as pd
import pytest

from helpers.analysis import comparisons as cmp
from helpers.analysis import findings as f
from helpers.analysis import significance as sig
from helpers.config import Config

NB = "\u00a0"
UNITS = [{"kod": "barn_unga", "namn": "Barn och unga"},
         {"kod": "vuxna_missbruk", "namn": "Vuxna – missbruk och beroende"},
         {"kod": "ekonomiskt_bistand", "namn": "Ekonomiskt bistånd"}]


def config(**data):
    return Config(Path("test.yml"), {"enheter": UNITS, **data})


def cell(indicator, period, x, n, grouping="total", group="Totalt", category=""):
    return {"indicator": indicator, "period": period, "grouping": grouping, "group": group, "category": category,
            "numerator": x, "denominator": n, "value": x / n, "ci_low": None, "ci_high": None, "n": n,
            "suppressed": False}


def compare(rows, cfg=None):
    frame = pd.DataFrame(rows)
    tables = {name: cmp.normalise(part.reset_index(drop=True), name) for name, part in frame.groupby("indicator")}
    return cmp.comparisons(tables, "2025", cmp.glossary(), (cfg or config()).units)


# utvärdering efter avslutad insats: 239 of 412 in 2024 (58 %), 284 of 431 in 2025 (66 %)
EVALUATED = [cell("utvardering_efter_insats", "2024", 239, 412), cell("utvardering_efter_insats", "2025", 284, 431)]
# mål i alla ärenden 2025: three units and the sexes (with 14 of unknown sex), the same total in 2024
GOALS_IN_CASES = [
    cell("mal_i_arenden", "2024", 300, 400), cell("mal_i_arenden", "2025", 300, 400),
    cell("mal_i_arenden", "2025", 150, 200, "unit", "barn_unga"),
    cell("mal_i_arenden", "2025", 60, 100, "unit", "vuxna_missbruk"),
    cell("mal_i_arenden", "2025", 90, 100, "unit", "ekonomiskt_bistand"),
    cell("mal_i_arenden", "2025", 140, 200, "sex", "kvinna"),
    cell("mal_i_arenden", "2025", 147, 186, "sex", "man"),
    cell("mal_i_arenden", "2025", 13, 14, "sex", "Uppgift saknas"),
]


# --- the tests and corrections ----------------------------------------------------------------------------

def test_two_proportion_z_test_by_hand():
    # 60/100 against 240/300: pooled share 300/400 = 0.75, se = sqrt(0.75 · 0.25 · (1/100 + 1/300)) = 0.05,
    # z = (0.60 − 0.80) / 0.05 = −4, two-sided p = erfc(4 / √2)
    p, test = sig.two_proportions(60, 100, 240, 300)
    assert test == sig.Z_TEST
    assert p == pytest.approx(math.erfc(4 / math.sqrt(2))) and p == pytest.approx(6.334e-5, rel=1e-3)


def test_fisher_exact_for_small_counts_by_hand():
    # 0/5 against 5/5: expected counts 2.5 < 5, so Fisher. With the margins fixed only the observed table and
    # its mirror (5/5 against 0/5) are this unlikely, each with probability 1 / C(10, 5) = 1/252.
    p, test = sig.two_proportions(0, 5, 5, 5)
    assert test == sig.FISHER
    assert p == pytest.approx(2 / 252)
    # 1/3 against 2/3: P(k successes in the first row) = C(3,k)·C(3,3−k)/C(6,3) = 1/20, 9/20, 9/20, 1/20 for
    # k = 0..3; the observed k = 1 has 9/20 and no table is more likely, so p = 1.
    assert sig.fisher_exact(1, 3, 2, 3) == pytest.approx(1.0)


def test_holm_and_benjamini_hochberg_by_hand():
    p = [0.01, 0.04, 0.03, 0.20]
    # Holm: sorted 0.01·4 = 0.04, 0.03·3 = 0.09, 0.04·2 = 0.08 → 0.09 (monotone), 0.20·1 = 0.20
    assert list(sig.holm(p)) == pytest.approx([0.04, 0.09, 0.09, 0.20])
    # BH: sorted 0.01·4/1 = 0.04, 0.03·4/2 = 0.06 → 0.0533, 0.04·4/3 = 0.0533, 0.20·4/4 = 0.20
    assert list(sig.benjamini_hochberg(p)) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.20])
    assert list(sig.holm([0.9, 0.8])) == [1.0, 1.0]  # capped at 1
    assert len(sig.holm([])) == 0


# --- the rule on comparisons --------------------------------------------------------------------------------

def test_a_change_alone_is_a_finding_in_plain_words_with_its_numbers():
    items = f.key_findings(None, compare(EVALUATED), "2025", config())
    assert [i.text for i in items] == [
        f"Andelen avslutade insatser som klienten själv utvärderat ökade från 58{NB}% (n = 412) 2024 till "
        f"66{NB}% (n = 431) 2025."]
    item = items[0]
    assert item.kind == f.CHANGE and item.indicator == "utvardering_efter_insats"
    assert item.cells == (f.Cell("utvardering_efter_insats", "total", "Totalt", "", "2024"),
                          f.Cell("utvardering_efter_insats", "total", "Totalt", "", "2025"))
    assert item.values == pytest.approx((239 / 412, 284 / 431)) and item.n == (412, 431)
    # pooled 523/843, se = sqrt(p(1 − p)(1/412 + 1/431)) = 0.033437, z = 0.078836 / 0.033437 = 2.3577
    assert item.p_value == pytest.approx(0.018386, rel=1e-4)
    assert item.p_adjusted == pytest.approx(item.p_value)  # one comparison: nothing to adjust
    assert items.tested == 1


def test_holm_over_all_comparisons_of_the_report_and_complement_not_total():
    items = f.key_findings(None, compare(EVALUATED + GOALS_IN_CASES), "2025", config())
    # Six comparisons: two changes (p 0.018386 and 1), three units against the rest, women against men
    # (the mirror, men against women, is the same comparison; the 14 of unknown sex are tested never).
    assert items.tested == 6
    # Holm: 6.334e-5 · 6 (Vuxna and Ekonomiskt bistånd, both z = ±4), 0.018386 · 4 = 0.0735 (third smallest):
    # the change in evaluation, 8 points and alone a finding, is not a finding among six comparisons.
    assert {i.text for i in items} == {
        f"Andelen pågående insatser med dokumenterat mål var lägre i Vuxna – missbruk och beroende (60{NB}%, "
        f"n = 100) än i övriga enheter (80{NB}%, n = 300) år 2025.",
        f"Andelen pågående insatser med dokumenterat mål var högre i Ekonomiskt bistånd (90{NB}%, n = 100) än i "
        f"övriga enheter (70{NB}%, n = 300) år 2025."}
    vuxna = next(i for i in items if "Vuxna" in i.text)
    assert vuxna.kind == f.DIFFERENCE
    # against the rest (60/100 vs 240/300 = 80 %), not against the total that contains the unit (75 %)
    assert vuxna.values == pytest.approx((0.6, 0.8)) and vuxna.n == (100, 300)
    assert vuxna.evidence[0].difference == pytest.approx(-0.2)
    assert vuxna.p_adjusted == pytest.approx(6 * math.erfc(4 / math.sqrt(2)), rel=1e-6)
    assert vuxna.cells == (f.Cell("mal_i_arenden", "unit", "vuxna_missbruk", "", "2025"),
                           f.Cell("mal_i_arenden", "total", "Totalt", "", "2025"))
    table = f.tested(compare(EVALUATED + GOALS_IN_CASES), "2025")
    change = table[table["indicator"] == "utvardering_efter_insats"].iloc[0]
    assert change["p_adjusted"] == pytest.approx(4 * 0.018386, rel=1e-4) and not change["passes"]


def test_benjamini_hochberg_when_the_config_asks_for_it():
    cfg = config(rapport={"fynd": {"metod": "bh"}})
    items = f.key_findings(None, compare(EVALUATED + GOALS_IN_CASES, cfg), "2025", cfg)
    # BH: the change is third smallest of six: 0.018386 · 6/3 = 0.0368 < 0.05; women against men:
    # 0.042306 · 6/4 = 0.0635 ≥ 0.05
    assert [i.kind for i in items].count(f.CHANGE) == 1
    assert not any("kvinnor" in i.text for i in items)
    assert "Benjamini–Hochbergs metod" in items.rule


def test_uppgift_saknas_is_never_a_finding_and_is_left_out_of_the_rest():
    rows = [cell("mal_i_arenden", "2025", 386, 600), cell("mal_i_arenden", "2025", 100, 200, "sex", "kvinna"),
            cell("mal_i_arenden", "2025", 100, 200, "sex", "man"),
            cell("mal_i_arenden", "2025", 186, 200, "sex", "Uppgift saknas")]  # 93 %
    c = compare(rows)
    items = f.key_findings(None, c, "2025", config())
    assert list(items) == [] and items.tested == 1
    cand = f.candidates(c, "2025")
    assert list(cand["group"]) == ["kvinna"]  # men against women is the same comparison
    # women's rest: 386 − 100 − 186 = 100 of 600 − 200 − 200 = 200 (men), 50 % against 50 %; against the
    # total (64 %) women would have looked 14 points lower
    assert (cand.iloc[0]["x_ref"], cand.iloc[0]["n_ref"], cand.iloc[0]["other"]) == (100, 200, "man")


def test_the_minimum_difference_from_the_config():
    rows = [cell("mal_i_arenden", "2024", 2500, 5000), cell("mal_i_arenden", "2025", 2650, 5000)]
    # 50 % → 53 %: z = 3.0, p = 0.0027 (larger than chance explains) but 3 points < 5 points
    assert list(f.key_findings(None, compare(rows), "2025", config())) == []
    cfg = config(rapport={"fynd": {"min_skillnad": 0.02}})
    items = f.key_findings(None, compare(rows, cfg), "2025", cfg)
    assert items[0].text.startswith(f"Andelen pågående insatser med dokumenterat mål ökade från 50{NB}% (n = 5 000)"
                                    .replace("5 000", f"5{NB}000"))
    assert items[0].p_value == pytest.approx(0.0026878, rel=1e-4)


def test_each_fact_once_views_and_questions_in_one_bullet():
    rows = [cell("brukarenkat_positiva", "2024", 160, 200, category="Q1"),
            cell("brukarenkat_positiva", "2025", 100, 200, category="Q1"),
            cell("brukarenkat_positiva", "2024", 150, 200, category="Q3"),
            cell("brukarenkat_positiva", "2025", 90, 200, category="Q3"),
            cell("brukarenkat_positiva", "2024", 150, 200, category="Q7"),
            cell("brukarenkat_positiva", "2025", 100, 200, category="Q7"),
            # the same cells as Q7, under the view's own name
            cell("livssituation_forbattrad", "2024", 150, 200), cell("livssituation_forbattrad", "2025", 100, 200)]
    items = f.key_findings(None, compare(rows), "2025", config())
    assert items.tested == 3  # Q1, Q3 and Q7 once (as livssituation_forbattrad)
    texts = [i.text for i in items]
    assert texts.count(f"Andelen svarande som anser att situationen förbättrats minskade från 75{NB}% (n = 200) "
                       f"2024 till 50{NB}% (n = 200) 2025.") == 1
    survey = [t for t in texts if t.startswith("Andelen positiva svar")]
    assert survey == [f"Andelen positiva svar minskade från 2024 till 2025 på två frågor i brukarenkäten: "
                      f"”Nöjd med stödet” från 80{NB}% (n = 200) till 50{NB}% (n = 200) och ”Lätt att förstå "
                      f"informationen” från 75{NB}% (n = 200) till 45{NB}% (n = 200)."]
    assert len(items) == 2 and len(set(texts)) == len(texts)
    merged = next(i for i in items if i.indicator == "brukarenkat_positiva")
    assert len(merged.evidence) == 2 and len(merged.cells) == 4


def test_rest_smaller_than_the_threshold_is_not_tested():
    rows = [cell("mal_i_arenden", "2025", 103, 104), cell("mal_i_arenden", "2025", 100, 100, "unit", "barn_unga"),
            cell("mal_i_arenden", "2025", 3, 4, "unit", "vuxna_missbruk")]
    # barn_unga's rest is 4 people (< 5): not compared; vuxna_missbruk's rest (100) is, with Fisher (3/4)
    cand = f.candidates(compare(rows), "2025", min_cell=5)
    assert list(cand["group"]) == ["vuxna_missbruk"]
    assert f.tested(compare(rows), "2025")["test"].tolist() == [sig.FISHER]


def test_max_count_and_goals_once_each():
    goals = pd.DataFrame({
        "mal": ["Mål i alla ärenden.", "Mål i alla ärenden.", "Uppföljning.", "Färre klagomål.", "Besök."],
        "indikator": ["mal_i_arenden", "mal_i_arenden", "uppfoljning_6_manader", "synpunkter_klagomal",
                      "besok_placerade_barn"],
        "malvarde_text": ["minst 95 %"] * 2 + ["minst 80 %", "lägre än föregående år", "minst 95 %"],
        "resultat_text": ["Andelen var 75 %."] * 2 + ["Andelen var 78 %.", "Antalet var 23.", "Inga uppgifter."],
        "status": ["inte uppnått", "inte uppnått", "delvis uppnått", "uppnått", "kan inte mätas"],
        "varde": [0.75, 0.75, 0.78, 23, None], "n": [400, 400, 300, 23, None]})
    cfg = config(rapport={"fynd": {"max_antal": 1}},
                 mal=[{"text": "Uppföljning.", "indikator": "uppfoljning_6_manader", "mal": {"typ": "minst", "varde": 0.8},
                       "grupp": {"grouping": "unit", "group": "barn_unga"}}])
    items = f.key_findings(goals, compare(EVALUATED + GOALS_IN_CASES, cfg), "2025", cfg)
    assert [i.kind for i in items] == [f.GOAL, f.GOAL, f.DIFFERENCE]  # goals always; one difference at most
    assert items[0].text == "Målet ”Mål i alla ärenden” är inte uppnått. Andelen var 75 %."
    assert items[1].text == "Målet ”Uppföljning” är delvis uppnått. Andelen var 78 %."
    assert items[1].cells == (f.Cell("uppfoljning_6_manader", "unit", "barn_unga", "", "2025"),)
    assert items[1].values == (0.78,) and items[1].n == (300,)
    # in the unit's own report the goal on the unit is its total
    own = f.goal_findings(goals, "2025", cfg, scope="barn_unga")
    assert own[1].cells == (f.Cell("uppfoljning_6_manader", "total", "Totalt", "", "2025"),)


def test_settings_read_defensively():
    assert f.settings_from_config(None) == f.Settings(0.05, "holm", 0.05, 8)
    assert f.settings_from_config(config(rapport={"fynd": {"min_skillnad": "mycket", "metod": "okänd",
                                                           "alfa": 2, "max_antal": -1}})) == f.Settings()
    assert f.settings_from_config(config(rapport="fel")) == f.Settings()
    assert f.settings_from_config(config(rapport={"fynd": {"min_skillnad": 0.1, "metod": "Benjamini-Hochberg",
                                                           "alfa": 0.01, "max_antal": 3}})) == \
        f.Settings(0.1, "bh", 0.01, 3)


def test_rule_text_states_the_rule_in_swedish():
    assert f.RULE_TEXT.startswith("Så valdes nyckelfynden:")
    assert "minst 5 procentenheter" in f.RULE_TEXT and "Holms metod" in f.RULE_TEXT
    assert f"signifikansnivå 5{NB}%" in f.RULE_TEXT and "uppgift saknas" in f.RULE_TEXT
    assert f.rule_text(f.Settings(min_difference=0.025), tested=12).endswith("12 jämförelser prövades.")
    assert "minst 2,5 procentenheter" in f.rule_text(f.Settings(min_difference=0.025))


# --- nyckelfynd.md ------------------------------------------------------------------------------------------

def test_file_lists_findings_then_pointer_to_rule_and_caution_once(tmp_path):
    items = f.key_findings(None, compare(EVALUATED), "2025", config())
    path = tmp_path / "nyckelfynd.md"
    assert f.write_key_findings(path, items) is True
    body = f.read_key_findings(path)
    assert body.startswith("- Andelen avslutade insatser som klienten själv utvärderat ökade")
    # the list, a pointer to the rule (stated once, under Om underlaget) with the number tested, the caution
    assert body.count(f.CAUTION) == 1 and body.index(f.pointer(1)) < body.index(f.CAUTION)
    assert "1 jämförelse prövades." in body and f.RULE_TEXT not in body
    f.write_key_findings(tmp_path / "med_regel.md", items, rule=items.rule)
    assert items.rule in f.read_key_findings(tmp_path / "med_regel.md")
    assert "Konfidensintervallen" not in body  # no stock sentence in the bullets
    assert f.read_key_findings(path) == body
    empty = tmp_path / "tom.md"
    f.write_key_findings(empty, [])
    assert f.read_key_findings(empty).startswith(f"- {f.NO_FINDINGS}\n")


def test_key_findings_file_written_kept_when_edited_and_carries_caution(tmp_path):
    path = tmp_path / "analys" / "nyckelfynd.md"
    assert f.write_key_findings(path, ["Första fyndet."]) is True
    text = path.read_text(encoding="utf-8")
    assert "- Första fyndet.\n" in text and f.CAUTION in text
    assert f.read_key_findings(path).startswith("- Första fyndet.")
    # unedited: regenerated
    assert f.write_key_findings(path, ["Nytt fynd."]) is True
    assert "Nytt fynd." in path.read_text(encoding="utf-8")
    # edited (marker kept, body changed): kept
    path.write_text(path.read_text(encoding="utf-8").replace("Nytt fynd.", "Analytikerns text."), encoding="utf-8")
    assert f.write_key_findings(path, ["Tredje."]) is False
    assert "Analytikerns text." in path.read_text(encoding="utf-8")
    # marker removed: kept
    path.write_text("- Egen lista\n", encoding="utf-8")
    assert f.write_key_findings(path, ["Fjärde."]) is False
    assert f.read_key_findings(path) == "- Egen lista\n"


def test_findings_chosen_in_turns_over_the_indicators():
    def bullet(indicator, size):
        return (-size, 0.001, f.Finding(f"{indicator} {size}", f.DIFFERENCE, indicator))
    order = f.in_turn([bullet("a", 0.3), bullet("a", 0.2), bullet("a", 0.1), bullet("b", 0.05), bullet("c", 0.25)])
    # each indicator's largest first (a 0.3, c 0.25, b 0.05), then the second largest of each (a 0.2), ...
    assert [b[2].text for b in order] == ["a 0.3", "c 0.25", "b 0.05", "a 0.2", "a 0.1"]
