"""The publication's cells: every scope from the same rows, views instead of copies, "ej tillämplig", relations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.publication.compute import ORG, compute_cells
from helpers.publication.primary import primary_mask
from helpers.publication.relations import build_model, violated
from helpers.publication.views import NOT_APPLICABLE, PUBLISHED, SUPPRESSED, Publication
from publication_data import config, tables


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    return compute_cells("2025", tmp_path_factory.mktemp("data"), config(), earlier=False, tables=tables())


def publication(cells, statuses=None) -> Publication:
    status = np.where(cells["applicable"], PUBLISHED, NOT_APPLICABLE)
    if statuses is not None:
        status = np.where(statuses, SUPPRESSED, status)
    return Publication(cells.assign(status=status), config(), "2025")


def one(df, **where) -> pd.Series:
    hit = df
    for k, v in where.items():
        hit = hit[hit[k] == v]
    assert len(hit) == 1, where
    return hit.iloc[0]


def test_each_scope_is_built_from_its_own_rows(cells):
    # avslutade_insatser, planned endings: A 2 of 3, B 7 of 9, C 8 of 10, whole organisation 17 of 22
    planned = cells[(cells["indicator"] == "avslutade_insatser") & (cells["grouping"] == "total")
                    & (cells["category"] == "planerad")]
    got = {r["scope"]: (r["numerator"], r["denominator"]) for _, r in planned.iterrows()}
    assert got == {ORG: (17, 22), "a": (2, 3), "b": (7, 9), "c": (8, 10)}


def test_a_units_cell_in_the_organisations_report_is_the_units_own_cell(cells):
    pub = publication(cells)
    org = pub.scope(None)
    for unit in ("a", "b", "c"):
        own = one(pub.scope(unit), indicator="utvardering_efter_insats", grouping="total")
        in_org = one(org, indicator="utvardering_efter_insats", grouping="unit", group=unit)
        assert in_org["cell_id"] == own["cell_id"]
        assert (in_org["numerator"], in_org["denominator"]) == (own["numerator"], own["denominator"])
    # A: 2 of 3 rated; B 7 of 9; C 9 of 10
    assert one(org, indicator="utvardering_efter_insats", grouping="unit", group="c")["numerator"] == 9


def test_a_view_shows_the_cells_of_its_source():
    rows = pd.DataFrame([{"cell_id": f"b|hela|2025|total|Totalt|{q}", "indicator": "brukarenkat_positiva", "scope": ORG,
                          "period": "2025", "grouping": "total", "group": "Totalt", "category": q, "numerator": k,
                          "denominator": 20.0, "value": k / 20, "ci_low": np.nan, "ci_high": np.nan, "n": 20.0,
                          "kind": "share", "status": PUBLISHED} for q, k in (("Q1", 15.0), ("Q7", 12.0))])
    view = one(Publication(rows, config(), "2025").scope(None), indicator="livssituation_forbattrad")
    assert view["cell_id"] == "b|hela|2025|total|Totalt|Q7" and view["numerator"] == 12 and view["category"] == ""


def test_a_numerator_counted_by_two_indicators_is_one_variable(cells):
    model = build_model(cells)
    planned = model._index[("num", "avslutade_insatser", "planerad", ORG, "2025", "total", "Totalt")]
    rows = cells.loc[model.cell_rows].reset_index(drop=True)
    shown_by = {rows.loc[pos, "indicator"] for pos, var in model.shows if var == planned}
    assert shown_by == {"avslutade_insatser", "utforarjamforelse"} and model.var_values[planned] == 17


def test_indicators_outside_a_units_areas_are_not_applicable_there(cells):
    pub = publication(cells)
    support = cells[(cells["indicator"] == "forsorjningsstod_mottagare") & (cells["scope"] == "a")]
    assert len(support) == 1 and not support["applicable"].iloc[0] and support["value"].isna().all()
    assert not pub.applies("forsorjningsstod_mottagare", "a") and pub.applies("forsorjningsstod_mottagare", "c")
    assert "forsorjningsstod_mottagare" not in pub.indicators("a")
    assert "forsorjningsstod_mottagare" not in pub.tables("a")
    # and the organisation's breakdown by unit leaves the unit out instead of showing 0 of n
    investigations = pub.scope(None)
    assert investigations[(investigations["indicator"] == "utredning_4_manader")
                          & (investigations["grouping"] == "unit")]["group"].tolist() == ["a"]


def test_primary_rules_cover_numerator_denominator_complement_and_n():
    df = pd.DataFrame({"kind": ["share", "share", "share", "share", "count", "median", "mean", "share"],
                       "numerator": [3, 38, 20, 0, np.nan, np.nan, 3.0, 12],
                       "denominator": [40, 40, 40, 8, np.nan, np.nan, 12, 12],
                       "value": [3 / 40, 38 / 40, 0.5, 0.0, 4, 7.0, 0.25, 1.0],
                       "n": [40, 40, 40, 8, 4, 3, 12, 12]})
    # numerator 3; complement 2; fine; 0 % on a base of 8 < 10; count 4; median on n 3; a mean's sum of 3 is
    # not a count (n 12 is fine); 100 % on a base of 12 is shown
    assert primary_mask(df, 5, 10).tolist() == [True, True, False, True, True, True, False, False]


def test_the_declared_relations_hold_on_the_true_values(cells):
    model = build_model(cells)
    assert violated(model) == []
    labels = [label for _, label in model.equalities]
    assert any("enheterna och helheten" in s for s in labels)
    assert any("kategorierna summerar till basen" in s for s in labels)
    assert any("viktade fördelningen" in s for s in labels)


def test_shared_bases_are_one_variable(cells):
    model = build_model(cells)
    rows = cells.loc[model.cell_rows].reset_index(drop=True)
    shown = {}
    for pos, var in model.shows:
        shown.setdefault(var, set()).add(rows.loc[pos, "indicator"])
    base = model._index[("base", "avslutade_insatser", "", ORG, "2025", "total", "Totalt")]
    # the finished interventions: evaluated share's denominator and every end-reason category's base
    assert shown[base] == {"utvardering_efter_insats", "avslutade_insatser", "utforarjamforelse"}
    ratings = model._index[("base", "skattningar", "", "b", "2025", "total", "Totalt")]
    assert shown[ratings] == {"utvardering_skattning", "utvardering_skattning_medel", "utvardering_skattning_median"}
    assert model.var_values[ratings] == 8


def test_the_registry_declares_the_groupings_each_indicator_computes(cells):
    from helpers.indicators.registry import REGISTRY
    for name, part in cells[cells["applicable"] & (cells["scope"] == ORG)].groupby("indicator"):
        computed = set(part["grouping"]) - {"total"}
        declared = set(REGISTRY[name].groupings) - {"unit"}  # the organisation's units are the units' cells
        assert computed <= declared, (name, computed - declared)


# -- identities between indicators ----------------------------------------------------------------------------

def shown_by(model, cells, key) -> tuple[set, float]:
    rows = cells.loc[model.cell_rows].reset_index(drop=True)
    var = model._index[key]
    return {rows.loc[pos, "indicator"] for pos, v in model.shows if v == var}, model.var_values[var]


def test_persons_placed_at_the_start_are_januarys_count(cells):
    model = build_model(cells)
    # on 2025-01-01: P01 (A, familjehem), P02 (A, HVB), P04 and P05 (B, HVB): 4 in all, 3 in HVB, 2 in B
    for key, value in (((ORG, "total", "Totalt"), 4), ((ORG, "form", "HVB"), 3), (("b", "total", "Totalt"), 2)):
        scope, grouping, group = key
        indicators, v = shown_by(model, cells, ("base", "placerade", "periodens_start", scope, "2025", grouping, group))
        assert indicators == {"placerade", "placerade_per_manad"} and v == value
    # the sexes and age groups of the same persons add up to the same total
    start = model._index[("base", "placerade", "periodens_start", ORG, "2025", "total", "Totalt")]
    assert any(label == "placerade 2025 hela: sex summerar till totalen" and start in eq for eq, label in model.equalities)


def test_closed_investigations_per_month_are_the_base_of_the_four_month_share_and_the_duration(cells):
    model = build_model(cells)
    indicators, v = shown_by(model, cells, ("base", "avslutade_utredningar", "", ORG, "2025", "total", "Totalt"))
    assert indicators == {"utredningar_per_manad", "utredning_4_manader", "utredningstid_median", "utredningstid_medel"}
    assert v == 3  # U1 (April), U2 (July), U3 (May)
    months = [label for _, label in model.equalities if label.startswith("avslutade_utredningar 2025 hela: month")]
    assert months  # the months of closing add up to the closed investigations


def test_the_reasons_base_is_the_satisfaction_shares_complement(cells):
    model = build_model(cells)
    [(eq, label)] = [(eq, label) for eq, label in model.equalities
                     if label == "ekb_ej_tillfredsstallande_orsak 2025 total=Totalt, hela: basen är "
                                 "nojd_ekonomiskt_bistands nämnare − täljare"]
    # 9 answers, 6 "ja": the reasons are given by 3 (handläggningstid, bemötande, none)
    assert sorted((c, model.var_values[v]) for v, c in eq.items()) == [(-1.0, 9.0), (1.0, 3.0), (1.0, 6.0)]
    # the 65+ answered "ja" only: the reasons still show the group, with a base of 0
    old = cells[(cells["indicator"] == "ekb_ej_tillfredsstallande_orsak") & (cells["scope"] == ORG)
                & (cells["group"] == "65 år och äldre")]
    assert len(old) and (old["denominator"] == 0).all()


def test_a_distribution_adds_up_to_its_base_where_other_units_are_outside_its_area(cells):
    """The reasons apply to ekonomiskt bistånd only: the other units' "ej tillämplig" cells (no category) must not
    make the categories look incomplete, or the reasons would be published without their sum to the base."""
    reasons = cells[cells["indicator"] == "ekb_ej_tillfredsstallande_orsak"]
    assert (~reasons["applicable"]).any()  # other units are outside its area
    sums = [label for _, label in build_model(cells).equalities
            if label.startswith("ekb_ej_tillfredsstallande_orsak ") and "kategorierna summerar till basen" in label]
    applicable = reasons[reasons["applicable"]]
    assert len(sums) == len(applicable.groupby(["scope", "period", "grouping", "group"]))


def test_a_wrong_identity_stops_the_build(cells):
    wrong = cells.copy()
    at = wrong["cell_id"] == f"placerade_per_manad|{ORG}|2025|total|Totalt|2025-01"
    wrong.loc[at, ["numerator", "value", "n"]] = 5
    assert any(s.startswith("samma uppgift med olika värden") for s in violated(build_model(wrong)))


def audited(cells, hidden: list[str], shown: list[str]):
    """The publication's audit (as in publish.build) of a publication of only these cells, the hidden ones
    primary."""
    from helpers.publication import secure
    part = cells[cells["cell_id"].isin(hidden + shown)].reset_index(drop=True)
    assert len(part) == len(hidden) + len(shown)
    is_hidden = part["cell_id"].isin(hidden).to_numpy()
    part = part.assign(status=np.where(is_hidden, SUPPRESSED, PUBLISHED), reason=np.where(is_hidden, "primär", ""))
    model = build_model(part)
    linked = secure.linked_set(part, model, np.ones(len(part), bool), 5, "2025")
    return secure.audit(linked, is_hidden[model.cell_rows])


T = f"{ORG}|2025|total|Totalt"
IDENTITIES = {
    "placerade": ([f"placerade|{T}|periodens_start"], [f"placerade_per_manad|{T}|2025-01"], 4, "SHARED_COUNTS"),
    "utredningar": ([f"utredning_4_manader|{T}|"], [f"utredningar_per_manad|{T}|avslutade"], 3, "SHARED_COUNTS"),
    "orsak": ([f"ekb_ej_tillfredsstallande_orsak|{T}|{c}" for c in
               ("handlaggningstid", "bemotande", "beslutets_innehall", "information", "tillganglighet", "annat",
                "Uppgift saknas")], [f"nojd_ekonomiskt_bistand|{T}|"], 3, "COMPLEMENT_BASES"),
}


@pytest.mark.parametrize("name", list(IDENTITIES))
def test_one_side_of_an_identity_hidden_and_the_other_published_is_caught(cells, name, tmp_path, monkeypatch):
    from helpers.publication import relations
    hidden, shown, value, declared = IDENTITIES[name]
    result = audited(cells, hidden, shown)
    failed = result.failures()
    assert not result.passed and failed["label"].str.startswith(hidden[0].split("|")[0]).all()
    # the hidden cell's content is read off the published side (a "cell" failure), or a count it hides is pinned
    # narrower than 5 around its value
    narrow = (failed["min"] <= value) & (failed["max"] >= value) & (failed["max"] - failed["min"] < 5)
    assert ((failed["kind"] == "cell") | narrow).any()
    # without the declaration the audit (and so the protection) would not see it
    monkeypatch.setattr(relations, declared, {})
    relations._shared.cache_clear()
    try:
        assert audited(cells, hidden, shown).passed
    finally:
        relations._shared.cache_clear()


def test_a_text_columns_groups_are_those_of_the_same_values_as_objects():
    from helpers.indicators.keys import group_codes
    values = ["b", None, "", "a", "b", "Övrigt"]
    codes, labels = group_codes(pd.Series(values, dtype=object))
    for dtype in ("string", "str"):
        c, lab = group_codes(pd.Series(values, dtype=dtype))
        assert c.tolist() == codes.tolist() and lab.tolist() == labels.tolist()


def test_factorizing_a_column_gives_what_pandas_gives():
    from helpers.tables import factorize
    values = ["b", None, "", "a", "b", "Övrigt", "a"]
    for series in [pd.Series(values, dtype=t) for t in ("string", "str", object)] + [
            pd.Series([3, None, 1, 3], dtype="Int64"), pd.to_datetime(pd.Series(["2025-01-02", None, "2024-05-06"]))]:
        for sentinel in (True, False):
            codes, uniques = factorize(series, use_na_sentinel=sentinel)
            expected_codes, expected = pd.factorize(series, use_na_sentinel=sentinel)
            assert codes.tolist() == expected_codes.tolist()
            assert pd.Series(uniques, dtype=series.dtype).equals(pd.Series(expected, dtype=series.dtype))


def test_the_cells_text_columns_are_strings_whatever_the_groups_were_given_as():
    from helpers.indicators.cells import count_cells
    df = pd.DataFrame({"month": pd.Series(["2025-01", "2025-02"], dtype="string")})
    with_number = count_cells(df, ["month"], levels={"month": [3]})
    for out in (with_number, count_cells(df.iloc[:0], [])):
        assert all(out[c].dtype == "str" for c in ("grouping", "group", "category"))
    assert with_number["group"].tolist() == ["Totalt", "2025-01", "2025-02", "3"]


def test_the_workbook_writes_a_text_that_looks_like_a_formula_as_text(cells, tmp_path):
    """A name from the config that begins with "=" is text in the indicator workbook, never a formula that the
    reader's Excel would run (nor an address turned into a link)."""
    import openpyxl

    from helpers.publication.store import write_workbook

    pub = publication(cells)
    pub.config.data["kommun"] = '=HYPERLINK("https://example.org","Lillby")'
    path = write_workbook(pub, tmp_path / "indikatorer.xlsx")
    about = openpyxl.load_workbook(path)["Om filen"]
    cell = next(c for row in about.iter_rows() for c in row if c.value and "Lillby" in str(c.value))
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("https://example.org","Lillby")'
