"""Completed vs broken-off, providers, not re-actualised; values worked out by hand from test_indicators_data.py."""
from test_indicators_data import run, share


def test_end_reasons(tmp_path):
    # finished in 2025: I2 planerad, I5 avbrott
    df = run("avslutade_insatser", tmp_path)
    assert share(df, category="planerad") == (1, 2) and share(df, category="avbrott") == (1, 2)
    assert share(df, category="annan") == (0, 2)


def test_provider_comparison(tmp_path):
    df = run("utforarjamforelse", tmp_path)
    assert share(df, "provider", "Egen regi") == (1, 1) and share(df, "provider", "Bolaget AB") == (0, 1)


def test_not_reactualised_within_a_year(tmp_path):
    # closed in H1 2024: C1 (K1 03-01; K2 opened 2024-12-01 within 12 months -> back),
    # C2 (K3 05-10, nothing later -> yes), C5 (K4 06-15 but K5 still open then -> left out),
    # C7 (K6 02-01; K7 opened 2025-04-01, more than 12 months later -> yes); C8 closed in H2 -> out. -> 2/3
    df = run("ej_ateraktualiserade", tmp_path)
    assert share(df) == (2, 3)
    assert share(df, "unit", "barn_unga") == (1, 2)
