"""Step 5's cells from both ends under the runner: a spare process computes indicators' cells from the last one
backwards into the run's shared folder (compute.compute_ahead) while the kernel goes forwards and takes them from
there. They meet, nothing is computed twice, and the cells are exactly those computed by one process alone."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys

import pandas as pd
import pytest

from helpers import sharing
from helpers.publication import compute
from helpers.tables import write_table
from publication_data import config, tables


@pytest.fixture
def period(tmp_path, monkeypatch):
    """Two periods of processed tables (2024 is 2025 a year earlier) and an empty shared folder."""
    for year, data in (("2025", tables()), ("2024", tables())):
        for name, df in data.items():
            if year == "2024":
                df = df.assign(**{c: df[c] - pd.DateOffset(years=1) for c in df.columns
                                  if pd.api.types.is_datetime64_any_dtype(df[c])})
            write_table(tmp_path / "data" / "processed" / year, name, df)
    shared = tmp_path / "delat"
    shared.mkdir()
    monkeypatch.delenv(sharing.SHARED_ENV, raising=False)
    return tmp_path / "data", shared


def _counting(monkeypatch) -> list:
    calls = []
    real = compute.indicator_cells
    monkeypatch.setattr(compute, "indicator_cells", lambda ind, data, scopes: calls.append(ind.name) or
                        real(ind, data, scopes))
    return calls


def test_the_kernel_takes_every_cell_the_spare_computed_in_another_process_and_gets_the_same_cells(
        period, monkeypatch, tmp_path):
    data, shared = period
    alone = compute.compute_cells("2025", data, config())
    work = compute._work("2025", data, config(), True, None, None, None)
    assert len(work) == 2 * len(compute.computed_indicators())  # 2024 and 2025
    monkeypatch.setenv(sharing.SHARED_ENV, str(shared))
    assert all(key for *_, key in compute._work("2025", data, config(), True, None, None, None))

    # The spare: another process, with another string hash order, given the same config.
    (tmp_path / "config.pkl").write_bytes(pickle.dumps(config()))
    ahead = subprocess.run([sys.executable, "-c", (
        "import pickle, sys; from helpers.publication.publish import cells_ahead; "
        "print(cells_ahead('2025', sys.argv[1], pickle.load(open(sys.argv[2], 'rb'))))"),
        str(data), str(tmp_path / "config.pkl")], capture_output=True, text=True, timeout=300,
        env={**os.environ, sharing.SHARED_ENV: str(shared), "PYTHONHASHSEED": "12345"})
    assert ahead.returncode == 0, ahead.stderr
    assert int(ahead.stdout) == len(work)  # nobody else was working: it computed everything
    assert len(list(shared.glob("*.pkl"))) == len(work)

    calls = _counting(monkeypatch)
    taken = compute.compute_cells("2025", data, config())
    assert calls == []  # every indicator's cells came from the spare
    pd.testing.assert_frame_equal(taken, alone)


def test_the_spare_stops_where_it_meets_the_kernel(period, monkeypatch):
    data, shared = period
    monkeypatch.setenv(sharing.SHARED_ENV, str(shared))
    work = compute._work("2025", data, config(), True, None, None, None)
    middle = len(work) // 2
    (shared / f"{work[middle][3]}.pagar").write_text(str(os.getpid()))  # the kernel is on this one right now
    calls = _counting(monkeypatch)

    assert compute.compute_ahead("2025", data, config()) == len(work) - middle - 1
    assert calls == [ind.name for _, ind, _, _ in reversed(work[middle + 1:])]  # from the last one backwards

    (shared / f"{work[middle][3]}.pagar").unlink()
    (shared / f"{work[-1][3]}.pkl").write_bytes(b"")  # done by the kernel: the spare has nothing left to do
    assert compute.compute_ahead("2025", data, config()) == 0


def test_the_cells_depend_on_the_tables_and_the_config(period, monkeypatch):
    data, shared = period
    assert compute._work("2025", data, config(), False, None, None, None)[0][3] is None  # no runner: no key
    monkeypatch.setenv(sharing.SHARED_ENV, str(shared))
    key = lambda cfg: compute._work("2025", data, cfg, False, ["mal_i_arenden"], None, None)[0][3]  # noqa: E731
    before = key(config())
    assert key(config()) == before
    assert key(config(min_cell=3)) != before
    write_table(data / "processed" / "2025", "clients", tables()["clients"].iloc[1:])
    assert key(config()) != before
    given = compute._work("2025", data, config(), False, ["mal_i_arenden"], tables(), None)
    assert given[0][3] is None  # tables given directly (tests): never shared


def test_a_claim_of_a_process_that_is_gone_is_taken_over_and_one_in_progress_is_left_to_its_owner(tmp_path,
                                                                                              monkeypatch):
    monkeypatch.setenv(sharing.SHARED_ENV, str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "a.pagar").write_text(gone.stdout.strip())
    assert sharing.shared("a", lambda: 41, ahead=True) == 41  # taken over, and shared
    (tmp_path / "b.pagar").write_text(str(os.getpid()))
    assert sharing.shared("b", lambda: 42, ahead=True) is sharing.TAKEN
    assert sharing.shared("a", lambda: 0, ahead=True) is sharing.TAKEN  # done: the spare does not read it
    assert sharing.shared("a", lambda: 0) == 41  # the kernel does
    monkeypatch.delenv(sharing.SHARED_ENV)
    assert sharing.shared("c", lambda: 43) == 43  # no runner: just computed
