"""Placements, visits and reviews; values worked out by hand from test_indicators_data.py."""
from test_indicators_data import cell, config, run, share


def test_placed_at_start_and_end(tmp_path):
    # 2025-01-01: P1 (C1), P2 (C6), P4 (C4, LVM until 2025-02-01) -> 3; 2025-12-31: P1, P2 -> 2; P3 only mid-year
    df = run("placerade", tmp_path)
    assert cell(df, category="periodens_start")["value"] == 3
    assert cell(df, category="periodens_slut")["value"] == 2
    assert cell(df, "legal_basis", "LVM", "periodens_start")["value"] == 1


def test_visits_to_children_placed_all_year(tmp_path):
    # placed all 2025, not LVM: C1 (P1: 4 visits in 2025, one with a talk) yes; C6 (P2: 3 visits) no -> 1/2
    assert share(run("besok_placerade_barn", tmp_path)) == (1, 2)
    # with k = 2 (Norrköping's local goal) both qualify
    assert share(run("besok_placerade_barn", tmp_path, cfg=config(besok_per_ar=2))) == (2, 2)


def test_reviews_on_time(tmp_path):
    # P1 (SoL): 2024-08-20 -> deadline 2025-02-20 met 2025-02-15; next deadline 2025-08-15 missed (09-01) -> no
    # P2 (LVU 3 §, omprövning): deadline 2025-04-01 met 03-15; 2025-09-15 met 09-10; the övervägande does not count
    # P3 ends 2025-08-31 before its first deadline 2025-09-01 -> not due; P4 is LVM -> out. -> 1/2
    assert share(run("overvagande_i_tid", tmp_path)) == (1, 2)
