"""Reading dates in source files (helpers.collect.dates): each format reads what strptime reads, nothing else."""
import datetime as dt

import pytest

from helpers.collect.dates import parse_date


@pytest.mark.parametrize("text", ["2025-01-31", "2024-02-29", "2025-02-29", "0001-01-01", "9999-12-31", "2025-13-01",
                                  "2025-00-10", "2025-1-5", "2025-01-31 ", "\uff12\uff10\uff12\uff15-01-31", "2025-01-3a",
                                  "20250131", "2025-01-31T00:00", "2025-01-31 12:00", ""])
def test_an_iso_date_is_read_exactly_as_strptime_reads_it(text):
    """The fast path for ÅÅÅÅ-MM-DD gives strptime's answer for every text: a valid date, None for an impossible
    one, and the forms only strptime reads (digits not written out, full-width digits) still read."""
    try:
        expected = dt.datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        expected = None
    assert parse_date(text, ["%Y-%m-%d"]) == expected
    assert parse_date(text, ["%d/%m/%Y", "%Y-%m-%d"]) == expected


def test_the_first_format_that_reads_a_text_wins():
    assert parse_date("2025-01-31", ["%Y%m%d", "%Y-%m-%d"]) == dt.datetime(2025, 1, 31)
    assert parse_date("250131", ["%Y%m%d", "%y%m%d"]) == dt.datetime(2025, 1, 31)  # not the year 2501
    assert parse_date("31.01.2025", ["%Y-%m-%d"]) is None


def test_a_column_of_dates_by_hand():
    """Each value once: its date (time kept), or why not; missing values are none of the four."""
    import pandas as pd

    from helpers.collect.dates import parse_dates

    s = pd.Series([" 2025-01-10 ", "20250110", None, "2025-01-10 13:05:00", "fel", "9999-12-31", "1899-12-31",
                   "2025-01-10", "2100-12-31"], dtype="string", index=range(10, 19), name="Startdatum")
    values, unreadable, early, late = parse_dates(s, ["%Y-%m-%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S"])
    day = pd.Timestamp(2025, 1, 10)
    assert values.dtype == "datetime64[ns]" and list(values.index) == list(s.index) and values.name == "Startdatum"
    assert values.tolist()[:4] == [day, day, pd.NaT, pd.Timestamp(2025, 1, 10, 13, 5)] and values[17] == day
    assert values[[14, 15, 16]].isna().all() and values[18] == pd.Timestamp(2100, 12, 31)
    assert unreadable[unreadable].index.tolist() == [14]
    assert early[early].index.tolist() == [16] and late[late].index.tolist() == [15]
    assert all(x.dtype == bool for x in (unreadable, early, late))

