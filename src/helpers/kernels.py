"""The project's Jupyter kernel: named "uppfoljning" in the notebooks, so that JupyterLab (also Anaconda
Navigator's, started from another environment) runs them in the environment where ``helpers`` is installed.

The pipeline does not depend on that name or on any installed kernelspec: it starts its kernels from the
Python that runs it (``InterpreterKernelManager``).
"""
from __future__ import annotations

import sys

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

KERNEL_NAME = "uppfoljning"
DISPLAY_NAME = "Uppföljning"


def interpreter_kernel_spec() -> KernelSpec:
    """ipykernel in the running Python, whatever kernelspecs Jupyter knows."""
    from ipykernel.kernelspec import RESOURCES, make_ipkernel_cmd

    return KernelSpec(argv=make_ipkernel_cmd(executable=sys.executable), display_name=DISPLAY_NAME,
                      language="python", resource_dir=RESOURCES)


class InterpreterKernelManager(AsyncKernelManager):
    """A kernel manager for papermill/nbclient that ignores the kernel name and starts this interpreter."""

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            self._kernel_spec = interpreter_kernel_spec()
        return self._kernel_spec


def install_command(user: bool = True) -> list[str]:
    """``python -m ipykernel install --user --name uppfoljning --display-name "Uppföljning"``."""
    return [sys.executable, "-m", "ipykernel", "install", "--user" if user else "--sys-prefix",
            "--name", KERNEL_NAME, "--display-name", DISPLAY_NAME]


