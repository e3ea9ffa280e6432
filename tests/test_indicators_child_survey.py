"""Barnenkät: children's and young people's own answers; values worked out by hand from test_indicators_data.py."""
from helpers.labels import category_label
from test_indicators_data import run, share


def test_favourable_answers_per_question(tmp_path):
    # B1 (trygg): 1, 3, 1, 2 -> 'ja' from b1 and b3 -> 2/4; kvinnor b1 b3 2/2, män b2 b4 0/2; öppenvård b3 yes b4 no
    df = run("barnenkat_positiva", tmp_path)
    assert share(df, category="B1") == (2, 4)
    assert share(df, "sex", "kvinna", "B1") == (2, 2) and share(df, "sex", "man", "B1") == (0, 2)
    assert share(df, "type", "oppenvard", "B1") == (1, 2) and share(df, "type", "HVB", "B1") == (0, 1)
    assert share(df, "unit", "barn_unga", "B1") == (2, 4)
    # B5 (mår bra): 2, 9 (vet ej, left out), 1 -> 1/2; B6: 1 -> 1/1; B4 unanswered -> 0/0
    assert share(df, category="B5") == (1, 2)
    assert share(df, category="B6") == (1, 1)
    assert share(df, category="B4") == (0, 0)


def test_kranking_counts_the_answer_nej(tmp_path):
    # B3 (kränkt/illa behandlad): 3 (nej), 1 (ja), 2 (delvis), 3 (nej) -> favourable 'nej' from b1 and b4 -> 2/4
    df = run("barnenkat_positiva", tmp_path)
    assert share(df, category="B3") == (2, 4)
    assert share(df, "type", "HVB", "B3") == (0, 1)
    assert "inte" in category_label("B3") and "nej" in category_label("B3")


def test_answers_off_the_scale_and_adult_questions_are_left_out(tmp_path):
    # b4's answer 5 on B2 is not on the ja/delvis/nej scale; the adults' Q1–Q7 are another indicator
    df = run("barnenkat_positiva", tmp_path)
    assert share(df, category="B2") == (0, 0)
    assert not df["category"].str.startswith("Q").any()
    adults = run("brukarenkat_positiva", tmp_path)
    assert not adults["category"].str.startswith("B").any()
    assert share(adults, category="Q1") == (2, 3)
