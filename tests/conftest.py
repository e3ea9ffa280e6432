"""Shared test setup: notebooks name the kernel "uppfoljning"; in tests it always means the Python running the
tests, whatever kernels the machine has registered (another checkout's, an old environment's)."""
import json
import os
import signal
import sys

import pytest

# A shell without job control starts background commands with SIGINT ignored, and an ignored signal stays ignored
# in every process started from here: the Ctrl-C tests would then test nothing but a deaf coordinator. The tests
# run as if started from a terminal, whatever started them.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def project_kernel_is_this_python(tmp_path_factory):
    from helpers.kernels import DISPLAY_NAME, KERNEL_NAME

    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME, "language": "python"}), encoding="utf-8")
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(root)] + ([saved] if saved else []))
    yield
    if saved is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = saved
