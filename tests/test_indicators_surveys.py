"""Brukarenkät and organisation-level counts; values worked out by hand from test_indicators_data.py."""
from test_indicators_data import cell, run, share


def test_positive_answers_per_question(tmp_path):
    # Q1: 1, 2, 4 and 9 ('vet ej', left out) -> 2/3; barn_unga 2/2, vuxna 0/1. Q7: 2, 5 -> 1/2
    df = run("brukarenkat_positiva", tmp_path)
    assert share(df, category="Q1") == (2, 3)
    assert share(df, "unit", "barn_unga", "Q1") == (2, 2)
    assert share(df, "unit", "vuxna_missbruk", "Q1") == (0, 1)
    assert share(df, category="Q2") == (0, 0)  # no answers: the total row is there, empty
    assert share(run("livssituation_forbattrad", tmp_path)) == (1, 2)


def test_incident_counts(tmp_path):
    # 2025: synpunkt x2, klagomål x1 (the 2024-12-31 synpunkt is outside); lex Sarah 2 (one reported to IVO); IVO 1
    df = run("synpunkter_klagomal", tmp_path)
    assert cell(df)["value"] == 3
    assert cell(df, "incident_type", "synpunkt")["value"] == 2
    assert cell(df, "category_type", "bemötande")["value"] == 2
    lex = run("lex_sarah", tmp_path)
    assert cell(lex)["value"] == 2 and cell(lex, "incident_type", "lex_sarah_ivo")["value"] == 1
    assert cell(run("ivo_tillsyn", tmp_path))["value"] == 1
