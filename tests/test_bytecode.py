"""A run writes the package's missing or outdated bytecode before it starts its processes, also where
PYTHONDONTWRITEBYTECODE is set and SOURCE_DATE_EPOCH would make the default a source hash."""
import importlib.util
import os
import time
from pathlib import Path

from helpers.run.bytecode import write_bytecode


def _package(tmp_path):
    pkg = tmp_path / "paket"
    (pkg / "under").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "under" / "__init__.py").write_text("")
    (pkg / "under" / "modul.py").write_text("VARDE = 1\n")
    return pkg


def _cache(source):
    return importlib.util.cache_from_source(str(source))


def test_missing_and_outdated_bytecode_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    pkg = _package(tmp_path)
    module = pkg / "under" / "modul.py"
    assert write_bytecode(pkg)
    cached = _cache(module)
    assert os.path.exists(cached)
    header = open(cached, "rb").read(16)
    assert int.from_bytes(header[4:8], "little") == 0  # flags 0: checked by timestamp, not by hashing the source
    assert int.from_bytes(header[8:12], "little") == int(module.stat().st_mtime)

    later = time.time() + 10
    module.write_text("VARDE = 2\n")
    os.utime(module, (later, later))
    assert write_bytecode(pkg)
    assert int.from_bytes(open(cached, "rb").read(12)[8:12], "little") == int(later)


def test_a_module_that_cannot_be_compiled_is_reported_not_raised(tmp_path):
    pkg = _package(tmp_path)
    (pkg / "under" / "trasig.py").write_text("def (\n")
    assert write_bytecode(pkg) is False
    assert os.path.exists(_cache(pkg / "under" / "modul.py"))  # the others are written all the same


def test_the_package_is_the_helpers_package():
    import helpers
    from helpers.run.bytecode import PACKAGE_DIR

    assert PACKAGE_DIR == Path(helpers.__file__).resolve().parent
