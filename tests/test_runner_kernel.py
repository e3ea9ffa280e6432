"""The warm kernel: one process for many notebooks, each of which still sees a fresh kernel's state; heavy modules
imported while it waits; a cell past the time limit fails with a clear message and a new kernel takes over."""
import sys

import nbformat
import pytest

from helpers.run.engine import WarmKernel
from runner_fakes import notebook


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    k = WarmKernel(tmp_path_factory.mktemp("cwd"), preimport=["json"])
    yield k
    k.shutdown()


def _outputs(nb) -> list[str]:
    return ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in nb.cells if c.cell_type == "code"]


def test_notebooks_share_the_process_but_not_the_namespace(kernel, tmp_path):
    first = notebook(tmp_path / "a.ipynb",
                     "import os, sys\nimport matplotlib\nimport matplotlib.pyplot as plt\n"
                     "secret = 42\nmatplotlib.rcParams['axes.grid'] = True\nplt.figure()\n"
                     "os.environ['UPPF_TEST'] = 'x'\nsys.path.insert(0, '/nowhere')\nprint(os.getpid())")
    second = notebook(tmp_path / "b.ipynb",
                      "import os, sys\nprint('pandas' in sys.modules)",  # imported before the notebook asked
                      "import matplotlib\nimport matplotlib.pyplot as plt\nprint('secret' in dir(), "
                      "matplotlib.rcParams['axes.grid'], len(plt.get_fignums()), 'UPPF_TEST' in os.environ, "
                      "'/nowhere' in sys.path)",
                      "print(os.getcwd())\nprint(os.getpid())\nprint(sys.executable)\n"
                      "print(period, type(period).__name__)\n"
                      "print(hasattr(get_ipython().kernel, 'debugger'), ('' in sys.path) != sys.flags.safe_path,\n"
                      "      sys.modules.get('debugpy') is not None)")
    a = kernel.execute(first, tmp_path / "a_ut.ipynb", {"period": "2025"}, tmp_path)
    sub = tmp_path / "annan"
    sub.mkdir()
    b = kernel.execute(second, tmp_path / "b_ut.ipynb", {"period": "2025"}, sub)
    pid_a = _outputs(a)[-1].strip()
    preimported, fresh, where = _outputs(b)[-3:]
    assert preimported.strip() == "True"
    assert fresh.split() == ["False", "False", "0", "False", "False"]
    cwd, pid_b, exe, period, launched = where.split("\n")[:5]
    assert cwd == str(sub) and pid_b == pid_a and exe == sys.executable and period == "2025 str"
    # Launched as ipykernel_launcher launches it, without the debugger (debugpy is never imported).
    assert launched.split() == ["False", "True", "False"]
    # Execution counts start from 1 in every notebook, as in a fresh kernel.
    assert [c.execution_count for c in b.cells if c.cell_type == "code"] == [1, 2, 3, 4, 5]
    assert (tmp_path / "b_ut.ipynb").exists()
    assert kernel.timings.start > 0 and kernel.timings.imports > 0


def test_the_pre_import_leaves_the_cycle_collector_on_with_the_imported_modules_frozen(kernel, tmp_path):
    """The collector is off while the kernel imports (one collection at the end): a notebook must find it on."""
    nb = notebook(tmp_path / "gc.ipynb", "import gc\nprint(gc.isenabled(), gc.get_freeze_count() > 1000)")
    assert _outputs(kernel.execute(nb, tmp_path / "gc_ut.ipynb", {}, tmp_path))[-1].split() == ["True", "True"]


def test_a_runs_kernel_works_with_arrow_on_its_own_thread(kernel, tmp_path):
    """The run's processes keep the cores busy; Arrow's thread pools in them only add hand-overs. A reset between
    notebooks keeps it so."""
    nb = notebook(tmp_path / "arrow.ipynb", "import pyarrow\nprint(pyarrow.cpu_count(), pyarrow.io_thread_count())")
    for name in ("a", "b"):
        assert _outputs(kernel.execute(nb, tmp_path / f"{name}_ut.ipynb", {}, tmp_path))[-1].split() == ["1", "1"]


def test_a_cell_past_the_time_limit_fails_and_a_new_kernel_takes_over(kernel, tmp_path):
    from papermill.exceptions import PapermillExecutionError

    slow = notebook(tmp_path / "slow.ipynb", "x = 1", "import time\ntime.sleep(120)")
    old = kernel.pid()
    with pytest.raises(PapermillExecutionError) as info:
        kernel.execute(slow, tmp_path / "slow_ut.ipynb", {"period": "2025"}, tmp_path, timeout=2)
    assert info.value.ename == "Tidsgräns" and "2 s" in info.value.evalue
    saved = nbformat.read(tmp_path / "slow_ut.ipynb", as_version=4)
    assert any(o.get("ename") == "Tidsgräns" for c in saved.cells for o in c.get("outputs", []))
    ok = notebook(tmp_path / "ok.ipynb", "print('åter')")
    result = kernel.execute(ok, tmp_path / "ok_ut.ipynb", {"period": "2025"}, tmp_path)
    assert _outputs(result)[-1].strip() == "åter"
    assert kernel.pid() != old and kernel.timings.restarts == 1


def test_kill_stops_the_kernel_process_at_once(tmp_path):
    import os
    import time

    k = WarmKernel(tmp_path)
    k.wait_ready()
    pid = k.pid()
    started = time.perf_counter()
    k.kill()
    assert not k.is_alive() and time.perf_counter() - started < 5
    with pytest.raises(OSError):
        os.kill(pid, 0)
    k.shutdown()


def test_the_kernels_channels_are_private_sockets_not_tcp_ports(kernel, tmp_path):
    """The channels (shell, IOPub, stdin, control, heartbeat) are no TCP ports another local user could connect
    to and read the outputs from: they are Unix sockets in a folder only this user may enter, removed with the
    kernel; ipykernel has nothing to warn about."""
    import json
    import os
    import stat

    if os.name != "posix":
        pytest.skip("Unix sockets")
    kernel.wait_ready()
    km = kernel.km
    assert km.transport == "ipc"
    folder = os.path.dirname(km.ip)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert all(os.path.exists(f"{km.ip}-{port}") for port in (km.shell_port, km.iopub_port, km.control_port))
    with open(km.connection_file, encoding="utf-8") as fh:
        assert json.load(fh)["transport"] == "ipc"  # what the kernel process itself was told
    assert not any("without encryption" in line for line in kernel._unlogged)
    other = WarmKernel(tmp_path)
    other.wait_ready()
    sockets = os.path.dirname(other.km.ip)
    other.shutdown()
    assert not os.path.exists(sockets)


class _Outputs:
    """A kernel client whose output channel holds ``messages``, then nothing; counts calls of wait_for_ready."""

    def __init__(self, messages):
        self.messages, self.waited = list(messages), 0

    async def get_iopub_msg(self, timeout=None):
        import queue
        if not self.messages:
            raise queue.Empty()
        return self.messages.pop(0)

    async def wait_for_ready(self, timeout=None):
        self.waited += 1


def _status(parent: str, state: str) -> dict:
    return {"msg_type": "status", "parent_header": {"msg_id": parent}, "content": {"execution_state": state}}


@pytest.mark.parametrize("messages, waits", [
    ([_status("förimport", "busy"), _status("förimport", "idle")], 0),  # the output channel is connected
    ([_status("annan", "idle")], 1),  # only another request's status: not proof
    ([], 1),  # nothing reached the output channel: jupyter_client's full wait makes sure
])
def test_a_started_kernel_counts_as_ready_only_once_its_outputs_are_seen(messages, waits):
    k = WarmKernel.__new__(WarmKernel)
    k.kc, k.startup_timeout = _Outputs(messages), 5
    k._check_outputs("förimport", wait=0.2)
    assert k.kc.waited == waits


FORKED = r"""
import json, os, sys, threading, time
from pathlib import Path
sys.path.insert(0, {tests!r})
import pandas
pandas.imported_by = os.getpid()  # only a fork of this process can see it
from helpers.run.engine import WarmKernel
from helpers.run.forked_kernel import fork_kernel
from runner_fakes import notebook

def stat(pid):
    try:
        return open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()  # state, parent, ...
    except OSError:
        return None


out = Path({out!r})
forked = fork_kernel(str(out))
kernel = WarmKernel(out, preimport=["json"], forked=forked)
nb = notebook(out / "a.ipynb", "import os, sys, pandas\nprint(os.getpid(), os.getppid(), os.getsid(0), "
              "getattr(pandas, 'imported_by', None), os.getcwd())\nprint('bara', file=sys.__stderr__, flush=True)")
ran = kernel.execute(nb, out / "a_ut.ipynb", {{}}, out)
pid, ppid, sid, imported_by, cwd = ran.cells[-1].outputs[0]["text"].split()
time.sleep(0.5)
kernel.flush_output()
report = {{"forked": forked is not None, "kernel": kernel.pid(), "pid": int(pid), "ppid": int(ppid), "sid": int(sid),
          "imported_by": imported_by, "me": os.getpid(), "cwd": cwd, "unlogged": kernel._unlogged,
          "children": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()
                             and (stat(p) or ["", ""])[1] == str(os.getpid()))}}
threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
report["with_a_thread"] = fork_kernel(str(out)) is None
print(json.dumps(report), flush=True)
if sys.argv[1:] == ["dö"]:
    os.kill(os.getpid(), 9)  # the worker dies without a word: its kernel must not live on
kernel.shutdown()
report["gone"] = (stat(report["kernel"]) or ["Z"])[0] == "Z"
print(json.dumps(report))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks only on Linux")
@pytest.mark.parametrize("end", ["stängs", "dö"])
def test_a_kernel_forked_from_its_worker_runs_the_notebooks_with_the_workers_imports(tmp_path, end):
    """The worker's first kernel is a fork of the worker (forked_kernel.py): the notebook runs in it (no other
    kernel is started), sees the modules the worker imported, sits in its own session in the folder it was given,
    its output reaches the worker, and it ends with the worker, also when the worker is killed. A process with a
    second thread forks no kernel."""
    import json
    import subprocess
    import time
    from pathlib import Path

    script = FORKED.format(tests=str(Path(__file__).parent), out=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", script, end], capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-3000:]
    report = lines[-1]
    assert report["forked"] and report["with_a_thread"]
    assert report["pid"] == report["kernel"] == report["sid"] and report["ppid"] == report["me"]
    assert report["imported_by"] == str(report["me"]) and report["cwd"] == str(tmp_path)
    assert report["children"] == [report["kernel"]]  # no kernel of papermill's own beside it
    assert "bara" in report["unlogged"]
    assert not any("NOTE" in line or "Parent appears" in line for line in report["unlogged"])
    if end == "stängs":
        assert done.returncode == 0 and report["gone"]
    else:
        assert done.returncode == -9
        def running() -> bool:  # a zombie has ended, whether or not anyone reaps it
            try:
                with open(f"/proc/{report['kernel']}/stat") as fh:
                    return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
            except OSError:
                return False
        deadline = time.monotonic() + 10
        while running() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not running()
