"""Primary and secondary suppression on crafted tables; expected masks written by hand."""
import numpy as np
import pandas as pd
import pytest

from helpers.publication.primary import (DisclosureError, apply_disclosure, assert_publishable, primary_mask,
                                publishable, secondary_mask)


def table(rows, indicator="x"):
    """rows: (grouping, group, category, numerator, denominator, value, n)."""
    df = pd.DataFrame(rows, columns=["grouping", "group", "category", "numerator", "denominator", "value", "n"])
    df.insert(0, "period", "2025")
    df.insert(0, "indicator", indicator)
    df["ci_low"] = np.nan
    df["ci_high"] = np.nan
    df["suppressed"] = False
    return df


def counts(values, groups="abcdefgh"):
    total = sum(values)
    rows = [("total", "Totalt", "", total, np.nan, total, total)]
    rows += [("unit", g, "", v, np.nan, v, v) for g, v in zip(groups, values)]
    return table(rows)


def test_primary_counts_keep_zero_and_hide_one_to_four():
    df = counts([0, 3, 5, 12])
    # total 20 kept; 0 kept; 3 hidden; 5 and 12 kept
    assert primary_mask(df, "count").tolist() == [False, False, True, False, False]


def test_primary_shares_small_base_and_extremes():
    df = table([("total", "Totalt", "", 20, 40, 0.5, 40),
                ("sex", "kvinna", "", 3, 4, 0.75, 4),      # base 4 < 5
                ("sex", "man", "", 0, 8, 0.0, 8),          # 0 % on base 8 < min_group 10
                ("sex", "annat", "", 17, 28, 17 / 28, 28),
                ("unit", "a", "", 12, 12, 1.0, 12)])       # 100 % on base 12 >= 10: shown
    assert primary_mask(df, "share", 5, 10).tolist() == [False, True, True, False, False]


def test_primary_median_on_small_n():
    df = table([("total", "Totalt", "", np.nan, np.nan, 30.0, 9), ("sex", "man", "", np.nan, np.nan, 12.0, 4)])
    assert primary_mask(df, "median").tolist() == [False, True]


def test_secondary_hides_next_smallest_part():
    # parts 3 (primary), 6, 9, 30; total 48 shown. 3 = 48 - 6 - 9 - 30, so the next smallest (6) goes too.
    df = counts([3, 6, 9, 30])
    full = secondary_mask(df, primary_mask(df, "count"), "count")
    assert full.tolist() == [False, True, True, False, False]


def test_secondary_two_primary_cells_need_nothing_more():
    df = counts([2, 3, 9, 30])
    full = secondary_mask(df, primary_mask(df, "count"), "count")
    assert full.tolist() == [False, True, True, False, False]


def test_secondary_single_part_hides_the_total():
    # one unit only: the part equals the total; part 3 and total 3 both primary
    df = counts([3])
    assert secondary_mask(df, primary_mask(df, "count"), "count").tolist() == [True, True]
    # a part hidden for another reason while the total is shown: the total must go
    df = table([("total", "Totalt", "", 7, 8, 7 / 8, 8), ("unit", "a", "", 7, 8, 7 / 8, 8)])
    mask = pd.Series([False, True])
    assert secondary_mask(df, mask, "share").tolist() == [True, True]


def test_secondary_skips_zero_cells_as_protection():
    # 0 is published as 0 and protects nothing: the next non-empty cell (8) is hidden
    df = counts([2, 0, 8, 11])
    assert secondary_mask(df, primary_mask(df, "count"), "count").tolist() == [False, True, False, True, False]


def test_secondary_across_categories_of_a_distribution():
    # one group, four categories adding up to 30: 2 (primary), 0, 10, 18 -> 10 hidden as well;
    # on the total row the same categories (grouping total) are protected the same way.
    rows = []
    for grouping, group in (("total", "Totalt"),):
        for cat, k in zip("abcd", (2, 0, 10, 18)):
            rows.append((grouping, group, cat, k, 30, k / 30, 30))
    df = table(rows)
    full = secondary_mask(df, primary_mask(df, "share", 5, 1), "share", distribution=True)
    assert full.tolist() == [True, False, True, False]


def test_secondary_repeats_until_stable():
    # sex: a=3 (primary) -> b=6 hidden. A second grouping shares the total: unit: 6 and 11 -> none hidden.
    df = table([("total", "Totalt", "", 17, np.nan, 17, 17),
                ("sex", "a", "", 3, np.nan, 3, 3), ("sex", "b", "", 6, np.nan, 6, 6), ("sex", "c", "", 8, np.nan, 8, 8),
                ("unit", "x", "", 6, np.nan, 6, 6), ("unit", "y", "", 11, np.nan, 11, 11)])
    full = secondary_mask(df, primary_mask(df, "count"), "count")
    assert full.tolist() == [False, True, True, False, False, False]


def test_medians_get_no_secondary_suppression():
    df = table([("total", "Totalt", "", np.nan, np.nan, 30.0, 20), ("sex", "a", "", np.nan, np.nan, 12.0, 4),
                ("sex", "b", "", np.nan, np.nan, 40.0, 16)])
    assert secondary_mask(df, primary_mask(df, "median"), "median").tolist() == [False, True, False]


def test_publishable_removes_values_and_check_passes():
    df = apply_disclosure(counts([3, 6, 9, 30]), "count")
    pub = publishable(df)
    assert pub.loc[pub["suppressed"], ["numerator", "value", "n"]].isna().all().all()
    assert pub.loc[~pub["suppressed"], "value"].tolist() == [48, 9, 30]
    assert list(df["suppression_reason"]) == ["", "primär", "sekundär", "", ""]
    assert_publishable(pub, 5)


def test_assert_publishable_fails_on_a_small_count():
    with pytest.raises(DisclosureError, match="mellan 1 och 4"):
        assert_publishable(publishable(counts([3, 6])), 5)
    share = table([("total", "Totalt", "", 2, 50, 0.04, 50)])
    with pytest.raises(DisclosureError):
        assert_publishable(share, 5)
