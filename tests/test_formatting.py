"""Swedish number, percent and date formats."""
import datetime as dt
import math

import pandas as pd

from helpers import formatting as f

NB = "\u00a0"


def test_numbers_use_space_groups_and_decimal_comma():
    assert f.number(1234567.891, 1) == f"1{NB}234{NB}567,9"
    assert f.number(0.5, 2) == "0,50"
    assert f.integer(412) == "412"
    assert f.integer(1985) == f"1{NB}985"
    assert f.number(-1234.5, 1) == f"−1{NB}234,5"
    assert f.number(-0.01, 1) == "0,0"


def test_missing_values_show_a_dash():
    for missing in (None, float("nan"), pd.NA):
        assert f.number(missing) == "–"
        assert f.percent(missing) == "–"
    assert f.date(pd.NaT) == "–"


def test_percent_has_a_space_before_the_sign():
    assert f.percent(0.7) == f"70{NB}%"
    assert f.percent(0.712, 1) == f"71,2{NB}%"
    assert f.percent(1) == f"100{NB}%"


def test_dates_are_iso_and_months_swedish_lower_case():
    assert f.date(dt.date(2025, 3, 7)) == "2025-03-07"
    assert f.date("2025-12-31T10:00") == "2025-12-31"
    assert f.date_long(dt.date(2026, 1, 1)) == "1 januari 2026"
    assert f.month("2025-03") == "mars 2025"
    assert f.month(dt.date(2025, 10, 2), short=True) == "okt 2025"
    assert all(m == m.lower() for m in f.MONTHS)
