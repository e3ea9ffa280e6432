"""The package works as an installed wheel, not only as an editable checkout: notebooks, templates and the example
configuration travel inside it, and relative data paths start from the working folder."""
import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from helpers import resources

ROOT = Path(__file__).resolve().parents[1]


def test_checkout_resources_are_the_repository_folders():
    assert resources.checkout_root() == ROOT
    assert resources.NOTEBOOKS_DIR == ROOT / "notebooks" and resources.TEMPLATES_DIR == ROOT / "templates"
    assert resources.DEFAULT_CONFIG == ROOT / "config" / "exempelkommun.yml"


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"),
                            str(ROOT)], capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next((tmp_path / "dist").glob("uppfoljning-*.whl"))

    # A fresh environment with only the wheel installed; the (large) dependencies are borrowed from this
    # environment's site-packages by path, without its .pth files, so the editable checkout stays out of sight.
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr[-3000:]

    work = tmp_path / "arbete"
    work.mkdir()
    exe = python.with_name("uppfoljning.exe" if os.name == "nt" else "uppfoljning")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "UPPFOLJNING_NYCKEL")}

    def run(*args):
        return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=work, env=env, timeout=600)

    where = subprocess.run([str(python), "-c", "import helpers.resources as r; print(r.checkout_root()); "
                            "print(r.NOTEBOOKS_DIR); print(r.DEFAULT_CONFIG.is_file())"],
                           capture_output=True, text=True, cwd=work, env=env)
    checkout, notebooks, config_found = where.stdout.split("\n")[:3]
    assert checkout == "None" and Path(notebooks).is_relative_to(Path(purelib)) and config_found == "True"
    assert sorted(p.name for p in Path(notebooks).glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert (Path(purelib) / "helpers" / "bundled" / "templates" / "kvalitetsredovisning" / "conf.json").is_file()

    shown = run("--help")
    assert shown.returncode == 0 and shown.stdout.startswith("användning: uppfoljning")
    made = run("demo", "--clients", "20", "--periods", "2025")
    assert made.returncode == 0, made.stderr
    imported = run("import", "--table", "clients", "--source", "data/raw/2025/arenden.csv", "--period", "2025",
                   "--mapping", "verksamhetssystem.yml", "--json")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert json.loads(imported.stdout)["accepted"] > 0
    assert (work / "data" / "processed" / "2025" / "clients.parquet").is_file()
