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
