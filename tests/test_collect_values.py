"""Values checked column by column (helpers.collect.validation), each distinct value once: what a column gives,
by hand."""
import pandas as pd

from helpers.collect import validation as v
from helpers.schema import Column


def test_a_column_of_months_by_hand():
    s = pd.Series(["2025-01", "202502", "2025-13", "2026-01", "2025-03-15", None, "jan", "2025-01"], dtype="string",
                  index=range(5, 13))
    problems = v.Problems()
    text = v.check_months(s, problems, pd.Timestamp(2025, 12, 31))
    assert text.tolist() == ["2025-01", "2025-02", pd.NA, "2026-01", "2025-03", pd.NA, pd.NA, "2025-01"]
    assert list(text.index) == list(s.index)
    found = problems.frame()
    assert sorted(found.loc[found["reason"] == v.R_MONTH, "idx"]) == [7, 11]  # missing is not a bad month
    assert found.loc[found["reason"] == v.R_AFTER_PERIOD, "idx"].tolist() == [8]


def test_a_column_of_units_by_hand():
    units = {"barn_unga": "Barn och unga", "vuxna_missbruk": "Vuxenenheten"}
    s = pd.Series(["Barn och unga", "BARN OCH UNGA", "barn_unga", "Okänd", None, "VUXNA_MISSBRUK"], dtype="string",
                  index=range(3, 9))
    out = v.map_units(s, units)
    assert out.tolist() == ["barn_unga", "barn_unga", "barn_unga", "Okänd", pd.NA, "vuxna_missbruk"]
    assert out.dtype == "string" and list(out.index) == list(s.index)


def test_a_column_of_yes_and_no_by_hand():
    s = pd.Series(["ja", "Nej", "JA", "kanske", None, "nej"], dtype="string", index=range(2, 8), name="satisfied")
    problems = v.Problems()
    out = v.check_column(s.to_frame(), Column("satisfied", "bool", "Nöjd"), problems,
                         period_end=pd.Timestamp(2025, 12, 31), date_formats=[], decimal=",", units=None)
    assert out.tolist() == [True, False, True, pd.NA, pd.NA, False] and out.dtype == "boolean"
    assert problems.frame()["idx"].tolist() == [5]  # a missing value is not a wrong one
