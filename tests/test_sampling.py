"""Step 1 sampling: each method on a small population written here, sample size, representativeness, bortfall."""
import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import tables
from helpers.plan import command, sampling
from helpers.cli import main
from helpers.plan.sampling import SamplingError, draw_sample, sample_size
from keyless_export import TEST_KEY


def make_population(opened, birth_days=None, units=None, target_groups=None, period="2025"):
    """A population from clients/cases frames; ids are p01.., c01.. in the order given."""
    n = len(opened)
    ids = [f"p{i:02d}" for i in range(1, n + 1)]
    clients = pd.DataFrame({"client_id": ids, "birth_year": [1990] * n,
                            "birth_day": birth_days if birth_days is not None else [1] * n,
                            "sex": ["kvinna" if i % 2 else "man" for i in range(n)]})
    cases = pd.DataFrame({"case_id": [f"c{i:02d}" for i in range(1, n + 1)], "client_id": ids,
                          "unit": units or ["barn_unga"] * n, "target_group": target_groups or ["A"] * n,
                          "opened": pd.to_datetime(opened)})
    return sampling.build_population(tables.coerce("clients", clients), tables.coerce("cases", cases), period)


def days_of_2025(n):
    return list(pd.date_range("2025-01-01", periods=n, freq="3D"))


# ------------------------------------------------------------------ population

def test_population_is_cases_opened_in_the_period_with_background():
    clients = pd.DataFrame({"client_id": ["a", "b"], "birth_year": [2010, 1970], "birth_day": [5, 6],
                            "sex": ["kvinna", "man"], "id_type": ["personnummer"] * 2})
    cases = pd.DataFrame({"case_id": ["c1", "c2", "c3"], "client_id": ["a", "b", "b"],
                          "unit": ["barn_unga", "vuxna_missbruk", "vuxna_missbruk"],
                          "target_group": ["Barn", None, None],
                          "opened": pd.to_datetime(["2025-03-01", "2024-12-31", "2025-12-31"])})
    pop = sampling.build_population(clients, cases, "2025")
    assert list(pop["case_id"]) == ["c1", "c3"]  # c2 was opened in 2024
    assert list(pop["age"]) == [15, 55]  # 2025 - 2010, 2025 - 1970
    assert list(pop["age_group"]) == ["13–17 år", "45–64 år"]
    assert pop.loc[1, "target_group"] == "Uppgift saknas"
    assert list(pop.columns) == sampling.POPULATION_COLUMNS  # no personnummer, no name


def test_population_restricted_to_plan_units():
    pop = make_population(days_of_2025(4), units=["barn_unga", "vuxna_missbruk"] * 2)
    clients = pd.DataFrame({"client_id": pop["client_id"], "birth_year": 1990, "birth_day": 1, "sex": "man"})
    cases = pop[["case_id", "client_id", "unit", "target_group", "opened"]]
    only = sampling.build_population(clients, cases, "2025", units=["vuxna_missbruk"])
    assert list(only["unit"].unique()) == ["vuxna_missbruk"] and len(only) == 2


# ------------------------------------------------------------------ methods

def test_all_clients():
    pop = make_population(days_of_2025(7))
    assert len(draw_sample(pop, "alla").sample) == 7


def test_birthdays_pick_exactly_the_5th_15th_and_25th():
    days = list(range(1, 32))  # one client born on each day of the month
    pop = make_population(days_of_2025(31), birth_days=days)
    res = draw_sample(pop, "fodelsedagar")
    assert sorted(res.sample["client_id"]) == ["p05", "p15", "p25"]
    other = draw_sample(pop, "fodelsedagar", {"dagar": [1, 31]})
    assert sorted(other.sample["client_id"]) == ["p01", "p31"]


def test_birthdays_warn_about_missing_birth_day():
    pop = make_population(days_of_2025(3), birth_days=[5, None, 15])
    res = draw_sample(pop, "fodelsedagar")
    assert sorted(res.sample["client_id"]) == ["p01", "p03"]
    assert "1 aktualiseringar saknar födelsedag" in res.warnings[0]


def test_even_and_odd_iso_weeks_across_the_year_boundary():
    # ISO weeks by hand: 2021-01-01 (Fri) and 2021-01-03 (Sun) belong to week 53 of 2020; 2021-01-04 is the
    # Monday of week 1; 01-11 week 2; 03-15 = 01-04 + 70 days = week 11; 03-22 week 12; 2021-12-31 (Fri) week 52.
    opened = ["2021-01-01", "2021-01-03", "2021-01-04", "2021-01-11", "2021-03-15", "2021-03-22", "2021-12-31"]
    pop = make_population(opened, period="2021")
    even = draw_sample(pop, "veckor", {"veckor": "jamna"})
    assert sorted(even.sample["opened"].dt.strftime("%Y-%m-%d")) == ["2021-01-11", "2021-03-22", "2021-12-31"]
    odd = draw_sample(pop, "veckor", {"veckor": "udda"})
    assert sorted(odd.sample["opened"].dt.strftime("%Y-%m-%d")) == [
        "2021-01-01", "2021-01-03", "2021-01-04", "2021-03-15"]
    with pytest.raises(SamplingError, match="jamna"):
        draw_sample(pop, "veckor", {"veckor": "varannan"})


def test_quarter_and_month_span_with_seasonal_warning():
    opened = ["2025-01-15", "2025-03-31", "2025-04-01", "2025-05-20", "2025-06-30", "2025-07-01", "2025-12-01"]
    pop = make_population(opened)
    q2 = draw_sample(pop, "tidsperiod", {"kvartal": 2})
    assert sorted(q2.sample["opened"].dt.strftime("%m-%d")) == ["04-01", "05-20", "06-30"]
    assert any("säsongsvariation" in w for w in q2.warnings)
    span = draw_sample(pop, "tidsperiod", {"manader": [3, 5]})
    assert sorted(span.sample["opened"].dt.strftime("%m-%d")) == ["03-31", "04-01", "05-20"]
    with pytest.raises(SamplingError, match="kvartal"):
        draw_sample(pop, "tidsperiod", {})
    with pytest.raises(SamplingError):
        draw_sample(pop, "tidsperiod", {"kvartal": 5})


def test_simple_random_is_reproducible_and_independent_of_row_order():
    pop = make_population(days_of_2025(40))
    a = draw_sample(pop, "slumpmassigt", {"n": 10}, seed=7).sample
    b = draw_sample(pop, "slumpmassigt", {"n": 10}, seed=7).sample
    c = draw_sample(pop, "slumpmassigt", {"n": 10}, seed=8).sample
    assert len(a) == 10 and a["case_id"].is_unique and set(a["case_id"]) <= set(pop["case_id"])
    assert list(a["case_id"]) == list(b["case_id"])
    assert set(a["case_id"]) != set(c["case_id"])
    shuffled = pop.sample(frac=1, random_state=1)  # same rows in another order: same draw
    assert list(draw_sample(shuffled, "slumpmassigt", {"n": 10}, seed=7).sample["case_id"]) == list(a["case_id"])


def test_simple_random_needs_n():
    pop = make_population(days_of_2025(5))
    with pytest.raises(SamplingError, match="'n'"):
        draw_sample(pop, "slumpmassigt", {})
    res = draw_sample(pop, "slumpmassigt", {"n": 50})
    assert len(res.sample) == 5 and res.warnings


def test_allocation_by_largest_remainder():
    sizes = pd.Series({"a": 50, "b": 30, "c": 20})
    # n = 15: quotas 7.5, 4.5, 3.0 -> floors 7, 4, 3 (14); the one left goes to the first tie (a).
    assert list(sampling.allocate(sizes, 15)) == [8, 4, 3]
    # minimum 5 raises c from 3 to 5 (total 17 > n, said in a warning by draw_sample).
    assert list(sampling.allocate(sizes, 15, minimum=5)) == [8, 5, 5]
    # a minimum above a stratum's size takes the whole stratum.
    assert list(sampling.allocate(pd.Series({"a": 50, "b": 2}), 10, minimum=4)) == [10, 2]


def test_stratified_keeps_proportions_and_honours_the_minimum():
    units = ["barn_unga"] * 60 + ["vuxna_missbruk"] * 30 + ["ekonomiskt_bistand"] * 10
    pop = make_population(days_of_2025(100), units=units)
    res = draw_sample(pop, "stratifierat", {"n": 20, "stratifiera_pa": ["unit"]}, seed=3)
    got = res.sample["unit"].value_counts()
    for unit, N in {"barn_unga": 60, "vuxna_missbruk": 30, "ekonomiskt_bistand": 10}.items():
        assert abs(got[unit] - 20 * N / 100) < 1  # proportional within rounding: 12, 6, 2
    assert len(res.sample) == 20
    with_min = draw_sample(pop, "stratifierat", {"n": 20, "stratifiera_pa": ["unit"], "minst_per_stratum": 5},
                           seed=3)
    got = with_min.sample["unit"].value_counts()
    assert got["ekonomiskt_bistand"] == 5 and got["barn_unga"] == 12 and got["vuxna_missbruk"] == 6
    assert "ger 23 i urvalet" in with_min.warnings[0]
    again = draw_sample(pop, "stratifierat", {"n": 20, "stratifiera_pa": ["unit"]}, seed=3)
    other = draw_sample(pop, "stratifierat", {"n": 20, "stratifiera_pa": ["unit"]}, seed=4)
    assert list(again.sample["case_id"]) == list(res.sample["case_id"])
    assert list(other.sample["case_id"]) != list(res.sample["case_id"])


def test_stratified_by_unit_and_target_group():
    units = ["barn_unga"] * 20 + ["vuxna_missbruk"] * 20
    groups = (["X"] * 10 + ["Y"] * 10) * 2
    pop = make_population(days_of_2025(40), units=units, target_groups=groups)
    res = draw_sample(pop, "stratifierat", {"n": 8, "stratifiera_pa": ["unit", "target_group"]}, seed=1)
    assert res.sample["stratum"].value_counts().to_dict() == {
        "barn_unga / X": 2, "barn_unga / Y": 2, "vuxna_missbruk / X": 2, "vuxna_missbruk / Y": 2}
    sizes = sampling.sample_size_table(pop, res, 0.05, 0.5, {"barn_unga": "Barn och unga"})
    # N = 10 per stratum: 384.16 / (1 + 383.16/10) = 9.77 -> 10 needed; the method gives 2
    assert list(sizes["Stratum"]) == ["Barn och unga / X", "Barn och unga / Y", "vuxna_missbruk / X",
                                      "vuxna_missbruk / Y", "Totalt"]
    assert list(sizes["Behövs"])[:4] == [10] * 4 and list(sizes["Urval"]) == [2, 2, 2, 2, 8]
    with pytest.raises(SamplingError, match="stratifieringsvariabel"):
        draw_sample(pop, "stratifierat", {"n": 8, "stratifiera_pa": ["postnummer"]})


def test_unknown_method():
    with pytest.raises(SamplingError, match="Okänd urvalsmetod 'lotteri'"):
        draw_sample(make_population(days_of_2025(2)), "lotteri")


# ------------------------------------------------------------------ sample size

@pytest.mark.parametrize("N, e, p, expected", [
    (1000, 0.05, 0.5, 278),     # n0 = 1.96²·0.25/0.0025 = 384.16; 384.16 / (1 + 383.16/1000) = 277.74 -> 278
    (100, 0.05, 0.5, 80),       # 384.16 / (1 + 383.16/100) = 79.51 -> 80
    (500, 0.10, 0.5, 81),       # n0 = 96.04; 96.04 / (1 + 95.04/500) = 80.70 -> 81
    (1000, 0.05, 0.2, 198),     # n0 = 1.96²·0.16/0.0025 = 245.86; 245.86 / 1.24486 = 197.50 -> 198
    (1_000_000, 0.05, 0.5, 385),  # 384.16 / 1.000383 = 384.01 -> 385
    (10, 0.05, 0.5, 10),        # 384.16 / 39.316 = 9.77 -> 10: everyone
    (0, 0.05, 0.5, 0),
])
def test_sample_size_by_hand(N, e, p, expected):
    assert sample_size(N, e, p) == expected


def test_sample_size_table_per_stratum():
    units = ["barn_unga"] * 60 + ["vuxna_missbruk"] * 40
    pop = make_population(days_of_2025(100), units=units)
    res = draw_sample(pop, "alla")
    t = sampling.sample_size_table(pop, res, 0.05, 0.5, {"barn_unga": "Barn och unga"})
    # 60: 384.16 / (1 + 383.16/60) = 52.0 -> 53; 40: 384.16/10.579 = 36.3 -> 37; 100: 80
    assert t.to_dict("list") == {"Stratum": ["Barn och unga", "vuxna_missbruk", "Totalt"],
                                 "Population": [60, 40, 100], "Behövs": [53, 37, 80], "Urval": [60, 40, 100],
                                 "Räcker": ["ja", "ja", "ja"]}
    assert sampling.margin_text(0.05) == "±5 procentenheter"
    assert sampling.margin_text(0.025) == "±2,5 procentenheter"


# ------------------------------------------------------------------ representativeness

def test_representativeness_by_hand():
    pop = pd.DataFrame({"sex": ["kvinna"] * 60 + ["man"] * 40})
    smp = pd.DataFrame({"sex": ["kvinna"] * 10 + ["man"] * 10})
    t = sampling.representativeness(pop, smp, variables=["sex"])
    kv = t[t["Kategori"] == "Kvinnor"].iloc[0]
    assert (kv["Population (andel)"], kv["Urval (andel)"]) == (0.6, 0.5)
    # (0.5 - 0.6) / sqrt((0.5·0.5 + 0.6·0.4) / 2) = -0.1 / sqrt(0.245) = -0.20203
    assert kv["Standardiserad skillnad"] == pytest.approx(-0.20203, abs=1e-5)
    tests = sampling.representativeness_tests(t)
    row = tests.iloc[0]
    # expected 12 and 8, observed 10 and 10: chi2 = 4/12 + 4/8 = 0.8333, 1 df, p = 0.3613
    assert row["Chi2"] == pytest.approx(0.83333, abs=1e-4)
    assert row["Frihetsgrader"] == 1
    assert row["p-värde"] == pytest.approx(0.3613, abs=1e-3)
    # |d| >= 0.2 but p >= 0.05: a noticeable difference that chance can explain
    assert row["Bedömning"].startswith("Märkbara skillnader i fråga om kön, men de kan bero på slumpen")
    assert "Kvinnor (50\u00a0% i urvalet mot 60\u00a0% i populationen)" in row["Bedömning"]



@pytest.mark.parametrize("observed, expected", [
    ([10, 10], [12, 8]),
    ([3, 0, 7, 12], [5.5, 2.2, 6.6, 7.7]),
    ([120, 80, 45, 5, 0, 1], [100.5, 90.25, 40.0, 10.0, 3.0, 7.25]),
    ([1000, 0], [500, 500]),
])
def test_chisquare_is_scipys(observed, expected):
    """The own goodness-of-fit test gives scipy.stats.chisquare's statistic exactly and its p-value to 12 digits."""
    from scipy import stats

    o, e = np.array(observed, float), np.array(expected, float)
    res = stats.chisquare(o, e)
    statistic, p = sampling.chisquare(o, e)
    assert statistic == float(res.statistic) and p == pytest.approx(float(res.pvalue), rel=1e-12, abs=1e-300)


def test_chi_square_tail_is_scipys_for_any_degrees_of_freedom():
    """Whole and half-whole shapes, small and large statistics, and many degrees of freedom whose single terms
    would underflow (df 1 400 at 1 500: p about 0,03)."""
    from scipy.special import chdtrc

    for df in [*range(1, 41), 99, 100, 1399, 1400]:
        for x in (0.0, 1e-9, 0.3, 1.0, 3.84, df - 1.0, float(df), df + 7.5, 2.0 * df, 60.0, 700.0, 1500.0, 1e4):
            assert sampling.chi2_sf(x, df) == pytest.approx(float(chdtrc(df, x)), rel=1e-10, abs=1e-300), (df, x)
    assert sampling.chi2_sf(1500.0, 1400) == pytest.approx(0.0318, abs=1e-3)
    assert math.isnan(sampling.chi2_sf(float("nan"), 3)) and sampling.chi2_sf(float("inf"), 3) == 0.0


def test_step_1_does_not_import_scipy():
    """Step 1 runs in every kernel first: scipy.stats costs ~0,8 s there and scipy.special ~0,15 s, and nothing in
    either is needed."""
    import subprocess
    import sys

    code = "import sys, helpers.plan.sampling; print('scipy.stats' in sys.modules, 'scipy.special' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


NB = "\u00a0"


def cells(styled) -> list[list[str]]:
    """The body rows of a styled table as shown: the text of each <td>, and no <th> row headings."""
    import re

    html = styled.to_html()
    assert "row_heading" not in html and "…" not in html and "..." not in html  # no index column, nothing cut
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]]


def test_notebook_tables_in_the_reports_formats():
    # 1 250 cases of 1 000 clients: counts with a space between thousands
    population = pd.DataFrame({"unit": "barn_unga", "client_id": [f"k{i % 1000}" for i in range(1250)],
                               "sex": ["kvinna", "man"] * 625})
    overview = sampling.formatted(sampling.population_overview(population, {"barn_unga": "Barn och unga"}))
    assert cells(overview) == [["Barn och unga", f"1{NB}250", f"1{NB}000"], ["Totalt", f"1{NB}250", f"1{NB}000"]]
    # 19 women of 25 in the sample: 76 %, against 625 of 1 250 = 50 % in the population;
    # d = (0.76 - 0.5) / sqrt((0.76 * 0.24 + 0.5 * 0.5) / 2) = 0.26 / 0.46497 = 0.559
    sample = pd.DataFrame({"sex": ["kvinna"] * 19 + ["man"] * 6})
    table = sampling.representativeness(population, sample, variables=["sex"])
    assert cells(sampling.formatted(table)) == [
        ["Kön", "Kvinnor", "625", f"50{NB}%", "19", f"76{NB}%", "0,56"],
        ["Kön", "Män", "625", f"50{NB}%", "6", f"24{NB}%", "−0,56"]]
    # the methods with their whole descriptions (up to 185 characters), "ja"/"nej" as written
    methods = cells(sampling.formatted(sampling.methods_table()))
    assert [row[2] for row in methods] == [m.description for m in sampling.METHODS.values()]
    assert max(len(m.description) for m in sampling.METHODS.values()) > 150


def test_representativeness_significant_difference():
    pop = pd.DataFrame({"sex": ["kvinna"] * 50 + ["man"] * 50})
    smp = pd.DataFrame({"sex": ["kvinna"] * 30 + ["man"] * 10})
    row = sampling.representativeness_tests(sampling.representativeness(pop, smp, ["sex"])).iloc[0]
    # expected 20 and 20, observed 30 and 10: chi2 = 100/20 + 100/20 = 10, 1 df, p = 0.00157
    assert row["Chi2"] == pytest.approx(10.0) and row["p-värde"] == pytest.approx(0.00157, abs=1e-5)
    assert row["Bedömning"] == ("Urvalet skiljer sig från populationen i fråga om kön: överrepresenterade är "
                                "Kvinnor (75\u00a0% i urvalet mot 50\u00a0% i populationen).")
    # The report's version names the category but no share of the sample (30 of 40 here).
    assert row[sampling.REPORT_VERDICT] == ("Urvalet skiljer sig från populationen i fråga om kön: "
                                            "överrepresenterade är Kvinnor.")


def test_representativeness_similar_and_whole():
    pop = pd.DataFrame({"sex": ["kvinna"] * 50 + ["man"] * 50})
    same_shares = pd.DataFrame({"sex": ["kvinna"] * 10 + ["man"] * 10})
    verdict = sampling.representativeness_tests(sampling.representativeness(pop, same_shares, ["sex"]))
    assert verdict.iloc[0]["Bedömning"].startswith("Urvalet liknar populationen i fråga om kön")
    whole = sampling.representativeness_tests(sampling.representativeness(pop, pop, ["sex"]))
    assert "hela populationen" in whole.iloc[0]["Bedömning"]


# ------------------------------------------------------------------ expected shortfall (bortfall)

def test_expected_shortfall_from_earlier_period(tmp_path):
    d = tmp_path / "processed" / "2024"
    iv = pd.DataFrame({"intervention_id": ["i1", "i2", "i3", "i4", "i5"], "client_id": ["a", "b", "c", "d", "e"],
                       "unit": ["vuxna_missbruk"] * 5, "type": ["oppenvard"] * 5,
                       "start": pd.to_datetime(["2024-01-01"] * 5),
                       "end": pd.to_datetime(["2024-06-01", "2024-06-01", "2024-06-01", "2024-06-01", None])})
    rows = [("i1", "fore"), ("i1", "efter"), ("i2", "fore"), ("i2", "efter"), ("i3", "fore"), ("i3", "uppfoljning"),
            ("i4", "fore"), ("i5", "fore")]
    m = pd.DataFrame({"measurement_id": [f"m{i}" for i in range(len(rows))],
                      "client_id": [{"i1": "a", "i2": "b", "i3": "c", "i4": "d", "i5": "e"}[r[0]] for r in rows],
                      "intervention_id": [r[0] for r in rows], "instrument": "AUDIT",
                      "occasion": [r[1] for r in rows], "date": pd.Timestamp("2024-03-01"), "score": 10.0})
    tables.write_table(d, "interventions", iv)
    tables.write_table(d, "measurements", m)
    out = sampling.expected_shortfall(d, "2024")
    # finished i1-i4 have a before measurement; i4 has no after: 1 of 4. i5 is still running: not counted.
    assert (out["med_fore"], out["utan_efter"], out["andel"]) == (4, 1, 0.25)
    assert "25\u00a0%" in out["text"]
    missing = sampling.expected_shortfall(tmp_path / "processed" / "2023", "2023")
    assert missing["andel"] is None and "uppgift saknas" in missing["text"]


# ------------------------------------------------------------------ the command

PLAN = """
syfte: Testa urvalet.
population: {enheter: [barn_unga, vuxna_missbruk]}
variabler:
  fore: [measurements.date, measurements.score]
  efter: [measurements.date, measurements.score, evaluations.rating]
instrument: [AUDIT]
urval: {metod: fodelsedagar, seed: 11, felmarginal: 0.05}
"""


@pytest.fixture
def data_dir(tmp_path):
    n = 62
    ids = [f"k{i:03d}" for i in range(n)]
    clients = pd.DataFrame({"client_id": ids, "birth_year": 1980, "birth_day": [1 + i % 31 for i in range(n)],
                            "sex": "man"})
    cases = pd.DataFrame({"case_id": [f"c{i:03d}" for i in range(n)], "client_id": ids,
                          "unit": ["barn_unga", "vuxna_missbruk"] * (n // 2),
                          "opened": pd.Timestamp("2025-02-01")})
    tables.write_table(tmp_path / "data" / "processed" / "2025", "clients", clients)
    tables.write_table(tmp_path / "data" / "processed" / "2025", "cases", cases)
    (tmp_path / "plan.yml").write_text(PLAN, encoding="utf-8")
    return tmp_path


def sample_args(tmp, **kw):
    args = dict(plan=str(tmp / "plan.yml"), period="2025", method=None, seed=None, config=None,
                data_dir=str(tmp / "data"), output_dir=str(tmp / "out"))
    args.update(kw)
    return argparse.Namespace(**args)


def test_cli_sample_writes_list_templates_and_planning(data_dir, capsys):
    assert command.cli_sample(sample_args(data_dir)) == 0
    out = capsys.readouterr().out
    # birth days 5, 15, 25 occur twice each among days 1 + i % 31 for i < 62: 6 clients
    assert "Urval: 6 aktualiseringar, 6 klienter" in out
    urval = data_dir / "data" / "processed" / "2025" / "urval"
    listed = pd.read_parquet(urval / "urval.parquet")
    assert sorted(listed["client_id"]) == ["k004", "k014", "k024", "k035", "k045", "k055"]
    csv = (urval / "urval.csv").read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0] == "Klient-id;Ärende-id;Enhet;Målgrupp;Aktualiseringsdatum;Stratum"
    assert sorted(p.name for p in urval.glob("*.xlsx")) == [
        "registrering_efter_evaluations.xlsx", "registrering_efter_measurements.xlsx",
        "registrering_fore_measurements.xlsx"]
    planning = data_dir / "out" / "planering"
    summary = json.loads((planning / "urval.json").read_text(encoding="utf-8"))
    assert summary["urval"] == 6 and summary["population"] == 62 and summary["seed"] == 11
    for f in planning.iterdir():  # group level only: no pseudonym reaches the outputs
        assert "k004" not in f.read_bytes().decode("latin-1")


def test_cli_sample_method_and_seed_override(data_dir, capsys):
    # no n for a random method: the n needed for the margin, 384.16 / (1 + 383.16/62) = 53.5 -> 54
    assert command.cli_sample(sample_args(data_dir, method="slumpmassigt")) == 0
    out = capsys.readouterr().out
    assert "n = 54" in out and "Urval: 54 aktualiseringar" in out
    assert command.cli_sample(sample_args(data_dir, method="veckor")) == 0  # plan's dagar not passed on
    capsys.readouterr()
    assert command.cli_sample(sample_args(data_dir, method="lotteri")) == 2
    assert "Okänd urvalsmetod 'lotteri'" in capsys.readouterr().err
    assert command.cli_sample(sample_args(data_dir, method="alla", seed=3)) == 0
    assert "Urval: 62 aktualiseringar" in capsys.readouterr().out


def test_cli_sample_bad_plan_exits_2_with_swedish_message(tmp_path, capsys):
    bad = tmp_path / "plan.yml"
    bad.write_text("syfte: x\nvariabler: {fore: [measurements.poang]}\ninstrument: [PHQ9]\n", encoding="utf-8")
    code = main(["sample", "--plan", str(bad), "--period", "2025", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "okänd variabel 'measurements.poang'" in err and "okänt instrument 'PHQ9'" in err
    assert main(["sample", "--plan", str(tmp_path / "saknas.yml"), "--period", "2025"]) == 2
    assert "finns inte" in capsys.readouterr().err


def test_cli_sample_without_cases_says_so(tmp_path, capsys):
    (tmp_path / "plan.yml").write_text(PLAN, encoding="utf-8")
    code = command.cli_sample(sample_args(tmp_path))
    assert code == 2 and "inga ärenden aktualiserade under 2025" in capsys.readouterr().err


def _raw_cases(folder: Path, n: int = 62) -> list[str]:
    """arenden.csv as the case system exports it: n men born 1980-01-(1 + i % 31), half in each unit."""
    from helpers.personnummer import luhn_check_digit

    numbers, lines = [], ["Personnummer;Namn;Ärendenummer;Enhet;Målgrupp;Aktualiseringsdatum;Aktualiseringstyp;Orsak;"
                          "Avslutsdatum"]
    for i in range(n):
        nine = f"8001{1 + i % 31:02d}{100 + i:03d}"[:9]
        nine = nine[:8] + "1"  # odd: a man
        number = f"19{nine[:6]}-{nine[6:]}{luhn_check_digit(nine)}"
        numbers.append(number)
        unit = ["Barn och unga", "Vuxenenheten"][i % 2]
        group = ["Ungdom 13–20 år", "Vuxna, missbruk"][i % 2]
        lines.append(f"{number};Testsson, Test;A-2025-{i:05d};{unit};{group};2025-02-01;Anmälan;Test;")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "arenden.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return numbers


@pytest.mark.slow
def test_notebook_01_runs_and_writes_its_files(tmp_path, monkeypatch):
    import papermill

    from helpers.config import PROJECT_ROOT

    monkeypatch.setenv("UPPFOLJNING_NYCKEL", TEST_KEY)  # a test's own export: not a demo file
    data = tmp_path / "data"
    numbers = _raw_cases(data / "raw" / "2025")
    nb = PROJECT_ROOT / "notebooks" / "01_planera.ipynb"
    out = tmp_path / "reports"
    papermill.execute_notebook(str(nb), str(tmp_path / "01.ipynb"), cwd=str(nb.parent), progress_bar=False,
                               parameters={"period": "2025", "config": str(PROJECT_ROOT / "config/exempelkommun.yml"),
                                           "data_dir": str(data), "output_dir": str(out)})
    urval = data / "processed" / "2025" / "urval"
    assert (urval / "urval.parquet").exists() and len(list(urval.glob("registrering_*.xlsx"))) == 6
    summary = json.loads((data / "processed" / "2025" / "planering" / "urval.json").read_text(encoding="utf-8"))
    assert not (out / "planering").exists()  # planning is internal: it never lands among the published files
    assert summary["metod"] == "fodelsedagar" and summary["urval"] == 6  # the demo plan: days 5, 15, 25
    assert set(summary["bedomningar_rapport"]) == set(summary["bedomningar"])  # the report's version, no shares
    assert not any("i urvalet mot" in v for v in summary["bedomningar_rapport"].values())
    executed = (tmp_path / "01.ipynb").read_text(encoding="utf-8")
    pseudonyms = pd.read_parquet(urval / "urval.parquet")["client_id"]
    assert not any(p in executed for p in pseudonyms)  # group-level tables only, never a pseudonym
    assert not any(n in executed or n.replace("-", "")[2:] in executed for n in numbers)
    assert "Testsson" not in executed and "A-2025-" not in executed
    # every table in the report's formats: no index column, full texts, shares as "50 %"
    import nbformat
    shown = [o.get("data", {}).get("text/html", "") for c in nbformat.reads(executed, as_version=4).cells
             if c.cell_type == "code" for o in c.outputs]
    tables_shown = [html for html in shown if "<table" in html]
    assert len(tables_shown) == 6  # population, methods, sample size, representativeness, tests, templates
    for html in tables_shown:
        assert "row_heading" not in html and "…" not in html and "..." not in html
    assert all(m.description in tables_shown[1] for m in sampling.METHODS.values())
    # two units, each with its own target group: 31 of the 62 cases and 3 of the 6 sampled (days 5, 15, 25:
    # i = 4, 14, 24 and 35, 45, 55) in each, so 50 % in 2 × 2 categories × population and sample; all men: 100 %
    assert tables_shown[3].count(">50\u00a0%</td>") == 8 and ">100\u00a0%</td>" in tables_shown[3]


def test_demo_population_through_the_import(tmp_path):
    from helpers.config import load_config, period_paths
    from helpers.demo import generate

    cfg = load_config()
    generate(tmp_path, periods=("2025",), clients=200)
    sampling.import_population("2025", cfg, tmp_path)
    paths = period_paths("2025", tmp_path)
    pop = sampling.load_population(paths, "2025")
    clients = tables.load_table(paths.processed, "clients")
    assert len(pop) > 50 and "personnummer" not in pop.columns
    assert not pop["client_id"].str.fullmatch(r"\d{6,8}-?\d{4}").any()  # pseudonyms, never personnummer
    # birthday sample = exactly the population rows whose client is born on the 5th, 15th or 25th
    res = draw_sample(pop, "fodelsedagar")
    born = set(clients.loc[clients["birth_day"].isin([5, 15, 25]), "client_id"])
    assert set(res.sample["case_id"]) == set(pop.loc[pop["client_id"].isin(born), "case_id"])
