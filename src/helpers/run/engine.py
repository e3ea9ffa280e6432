"""A warm kernel and the papermill engine that runs step notebooks in it.

One kernel per worker process is started from the running interpreter (not from a kernelspec name), imports the
heavy modules while the runner prepares, and runs every step notebook of the run. Between notebooks the
namespace is reset (``kernel_side.reset``); parameters are injected by papermill as usual (an
``injected-parameters`` cell and ``metadata.papermill``), so an executed notebook looks like papermill's.
All kernel traffic happens on one thread owned by the kernel, so it can be used from any thread (Dask tasks).
The kernel's own output (log lines, warnings) goes to the run's log, never to the terminal.
"""
from __future__ import annotations

import ast
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

LOG = logging.getLogger("uppfoljning.korning")
KERNEL_NAME = "uppfoljning-python"
# Imported in every warm kernel in addition to what the notebooks import themselves. Not matplotlib and seaborn:
# a kernel under the runner does not draw (figure_specs.draw_ahead).
HEAVY_MODULES = ("numpy", "pandas", "pyarrow.parquet", "IPython.display")


class KernelFailure(RuntimeError):
    """The kernel could not be started or died; the message is Swedish."""


class InterpreterKernelSpecs(KernelSpecManager):
    """The only kernel is this interpreter with ipykernel: no installed kernelspec can point elsewhere."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        argv = [sys.executable, "-c", LAUNCH, "-f", "{connection_file}", *KERNEL_OPTIONS]
        return KernelSpec(argv=argv, display_name="Python 3 (uppföljning)", language="python")


# ipykernel_launcher without the debugger: nobody debugs a runner's kernel, and debugpy costs every kernel start
# ~60 ms before it answers (ipykernel leaves the debugger out where debugpy cannot be imported). As the launcher
# does, the working folder leaves the module path while ipykernel loads; the kernel puts it back.
KERNEL_OPTIONS = ("--HistoryManager.enabled=False", "--IPKernelApp.log_level=WARN")
LAUNCH = ("import sys; sys.modules['debugpy'] = None\n"
          "if sys.path and sys.path[0] == '': sys.path.pop(0)\n"  # not there under -P (PYTHONSAFEPATH)
          "from ipykernel import kernelapp; kernelapp.launch_new_instance()")


def notebook_imports(paths) -> list[str]:
    """Modules the notebooks import (top-level import statements of their code cells), in order. Read as plain
    JSON: nbformat (and the schema validation it imports) is not needed before a kernel starts."""
    import json

    found: list[str] = []
    for path in paths:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
        except Exception:
            continue
        for cell in cells:
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
            try:
                tree = ast.parse(code)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    found += [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.append(node.module)
                    found += [f"{node.module}.{alias.name}" for alias in node.names]
    return list(dict.fromkeys(found))


@dataclass
class Timings:
    """Where a kernel's time went, in seconds."""
    start: float = 0.0       # process start until the kernel answers
    imports: float = 0.0     # pre-imports inside the kernel
    waited: float = 0.0      # time the runner waited for the kernel to be ready
    restarts: int = 0
    notebooks: list[dict] = field(default_factory=list)




def channels() -> tuple[str, dict]:
    """Where Unix sockets exist, the kernel's channels are sockets in a new private folder (only this user may
    enter it), instead of TCP ports on the machine: no other user of a shared server can connect to them and read
    the outputs, and ipykernel has no unencrypted TCP to warn about in korning.log. Returns the folder ("" where
    the channels stay TCP) and the kernel manager's settings."""
    if os.name != "posix":
        return "", {}
    folder = tempfile.mkdtemp(prefix="karna-")
    return folder, {"transport": "ipc", "ip": os.path.join(folder, "k")}


class WarmKernel:
    """One kernel process for the life of a worker. Every method may be called from any thread."""

    def __init__(self, cwd: str | Path, preimport=(), notebooks=(), startup_timeout: float = 60, forked=None):
        """``preimport``: modules to import in the kernel; ``notebooks``: notebooks whose imports are added;
        ``forked``: a kernel already forked from this process (forked_kernel.fork_kernel), adopted as the first
        kernel instead of starting a new interpreter."""
        self.cwd = str(cwd)
        self.preimport = list(dict.fromkeys([*HEAVY_MODULES, *preimport]))
        self.notebooks = list(notebooks)
        self.startup_timeout = startup_timeout
        self.timings = Timings()
        self.km: AsyncKernelManager | None = None
        self._sockets = ""  # the private folder of the kernel's sockets (see channels)
        self.kc = None
        self._pending: str | None = None  # msg_id of the pre-import request
        self._forked = forked
        self._launched = 0.0
        self._broken = False
        self.last_wait = 0.0  # seconds the last notebook waited for the kernel to be ready
        self._unlogged: list[str] = []
        self._output_lock = threading.Lock()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="karna")
        self._starting = self._thread.submit(self._start)

    # -- life cycle (kernel thread) -------------------------------------------------------------------------
    def _start(self) -> None:
        self._launched = time.perf_counter()
        self.kc = None
        forked, self._forked = self._forked, None
        if forked is not None:  # started already, with this process's imports
            km, self._sockets, self._launched = forked.km, forked.sockets, forked.launched
        else:
            env = dict(os.environ)
            self._sockets, settings = channels()
            km = AsyncKernelManager(kernel_spec_manager=InterpreterKernelSpecs(), kernel_name=KERNEL_NAME,
                                    **settings)
            try:
                run_sync(km.start_kernel)(cwd=self.cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            except Exception as exc:
                raise KernelFailure(f"Python-kärnan kunde inte startas: {type(exc).__name__}: {exc}") from None
        self.km = km
        process = self._process()
        if process is not None and process.stdout is not None:
            threading.Thread(target=self._forward_output, args=(process.stdout,), daemon=True,
                             name="karna-utdata").start()
        if self.notebooks:  # read while the kernel process boots
            self.preimport = list(dict.fromkeys([*self.preimport, *notebook_imports(self.notebooks)]))
            self.notebooks = []
        kc = km.client()
        kc.start_channels()
        kc.allow_stdin = False
        self.kc = kc
        # Ready when it answers kernel_info; jupyter_client's wait_for_ready then waits for 0,2 s of silence on the
        # output channel, which the run waited for at every kernel start. That the output channel is connected is
        # checked once the pre-import below is done (_check_outputs).
        try:
            self._reply(kc.kernel_info(), timeout=self.startup_timeout)
        except KernelFailure:
            self._kill()
            raise
        self.timings.start = time.perf_counter() - self._launched
        code = f"__import__('helpers.run.kernel_side', fromlist=['prepare']).prepare({self.preimport!r})"
        self._pending = kc.execute(code, silent=True, store_history=False, user_expressions={})
        # Loaded while the kernel pre-imports, not by the first notebook (nor before the request above: the kernel
        # sat idle while this process loaded papermill).
        from . import papermill_engine  # noqa: F401

    def _await_ready(self) -> None:
        waited = time.perf_counter()
        self._starting.result()  # raises KernelFailure
        if self._broken:
            self._restart()
        if self._pending:
            reply = self._reply(self._pending, timeout=max(self.startup_timeout, 120))
            self._check_outputs(self._pending)
            self._pending = None
            if reply["content"].get("status") != "ok":
                LOG.warning("Förimporten i kärnan misslyckades: %s", reply["content"].get("evalue"))
            self.timings.imports = time.perf_counter() - self._launched - self.timings.start
        self.timings.waited += time.perf_counter() - waited

    def _check_outputs(self, msg_id: str, wait: float = 1.0) -> None:
        """The output channel is connected when the kernel's "idle" after request ``msg_id`` reaches it (a
        notebook's outputs would otherwise be lost); where it does not within ``wait`` seconds, jupyter_client's own
        wait_for_ready makes sure."""
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = run_sync(self.kc.get_iopub_msg)(timeout=left)
            except Exception:  # queue.Empty
                break
            if (msg.get("parent_header", {}).get("msg_id") == msg_id and msg.get("msg_type") == "status"
                    and msg.get("content", {}).get("execution_state") == "idle"):
                return
        run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)

    def _reply(self, msg_id: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise KernelFailure(f"Python-kärnan svarade inte inom {timeout:g} s.")
            if not self.is_alive():
                raise KernelFailure("Python-kärnan avslutades oväntat.")
            try:
                msg = run_sync(self.kc.get_shell_msg)(timeout=min(left, 1.0))
            except Exception:  # queue.Empty: poll again
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg

    def _run_silently(self, code: str, timeout: float = 60) -> None:
        reply = self._reply(self.kc.execute(code, silent=True, store_history=False), timeout)
        if reply["content"].get("status") != "ok":
            raise KernelFailure(f"Kärnan kunde inte återställas: {reply['content'].get('evalue')}")

    def _restart(self) -> None:
        self._stop()
        self._broken = False
        self.timings.restarts += 1
        self._start()
        self._starting = _done()

    def _execute(self, source: Path, executed: Path, parameters: dict, cwd: Path, timeout: float | None):
        import papermill as pm

        from .papermill_engine import ENGINE_NAME, TIMEOUT_ENAME
        waited = time.perf_counter()
        self._await_ready()
        waited = time.perf_counter() - waited
        self._run_silently(f"__import__('helpers.run.kernel_side', fromlist=['reset']).reset({str(cwd)!r})")
        started = time.perf_counter()
        try:
            nb = pm.execute_notebook(str(source), str(executed), parameters=parameters, engine_name=ENGINE_NAME,
                                     request_save_on_cell_execute=False, progress_bar=False, log_output=False,
                                     warm=self, execution_timeout=timeout or None)
        except pm.PapermillExecutionError as exc:
            if exc.ename == TIMEOUT_ENAME or not self.is_alive():
                self._broken = True  # the cell is still running (or the kernel died): a new kernel next time
            raise
        except Exception:
            if not self.is_alive():
                self._broken = True
            raise
        finally:
            self.last_wait = waited
            self.timings.notebooks.append({"notebook": Path(source).stem, "vantade": round(waited, 3),
                                           "sekunder": round(time.perf_counter() - started, 3)})
        return nb

    # -- public --------------------------------------------------------------------------------------------
    def execute(self, source: Path, executed: Path, parameters: dict, cwd: Path, timeout: float | None = None):
        """Run one notebook with papermill's parameters into ``executed``; raises what papermill raises."""
        return self._thread.submit(self._execute, Path(source), Path(executed), dict(parameters), Path(cwd),
                                   timeout).result()

    def wait_ready(self) -> None:
        self._thread.submit(self._await_ready).result()

    def wait_started(self) -> None:
        """Until the kernel's start is over, whatever its outcome: this process imports papermill (and pyarrow with
        it) in the kernel's thread meanwhile, and two threads importing the same modules at once can fail."""
        futures.wait([self._starting])

    def is_alive(self) -> bool:
        process = self._process()
        return process is not None and process.poll() is None

    def pid(self) -> int | None:
        process = self._process()
        return process.pid if process is not None else None

    def kill(self) -> None:
        """Stop the kernel at once, from any thread (Ctrl-C, a stopped batch). Its process group goes too."""
        self._kill()

    def shutdown(self) -> None:
        """Stop the kernel and release its connection file."""
        self._kill()
        try:
            self._thread.submit(self._stop).result(timeout=10)
        except Exception:
            pass
        self._thread.shutdown(wait=False)

    def close_at_exit(self) -> None:
        """For atexit in a process that keeps its kernel to the end (a Dask worker): kill it and close the client's
        sockets here and now, since the kernel thread no longer takes work once the interpreter shuts down (left
        to the garbage collector, the sockets print "Exception ignored in Socket.__del__" on stderr)."""
        try:
            self._stop()
        except Exception:  # noqa: BLE001  (the process is ending; nothing to save)
            pass

    def _stop(self) -> None:
        # Killing is safe (the kernel holds nothing worth saving) and quiet: a polite shutdown interrupts the
        # kernel first, which makes ipykernel log "KeyboardInterrupt caught in kernel".
        self._kill()
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            try:
                run_sync(self.km.cleanup_resources)()
            except Exception:
                pass
        if self._sockets:
            shutil.rmtree(self._sockets, ignore_errors=True)

    def _kill(self) -> None:
        process = self._process()
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the kernel leads its own session
        except (OSError, AttributeError):
            process.kill()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def _forward_output(self, stream) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip()
            if line:
                with self._output_lock:
                    self._unlogged = (self._unlogged + [line])[-1000:]
                self.flush_output()
        stream.close()

    def flush_output(self) -> None:
        """Log what the kernel printed, once a run's log file is open (lines printed before wait for it)."""
        if not any(not isinstance(h, logging.NullHandler) for h in logging.getLogger("uppfoljning").handlers):
            return
        with self._output_lock:
            lines, self._unlogged = self._unlogged, []
        for line in lines:
            LOG.info("kärna: %s", line)

    def _process(self):
        provisioner = getattr(self.km, "provisioner", None) if self.km is not None else None
        return getattr(provisioner, "process", None)




def _done():
    from concurrent.futures import Future
    future: Future = Future()
    future.set_result(None)
    return future
