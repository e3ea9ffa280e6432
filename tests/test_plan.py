"""The follow-up plan: loading, checking against the data model, rendering in Swedish."""
import pytest

from helpers.config import load_config
from helpers.plan.spec import PlanError, check_plan, load_plan, plan_summary, render_plan


@pytest.fixture(scope="module")
def cfg():
    return load_config()


def write(tmp_path, text):
    p = tmp_path / "plan.yml"
    p.write_text(text, encoding="utf-8")
    return p


def test_demo_plan_is_valid_and_named_by_the_config(cfg):
    plan = load_plan(None, cfg)
    assert plan.path.name == "exempelkommun.yml" and plan.path.parent.name == "planer"
    assert check_plan(plan, cfg) == []
    assert set(plan.variables) == {"fore", "under", "efter"}
    assert plan.method == "fodelsedagar" and plan.method_params == {"dagar": [5, 15, 25]}


def test_check_names_unknown_variable_instrument_and_more(tmp_path, cfg):
    plan = load_plan(write(tmp_path, """
syfte: Veta mer.
population: {enheter: [barn_unga, aldreomsorg], insatstyper: [HVB, rymdresa]}
variabler:
  fore: [measurements.poang, klienter.alder, measurements.score, score]
  senare: [goals.area]
instrument: [AUDIT, PHQ9]
urval: {metod: lotteri, felmarginal: 5}
"""), cfg)
    problems = "\n".join(check_plan(plan, cfg))
    assert "okänd variabel 'measurements.poang'" in problems
    assert "har ingen kolumn 'poang'" in problems
    assert "tabellen 'klienter' finns inte" in problems
    assert "'score' (fore) ska skrivas som tabell.kolumn" in problems
    assert "okänt tillfälle 'senare'" in problems
    assert "okänt instrument 'PHQ9'" in problems and "'AUDIT'" not in problems
    assert "okänd insatstyp 'rymdresa'" in problems and "'HVB'" not in problems
    assert "okänd enhet 'aldreomsorg'" in problems
    assert "okänd urvalsmetod 'lotteri'" in problems
    assert "felmarginalen" in problems
    assert "'measurements.score'" not in problems  # a known variable is not reported
    assert len(check_plan(plan, cfg)) == 9  # one per problem listed above


def test_missing_purpose_is_named(tmp_path):
    plan = load_plan(write(tmp_path, "urval: {metod: alla}\n"))
    assert any("syfte saknas" in p for p in check_plan(plan))


def test_bad_files_give_swedish_errors(tmp_path, cfg):
    with pytest.raises(PlanError, match="finns inte"):
        load_plan(tmp_path / "saknas.yml")
    with pytest.raises(PlanError, match="YAML-fel"):
        load_plan(write(tmp_path, "syfte: [otydlig\n"))
    with pytest.raises(PlanError, match="ska innehålla nycklar"):
        load_plan(write(tmp_path, "- bara en lista\n"))
    problems = check_plan(load_plan(write(tmp_path, "syfte: x\nurval: {seed: abc, andel: 2}\n")))
    assert problems == ["plan.yml, rad 2: slumpfröet (seed) ska vara ett heltal, inte 'abc'.",
                        "plan.yml, rad 2: andel (förväntad andel) ska ligga mellan 0 och 1, t.ex. 0.5, inte 2."]


def test_variables_by_table_skips_unknown(tmp_path):
    plan = load_plan(write(tmp_path, "variabler: {efter: [measurements.score, goals.x, evaluations.rating, "
                                     "measurements.date]}\n"))
    assert plan.variables_by_table("efter") == {"measurements": ["score", "date"], "evaluations": ["rating"]}


def test_render_is_readable_swedish(cfg):
    plan = load_plan(None, cfg)
    text = render_plan(plan, cfg)
    assert "**Syfte.**" in text and "**Vilka följs upp?**" in text
    assert "Vuxna – missbruk och beroende" in text  # unit names, not codes
    assert "Före insats: Födelseår (klienter)" in text
    assert "Poäng (mätningar)" in text and "Egen skala 1–10" in text
    assert "Födelsedagar (5, 15 och 25)" in text and "±5 procentenheter" in text
    summary = plan_summary(plan)
    assert summary["urval"]["metod"] == "fodelsedagar" and summary["instrument"] == ["egen_skala"]
