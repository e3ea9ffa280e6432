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
