"""Step 5's publication end to end on small data written in the tests: files, earlier periods kept as published,
and the outsider's audit."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers.publication import publish, store
from helpers.publication.compute import ORG, compute_cells
from helpers.publication.primary import assert_publishable
from helpers.publication.views import PUBLISHED, SUPPRESSED
from helpers.tables import write_table
from publication_data import config, tables
from test_indicators_data import config as small_config, share, tables as small_tables


def write_period(data_dir, period, data):
    for name, df in data.items():
        write_table(data_dir / "processed" / period, name, df)


def shifted(data: dict, years: int) -> dict:
    """The same rows a year earlier (or later)."""
    out = {}
    for name, df in data.items():
        df = df.copy()
        for c in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[c]):
                df[c] = df[c] + pd.DateOffset(years=years)
        out[name] = df
    return out


def test_cells_are_computed_for_the_period_and_earlier_periods(tmp_path):
    write_period(tmp_path, "2025", small_tables())
    # 2024 (same rows): active in 2024 are I1 (from 2024-06-01, goal 2024-06-10), I3 (to 2024-12-31, no goal)
    # and I5 (from 2024-01-01, goal 2024-01-05); the others start in 2025 -> 2/3
    write_period(tmp_path, "2024", {k: v for k, v in small_tables().items() if k in ("interventions", "goals", "clients")})
    cells = compute_cells("2025", tmp_path, small_config())
    goals = cells[(cells["indicator"] == "mal_i_arenden") & (cells["scope"] == ORG)]
    assert share(goals[goals["period"] == "2025"]) == (4, 6)
    assert share(goals[goals["period"] == "2024"]) == (2, 3)
    only = compute_cells("2025", tmp_path, small_config(), earlier=False, names=["mal_i_arenden"])
    assert set(only["period"]) == {"2025"} and set(only["indicator"]) == {"mal_i_arenden"}


@pytest.fixture(scope="module")
def lillby(tmp_path_factory):
    root = tmp_path_factory.mktemp("lillby")
    write_period(root / "data", "2025", tables())
    built = publish.build("2025", root / "data", config())
    files = publish.write(built, "2025", root / "reports" / "2025", root / "data", config())
    return root, built, files


def test_the_publication_passes_the_outsiders_audit(lillby):
    _, built, _ = lillby
    assert built.audit.passed
    cells = built.cells[built.cells["status"] != "ej tillämplig"]
    primary = cells[cells["reason"] == "primär"]
    assert len(primary) > 0 and (primary["status"] == SUPPRESSED).all()
    assert (cells["status"] == PUBLISHED).any()


def test_published_files_carry_no_hidden_number(lillby):
    root, built, files = lillby
    public = pd.read_parquet(files["celler"])
    hidden = public["status"] != PUBLISHED
    assert hidden.any() and public.loc[hidden, ["numerator", "denominator", "value", "n", "ci_low"]].isna().all().all()
    assert "reason" not in public.columns  # which hidden cells are small is not published
    assert_publishable(public.assign(suppressed=hidden), 5)
    meta = json.loads(files["meta"].read_text(encoding="utf-8"))
    assert meta["version"] == store.version(public) and meta["granskning"].startswith("Granskningen gick igenom")
    internal = store.read_internal(root / "data" / "processed" / "2025")
    assert set(internal["reason"]) >= {"primär", "sekundär", ""}


def test_the_workbook_and_glossary_speak_swedish(lillby):
    _, _, files = lillby
    book = pd.read_excel(files["excel"], sheet_name=None, engine="openpyxl")
    assert {"Om filen", "Ordlista", "Avslutade insatser planerat avs"} <= set(book)
    sheet = book["Avslutade insatser planerat avs"]
    assert {"Område", "Indelning", "Grupp", "Kategori", "Värde"} <= set(sheet.columns)
    assert {"Hela verksamheten", "Enhet A"} <= set(sheet["Område"]) and "Planerat avslut" in set(sheet["Kategori"])
    assert "X" in set(sheet["Värde"].astype(str))
    raw = files["ordlista_csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig").splitlines()[0].startswith("Indikator;")


def test_a_published_period_keeps_its_cells_in_the_next_publication(tmp_path):
    data, reports = tmp_path / "data", tmp_path / "reports"
    write_period(data, "2024", shifted(tables(), -1))
    first = publish.build("2024", data, config())
    publish.write(first, "2024", reports / "2024", data, config())
    write_period(data, "2025", tables())
    second = publish.build("2025", data, config())
    assert second.frozen_periods == ["2024"]
    a = first.cells.set_index("cell_id")
    b = second.cells[second.cells["period"] == "2024"].set_index("cell_id")
    assert set(a.index) == set(b.index)
    assert (a.loc[b.index, "status"] == b["status"]).all()
    assert np.allclose(a.loc[b.index, "numerator"].astype(float), b["numerator"].astype(float), equal_nan=True)
    assert second.audit.passed


def test_a_later_publication_binds_an_earlier_periods_rerun(tmp_path):
    data, reports = tmp_path / "data", tmp_path / "reports"
    write_period(data, "2024", shifted(tables(), -1))
    write_period(data, "2025", tables())
    later = publish.build("2025", data, config())  # shows 2024 beside 2025
    publish.write(later, "2025", reports / "2025", data, config())
    rerun = publish.build("2024", data, config())
    assert rerun.frozen_periods == ["2024"]
    shown_later = later.cells[later.cells["period"] == "2024"].set_index("cell_id")["status"]
    assert (rerun.cells.set_index("cell_id").loc[shown_later.index, "status"] == shown_later).all()
