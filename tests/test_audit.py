"""The attacker's audit on small linked sets whose intervals are worked out by hand in each test."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers.publication.audit import audit, write_audit
from helpers.publication.linked import LinkedSetBuilder, RelationError, method_texts


def two_by_two():
    """a b | 12        a=2  b=10
       c d | 23        c=8  d=15
       10 25 | 35      totals published, interior suppressed."""
    b = LinkedSetBuilder()
    cell, var = {}, {}
    values = {"a": 2, "b": 10, "c": 8, "d": 15}
    for name, value in values.items():
        cell[name], var[name] = b.add_count(name, value, primary=value < 5, cost=1 + value)
    for name, parts in {"rad 1": "ab", "rad 2": "cd", "kolumn 1": "ac", "kolumn 2": "bd"}.items():
        cell[name], var[name] = b.add_count(name, sum(values[p] for p in parts), cost=1000)
        b.sum_to(var[name], [var[p] for p in parts], f"{name} = summan")
    cell["T"], var["T"] = b.add_count("Totalt", 35, cost=1000)
    b.sum_to(var["T"], [var["rad 1"], var["rad 2"]], "totalt = raderna")
    b.sum_to(var["T"], [var["kolumn 1"], var["kolumn 2"]], "totalt = kolumnerna")
    return b.build(), cell, var


def suppressed_of(linked, *cells):
    out = np.zeros(linked.n_cells, bool)
    out[list(cells)] = True
    return out


def row(result, label):
    return result.table.set_index("label").loc[label]


def test_interior_of_a_two_by_two_table_has_the_hand_computed_intervals():
    linked, cell, _ = two_by_two()
    result = audit(linked, suppressed_of(linked, *(cell[x] for x in "abcd")), exact=True)
    # a + b = 12, c + d = 23, a + c = 10, b + d = 25, all ≥ 0:
    # a ∈ [0, 10] and b = 12 − a, c = 10 − a, d = 13 + a.
    expected = {"a": (0, 10), "b": (2, 12), "c": (0, 10), "d": (13, 23)}
    for label, (lo, hi) in expected.items():
        assert (row(result, label)["min"], row(result, label)["max"]) == (lo, hi)
        assert row(result, label)["exact"]
    assert result.passed and result.audited == 4 and result.hidden == 4
    assert result.pinned == 0 and result.too_narrow == 0
    assert result.summary() == ("Granskningen gick igenom: 0 av 4 dolda uppgifter kan räknas fram eller ringas in "
                                "snävare än 5.")


def test_one_suppressed_cell_of_a_published_sum_is_recovered_exactly():
    linked, cell, _ = two_by_two()
    result = audit(linked, suppressed_of(linked, cell["a"]))
    assert not result.passed
    assert (row(result, "a")["min"], row(result, "a")["max"]) == (2, 2)  # 12 − 10
    assert result.pinned == 1 and result.too_narrow == 0
    assert "1 av 1" in result.summary() and "gick inte igenom" in result.summary()


def test_decision_mode_gives_inner_bounds_that_are_wide_enough():
    linked, cell, _ = two_by_two()
    fast = audit(linked, suppressed_of(linked, *(cell[x] for x in "abcd")))
    exact = {"a": (0, 10), "b": (2, 12), "c": (0, 10), "d": (13, 23)}
    for label, (lo, hi) in exact.items():
        r = row(fast, label)
        assert lo <= r["min"] <= r["max"] <= hi and r["width"] >= 5  # inside the true interval
    assert fast.passed


def months(suppress=("januari", "februari")):
    """The year (20) is the sum of twelve months: 1, 1, 8, 10 and eight zeros, all published but `suppress`."""
    b = LinkedSetBuilder()
    values = [1, 1, 8, 10] + [0] * 8
    names = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
             "november", "december"]
    cells, var = {}, {}
    for name, value in zip(names, values):
        cells[name], var[name] = b.add_count(name, value, primary=1 <= value < 5, cost=1 + value)
    cells["år"], var["år"] = b.add_count("hela året", 20, cost=1000)
    b.sum_to(var["år"], [var[n] for n in names], "året = summan av månaderna")
    linked = b.build()
    return linked, cells, suppressed_of(linked, *(cells[n] for n in suppress))


def test_two_hidden_months_of_one_each_are_too_narrow():
    linked, _, suppressed = months()
    result = audit(linked, suppressed)
    # januari + februari = 20 − 8 − 10 − 0 = 2: each lies in [0, 2], narrower than 5 but not exact.
    for label in ("januari", "februari"):
        assert (row(result, label)["min"], row(result, label)["max"], row(result, label)["width"]) == (0, 2, 2)
    assert result.too_narrow == 2 and result.pinned == 0 and not result.passed


def test_hiding_zero_months_does_not_help_but_a_larger_month_does():
    linked, _, suppressed = months(("januari", "februari", "maj", "juni"))
    assert row(audit(linked, suppressed), "januari")["max"] == 2  # zeros add no room
    linked, _, suppressed = months(("januari", "februari", "mars"))
    result = audit(linked, suppressed, exact=True)
    # januari + februari + mars = 10 with each ≥ 0: every one of them lies in [0, 10].
    for label in ("januari", "februari", "mars"):
        assert (row(result, label)["min"], row(result, label)["max"]) == (0, 10)
    assert result.passed


def complement_set():
    """A share 38 of 40 (complement 2); the 40 is also a published count, and the 38 = 20 (kvinnor) + 18 (män)."""
    b = LinkedSetBuilder()
    num = b.add_variable("täljare", 38)
    den = b.add_variable("nämnare", 40)
    share = b.add_cell("andel", primary=True, cost=39, shows=(num, den))
    b.complement(share, num, den)
    base = b.add_cell("antal personer", cost=1000, shows=(den,))
    women_cell, women = b.add_count("kvinnor", 20, cost=21)
    men_cell, men = b.add_count("män", 18, cost=19)
    b.sum_to(num, [women, men], "täljaren = kvinnor + män")
    return b.build(), {"andel": share, "bas": base, "kvinnor": women_cell, "män": men_cell}


def test_complement_is_recovered_from_published_parts():
    linked, cells = complement_set()
    result = audit(linked, suppressed_of(linked, cells["andel"]))
    expr = row(result, "andel (komplement)")
    assert expr["kind"] == "expression"
    assert (expr["value"], expr["min"], expr["max"]) == (2, 2, 2)  # 40 − (20 + 18)
    assert not result.passed


def test_complement_gets_room_when_a_part_of_the_numerator_is_hidden():
    linked, cells = complement_set()
    result = audit(linked, suppressed_of(linked, cells["andel"], cells["män"]), exact=True)
    # täljare = 20 + män with män ≥ 0 and täljare ≤ nämnare = 40: täljare ∈ [20, 40], män ∈ [0, 20],
    # komplement = 40 − täljare ∈ [0, 20].
    assert (row(result, "täljare")["min"], row(result, "täljare")["max"]) == (20, 40)
    assert (row(result, "män")["min"], row(result, "män")["max"]) == (0, 20)
    assert (row(result, "andel (komplement)")["min"], row(result, "andel (komplement)")["max"]) == (0, 20)
    assert result.passed


def test_expression_over_two_independent_parts_adds_their_intervals():
    b = LinkedSetBuilder()
    x, a = b.add_variable("x", 4), b.add_variable("a", 6)
    y, c = b.add_variable("y", 1), b.add_variable("c", 5)
    t1, t2 = b.add_variable("t1", 10), b.add_variable("t2", 6)
    b.add_cell("t1", cost=100, shows=(t1,))
    b.add_cell("t2", cost=100, shows=(t2,))
    hidden = [b.add_cell(n, cost=1, shows=(v,)) for n, v in (("x", x), ("a", a), ("y", y), ("c", c))]
    b.sum_to(t1, [x, a])
    b.sum_to(t2, [y, c])
    b.audit_expression(hidden[0], {x: 1, y: -1}, "x − y")
    linked = b.build()
    result = audit(linked, suppressed_of(linked, *hidden), exact=True)
    # x ∈ [0, 10] and y ∈ [0, 6] independently, so x − y ∈ [−6, 10].
    assert (row(result, "x − y")["min"], row(result, "x − y")["max"]) == (-6, 10)
    assert row(result, "x − y")["value"] == 3


def test_unrelated_hidden_variable_is_unbounded_and_unprotected_rest_is_not_audited():
    b = LinkedSetBuilder()
    free = b.add_variable("fri", 3)
    cell = b.add_cell("fri", primary=True, shows=(free,))
    org, unit = b.add_variable("organisationen", 10), b.add_variable("enheten", 7)
    rest = b.add_variable("utan enhet", 3, protect=False)  # shown by no cell, never published
    b.add_cell("organisationen", cost=100, shows=(org,))
    b.add_cell("enheten", cost=100, shows=(unit,))
    b.sum_to(org, [unit, rest])
    linked = b.build()
    result = audit(linked, suppressed_of(linked, cell), exact=True)
    assert list(result.table["label"]) == ["fri"]  # the rest is pinned (3) but needs no protection
    assert (row(result, "fri")["min"], row(result, "fri")["max"]) == (0, np.inf)
    assert result.passed and result.hidden == 2


def test_primary_cell_whose_count_is_published_elsewhere_fails():
    b = LinkedSetBuilder()
    n = b.add_variable("n", 3)
    mean = b.add_cell("medelvärde", primary=True, shows=(n,))
    b.add_cell("median", primary=False, shows=(n,))
    linked = b.build()
    result = audit(linked, suppressed_of(linked, mean))
    assert list(result.table["kind"]) == ["cell"] and list(result.table["label"]) == ["medelvärde"]
    assert not result.passed and result.pinned == 1


def test_write_audit_writes_json_and_parquet(tmp_path):
    linked, cell, _ = two_by_two()
    result = audit(linked, suppressed_of(linked, *(cell[x] for x in "abcd")), exact=True)
    js, pq = write_audit(result, tmp_path / "granskning")
    meta = json.loads(js.read_text(encoding="utf-8"))
    assert meta["godkänd"] is True and meta["granskade"] == 4 and meta["skyddsintervall"] == 5
    assert meta["sammanfattning"] == result.summary() and "linjärprogrammering" in meta["metod"]
    back = pd.read_parquet(pq)
    assert list(back["label"]) == ["a", "b", "c", "d"] and list(back["min"]) == [0, 2, 0, 13]


def test_violated_relations_raise_with_their_labels():
    b = LinkedSetBuilder()
    total, women, men = b.add_variable("Totalt", 10), b.add_variable("Kvinnor", 4), b.add_variable("Män", 5)
    b.sum_to(total, [women, men], "Totalt = kvinnor + män")
    with pytest.raises(RelationError, match="'Totalt = kvinnor \\+ män'.*Kvinnor.*Män.*= 1, inte 0"):
        b.build()
    b = LinkedSetBuilder()
    num, den = b.add_variable("täljare", 7), b.add_variable("nämnare", 6)
    b.at_most(num, den, "täljare ≤ nämnare")
    with pytest.raises(RelationError, match="'täljare ≤ nämnare'"):
        b.build()


def test_builder_validates_its_input():
    b = LinkedSetBuilder()
    v = b.add_variable("x", 1)
    with pytest.raises(IndexError):
        b.shows(0, v)  # no cell yet
    with pytest.raises(ValueError, match="fastställd"):
        b.add_cell("c", fixed="kanske")
    c = b.add_cell("c", shows=(v, v))  # a pair declared twice is one
    linked = b.build()
    assert linked.shows.nnz == 1 and linked.cells_of_variable[v].indices.tolist() == [c]
    bad = LinkedSetBuilder()
    bad.add_variable("y", 5, upper=3)
    with pytest.raises(ValueError, match="utanför gränserna"):
        bad.build()


def test_method_texts_state_the_thresholds():
    texts = method_texts(min_cell=5, min_group=10)
    assert "från 1 till 4" in texts["primary"] and "färre än 10 personer" in texts["primary"]
    assert "minst 5 brett" in texts["audit"] and "linjärprogrammering" in texts["audit"]
    assert "värdet 0" in texts["secondary"] and "X" in texts["reader"]
    assert "minst 3 brett" in method_texts(min_cell=3)["audit"]


def test_the_complement_of_a_secondary_share_whose_parts_are_published_is_public_not_audited():
    b = LinkedSetBuilder()
    num, den = b.add_variable("täljare", 30), b.add_variable("nämnare", 40)
    share = b.add_cell("andel 30 av 40", cost=41, shows=(num, den))
    b.complement(share, num, den)
    b.add_cell("antal med", cost=31, shows=(num,))
    b.add_cell("antal personer", cost=41, shows=(den,))
    linked = b.build()
    result = audit(linked, suppressed_of(linked, share))
    # 40 − 30 = 10 can be read off, but the share is no primary cell: nothing hidden, nothing to audit.
    assert result.passed and result.audited == 0


def test_focus_audits_whole_components_only():
    linked, cell, var = two_by_two()
    suppressed = suppressed_of(linked, *(cell[x] for x in "abcd"))
    focus = np.zeros(linked.n_variables, bool)
    focus[[var[x] for x in "abcd"]] = True
    result = audit(linked, suppressed, exact=True, focus=focus)
    assert list(result.table["label"]) == ["a", "b", "c", "d"] and result.passed
    assert list(result.table["min"]) == [0, 2, 0, 13] and list(result.table["max"]) == [10, 12, 10, 23]
    nothing = audit(linked, suppressed, focus=np.zeros(linked.n_variables, bool))
    assert nothing.audited == 0 and nothing.passed


def test_an_outsider_without_the_hidden_values_finds_the_same_intervals():
    linked, cell, var = two_by_two()
    suppressed = suppressed_of(linked, *(cell[x] for x in "abcd"))
    linked.value[[var[x] for x in "abcd"]] = 0.0  # what an outsider's copy holds: the relations no longer add up
    linked.hidden_values_known = False
    result = audit(linked, suppressed, exact=True)
    # As in the two-by-two above: a ∈ [0, 10], b = 12 − a, c = 10 − a, d = 13 + a.
    assert list(result.table["min"]) == [0, 2, 0, 13] and list(result.table["max"]) == [10, 12, 10, 23]
    assert result.passed and result.table["value"].isna().all()
    fast = audit(linked, suppressed)  # inner bounds from feasible points the solver found itself
    assert fast.passed and (fast.table["min"] >= [0, 2, 0, 13]).all() and (fast.table["max"] <= [10, 12, 10, 23]).all()
