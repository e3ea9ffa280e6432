"""Försörjningsstöd and waiting time; values worked out by hand from test_indicators_data.py."""
import math

from test_indicators_data import cell, run, share


def test_recipients_months_and_long_term(tmp_path):
    # months paid in 2025: C4 11, C5 3, C7 10 (its 2024-12 row is another year), C8 1 (the 0-kr month is not paid)
    assert cell(run("forsorjningsstod_mottagare", tmp_path))["value"] == 4
    m = cell(run("forsorjningsstod_manader", tmp_path))
    assert m["value"] == 6.25 and m["numerator"] == 25 and m["n"] == 4  # (11 + 3 + 10 + 1) / 4
    assert share(run("langvarigt_forsorjningsstod", tmp_path)) == (2, 4)  # C4, C7 have >= 10 months
    dist = run("forsorjningsstod_manader_fordelning", tmp_path)
    assert share(dist, category="1–3 månader") == (2, 4) and share(dist, category="10–12 månader") == (2, 4)
    # by age group: C7 (25) and C5 (35) are 25–44 år; C4 45 and C8 65
    assert share(run("langvarigt_forsorjningsstod", tmp_path), "age_group", "25–44 år") == (1, 2)


def test_waiting_time(tmp_path):
    # decisions in 2025: A1 10 days, A2 20 days, A3 16 days (contact in 2024); A4 decided 2024, A5 undecided
    assert cell(run("vantetid_ekonomiskt_bistand", tmp_path))["value"] == 16
    assert math.isclose(cell(run("vantetid_ekonomiskt_bistand_medel", tmp_path))["value"], 46 / 3)
