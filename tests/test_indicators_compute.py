"""Running all indicators from processed files, earlier periods, and the published files."""
import json
import math

import numpy as np
import pandas as pd

from helpers.publication.primary import assert_publishable
from helpers.indicators import REGISTRY, dictionary
from helpers.publication.build import compute_all, overview, write_indicators
from helpers.indicators.stats import wilson
from helpers.tables import write_table
from test_indicators_data import cell, config, share, tables


def test_wilson_hand_value():
    # 8/10: p = 0.8, z = 1.96: centre (0.8 + 0.192) / 1.384 = 0.7168, half 0.2265 -> 0.4902 .. 0.9433
    low, high = wilson([8, 0], [10, 0])
    assert math.isclose(low[0], 0.4902, abs_tol=1e-4) and math.isclose(high[0], 0.9433, abs_tol=1e-4)
    assert np.isnan(low[1]) and np.isnan(high[1])


def _write_period(data_dir, period, data):
    for name, df in data.items():
        write_table(data_dir / "processed" / period, name, df)


def test_compute_all_reads_files_and_earlier_periods(tmp_path):
    _write_period(tmp_path, "2025", tables())
    # 2024 (same rows): active in 2024 are I1 (from 2024-06-01, goal 2024-06-10), I3 (to 2024-12-31, no goal)
    # and I5 (from 2024-01-01, goal 2024-01-05); the others start in 2025 -> 2/3
    _write_period(tmp_path, "2024", {k: v for k, v in tables().items() if k in ("interventions", "goals", "clients")})
    results = compute_all("2025", data_dir=tmp_path, config=config())
    assert set(results) == set(REGISTRY)
    goals = results["mal_i_arenden"]
    assert share(goals[goals["period"] == "2025"]) == (4, 6)
    assert share(goals[goals["period"] == "2024"]) == (2, 3)
    only = compute_all("2025", data_dir=tmp_path, config=config(), earlier=False, names=["mal_i_arenden"])
    assert set(only["mal_i_arenden"]["period"]) == {"2025"}


def test_written_files_are_publishable(tmp_path):
    _write_period(tmp_path, "2025", tables())
    cfg = config(min_cell=5, min_group=10)
    results = compute_all("2025", data_dir=tmp_path, config=cfg)
    out = tmp_path / "reports"
    summary = write_indicators(results, out, cfg)
    folder = out / "indicators"
    for name in REGISTRY:
        pub = pd.read_parquet(folder / f"{name}.parquet")
        assert list(pub.columns) == ["indicator", "period", "grouping", "group", "category", "numerator",
                                     "denominator", "value", "ci_low", "ci_high", "n", "suppressed"]
        assert pub.loc[pub["suppressed"], ["numerator", "denominator", "value", "n"]].isna().all().all()
        assert_publishable(pub, 5, counts=REGISTRY[name].kind == "count")
    # mal_i_arenden 4/6: every cell is under 5 somewhere -> all suppressed, and counted in the summary
    saved = json.loads((folder / "undertryckning.json").read_text(encoding="utf-8"))
    assert saved["tröskel"] == 5
    assert saved["indikatorer"]["mal_i_arenden"]["undertryckta"] == len(results["mal_i_arenden"])
    assert summary["undertryckta_totalt"] == sum(int(df["suppressed"].sum()) for df in results.values())
    ordlista = pd.read_csv(folder / "ordlista.csv")
    assert set(ordlista["name"]) == set(REGISTRY)
    book = pd.ExcelFile(folder / "indikatorer.xlsx")
    assert "Ordlista" in book.sheet_names and len(book.sheet_names) == len(REGISTRY) + 1
    sheet = pd.read_excel(book, "mal_i_arenden")
    assert "Värde" in sheet.columns and (sheet["Värde"] == "X").all()


def test_client_in_two_units_and_unit_restriction(tmp_path):
    _write_period(tmp_path, "2025", tables())
    res = compute_all("2025", data_dir=tmp_path, config=config(), unit="ekonomiskt_bistand", earlier=False)
    # ekonomiskt bistånd: I7 (C4) only; support months of C4, C7, C8 (clients with a case or intervention there)
    assert share(res["mal_i_arenden"]) == (0, 1)
    assert cell(res["forsorjningsstod_mottagare"])["value"] == 3


def test_overview_and_dictionary(tmp_path):
    _write_period(tmp_path, "2025", tables())
    results = compute_all("2025", data_dir=tmp_path, config=config(), names=["mal_i_arenden", "placerade"])
    ov = overview(results)
    row = ov[ov["Indikator"] == "mal_i_arenden"].iloc[0]
    assert math.isclose(row["Värde (totalt)"], 4 / 6) and row["n (totalt)"] == 6 and row["Undertryckta celler"] == 0
    d = dictionary()
    assert {"name", "label", "description", "numerator", "denominator", "unit", "tables", "groupings"} <= set(d.columns)
    assert d["label"].str.len().min() > 0
