"""Step 5's publication end to end on small data written in the tests: files, earlier periods kept as published,
and the outsider's audit."""
from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.publication import publish, store
from helpers.publication.compute import ORG, compute_cells
from helpers.publication.primary import assert_publishable
from helpers.publication.views import PUBLISHED, SUPPRESSED
from helpers.tables import write_table
from publication_data import UNITS, config, tables
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


def test_each_indicator_file_holds_that_indicators_rows_of_the_view_as_pandas_writes_them(lillby, tmp_path):
    import pyarrow.parquet as pq

    root, built, files = lillby
    pub = publish.publication(root / "reports" / "2025", config(), "2025")
    folder = root / "reports" / "2025" / store.FOLDER / "indikatorer"
    names = list(dict.fromkeys(pub.view["indicator"]))
    assert sorted(p.stem for p in folder.glob("*.parquet")) == sorted(names) and len(names) > 3
    for name in names:
        rows = pub.view.loc[pub.view["indicator"] == name, store.PUBLIC_COLUMNS].reset_index(drop=True)
        pd.testing.assert_frame_equal(pd.read_parquet(folder / f"{name}.parquet"), rows)
        rows.to_parquet(tmp_path / "pandas.parquet", index=False)
        assert pq.read_schema(folder / f"{name}.parquet").equals(pq.read_schema(tmp_path / "pandas.parquet"))


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


def test_each_workbook_row_carries_the_labels_of_its_own_codes(lillby):
    from helpers import labels
    from helpers.publication.views import unit_label
    root, _, _ = lillby
    pub = publish.publication(root / "reports" / "2025", config(), "2025")
    for name, part in pub.view.groupby("indicator", sort=False):
        rows = store.excel_rows(part, pub.config)
        assert rows["Område"].tolist() == [unit_label(pub.config, s) for s in part["scope"]]
        assert rows["Indelning"].tolist() == [labels.grouping_label(g) for g in part["grouping"]]
        assert rows["Grupp"].tolist() == [labels.group_label(g, v, pub.config)
                                          for g, v in zip(part["grouping"], part["group"])]
        assert rows["Kategori"].tolist() == [labels.category_label(c) if c else "" for c in part["category"]]


def test_a_published_period_keeps_its_cells_in_the_next_publication(tmp_path, monkeypatch):
    data, reports = tmp_path / "data", tmp_path / "reports"
    write_period(data, "2024", shifted(tables(), -1))
    first = publish.build("2024", data, config())
    publish.write(first, "2024", reports / "2024", data, config())
    write_period(data, "2025", tables())
    from helpers.publication import compute
    computed, real = [], compute.indicator_cells
    monkeypatch.setattr(compute, "indicator_cells", lambda ind, d, s: computed.append(d.period) or real(ind, d, s))
    second = publish.build("2025", data, config())
    assert second.frozen_periods == ["2024"]
    assert set(computed) == {"2025"}  # the fixed period's cells are read, not computed again
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


# -- the protection defeated, the audit catches it -------------------------------------------------------------

def primary_only(cells: pd.DataFrame) -> pd.DataFrame:
    """The statuses a table-by-table publication without secondary suppression would have: only primary cells
    hidden."""
    status = np.where(cells["status"] == "ej tillämplig", "ej tillämplig",
                      np.where(cells["reason"] == "primär", SUPPRESSED, PUBLISHED))
    return cells.assign(status=status)


def per_table(cells: pd.DataFrame) -> pd.DataFrame:
    """Each table (indicator × scope) protected on its own with the same engine, blind to the others."""
    from helpers.publication import secure
    from helpers.publication.relations import build_model
    out = primary_only(cells)
    for _, part in out[out["applicable"]].groupby(["indicator", "scope"]):
        rows = part.reset_index(drop=True)
        done = secure.protect(rows, build_model(rows), np.zeros(len(rows), bool), config(), "2025")
        out.loc[part.index, "status"] = done.cells["status"].to_numpy()
    return out


def test_a_publication_whose_protection_is_defeated_is_stopped_and_nothing_is_written(tmp_path, monkeypatch):
    from helpers.publication import secure
    from helpers.publication.audit import audit

    def hide_only_primary(linked):
        hidden = np.asarray(linked.primary, bool).copy()
        return SimpleNamespace(suppressed=hidden, audit=audit(linked, hidden))

    monkeypatch.setattr(secure, "run_protect", hide_only_primary)
    write_period(tmp_path / "data", "2025", tables())
    with pytest.raises(publish.PublicationError) as err:
        publish.build("2025", tmp_path / "data", config())
    text = str(err.value)
    assert "stoppades av granskningen" in text and "kan ringas in till" in text
    assert "|" not in text.split("Till exempel:")[0] and "2025, " in text.split("Till exempel:")[1]  # cells named
    assert not (tmp_path / "data" / "processed" / "2025" / store.FOLDER).exists()
    assert not (tmp_path / "reports").exists()


def lillby_yaml(folder) -> str:
    path = folder / "lillby.yml"
    units = "".join(f"  - kod: {k}\n    namn: {n}\n    omraden: [{a}]\n" for k, (n, a) in UNITS.items())
    path.write_text(f"kommun: Lillby\nenheter:\n{units}rojandekontroll:\n  min_cell: 5\n  min_group: 10\n",
                    encoding="utf-8")
    return str(path)


def test_the_audit_command_exits_1_and_names_the_cells_of_a_leaky_publication(lillby, tmp_path, capsys):
    from helpers.cli import main
    _, built, _ = lillby
    leaky = tmp_path / "reports"
    store.write_published(primary_only(built.cells), leaky / "2025", config(), "2025",
                          {"samband_med_rest": built.rests})
    args = ["audit", "--period", "2025", "--config", lillby_yaml(tmp_path), "--reports-dir", str(leaky),
            "--output", str(tmp_path / "granskning")]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "Granskningen gick inte igenom" in out and "kan ringas in till" in out
    named = [line for line in out.splitlines() if line.startswith("  - ")]
    assert named and all(": kan ringas in till " in line and " 2025, " in line for line in named)
    # lex Sarah: 9 reports, 8 not reported to IVO, so the hidden IVO count is 9 − 8 = 1
    table = pd.read_parquet(tmp_path / "granskning" / "granskning.parquet")
    ivo = table[table["label"].str.startswith("lex_sarah 2025, hela verksamheten, incident_type=lex_sarah_ivo")]
    assert (~ivo["ok"]).all() and set(ivo["min"]) == set(ivo["max"]) == {1}
    store.write_published(built.cells, leaky / "2025", config(), "2025", {"samband_med_rest": built.rests})
    assert main(args) == 0


def test_plain_differencing_recovers_small_counts_from_per_table_suppression_but_not_from_the_publication(lillby):
    from differencing import attack
    _, built, _ = lillby
    assert attack(built.cells, built.cells) == {}
    leaks = attack(per_table(built.cells), built.cells)
    assert leaks and all(1 <= v <= 4 for _, v in leaks.values())
    # lex Sarah in unit B: the organisation's 9 minus A's 1 and C's 4 (each table protected on its own)
    assert leaks["lex_sarah|b|2025|total|Totalt| (count)"] == ("B helheten mot enheterna", 4)


def test_each_way_in_recovers_a_count_when_only_primary_cells_are_hidden(lillby):
    from differencing import attack
    _, built, _ = lillby
    leaks = attack(primary_only(built.cells), built.cells)
    ways = {way for way, _ in leaks.values()}
    assert {"A indelning mot total", "A total ur annan indelning", "B helheten mot enheterna", "komplement"} <= ways
    # incidents: 9 lex Sarah reports in all, 8 of them not reported to IVO -> 1
    assert leaks["lex_sarah|hela|2025|incident_type|lex_sarah_ivo| (count)"] == ("A indelning mot total", 1)
    # a total rebuilt from another grouping: unit A's 3 finished interventions, hidden in the total and shown by
    # the groups of another grouping
    assert leaks["utvardering_efter_insats|a|2025|total|Totalt| (base)"] == ("A total ur annan indelning", 3)


# -- every unit cell is the same in the organisation's report and in the unit's own ------------------------------

def test_every_unit_row_of_the_organisations_report_is_the_units_own_total(lillby):
    from helpers.indicators.registry import INDICATORS
    root, built, _ = lillby
    pub = publish.publication(root / "reports" / "2025", config(), "2025")
    by_unit = pub.view[(pub.view["scope"] == ORG) & (pub.view["grouping"] == "unit")]
    wants_unit = {i.name for i in INDICATORS if "unit" in i.groupings}
    own = pub.view[(pub.view["scope"] != ORG) & (pub.view["grouping"] == "total")
                   & (pub.view["status"] != "ej tillämplig") & pub.view["indicator"].isin(wants_unit)]
    assert len(by_unit) == len(own) > 0  # every unit's total, once
    compared = set()
    for _, row in by_unit.iterrows():
        unit = pub.cell(row["indicator"], row["group"], row["period"], "total", "Totalt", row["category"])
        assert unit is not None, row["cell_id"]
        for c in ("status", "cell_id"):
            assert row[c] == unit[c], (row["cell_id"], c)
        for c in ("value", "n", "numerator", "denominator"):
            assert (pd.isna(row[c]) and pd.isna(unit[c])) or row[c] == unit[c], (row["cell_id"], c)
        compared.add((row["indicator"], row["group"]))
    # by hand: every indicator broken down by unit, in each unit whose areas it concerns
    assert ("utredning_4_manader", "a") in compared and ("utredning_4_manader", "b") not in compared
    assert {("lex_sarah", u) for u in "abc"} <= compared and ("nojd_ekonomiskt_bistand", "c") in compared


def test_under_the_runner_the_publication_is_announced_written_before_the_workbook(lillby, tmp_path, monkeypatch):
    from helpers import sharing
    _, built, _ = lillby
    shared = tmp_path / "delat"
    shared.mkdir()
    seen = []
    write_workbook = store.write_workbook

    def workbook(pub, path):
        folder = path.parent
        seen.append((sharing.announced(shared, sharing.PUBLICATION_WRITTEN),
                     (folder / store.PUBLISHED_FILE).exists(), (folder / store.META).exists()))
        return write_workbook(pub, path)

    monkeypatch.setattr(store, "write_workbook", workbook)
    store.write_published(built.cells, tmp_path / "utan", config(), "2025", {})
    monkeypatch.setenv(sharing.SHARED_ENV, str(shared))
    store.write_published(built.cells, tmp_path / "med", config(), "2025", {})
    # Without the runner nothing is announced; with it, once the cells and meta are written, before the workbook.
    assert seen == [(False, True, True), (True, True, True)]
    assert (tmp_path / "med" / store.FOLDER / store.WORKBOOK).exists()
