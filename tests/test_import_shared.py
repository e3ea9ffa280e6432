"""A run's processes share import results (collect/memo.py, helpers/sharing.py): a spare worker reads and checks the sources of steps
02-04 ahead (importing.import_ahead) and writes nothing else; the steps then find every result, wait for one
another process is working on, and end with exactly the tables a run without sharing writes."""
import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers import importlog
from helpers import sharing
from helpers.collect import importing, memo, sources
from helpers.config import load_config
from helpers.run import work_ahead
from helpers.run.work_ahead import AheadJob, ahead_of, shared_results

from corpus_files import CORPUS

STEP_IMPORTS = [dict(tables=["clients", "cases"]), dict(steps=[2]), dict(steps=[3]), dict(steps=[4])]


@pytest.fixture(scope="module")
def raw_demo(tmp_path_factory):
    """Raw exports of a small demo municipality (300 clients, 2025), never imported."""
    data = tmp_path_factory.mktemp("demo")
    made = subprocess.run([sys.executable, "-m", "helpers.cli", "demo", "--clients", "300", "--periods", "2025",
                           "--data-dir", str(data)], capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr
    return data


@pytest.fixture
def fresh(tmp_path, raw_demo, monkeypatch):
    """A copy of the raw exports with nothing imported, nothing remembered and no shared folder."""
    import shutil

    monkeypatch.delenv(sharing.SHARED_ENV, raising=False)
    monkeypatch.delenv("UPPFOLJNING_NYCKEL", raising=False)
    memo.forget()

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(raw_demo / "raw", target / "raw")
        return target

    yield copy
    memo.forget()


def _import_steps(data: Path) -> list:
    out = []
    for how in STEP_IMPORTS:
        out += importing.import_sources("2025", None, data, **how)
    return out


def _tables(data: Path) -> dict:
    processed = data / "processed" / "2025"
    tables = {p.name: pd.read_parquet(p) for p in sorted(processed.glob("*.parquet"))}
    quarantine = {p.name: p.read_bytes() for p in sorted((processed / "karantan").glob("*"))}
    return {"tabeller": tables, "karantan": quarantine,
            "logg": [{k: v for k, v in e.items() if k not in ("tid", "importerad")}
                     for e in importlog.read_log(processed).get("importer", [])]}


def test_ahead_writes_nothing_and_the_steps_take_every_result_unchanged(fresh, monkeypatch):
    alone = fresh("ensam")
    expected_results = [r.as_dict() for r in _import_steps(alone)]
    expected = _tables(alone)
    memo.forget()

    shared = fresh("delad")
    with shared_results(shared / "processed", "test") as folder:
        # The spare worker is another process, with another string hash order.
        done = subprocess.run([sys.executable, "-c", (
            "import sys; from helpers.run.work_ahead import AheadJob, run_ahead; "
            "events = []; job = AheadJob('hela verksamheten', '2025', sys.argv[1], sys.argv[2], (4, 3, 2)); "
            "r = run_ahead(job, events.append); print(r.status, events[0]['typ'])"),
            str(load_config().path), str(shared)],
            capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONHASHSEED": "123"})
        assert done.returncode == 0 and done.stdout.strip() == "klar i_förväg", done.stderr
        assert not list((shared / "processed" / "2025").glob("*.parquet"))  # only results, no tables
        assert len(list(folder.glob("*.pkl"))) >= 10
        checked = []
        real = importing.check_rows
        monkeypatch.setattr(importing, "check_rows",
                            lambda table, *a, **k: checked.append(table) or real(table, *a, **k))
        results = _import_steps(shared)
    assert checked == []  # every source was read and checked ahead, none again
    assert not folder.exists()
    assert sharing.SHARED_ENV not in os.environ
    got = _tables(shared)
    assert got["karantan"] == expected["karantan"] and got["logg"] == expected["logg"]
    assert got["tabeller"].keys() == expected["tabeller"].keys()
    for name, table in expected["tabeller"].items():
        pd.testing.assert_frame_equal(got["tabeller"][name], table, obj=name)
    assert [r.as_dict() for r in results] == expected_results


@pytest.mark.skipif(not hasattr(os, "fork"), reason="elsewhere a work ahead is a new interpreter")
def test_a_work_ahead_is_a_fork_whose_end_reaches_the_worker_and_only_the_run_may_stop_it(tmp_path, monkeypatch):
    import psutil

    from helpers.run import work_ahead

    job = AheadJob("hela verksamheten", "2025", "k.yml", tmp_path, (4, 3))
    import gc
    monkeypatch.setattr(work_ahead, "main", lambda argv: (tmp_path / "gjort").write_text(" ".join(argv)) and
                        (tmp_path / "frysta").write_text(str(gc.get_freeze_count())))
    events = []
    assert work_ahead.run_ahead(job, events.append).status == "klar"
    assert (tmp_path / "gjort").read_text() == f"2025 k.yml {tmp_path} 4 3"
    # What the fork inherited is frozen: its collections scan only what the fork makes.
    assert int((tmp_path / "frysta").read_text()) > gc.get_freeze_count() + len(gc.get_objects()) // 2
    assert events[0]["typ"] == "i_förväg" and events[0]["pid"] != os.getpid()
    monkeypatch.setattr(work_ahead, "main", lambda argv: 1 / 0)
    assert work_ahead.run_ahead(job, events.append).status == "fel"

    monkeypatch.setattr(work_ahead, "main", lambda argv: time.sleep(60))

    def stop(event):
        work_ahead.stop_child(event["pid"], {os.getpid() + 1})  # not a child of the run's workers: left alone
        assert psutil.Process(event["pid"]).status() != psutil.STATUS_ZOMBIE
        work_ahead.stop_child(event["pid"], {os.getpid()})

    started = time.perf_counter()
    assert work_ahead.run_ahead(job, stop).status == "stoppad" and time.perf_counter() - started < 30


def test_the_cells_ahead_wait_for_their_step_and_end_when_the_chain_went_without_it(tmp_path, monkeypatch):
    """The cells' process waits until step 05 starts. When the chain ends first (step 05 unchanged and skipped),
    the coordinator's mark that the cells are done ends it without work: it waited for a start that never came,
    and the run waited for it."""
    from helpers.publication import publish
    from helpers.run import work_ahead
    from helpers.sharing import SHARED_ENV

    computed = []
    monkeypatch.setattr(publish, "cells_ahead", lambda *args: computed.append(args))
    monkeypatch.setattr(os, "nice", lambda n: 0)
    monkeypatch.setenv(SHARED_ENV, str(tmp_path))
    argv = ["2025", "k.yml", str(tmp_path), work_ahead.CELLS]
    work_ahead.cells_done(tmp_path)
    waiter = threading.Thread(target=work_ahead.main, args=(argv,), daemon=True)
    waiter.start()
    waiter.join(10)
    assert not waiter.is_alive() and computed == []
    (tmp_path / work_ahead.DONE).unlink()
    work_ahead.start_cells(tmp_path)
    work_ahead.main(argv)
    assert computed == [("2025", str(tmp_path), "k.yml")]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="elsewhere a work ahead is a new interpreter")
def test_cells_forked_ahead_begin_only_when_claimed_and_end_unclaimed_with_their_step_or_the_run(tmp_path,
                                                                                                 monkeypatch):
    """The spare forks the cells ahead before it loads the report template. The fork works only once the worker
    gets the cells job for that period: another worker may get it, and two processes must not compute the cells."""
    import psutil

    from helpers.run import work_ahead
    from helpers.sharing import SHARED_ENV

    shared = tmp_path / "delad"
    shared.mkdir()
    monkeypatch.setenv(SHARED_ENV, str(shared))
    ran = tmp_path / "körda"
    monkeypatch.setattr(work_ahead, "main", lambda argv: ran.open("a").write(" ".join(argv) + "\n"))
    imports = AheadJob("hela verksamheten", "2025", "k.yml", tmp_path, (4,))
    cells = AheadJob("hela verksamheten", "2025", "k.yml", tmp_path, (work_ahead.CELLS,))

    forked = work_ahead.fork_cells(imports)
    time.sleep(0.5)
    assert not ran.exists() and psutil.Process(forked.pid).status() != psutil.STATUS_ZOMBIE
    events = []
    assert work_ahead.run_ahead(cells, events.append, forked).status == "klar"
    assert events == [{"typ": "i_förväg", "pid": forked.pid}]
    assert ran.read_text() == f"2025 k.yml {tmp_path} celler\n"

    # Forked for another period than the job's: stopped, and the job's own process forked.
    forked = work_ahead.fork_cells(imports)
    other = AheadJob("hela verksamheten", "2024", "k.yml", tmp_path, (work_ahead.CELLS,))
    events.clear()
    assert work_ahead.run_ahead(other, events.append, forked).status == "klar"
    assert events[0]["pid"] != forked.pid and not psutil.pid_exists(forked.pid)
    assert ran.read_text().splitlines()[1:] == [f"2024 k.yml {tmp_path} celler"]

    # Forked again: the earlier one is stopped. Unclaimed, it ends without work when the cells' step is done ...
    earlier = work_ahead.fork_cells(imports)
    forked = work_ahead.fork_cells(imports, before=earlier)
    assert not psutil.pid_exists(earlier.pid) and earlier not in work_ahead._running
    work_ahead.cells_done(shared)
    assert forked.wait() == 0
    # ... or when the run ends.
    (shared / work_ahead.DONE).unlink()
    forked = work_ahead.fork_cells(imports)
    time.sleep(0.2)
    shared.rmdir()
    assert forked.wait() == 0
    assert len(ran.read_text().splitlines()) == 2 and work_ahead._running == []


def test_files_are_read_ahead_before_any_check_but_the_clients_which_step_01_starts_with(fresh, monkeypatch):
    """Checking a table needs the tables it refers to (clients first, then cases), which the kernel imports in
    step 01; reading needs none. The spare worker first reads every source but the clients' into the shared
    folder; the clients' file (which also holds the cases) is left to the kernel, which reads it once for both."""
    data = fresh("läst")
    checked, decoded = [], []
    real_check, real_decode = importing.check_rows, sources.decode
    monkeypatch.setattr(importing, "check_rows",
                        lambda table, *a, **k: checked.append(table) or real_check(table, *a, **k))
    monkeypatch.setattr(sources, "decode", lambda raw, encoding, name: decoded.append(name) or
                        real_decode(raw, encoding, name))
    with shared_results(data / "processed", "test"):
        importing.read_ahead("2025", load_config(), data, (4, 3, 2))
        assert checked == [] and "arenden.csv" not in decoded
        assert {"insatser.csv", "brukarenkat.csv", "utredningar.csv"} <= set(decoded)
        assert decoded.count("insatser.csv") == 1  # interventions and sessions: one reading
        decoded.clear()
        _import_steps(data)
    assert decoded == ["arenden.csv"]  # the clients and the cases, read once
    assert set(checked) >= {"clients", "cases", "goals", "survey_answers"}


def test_a_step_that_cannot_be_read_ahead_leaves_the_others_read(fresh, monkeypatch):
    data = fresh("trasig")
    (data / "raw" / "2025" / "brukarenkat.csv").unlink()  # step 04 cannot be imported: its notebook will say so
    with shared_results(data / "processed", "test"):
        importing.import_ahead("2025", None, data, (4, 3))
        memo.forget()
        checked = []
        real = importing.check_rows
        monkeypatch.setattr(importing, "check_rows",
                            lambda table, *a, **k: checked.append(table) or real(table, *a, **k))
        importing.import_sources("2025", None, data, steps=[3])
    assert checked == []


def test_a_key_is_the_same_in_every_process():
    """Sets follow string hashing, and pickle writes a shared object differently from an equal copy: neither
    may change a key, or the processes of a run would never find each other's results."""
    code = ("import sys; from helpers import sharing; from helpers.collect.mapping import load_mapping; "
            "from helpers.config import load_config; m = load_mapping(sys.argv[1], load_config()); "
            "s = 'tabell'; print(sharing.digest(m, {'a', 'b', 'c', 'd'}, s, [s, s]))")
    keys = {subprocess.run([sys.executable, "-c", code, str(CORPUS / "mappning.yml")], capture_output=True,
                           text=True, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120).stdout
            for seed in ("1", "2", "3")}
    assert len(keys) == 1 and len(next(iter(keys)).strip()) == 40
    copy = "".join(["tab", "ell"])
    assert sharing.digest("tabell", ["tabell", "tabell"]) == sharing.digest("tabell", [copy, "".join(["tab", "ell"])])
    assert sharing.digest({"a": 1, "b": 2}) != sharing.digest({"a": 2, "b": 1})
    assert sharing.digest({1, 2}) != sharing.digest({1, 3})


@pytest.fixture
def shared_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(sharing.SHARED_ENV, str(tmp_path))
    memo.forget()
    yield tmp_path
    memo.forget()


def test_a_source_another_process_works_on_is_waited_for(shared_folder):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (shared_folder / "k1.pagar").write_text(str(other.pid))

        def finish():
            time.sleep(0.4)
            (shared_folder / "k1.pkl").write_bytes(pickle.dumps("från den andra processen"))
            (shared_folder / "k1.pagar").unlink()

        threading.Thread(target=finish).start()
        started = time.monotonic()
        assert sharing._shared(shared_folder, "k1", lambda: "räknat här") == "från den andra processen"
        assert time.monotonic() - started >= 0.3
    finally:
        other.kill()


def test_a_claim_left_by_a_process_that_is_gone_is_not_waited_for(shared_folder):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (shared_folder / "k2.pagar").write_text(gone.stdout.strip())
    assert sharing._shared(shared_folder, "k2", lambda: "räknat här") == "räknat här"


def test_a_result_is_shared_once_and_a_failure_leaves_no_claim(shared_folder):
    calls = []
    assert sharing._shared(shared_folder, "k3", lambda: calls.append(1) or "ett") == "ett"
    assert sharing._shared(shared_folder, "k3", lambda: calls.append(1) or "två") == "ett"
    assert calls == [1] and not list(shared_folder.glob("*.pagar"))

    def broken():
        raise ValueError("trasig fil")

    with pytest.raises(ValueError):
        sharing._shared(shared_folder, "k4", broken)
    assert not list(shared_folder.glob("k4*"))


def test_ahead_starts_with_the_period_chain_and_reads_the_last_step_first():  # and the cells start with step 04
    parameters = {"period": "2025", "config": "k.yml"}
    assert ahead_of("01_planera", parameters, Path("data"), "hela verksamheten").steps == (4, 3, 2)
    assert ahead_of("03_under_insats", parameters, Path("data"), "hela verksamheten").steps == (4,)
    cells = ahead_of("04_efter_insats", parameters, Path("data"), "hela verksamheten")  # started during 04, waits for 05
    assert cells.kind == "celler" and cells.label == "beräkningen av indikatorernas celler i förväg"
    assert ahead_of("05_sammanstall", parameters, Path("data"), "hela verksamheten") is None
    job = AheadJob("hela verksamheten", "2025", "k.yml", Path("data"), (4, 3, 2))
    assert job.label == "inläsningen i förväg för steg 04, 03 och 02"


def test_a_kernel_under_the_runner_lets_go_of_import_results_between_notebooks(monkeypatch):
    """They are in the run's shared folder too; without the runner (one kernel by hand) they are kept."""
    from helpers.run import kernel_side

    monkeypatch.delenv(sharing.SHARED_ENV, raising=False)
    memo.forget()
    memo.remembered("k", lambda: importing.ImportResult("clients", "k.csv", 0, pd.DataFrame(), pd.DataFrame(),
                                                        None, None, {}))
    kernel_side.reset(os.getcwd())
    assert list(memo._results) == ["k"]
    monkeypatch.setenv(sharing.SHARED_ENV, "/nonexistent/importminne")
    kernel_side.reset(os.getcwd())
    assert not memo._results


def test_a_killed_runs_shared_folder_is_removed_by_the_next_run_and_a_live_runs_is_kept(tmp_path):
    """A run ended by kill -9 cannot remove its shared folder (the sources' rows as read, up to ~100 MB): the
    next run does, but not the folder of a run still going (its lock is held)."""
    fcntl = pytest.importorskip("fcntl")
    processed = tmp_path / "processed"
    dead, alive = processed / ".importminne-dod", processed / ".importminne-levande"
    for folder in (dead, alive):
        folder.mkdir(parents=True)
        (folder / "resultat.pkl").write_bytes(b"rader")
    (dead / ".agare").touch()
    with open(alive / ".agare", "a+") as held:  # another open file: as another process's lock, it conflicts
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with shared_results(processed, "ny") as folder:
            assert folder == processed / ".importminne-ny" and folder.is_dir()
            assert not dead.exists() and (alive / "resultat.pkl").exists()
            assert work_ahead.remove_left_behind(processed) == []  # its own folder is locked too
        assert not folder.exists() and alive.exists()
    assert sorted(p.name for p in processed.iterdir()) == [".importminne-levande"]
    assert work_ahead.remove_left_behind(processed) == [alive]  # its run has ended now


def test_a_shared_folder_that_cannot_take_its_name_leaves_nothing_behind(tmp_path, monkeypatch):
    """Where the locked staging folder cannot be renamed into place, the run shares nothing (every process imports
    for itself) and removes the staging folder."""
    processed = tmp_path / "processed"
    processed.mkdir()

    def refuse(src, dst):
        raise PermissionError(13, "nekad", str(dst))
    monkeypatch.setattr(work_ahead.os, "replace", refuse)
    with shared_results(processed, "ny") as folder:
        assert folder is None and sharing.SHARED_ENV not in os.environ
    assert list(processed.iterdir()) == []


def test_a_result_another_process_is_on_is_not_waited_for_when_told_so(shared_folder):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (shared_folder / "k5.pagar").write_text(str(other.pid))
        started = time.monotonic()
        with pytest.raises(sharing.Busy) as busy:
            sharing.shared("k5", lambda: "räknat här", wait=False)
        assert busy.value.key == "k5" and time.monotonic() - started < 0.3 and sharing.still_busy("k5")
        before = sharing.folder_state()
        threading.Timer(0.3, lambda: (shared_folder / "k5.pkl").write_bytes(pickle.dumps("klart"))).start()
        sharing.wait_for_change(before, timeout=20)
        assert not sharing.still_busy("k5")
        assert sharing.shared("k5", lambda: "räknat här", wait=False) == "klart"  # a finished one is read
    finally:
        other.kill()
    other.wait()
    (shared_folder / "k6.pagar").write_text(str(other.pid))
    assert not sharing.still_busy("k6")  # its process is gone: nobody is on it


def test_the_spare_takes_the_kernels_last_source_first_and_never_waits_while_another_is_ready(
        fresh, shared_folder, monkeypatch):
    """The kernel is on the interventions: what needs them is left, the rest is checked meanwhile, and what was
    left is checked once the kernel is done (not tried again before)."""
    data = fresh("skift")
    monkeypatch.setattr(importing, "read_ahead", lambda *a: None)
    kernel_on = {"interventions"}
    needs = {"sessions": "interventions", "evaluations": "interventions", "measurements": "interventions",
             "goals": "interventions", "goal_followups": "interventions"}
    tried, done = [], []

    def fake_import(period, cfg, data_dir, tables, steps, write, batch):
        assert not write and batch is not None
        tried.append(tables[0])
        if needs.get(tables[0]) in kernel_on or tables[0] in kernel_on:
            raise sharing.Busy("kärnans-" + tables[0])
        done.append(tables[0])
        if tables[0] == "clients":  # the kernel's last but one: it is done with the interventions meanwhile
            kernel_on.clear()

    monkeypatch.setattr(importing, "import_sources", fake_import)
    monkeypatch.setattr(sharing, "still_busy", lambda key: bool(kernel_on))
    monkeypatch.setattr(sharing, "wait_for_change", lambda before: kernel_on.clear())
    importing.import_ahead("2025", None, data, (4, 3, 2))
    assert done[:2] == ["incidents", "survey_answers"]  # the kernel's last sources first
    ready = ["support_months", "placement_reviews", "placement_visits", "placements"]
    assert done.index(ready[-1]) < done.index("evaluations")  # not waiting for the interventions meanwhile
    assert set(done) == set(dict.fromkeys(t for _, t in importing._kernel_order(load_config(), "2025", (4, 3, 2))))
    assert tried.count("evaluations") == 2  # left once, then checked: never tried while the kernel was on it
