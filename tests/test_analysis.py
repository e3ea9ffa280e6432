"""Comparisons and trends on small indicator tables in the step-5 contract (key findings: test_findings.py)."""
import math

import pandas as pd
import pytest

from helpers.analysis import comparisons as a
from helpers.analysis.goals import IndicatorInfo

NB = "\u00a0"
GLOSSARY = {"mal_i_arenden": IndicatorInfo("Andel insatser med dokumenterat mål", "andel"),
            "klagomal": IndicatorInfo("Antal klagomål", "antal")}
UNITS = {"barn_unga": "Barn och unga", "vuxna_missbruk": "Vuxna – missbruk och beroende"}


def cell(period, value, n, lo=None, hi=None, grouping="total", group="Totalt", category="", suppressed=False,
         indicator="mal_i_arenden"):
    return {"indicator": indicator, "period": period, "grouping": grouping, "group": group, "category": category,
            "numerator": None if value is None or n is None else value * n, "denominator": n,
            "value": None if suppressed else value, "ci_low": lo, "ci_high": hi, "n": n, "suppressed": suppressed}


def tables(**named_rows):
    return {name: a.normalise(pd.DataFrame(rows), name) for name, rows in named_rows.items()}


SHARES = [
    cell("2024", 0.70, 400, 0.653, 0.743),
    cell("2025", 0.76, 412, 0.716, 0.799),
    cell("2025", 0.85, 120, 0.775, 0.903, grouping="unit", group="barn_unga"),
    cell("2025", 0.60, 100, 0.502, 0.691, grouping="unit", group="vuxna_missbruk"),
    cell("2025", None, 3, grouping="unit", group="ekonomiskt_bistand", suppressed=True),
    cell("2024", 0.72, 110, 0.630, 0.795, grouping="unit", group="barn_unga"),
]
COUNTS = [cell("2024", 31, 31, indicator="klagomal"), cell("2025", 23, 23, indicator="klagomal")]


def test_compare_periods_difference_in_points_intervals_and_text():
    out = a.compare_periods(tables(mal_i_arenden=SHARES), "2025", GLOSSARY, UNITS)
    total = out[out["grouping"] == "total"].iloc[0]
    # 0.76 - 0.70 = 0.06 -> 6 procentenheter; [0.716, 0.799] and [0.653, 0.743] overlap (0.716 <= 0.743)
    assert total["skillnad"] == pytest.approx(6.0)
    assert total["skillnad_enhet"] == "procentenheter"
    assert total["referens"] == "2024"
    assert (total["n"], total["ref_n"]) == (412, 400)
    assert bool(total["overlappar"]) is True
    assert total["text"] == (f"Andelen insatser med dokumenterat mål ökade från 70{NB}% (n = 400) år 2024 till "
                             f"76{NB}% (n = 412) år 2025 (+6 procentenheter). Konfidensintervallen (95 %) "
                             "överlappar, så skillnaden kan bero på slumpen.")
    unit = out[(out["grouping"] == "unit") & (out["group"] == "barn_unga")].iloc[0]
    # 0.85 - 0.72 = 13 points; intervals [0.775, 0.903] and [0.630, 0.795] overlap
    assert unit["skillnad"] == pytest.approx(13.0)
    assert "(Barn och unga) ökade" in unit["text"]
    # a unit with no 2024 row cannot be compared
    vuxna = out[out["group"] == "vuxna_missbruk"].iloc[0]
    assert math.isnan(vuxna["skillnad"]) and vuxna["text"].startswith("Kan inte jämföras")


def test_compare_periods_counts_and_decrease():
    out = a.compare_periods(tables(klagomal=COUNTS), "2025", GLOSSARY)
    row = out.iloc[0]
    assert row["skillnad"] == -8  # 23 - 31
    assert row["text"] == "Antalet klagomål minskade från 31 år 2024 till 23 år 2025 (−8)."
    assert pd.isna(row["overlappar"])


def test_no_earlier_period_gives_no_time_comparison():
    assert a.compare_periods(tables(klagomal=COUNTS[1:]), "2025", GLOSSARY).empty


def test_compare_groups_against_total_and_non_overlap():
    out = a.compare_groups(tables(mal_i_arenden=SHARES), "2025", GLOSSARY, UNITS)
    assert list(out["group"]) == ["barn_unga", "vuxna_missbruk", "ekonomiskt_bistand"]
    barn, vuxna, eb = (out.iloc[i] for i in range(3))
    assert barn["skillnad"] == pytest.approx(9.0)  # 0.85 - 0.76
    assert bool(barn["overlappar"]) is True  # 0.775 <= 0.799
    assert vuxna["skillnad"] == pytest.approx(-16.0)  # 0.60 - 0.76
    assert bool(vuxna["overlappar"]) is False  # 0.691 < 0.716
    assert vuxna["text"].startswith(f"Andelen insatser med dokumenterat mål, Vuxna – missbruk och beroende: "
                                    f"60{NB}% (n = 100) jämfört med 76{NB}% (n = 412) totalt (−16 procentenheter).")
    assert "överlappar inte" in vuxna["text"]
    assert math.isnan(eb["varde"]) and math.isnan(eb["skillnad"])


def test_group_spread_is_highest_minus_lowest():
    c = a.comparisons(tables(mal_i_arenden=SHARES), "2025", GLOSSARY, UNITS)
    spread = a.group_spread(c).iloc[0]
    assert (spread["hogst"], spread["lagst"]) == ("barn_unga", "vuxna_missbruk")
    assert spread["spridning"] == pytest.approx(0.25)  # 0.85 - 0.60
    assert bool(spread["overlappar"]) is False  # [0.775, 0.903] vs [0.502, 0.691]


def test_intervals_overlap_and_signed():
    assert a.intervals_overlap(0.1, 0.3, 0.3, 0.5) is True
    assert a.intervals_overlap(0.1, 0.2, 0.3, 0.5) is False
    assert a.intervals_overlap(0.1, float("nan"), 0.3, 0.5) is None
    assert (a.signed(4.6), a.signed(-3.2), a.signed(0.2), a.signed(-0.4)) == ("+5", "−3", "±0", "±0")


def test_trend_slope_and_direction():
    rows = [cell("2023", 0.60, 300), cell("2024", 0.70, 300), cell("2025", 0.74, 300),
            cell("2025", 0.5, 10, grouping="month", group="2025-01")]
    out = a.trend(tables(mal_i_arenden=rows, klagomal=COUNTS), GLOSSARY)
    share = out[out["indicator"] == "mal_i_arenden"]
    assert list(share["period"]) == ["2023", "2024", "2025"]  # the month series is left out
    # least squares over x = 2023, 2024, 2025 and y = 0.60, 0.70, 0.74: slope = (0.74 - 0.60) / 2 = 0.07
    assert share["forandring_per_ar"].iloc[0] == pytest.approx(0.07)
    assert set(share["riktning"]) == {"ökande"}
    counts = out[out["indicator"] == "klagomal"]
    assert counts["forandring_per_ar"].iloc[0] == pytest.approx(-8.0)  # two points: 23 - 31
    assert counts["riktning"].iloc[0] == "minskande"


def test_trend_direction_rules():
    assert a.direction(0.005, 0.7, "andel", 3) == "oförändrad"  # under 1 point a year
    assert a.direction(-0.02, 0.7, "andel", 3) == "minskande"
    assert a.direction(0.1, 40, "antal", 2) == "oförändrad"  # 0.1 < 1 % of 40
    assert a.direction(float("nan"), 40, "antal", 1) == "för få perioder"


def test_suppressed_series_point_breaks_no_slope():
    rows = [cell("2024", None, 3, suppressed=True), cell("2025", 0.8, 200)]
    out = a.trend(tables(mal_i_arenden=rows), GLOSSARY)
    assert set(out["riktning"]) == {"för få perioder"}
    assert list(out["antal_perioder"]) == [1, 1]


def test_write_analysis(tmp_path):
    tabs = tables(mal_i_arenden=SHARES)
    paths = a.write_analysis(tmp_path, a.comparisons(tabs, "2025", GLOSSARY), a.trend(tabs, GLOSSARY))
    assert [p.name for p in paths] == ["jamforelser.parquet", "trend.parquet"]
    assert len(pd.read_parquet(paths[0])) == 7  # 4 time comparisons + 3 group comparisons (see below)


def test_comparisons_row_count():
    # time: one per 2025 cell (total + 3 units = 4); groups: one per 2025 unit cell (3)
    c = a.comparisons(tables(mal_i_arenden=SHARES), "2025", GLOSSARY)
    assert (c["jamforelse"] == "tid").sum() == 4
    assert (c["jamforelse"] == "grupp").sum() == 3


# --- notebook 06 end to end on indicator files in the step-5 contract -------------------------------------

def write_fixture_indicators(folder):
    """A small indicator folder: shares per unit for two years, a count, a distribution and monthly counts."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = {"mal_i_arenden": SHARES + [cell("2024", 0.60, 90, 0.50, 0.69, grouping="unit", group="vuxna_missbruk")],
            "synpunkter_klagomal": [dict(r, indicator="synpunkter_klagomal") for r in COUNTS],
            "maluppfyllelse": [cell("2025", v, 200, category=c, indicator="maluppfyllelse") for c, v in
                               zip(["positiv_uppfyllt", "positiv_ej_uppfyllt", "ingen_forandring", "negativ"],
                                   [0.4, 0.3, 0.2, 0.1])],
            "utredningar_per_manad": [cell("2025", 20 + m, 20 + m, grouping="month", group=f"2025-{m:02d}",
                                           category=c, indicator="utredningar_per_manad")
                                      for m in range(1, 13) for c in ("anmalningar", "avslutade")]}
    from helpers.indicators.registry import REGISTRY
    cells = pd.concat([pd.DataFrame(r) for r in rows.values()], ignore_index=True)
    units = cells["grouping"] == "unit"  # the organisation's units are the units' own total cells
    cells["scope"] = cells["group"].where(units, "hela")
    cells.loc[units, "grouping"], cells.loc[units, "group"] = "total", "Totalt"
    cells["kind"] = cells["indicator"].map(lambda n: REGISTRY[n].kind)
    cells["status"] = cells["suppressed"].map({True: "undertryckt", False: "publicerad"})
    cells["cell_id"] = cells[["indicator", "scope", "period", "grouping", "group", "category"]].astype(str).agg(
        "|".join, axis=1)
    cells.drop(columns="suppressed").to_parquet(folder / "celler.parquet")


@pytest.mark.slow
def test_notebook_06_writes_its_files(tmp_path):
    import papermill as pm
    from helpers.config import PROJECT_ROOT
    out = tmp_path / "reports" / "2025"
    write_fixture_indicators(out / "publikation")
    pm.execute_notebook(str(PROJECT_ROOT / "notebooks" / "06_analysera.ipynb"), str(tmp_path / "06.ipynb"),
                        parameters={"period": "2025", "data_dir": str(tmp_path / "data"), "output_dir": str(out)},
                        cwd=str(PROJECT_ROOT / "notebooks"), kernel_name="python3", progress_bar=False)
    goals_table = pd.read_parquet(out / "analys" / "hela" / "mal.parquet")
    assert len(goals_table) == 7  # the demo config's goals
    klagomal = goals_table[goals_table["indikator"] == "synpunkter_klagomal"].iloc[0]
    assert klagomal["status"] == "uppnått"  # 23 < 31
    assert (goals_table[goals_table["indikator"] == "mal_i_arenden"]["status"] == "inte uppnått").all()  # 76 % < 85 %
    for scope in ("hela", "barn_unga", "vuxna_missbruk", "ekonomiskt_bistand"):  # every scope at once
        assert (out / "analys" / scope / "jamforelser.parquet").exists()
        assert (out / "analys" / scope / "trend.parquet").exists() and (out / "analys" / scope / "mal.parquet").exists()
    from helpers.analysis.findings import CAUTION
    assert CAUTION in (out / "analys" / "hela" / "nyckelfynd.md").read_text(encoding="utf-8")
