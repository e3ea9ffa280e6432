"""Barnavårdsutredningar; values worked out by hand from test_indicators_data.py."""
import math

from test_indicators_data import cell, run, share


def test_pre_assessment_within_14_days(tmp_path):
    # received 2025: R1 10 days (yes), R2 19 days (no), R4 none after > 14 days (no),
    # R3 received 2025-12-25 and still within its 14 days: not counted. -> 1/3
    assert share(run("forhandsbedomning_14_dagar", tmp_path)) == (1, 3)


def test_within_four_months_and_duration(tmp_path):
    # closed in 2025: R1 01-20 -> 05-20 (exactly 4 months, 120 days) yes; R2 02-20 -> 07-01 (131 days) no;
    # R5 started 2024-10-05 (spans the period's start) -> 2025-01-15 (102 days) yes. -> 2/3
    df = run("utredning_4_manader", tmp_path)
    assert share(df) == (2, 3)
    assert share(df, "extended", "ja") == (0, 1) and share(df, "extended", "nej") == (2, 2)
    assert cell(run("utredningstid_median", tmp_path))["value"] == 120
    assert math.isclose(cell(run("utredningstid_medel", tmp_path))["value"], (120 + 131 + 102) / 3)


def test_per_month(tmp_path):
    df = run("utredningar_per_manad", tmp_path)
    assert cell(df, category="anmalningar")["value"] == 4  # R1 jan, R2 feb, R4 jun, R3 dec
    assert cell(df, "month", "2025-06", "anmalningar")["value"] == 1
    assert cell(df, "month", "2025-03", "anmalningar")["value"] == 0  # empty months are there as 0
    assert cell(df, category="inledda")["value"] == 2
    assert cell(df, category="avslutade")["value"] == 3
    assert len(df[(df["grouping"] == "month") & (df["category"] == "avslutade")]) == 12
