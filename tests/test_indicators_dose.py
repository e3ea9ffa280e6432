"""Step 3, dose and delivery; values worked out by hand from test_indicators_data.py."""
from test_indicators_data import cell, run, share, tables


def test_delivered_as_planned(tmp_path):
    # finished in 2025 with a planned dose and sessions: I2 plan 10, held 8 + 2 relatives + 2 visits = 12 -> yes;
    # I5 plan 20.5, held 6 + 3 group + 0 + 4 visits = 13 -> no. I1 and I6 still run; I3 ended in 2024. -> 1/2
    df = run("insatser_enligt_plan", tmp_path)
    assert share(df) == (1, 2)
    assert share(df, "provider", "Egen regi") == (1, 1) and share(df, "provider", "Bolaget AB") == (0, 1)
    assert share(df, "unit", "vuxna_missbruk") == (0, 1)


def test_interventions_without_a_registered_delivery_are_left_out(tmp_path):
    data = tables()
    data["sessions"] = data["sessions"][data["sessions"]["intervention_id"] != "I5"]
    assert share(run("insatser_enligt_plan", tmp_path, data=data)) == (1, 1)


def test_mean_sessions_per_finished_intervention(tmp_path):
    # I2 and I5: planned (10 + 20.5) / 2; all held (12 + 13) / 2; individual (8 + 6) / 2; group (0 + 3) / 2 (a
    # blank count is 0); relatives (2 + 0) / 2; visits (2 + 4) / 2
    df = run("tillfallen_per_insats", tmp_path)
    expected = {"planerade_tillfallen": 15.25, "alla_tillfallen": 12.5, "individuella_samtal": 7,
                "gruppsamtal": 1.5, "anhorigsamtal": 1, "genomforda_besok": 3}
    for category, value in expected.items():
        c = cell(df, category=category)
        assert c["value"] == value and c["n"] == 2, category
    assert cell(df, category="alla_tillfallen")["numerator"] == 25
    assert cell(df, "type", "behandling_missbruk", "alla_tillfallen")["value"] == 13


def test_visits_held_of_booked(tmp_path):
    # visits in interventions finished in 2025: I2 2 held 0 missed, I5 4 held 2 missed -> 6 of 8 booked visits
    df = run("genomforda_besok", tmp_path)
    assert share(df) == (6, 8)
    assert share(df, "unit", "barn_unga") == (2, 2) and share(df, "unit", "vuxna_missbruk") == (4, 6)
    assert share(df, "type", "behandling_missbruk") == (4, 6)
    assert set(df["grouping"]) == {"total", "unit", "type", "provider_type"}  # visits, not persons: no sex or age
