"""Goal attainment and before–after change; values worked out by hand from test_indicators_data.py."""
from test_indicators_data import cell, run, share


def test_goal_attainment_uses_latest_assessed_follow_up(tmp_path):
    # G1: 2025-03-01 ingen förändring, 2025-09-01 positiv/uppfyllt -> latest: positiv_uppfyllt
    # G6: 2025-03-01 negativ, 2025-08-01 ej bedömt -> latest assessed: negativ
    # G5: only 2024 -> out; G4: only 'ej bedömt' -> out. Base 2.
    df = run("maluppfyllelse", tmp_path)
    assert share(df, category="positiv_uppfyllt") == (1, 2)
    assert share(df, category="negativ") == (1, 2)
    assert share(df, category="ingen_forandring") == (0, 2)
    assert share(df, "area", "skola", "positiv_uppfyllt") == (1, 1)


def test_change_distribution_respects_direction(tmp_path):
    # pairs (first före, latest efter/uppföljning in 2025):
    #  C1 AUDIT 20 -> 14 (uppföljning 2025-11-01 is later than efter 12): lower is better -> improved, delta -6
    #  C2 AUDIT 5 -> 2 improved (-3); C4 KASAM13 50 -> 45: higher is better -> worse (-5); C5 DUDIT 10 -> 10 same
    #  C6 AUDIT and C2 KASAM13 have no after measurement (attrition)
    df = run("forandring_fore_efter", tmp_path)
    assert share(df, category="forbattrad") == (2, 4)
    assert share(df, category="oforandrad") == (1, 4)
    assert share(df, category="forsamrad") == (1, 4)
    assert share(df, "instrument", "AUDIT", "forbattrad") == (2, 2)


def test_median_and_mean_change_per_instrument(tmp_path):
    med = run("forandring_median", tmp_path)
    assert cell(med, "instrument", "AUDIT")["value"] == -4.5  # median of -6 and -3
    assert cell(med, "instrument", "KASAM13")["value"] == -5
    assert (med["grouping"] != "total").all()  # scores of different instruments are not pooled
    mean = run("forandring_medel", tmp_path)
    assert cell(mean, "instrument", "DUDIT")["value"] == 0


def test_attrition_of_after_measurements(tmp_path):
    # före measurements in interventions finished in 2025: I2 AUDIT (has efter), I2 KASAM13 (none), I5 DUDIT (has)
    assert share(run("matning_efter_insats", tmp_path)) == (2, 3)
