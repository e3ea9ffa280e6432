"""Ekonomiskt bistånd: satisfied or not after finished support, and why not (Nacka); values worked out by hand from
test_indicators_data.py's ``with_support_evaluations``."""
from helpers.indicators import REGISTRY
from test_indicators_data import run, share, with_support_evaluations


def test_reasons_among_those_not_satisfied(tmp_path):
    # finished in 2025 with an answer: I8 ja; I9 nej (latest row: handläggningstid); I10 nej bemötande;
    # I11 nej without a reason. I12 ended in 2024, I7 still runs. -> base 3
    df = run("ekb_ej_tillfredsstallande_orsak", tmp_path, data=with_support_evaluations())
    assert share(df, category="handlaggningstid") == (1, 3)
    assert share(df, category="bemotande") == (1, 3)
    assert share(df, category="Uppgift saknas") == (1, 3)
    assert share(df, category="information") == (0, 3) and share(df, category="annat") == (0, 3)
    totals = df[df["grouping"] == "total"]
    assert totals["numerator"].sum() == 3  # the categories add up to every 'nej'
    # kvinnor: C9 ja, C11 nej (bemötande); män: C10 and C12 nej
    assert share(df, "sex", "kvinna", "bemotande") == (1, 1)
    assert share(df, "sex", "man", "Uppgift saknas") == (1, 2)


def test_the_base_is_the_complement_of_satisfied(tmp_path):
    data = with_support_evaluations()
    num, den = share(run("nojd_ekonomiskt_bistand", tmp_path, data=data))
    assert (num, den) == (1, 4)
    reasons = run("ekb_ej_tillfredsstallande_orsak", tmp_path, data=data)
    assert share(reasons, category="bemotande")[1] == den - num


def test_no_answers_gives_an_empty_base(tmp_path):
    df = run("ekb_ej_tillfredsstallande_orsak", tmp_path)
    assert share(df, category="bemotande") == (0, 0)
    assert REGISTRY["ekb_ej_tillfredsstallande_orsak"].distribution
