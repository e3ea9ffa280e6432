"""Which worker gets which job: chains go to workers with a kernel in the order submitted; annexes wait for an
idle worker, a kernel-less one first, and never hold up a chain."""
import sys
from types import SimpleNamespace

import pytest

from helpers.run.workers import START_KERNEL, LocalWorkers


def pool(*with_kernel: bool) -> tuple[LocalWorkers, list[list[str]]]:
    """The coordinator's side of a pool, without processes: what each worker was given, by job name."""
    given = [[] for _ in with_kernel]
    p = object.__new__(LocalWorkers)
    p._procs = [SimpleNamespace(is_alive=lambda: True) for _ in with_kernel]
    p._with_kernel = list(with_kernel)
    p._tasks = [SimpleNamespace(put=lambda item, i=i: given[i].append(item[1])) for i in range(len(with_kernel))]
    p._jobs, p._results, p._holder, p._pending = {}, {}, {}, []
    return p, given


def done(p: LocalWorkers, job_id: int) -> None:
    p._holder.pop(job_id)
    p._dispatch()


def test_the_spare_worker_renders_annexes_and_never_takes_a_chain():
    p, given = pool(True, False)
    period = p.submit("period")
    annex = p.submit("bilaga", when_idle=True)
    assert given == [["period"], ["bilaga"]]
    done(p, annex)
    p.submit("07 hela")  # the kernel worker is busy: the chain waits for it, not for the idle spare
    assert given == [["period"], ["bilaga"]]
    done(p, period)
    assert given == [["period", "07 hela"], ["bilaga"]]


def test_chains_go_first_and_annexes_take_what_is_left():
    p, given = pool(True, True)
    first = p.submit("period")
    p.submit("bilaga enhet", when_idle=True)  # the second worker is idle: it renders the annex meanwhile
    done(p, first)
    p.submit("07 hela")
    p.submit("07 enhet")
    p.submit("bilaga hela", when_idle=True)
    assert given == [["period", "07 hela"], ["bilaga enhet"]]
    done(p, 1)  # the annex is done: the waiting chain goes before the annex submitted after it
    assert given == [["period", "07 hela"], ["bilaga enhet", "07 enhet"]]
    done(p, 2)
    assert given[0][-1] == "bilaga hela"


def test_a_waiting_chain_goes_before_an_annex_queued_earlier():
    """The coordinator queues the scope chains when the period chain ends; annexes queued at step 05 must not
    take the freed kernel worker first (its kernel would sit idle while it renders)."""
    p, given = pool(True, True)
    period = p.submit("period")
    p.submit("bilaga hela", when_idle=True)
    p.submit("bilaga enhet", when_idle=True)
    p.submit("07 hela")
    assert given == [["period"], ["bilaga hela"]]
    done(p, period)
    assert given == [["period", "07 hela"], ["bilaga hela"]]


def test_without_a_kernel_worker_left_a_chain_starts_a_kernel_in_the_spare():
    p, given = pool(True, False)
    p._procs[0] = SimpleNamespace(is_alive=lambda: False)
    p.submit("07 hela")
    assert given == [[], ["07 hela"]]


def test_a_kernel_left_for_later_is_started_once_when_asked_and_its_worker_takes_chains_meanwhile():
    p, given = pool(True, True)
    p._deferred = [1]
    sent = []
    p._tasks[1] = SimpleNamespace(put=lambda item: sent.append(item) or given[1].append(
        item if isinstance(item, str) else item[1]))
    p.submit("period")
    p.submit("inläsning i förväg", when_idle=True)  # the worker without a started kernel reads ahead
    assert given == [["period"], ["inläsning i förväg"]]
    p.start_kernels()
    p.start_kernels()  # once only
    assert sent[-1] == START_KERNEL and sent.count(START_KERNEL) == 1
    done(p, 1)
    p.submit("07 enhet")  # a chain may go to it: it is a kernel worker, started or not
    assert given[1][-1] == "07 enhet"


def test_a_worker_loads_the_report_template_only_once_a_core_is_free(tmp_path, monkeypatch):
    """Under the runner both cores run steps the run waits for until the cells ahead are done: the template is
    loaded after that (the coordinator's marker in the shared folder), at once where nothing is shared, and not
    at all by a waiter whose run ended."""
    import threading

    from helpers.report import render
    from helpers.run import work_ahead
    from helpers.run.workers import prepare_rendering
    from helpers.sharing import SHARED_ENV

    loaded = []
    monkeypatch.setattr(render, "html_exporter", lambda: loaded.append(True))
    monkeypatch.setenv(SHARED_ENV, str(tmp_path))
    waiter = threading.Thread(target=prepare_rendering)
    waiter.start()
    waiter.join(0.5)
    assert waiter.is_alive() and not loaded
    # The spare worker, its import ahead done, loads it at once: until step 05 starts a core is idle. (In a thread:
    # the loading lowers its thread's priority, which the test process must keep.)
    at_once = threading.Thread(target=prepare_rendering, kwargs={"wait": False})
    at_once.start()
    at_once.join(5)
    assert loaded == [True] and waiter.is_alive()
    work_ahead.cells_done(tmp_path)
    waiter.join(5)
    assert not waiter.is_alive() and loaded == [True, True]

    gone = tmp_path / "slut"
    gone.mkdir()
    monkeypatch.setenv(SHARED_ENV, str(gone))
    waiter = threading.Thread(target=work_ahead.wait_for_free_core)
    waiter.start()
    gone.rmdir()  # the run ended
    waiter.join(5)
    assert not waiter.is_alive()

    monkeypatch.delenv(SHARED_ENV)
    waiter = threading.Thread(target=prepare_rendering)
    waiter.start()
    waiter.join(5)
    assert loaded == [True, True, True]


def test_an_annex_in_a_thread_of_lower_priority_gives_its_result_or_its_error():
    """A kernel-less worker renders an annex in a thread of lower priority and waits for it: the result, or the
    error the annex raised, reaches the worker as if it had rendered it itself."""
    import threading

    from helpers.run.workers import _in_lower_thread

    def work(x):
        return x * 2, threading.current_thread().name

    assert _in_lower_thread(work, 21) == (42, "bilaga")
    with pytest.raises(ZeroDivisionError):
        _in_lower_thread(lambda: 1 / 0)


def test_with_reports_to_render_one_of_two_workers_or_more_is_a_spare_without_a_kernel():
    """On two cores a unit's chain costs about as much as its annex: one kernel and the spare share the units,
    and no second kernel is started (measured: ~1 CPU-s less per unit)."""
    from helpers.run.pipeline import worker_plan

    assert worker_plan(2, 1, True) == (1, True)    # the organisation alone
    assert worker_plan(2, 4, True) == (1, True)    # the organisation and three units
    assert worker_plan(4, 4, True) == (3, True)
    assert worker_plan(4, 2, True) == (2, True)    # at most one chain per scope
    assert worker_plan(1, 4, True) == (1, False)   # one worker renders everything itself
    assert worker_plan(2, 4, False) == (2, False)  # no reports, no annexes: a spare would have nothing to do


def test_a_worker_that_crashes_in_native_code_prints_where(tmp_path, capfd):
    import multiprocessing

    from helpers.run.workers import _worker
    from runner_fakes import CrashingJob

    ctx = multiprocessing.get_context("spawn")
    tasks, events = ctx.Queue(), ctx.Queue()
    worker = ctx.Process(target=_worker, args=(0, tasks, events, str(tmp_path), [], False, None))
    worker.start()
    tasks.put((0, CrashingJob()))
    worker.join(120)
    assert worker.exitcode == -11
    err = capfd.readouterr().err
    assert "Fatal Python error: Segmentation fault" in err
    assert "in warm_up_at" in err and "in emitter" in err  # the Python stack of the crash


def test_a_dead_workers_message_names_the_likely_cause_by_its_exit_code():
    from helpers.run.workers import _why

    assert "felutskriften" in _why(-11)  # a crash in native code: where it happened was printed
    assert "minnet" in _why(-9)  # killed, as by the kernel's out-of-memory killer


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread has a priority of its own on Linux")
def test_the_spare_renders_a_units_annex_at_a_lower_priority_and_the_organisations_at_the_kernels():
    """A unit's annex yields to the kernel's chains; the organisation's shares the cores from the start (it is the
    longest job after the publication: yielding left a core idle at the end). In a process of its own: a thread's
    priority can be lowered, not raised again."""
    import subprocess

    from helpers.run.pipeline import WHOLE, annex_yields

    assert annex_yields(WHOLE) is False and annex_yields("barn_unga") is True
    code = ("import contextlib, os, threading\n"
            "from types import SimpleNamespace\n"
            "with contextlib.suppress(OSError):  # back to normal, where the tests run at a lower priority\n"
            "    os.setpriority(os.PRIO_PROCESS, 0, 0)\n"
            "from helpers.run import annex_job, workers\n"
            "seen = []\n"
            "annex_job.render_annex_job = lambda job, emit: seen.append(\n"
            "    os.getpriority(os.PRIO_PROCESS, threading.get_native_id())) or 'klar'\n"
            "for yields, has_kernel in ((True, False), (False, False), (True, True)):\n"
            "    assert workers._render_annex(SimpleNamespace(yields=yields), None, has_kernel) == 'klar'\n"
            "print(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), *seen)\n")
    base, *seen = map(int, subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                          check=True).stdout.split())
    if base >= 10:
        pytest.skip("the tests already run at the lowered priority")
    assert seen == [10, base, base]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked from a server on Linux only")
def test_workers_are_forked_with_pandas_imported_and_take_the_coordinators_environment_and_folder(tmp_path,
                                                                                                monkeypatch):
    """The workers come from a server that imported numpy, pandas and pyarrow once (each imported them anew in
    a new interpreter); the server keeps the environment and folder it started with, a worker takes the
    coordinator's as they are when the worker starts (a run names its shared folder in the environment)."""
    import json
    import os

    from helpers.run import forked_kernel, workers
    from helpers.run.workers import _context, _worker
    from runner_fakes import ReportingAnnex, report_state

    assert set(forked_kernel.SHARED_MODULES) <= set(workers.PRELOADED)
    for name in ("server", "worker"):
        (tmp_path / name).mkdir()
    ctx = _context()
    monkeypatch.chdir(tmp_path / "server")
    monkeypatch.setenv("PROV", "server")
    results = ctx.Queue()
    first = ctx.Process(target=report_state, args=(results,))
    first.start()
    state = results.get(timeout=120)
    first.join(60)
    assert state["pandas"] is True and state["parent"] != os.getpid()  # forked by the server, pandas there
    monkeypatch.chdir(tmp_path / "worker")
    monkeypatch.setenv("PROV", "worker")
    tasks, events = ctx.Queue(), ctx.Queue()
    worker = ctx.Process(target=_worker, args=(0, tasks, events, str(tmp_path), [], False, None,
                                               (dict(os.environ), os.getcwd())))
    worker.start()
    tasks.put((0, ReportingAnnex()))
    while (event := events.get(timeout=120))[0] != "result":
        pass
    tasks.put(None)
    worker.join(60)
    message = event[2].failure["meddelande"]
    # ... and works with Arrow on its own thread (as do its kernel and work ahead, forked from it).
    assert json.loads(message.split("RuntimeError: ", 1)[1]) == {"PROV": "worker", "cwd": str(tmp_path / "worker"),
                                                                 "arrow": [1, 1]}


def test_the_run_command_starts_the_workers_server_before_it_prepares_the_run(monkeypatch):
    """The server's imports (~0,6 s of a core) overlap the coordinator's reading of the config and planning."""
    from helpers import cli
    from helpers.run import pipeline, workers

    order = []
    monkeypatch.setattr(workers, "start_server", lambda: order.append("server"))
    monkeypatch.setattr(pipeline, "cli_run", lambda args: order.append("run") or 0)
    assert cli.main(["run", "--period", "2025"]) == 0
    assert order == ["server", "run"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked from a server on Linux only")
def test_the_workers_server_runs_once_started_and_workers_come_from_it():
    import os
    from multiprocessing import forkserver

    from helpers.run import workers
    from runner_fakes import report_state

    workers.start_server()
    server = forkserver._forkserver._forkserver_pid
    assert server is not None and os.waitpid(server, os.WNOHANG) == (0, 0)  # alive, not reaped
    workers.start_server()  # again: the same server
    assert forkserver._forkserver._forkserver_pid == server
    ctx = workers._context()
    results = ctx.Queue()
    child = ctx.Process(target=report_state, args=(results,))
    child.start()
    state = results.get(timeout=120)
    child.join(60)
    assert state["parent"] == server and state["pandas"] is True
