"""A warm kernel forked from its worker once the worker has imported numpy, pandas and pyarrow (SHARED_MODULES),
which both need: imported once instead of there and again in a new interpreter. The kernel imports the rest (the
helpers its notebooks import, ipykernel) itself while the worker imports papermill: side by side on two cores.
Measured on the demo (2 cores, six runs each way): the whole organisation 13,2 s instead of 13,8 s, with 3 units
19,4 s instead of 20,5 s, against forking after importing everything the kernel needs (which saved the most CPU
but made the first notebook wait for the worker's imports); the kernel's pages are shared with its worker's.

Forked only on Linux and only while the worker has no other thread (its first moments): a fork copies just the
calling thread, and a lock another thread held would stay locked in the kernel. Anywhere else, and for a kernel
started again after a time-out, WarmKernel starts a new interpreter as before. The forked kernel is what
ipykernel_launcher would start: its own session (Ctrl-C at the terminal does not reach it), its output to the
worker through a pipe, the worker's environment, the working folder it is given, and it ends when the worker does.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass

from jupyter_client.manager import AsyncKernelManager

from .engine import KERNEL_NAME, KERNEL_OPTIONS, InterpreterKernelSpecs, channels
from .kernel_side import import_frozen

SHARED_MODULES = ("numpy", "pandas", "pyarrow.parquet")


class ForkedProcess:
    """The forked kernel as WarmKernel sees a kernel process (subprocess.Popen's poll, wait, kill, pid, stdout).
    It is a child of this process, which reaps it."""

    def __init__(self, pid: int, stdout):
        self.pid, self.stdout = pid, stdout
        self.returncode: int | None = None
        self._lock = threading.Lock()

    def poll(self) -> int | None:
        with self._lock:
            if self.returncode is None:
                try:
                    done, status = os.waitpid(self.pid, os.WNOHANG)
                except ChildProcessError:  # reaped elsewhere: gone all the same
                    self.returncode = -signal.SIGKILL
                else:
                    if done:
                        self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired("kärna", timeout)
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


@dataclass
class ForkedKernel:
    """A kernel forked from this process, for a WarmKernel to adopt: its manager (connection details, and the
    process as its provisioner's), private socket folder and start time."""
    km: AsyncKernelManager
    sockets: str
    launched: float


def can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def fork_kernel(cwd: str) -> ForkedKernel | None:
    """Import SHARED_MODULES here, then fork the kernel from this process, started in ``cwd``. None where a fork
    is not safe (see the module's note)."""
    if not can_fork():
        return None
    import_frozen(SHARED_MODULES)
    if not can_fork():  # an import started a thread
        return None
    folder, settings = channels()
    km = AsyncKernelManager(kernel_spec_manager=InterpreterKernelSpecs(), kernel_name=KERNEL_NAME, **settings)
    km.connection_file = os.path.join(folder, "karna.json")
    km.write_connection_file()
    # As jupyter_client launches a kernel it owns: the kernel ends when this process does (ipykernel watches it)
    argv = ["-f", km.connection_file, *KERNEL_OPTIONS, f"--IPKernelApp.parent_handle={os.getpid()}"]
    env = {**os.environ, "JPY_PARENT_PID": str(os.getpid())}
    for stream in (sys.stdout, sys.stderr):  # nothing buffered here may be written twice, by the kernel too
        if stream is not None:
            stream.flush()
    read, write = os.pipe()
    launched = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        _be_the_kernel(argv, str(cwd), env, read, write)  # never returns
    os.close(write)
    _manage(km, ForkedProcess(pid, os.fdopen(read, "rb")), str(cwd))
    return ForkedKernel(km, folder, launched)


def _manage(km: AsyncKernelManager, process: ForkedProcess, cwd: str) -> None:
    """Make ``km`` the manager of the forked kernel, as if it had started it: a local provisioner holding the
    process (papermill and nbclient start a kernel of their own where the manager has none)."""
    from uuid import uuid4

    from jupyter_client.provisioning import LocalProvisioner

    km.kernel_id = km.kernel_id or str(uuid4())
    provisioner = LocalProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    provisioner.connection_info = km.get_connection_info()
    provisioner.process, provisioner.pid, provisioner.pgid = process, process.pid, process.pid
    provisioner.ip, provisioner.cwd = km.ip, cwd
    km.provisioner = provisioner


def _be_the_kernel(argv: list[str], cwd: str, env: dict, read: int, write: int) -> None:
    """In the forked child: become ``python -c LAUNCH <argv>`` started in ``cwd`` with ``env``, its output to the pipe."""
    code = 1
    try:
        os.setsid()  # its own session and process group, as the runner starts every kernel
        os.close(read)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(write, 1)
        os.dup2(write, 2)
        os.close(write)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # an interrupt is the kernel's KeyboardInterrupt
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the worker's handler
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = [sys.executable, *argv]
        sys.modules["debugpy"] = None  # type: ignore[assignment]  # as LAUNCH: no debugger
        if sys.path and sys.path[0] == "":
            sys.path.pop(0)
        from ipykernel import kernelapp
        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001  (said on the kernel's output, which goes to the run's log)
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)
