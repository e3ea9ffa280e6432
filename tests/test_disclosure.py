"""Primary suppression rules and the last guard before anything is written; expected masks written by hand.
Secondary suppression over the linked set is tested in test_protect.py, test_audit.py and test_publication_*."""
import numpy as np
import pandas as pd
import pytest

from helpers.publication.primary import DisclosureError, assert_publishable, primary_mask


def table(rows, kind):
    """rows: (numerator, denominator, value, n)."""
    df = pd.DataFrame(rows, columns=["numerator", "denominator", "value", "n"])
    df["kind"] = kind
    df["cell_id"] = [f"c{i}" for i in range(len(df))]
    return df


def test_counts_keep_zero_and_hide_one_to_four():
    df = table([(v, np.nan, v, v) for v in (20, 0, 3, 5, 12)], "count")
    assert primary_mask(df).tolist() == [False, False, True, False, False]


def test_shares_small_base_complement_and_extremes():
    df = table([(20, 40, 0.5, 40),      # fine
                (3, 4, 0.75, 4),         # base 4 < 5
                (0, 8, 0.0, 8),          # 0 % on a base of 8 < min_group 10
                (17, 28, 17 / 28, 28),   # fine
                (12, 12, 1.0, 12),       # 100 % on a base of 12 >= 10: shown
                (38, 40, 0.95, 40),      # complement 2: "all but two"
                (3, 40, 0.075, 40)],     # numerator 3
               "share")
    assert primary_mask(df, 5, 10).tolist() == [False, True, True, False, False, True, True]


def test_medians_and_means_on_small_n_but_not_on_a_small_sum():
    medians = table([(np.nan, np.nan, 30.0, 9), (np.nan, np.nan, 12.0, 4)], "median")
    assert primary_mask(medians).tolist() == [False, True]
    means = table([(3.0, 12, 0.25, 12), (30.0, 4, 7.5, 4)], "mean")  # a sum of 3 is no count of persons
    assert primary_mask(means).tolist() == [False, True]


def test_the_threshold_is_the_configs():
    df = table([(7, np.nan, 7, 7)], "count")
    assert primary_mask(df, min_cell=5).tolist() == [False]
    assert primary_mask(df, min_cell=10).tolist() == [True]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Okänd typ"):
        primary_mask(table([(1, 2, 0.5, 2)], "kvot"))


def test_assert_publishable_passes_hidden_cells_and_fails_on_a_shown_small_count():
    df = table([(48, np.nan, 48, 48), (np.nan, np.nan, np.nan, np.nan)], "count").assign(suppressed=[False, True])
    assert_publishable(df, 5)
    with pytest.raises(DisclosureError, match="mellan 1 och 4"):
        assert_publishable(table([(3, np.nan, 3, 3)], "count").assign(suppressed=False), 5)
    with pytest.raises(DisclosureError):
        assert_publishable(table([(38, 40, 0.95, 40)], "share").assign(suppressed=False), 5)  # complement 2
