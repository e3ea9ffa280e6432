"""The papermill engine that runs a notebook in a ``WarmKernel`` instead of starting a kernel of its own.

papermill still parameterises the notebook (an ``injected-parameters`` cell), records ``metadata.papermill``
and per-cell timings, marks the failing cell and raises ``PapermillExecutionError``; only the kernel differs.
A cell that runs past the time limit becomes a failed cell with the error "Tidsgräns".
"""
from __future__ import annotations

import logging

import nbformat
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines

LOG = logging.getLogger("uppfoljning.korning")
ENGINE_NAME = "uppfoljning-varm"
TIMEOUT_ENAME = "Tidsgräns"


class WarmEngine(Engine):
    """papermill engine that executes in a running ``WarmKernel`` instead of starting a kernel."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, warm=None, **kwargs):
        client = _Client(nb_man, km=warm.km, timeout=execution_timeout or None, startup_timeout=start_timeout,
                         kernel_name=warm.km.kernel_name, log=LOG, log_output=False)
        client.kc = warm.kc
        return client.execute()


class _Client(PapermillNotebookClient):
    """papermill's client, plus: a cell that runs past the time limit becomes a failed cell with a clear error."""

    timed_out = False

    def execute(self, **kwargs):
        self.reset_execution_trackers()
        with self.setup_kernel(**kwargs):
            self.papermill_execute_cells()
            if not self.timed_out:  # a timed-out cell still occupies the kernel: do not wait for it
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
            self.set_widgets_metadata()
        return self.nb

    def papermill_execute_cells(self):
        for index, cell in enumerate(self.nb.cells):
            try:
                self.nb_man.cell_start(cell, index)
                self.execute_cell(cell, index)
            except CellTimeoutError as exc:
                self.nb.cells[index].outputs.append(nbformat.v4.new_output(
                    "error", ename=TIMEOUT_ENAME, traceback=[],
                    evalue=f"cellen körde längre än {self.timeout:g} s och avbröts"))
                self.nb_man.cell_exception(self.nb.cells[index], cell_index=index, exception=exc)
                self.timed_out = True
                break
            except CellExecutionError as exc:
                self.nb_man.cell_exception(self.nb.cells[index], cell_index=index, exception=exc)
                break
            finally:
                self.nb_man.cell_complete(self.nb.cells[index], cell_index=index)


papermill_engines.register(ENGINE_NAME, WarmEngine)
