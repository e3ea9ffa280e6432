"""Persons placed on the first day of each month; values worked out by hand from test_indicators_data.py."""
from helpers.labels import category_label
from test_indicators_data import cell, run


def test_placed_on_the_first_of_each_month(tmp_path):
    # 2025-01-01: P1 (C1 familjehem), P2 (C6 HVB), P4 (C4 HVB, LVM, until 2025-02-01) -> 3; 02-01 still 3 (P4
    # ends that day); 03-01: P4 gone, P3 (C2 jourhem) starts -> 3; 09-01: P3 ended 08-31 -> P1, P2 = 2
    df = run("placerade_per_manad", tmp_path)
    values = {m: cell(df, category=f"2025-{m:02d}")["value"] for m in range(1, 13)}
    assert values == {1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 3, 9: 2, 10: 2, 11: 2, 12: 2}
    assert cell(df, "form", "HVB", "2025-01")["value"] == 2
    assert cell(df, "legal_basis", "LVM", "2025-02")["value"] == 1
    assert cell(df, "unit", "vuxna_missbruk", "2025-01")["value"] == 1
    assert cell(df, "unit", "barn_unga", "2025-01")["value"] == 2
    assert cell(df, "form", "HVB", "2025-12")["value"] == 1


def test_a_person_in_two_placements_counts_once(tmp_path):
    # 2025-06-01: C1 has P1 (familjehem) and P5 (HVB, SoL, from 05-15): counted once, as HVB (the latest start)
    df = run("placerade_per_manad", tmp_path)
    assert cell(df, category="2025-06")["value"] == 3
    assert cell(df, "form", "HVB", "2025-06")["value"] == 2
    assert cell(df, "legal_basis", "SoL", "2025-06")["value"] == 1
    assert len(df[(df["grouping"] == "form") & (df["group"] == "familjehem") & (df["category"] == "2025-06")]) == 0
    assert cell(df, "form", "familjehem", "2025-07")["value"] == 1  # P5 ended 06-20


def test_months_have_swedish_labels():
    assert category_label("2025-03") == "mars 2025"
