"""Coverage indicators on the shared test data (test_indicators_data.py); values worked out by hand."""
import math

from test_indicators_data import cell, close, config, run, share, tables


def test_goals_in_active_interventions(tmp_path):
    # active in 2025: I1 (spans the period's start), I2, I4, I5, I6, I7; I3 ended 2024-12-31.
    # with a goal: I1, I4, I5, I6 -> 4/6. Units: barn_unga I1 I2 I6 -> 2/3; vuxna I4 I5 -> 2/2; ek. bistånd I7 -> 0/1
    # C4 is in two units (I4 vuxna, I7 ekonomiskt bistånd): counted in each unit, the total counts interventions.
    df = run("mal_i_arenden", tmp_path)
    assert share(df) == (4, 6)
    assert share(df, "unit", "barn_unga") == (2, 3)
    assert share(df, "unit", "vuxna_missbruk") == (2, 2)
    assert share(df, "unit", "ekonomiskt_bistand") == (0, 1)
    assert share(df, "sex", "kvinna") == (3, 3) and share(df, "sex", "man") == (1, 3)
    # ages at 2025: C1 13, C2 15, C6 10, C4 45, C5 35
    assert share(df, "age_group", "0–12 år") == (1, 1)
    assert share(df, "age_group", "45–64 år") == (1, 2)


def test_goals_for_one_unit(tmp_path):
    df = run("mal_i_arenden", tmp_path, unit="vuxna_missbruk")
    assert share(df) == (2, 2)


def test_follow_up_every_six_months(tmp_path):
    # run >= 6 months at ref (end or 2025-12-31): I1, I2 (ref 10-15, start 02-01), I5 (ref 05-01), I6, I7.
    # follow-up in (ref - 6 mån, ref]: I1 G1 2025-09-01 (two follow-ups, counted once) yes;
    # I5 G5 2024-12-01 in (2024-11-01, 2025-05-01] yes; I6 G6 2025-08-01 ('ej bedömt' is still a follow-up) yes;
    # I2 and I7 have no goal -> no. 3/5
    df = run("uppfoljning_6_manader", tmp_path)
    assert share(df) == (3, 5)
    assert share(df, "unit", "ekonomiskt_bistand") == (0, 1)


def test_evaluation_after_finish_and_ratings(tmp_path):
    # finished in 2025: I2 (rating 8) and I5 (rating 3) -> 2/2 evaluated
    assert share(run("utvardering_efter_insats", tmp_path)) == (2, 2)
    dist = run("utvardering_skattning", tmp_path)
    assert share(dist, category="8") == (1, 2) and share(dist, category="3") == (1, 2)
    assert share(dist, category="10") == (0, 2)
    assert len(dist[dist["grouping"] == "total"]) == 10
    assert cell(run("utvardering_skattning_medel", tmp_path))["value"] == 5.5   # (8 + 3) / 2
    assert cell(run("utvardering_skattning_median", tmp_path))["value"] == 5.5


def test_wilson_interval_on_a_cell(tmp_path):
    # 4/6: p = 0.667, Wilson 95 % = 0.300 .. 0.903
    c = cell(run("mal_i_arenden", tmp_path))
    assert math.isclose(c["ci_low"], 0.3000, abs_tol=5e-4) and math.isclose(c["ci_high"], 0.9032, abs_tol=5e-4)


def test_no_eligible_rows(tmp_path):
    data = {k: v.iloc[0:0] for k, v in tables().items()}
    df = run("mal_i_arenden", tmp_path, data=data)
    c = cell(df)
    assert (c["numerator"], c["denominator"], c["n"]) == (0, 0, 0) and math.isnan(c["value"])
    assert not c["suppressed"]
    # each unit's own total (0 of 0) is the organisation's row for that unit
    units = df[df["grouping"] == "unit"]
    assert len(df) == 4 and set(units["group"]) == {"barn_unga", "vuxna_missbruk", "ekonomiskt_bistand"}
    assert (units["denominator"] == 0).all()


def test_all_suppressed_with_the_default_threshold(tmp_path):
    # min_cell 5: total 4/6 has numerator 4 -> hidden; every unit/sex cell is under 5 too
    df = run("mal_i_arenden", tmp_path, cfg=config(min_cell=5, min_group=10))
    assert df["suppressed"].all()
    assert close(cell(df)["value"], 4 / 6)  # the unpublished version keeps the value
