"""`uppfoljning batch` on a LocalCluster of two Dask workers: each municipality in its own folders, one progress
line per finished chain, a failing municipality isolated, a summary table and JSON, an exit code that says so."""
import json
import re
import subprocess
import sys

import pytest

from runner_fakes import config_copy, fake_notebooks, raw_data, trace_lines
from test_transaction import _tree

pytestmark = pytest.mark.slow
BATCH = [sys.executable, "-m", "helpers.cli", "batch"]
UNIT_FAILS = ("import yaml\nassert not (yaml.safe_load(open(config, encoding='utf-8'))['kommun'] == 'Felkommun' "
              "and unit == 'barn_unga'), 'planterat fel'")
# Step 05 also rewrites the internal copy of the publication, as the real one does.
INTERNAL = ("(Path(data_dir) / 'processed' / period / 'publikation').mkdir(parents=True, exist_ok=True)\n"
            "(Path(data_dir) / 'processed' / period / 'publikation' / 'celler_intern.parquet').write_bytes(b'nya')")
FAIL = ("import yaml\nassert yaml.safe_load(open(config, encoding='utf-8'))['kommun'] != 'Felkommun', "
        "'planterat fel'")


def test_a_failing_municipality_does_not_stop_the_other(tmp_path):
    trace = tmp_path / "trace.txt"
    nb = fake_notebooks(tmp_path / "nb", trace, {"05_sammanstall": FAIL})
    good = config_copy(tmp_path / "config", name="Exempelkommun")
    bad = config_copy(tmp_path / "config", name="Felkommun")
    root = tmp_path / "kommuner"
    for folder in ("exempelkommun", "felkommun"):
        raw_data(root / folder / "data")
    proc = subprocess.run(BATCH + [str(good), str(bad), "--period", "2025", "--root", str(root), "--workers", "2",
                                   "--notebooks-dir", str(nb), "--formats", "html", "--all-units"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr == ""
    progress = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    assert len(progress) == 2 * (1 + 4)  # per municipality: its period steps and four scopes
    assert all(re.fullmatch(r"\[\d+/10\] (Exempelkommun|Felkommun) – [^:]+: .+", line) for line in progress)
    assert "[" not in "".join(line.split("]", 1)[1] for line in progress)  # no line holds parts of two

    summary = json.loads((root / "sammanfattning-2025.json").read_text(encoding="utf-8"))
    assert summary["status"] == "fel" and summary["antal"] == {"fel": 4, "klar": 4}
    rows = {(r["kommun"], r["enhet"]): r for r in summary["rader"]}
    ok = rows[("Exempelkommun", "barn_unga")]
    assert ok["status"] == "klar" and ok["rapporter"]["html"].startswith(str(root / "exempelkommun" / "reports"))
    failed = rows[("Felkommun", None)]
    assert failed["status"] == "fel" and failed["fel"]["notebook"] == "05_sammanstall" and failed["fel"]["cell"] == 4
    assert "planterat fel" in failed["fel"]["meddelande"]
    assert "Felkommun" in proc.stdout and "05_sammanstall.ipynb cell 4" in proc.stdout  # the summary table

    for scope in ("", "enheter/barn_unga/", "enheter/ekonomiskt_bistand/"):
        assert (root / "exempelkommun" / "reports" / "2025" / scope / "kvalitetsredovisning.html").exists()
    assert not (root / "felkommun" / "reports" / "2025" / "kvalitetsredovisning.html").exists()
    assert (root / "felkommun" / "data" / "raw").is_dir() and not (root / "exempelkommun" / "data" / "2025").exists()
    assert len({pid for _, _, pid, _ in trace_lines(trace)}) <= 2  # one warm kernel per Dask worker
    index = (root / "index.html").read_text(encoding="utf-8")
    assert "Felkommun" in index and "Misslyckades" in index
    assert 'href="exempelkommun/reports/2025/kvalitetsredovisning.html"' in index
    assert (root / "exempelkommun" / "reports" / "index.html").exists()


def _last_years_publication(base):
    """What an earlier run published for a municipality: its reports, its publication and the internal copies."""
    report, processed = base / "reports" / "2025", base / "data" / "processed" / "2025"
    for path, content in ((report / "kvalitetsredovisning.html", b"<p>forra</p>"),
                          (report / "publikation" / "celler.parquet", b"gamla celler"),
                          (report / "enheter" / "barn_unga" / "kvalitetsredovisning.html", b"<p>forra enheten</p>"),
                          (report / "notebooks" / "korning.json",
                           b'{"korning_id": "1", "startad": "2024-01-01T00:00:00", "status": "klar"}'),
                          (processed / "publikation" / "celler_intern.parquet", b"gamla interna"),
                          (processed / "granskning" / "granskning.json", b"{}")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return {"reports": _published(report), "publikation": _tree(processed / "publikation"),
            "granskning": _tree(processed / "granskning")}


def _published(report):
    """The report folder without the failed run's trail and the (empty) lock file every run leaves."""
    return {k: v for k, v in _tree(report).items()
            if not k.startswith("notebooks/senaste_misslyckade/") and k != "notebooks/.korning.lock"}


def _now_published(base):
    processed = base / "data" / "processed" / "2025"
    return {"reports": _published(base / "reports" / "2025"), "publikation": _tree(processed / "publikation"),
            "granskning": _tree(processed / "granskning")}


def _two_towns_published_last_year(tmp_path, names, notebooks: dict):
    """Fake notebooks, two municipalities' configs and raw data, each with last year's publication in place."""
    trace = tmp_path / "trace.txt"
    nb = fake_notebooks(tmp_path / "nb", trace, notebooks)
    configs = [config_copy(tmp_path / "config", name=n) for n in names]
    root = tmp_path / "kommuner"
    before = {}
    for folder in (c.stem for c in configs):
        raw_data(root / folder / "data")
        before[folder] = _last_years_publication(root / folder)
    return trace, nb, configs, root, before


def test_a_municipality_whose_unit_report_fails_keeps_last_years_publication(tmp_path):
    trace, nb, configs, root, before = _two_towns_published_last_year(
        tmp_path, ("Exempelkommun", "Felkommun"), {"05_sammanstall": INTERNAL, "07_kvalitetsredovisning": UNIT_FAILS})
    proc = subprocess.run(BATCH + [*map(str, configs), "--period", "2025", "--root", str(root), "--workers", "2",
                                   "--notebooks-dir", str(nb), "--formats", "html", "--all-units"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 1, proc.stdout + proc.stderr

    # Felkommun: its whole-organisation report and other units rendered, barn_unga failed: nothing of the run stays.
    assert _now_published(root / "felkommun") == before["felkommun"]
    trail = root / "felkommun" / "reports" / "2025" / "notebooks" / "senaste_misslyckade"
    assert (trail / "07_kvalitetsredovisning.ipynb").exists()  # the failed run's audit trail can be read
    assert not list((root / "felkommun" / "reports").glob(".*"))  # no snapshot left behind
    # Exempelkommun published this run's reports and publication.
    now = root / "exempelkommun"
    assert b"Kvalitetsredovisning 2025" in (now / "reports" / "2025" / "kvalitetsredovisning.html").read_bytes()
    assert b"Kvalitetsredovisning 2025" in (now / "reports/2025/enheter/barn_unga/kvalitetsredovisning.html"
                                           ).read_bytes()
    assert (now / "data/processed/2025/publikation/celler_intern.parquet").read_bytes() == b"nya"
    assert (now / "reports" / "2025" / "01_planera.txt").exists()

    summary = json.loads((root / "sammanfattning-2025.json").read_text(encoding="utf-8"))
    towns = {t["kommun"]: (t["publicering"], t["tidigare_publikation_kvar"]) for t in summary["kommuner"]}
    assert towns == {"Exempelkommun": ("ny", False), "Felkommun": ("tidigare kvar", True)}
    assert "Felkommun: Körningen blev inte klar: den tidigare publikationen ligger kvar orörd." in proc.stdout
    index = (root / "index.html").read_text(encoding="utf-8")
    assert "Klar (senaste körningen publicerades inte)" in index


def test_the_same_municipality_twice_is_refused(tmp_path):
    config = config_copy(tmp_path / "config")
    proc = subprocess.run(BATCH + [str(config), str(config), "--period", "2025", "--root", str(tmp_path / "k")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "samma mapp" in proc.stderr
    assert not (tmp_path / "k").exists()


def test_two_generated_municipalities_on_two_dask_workers(tmp_path):
    root = tmp_path / "kommuner"
    cli = [sys.executable, "-m", "helpers.cli"]
    made = subprocess.run(cli + ["demo", "--clients", "300", "--data-dir", str(root / "exempelkommun" / "data")],
                          capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr
    other = tmp_path / "config" / "andra-kommun.yml"
    made = subprocess.run(cli + ["demo", "--clients", "300", "--municipality", "Andra kommun", "--code", "9998",
                                 "--seed", "7", "--data-dir", str(root / "andra-kommun" / "data"),
                                 "--write-config", str(other)], capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr
    proc = subprocess.run(BATCH + ["config/exempelkommun.yml", str(other), "--period", "2025", "--root", str(root),
                                   "--workers", "2", "--formats", "html"], capture_output=True, text=True,
                          timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    reports = {name: (root / folder / "reports" / "2025" / "kvalitetsredovisning.html").read_text(encoding="utf-8")
               for name, folder in (("Exempelkommun", "exempelkommun"), ("Andra kommun", "andra-kommun"))}
    for name, html in reports.items():
        assert '<html lang="sv"' in html and name in html
    assert "Andra kommun" not in reports["Exempelkommun"] and "Exempelkommun" not in reports["Andra kommun"]
    summary = json.loads((root / "sammanfattning-2025.json").read_text(encoding="utf-8"))
    assert summary["status"] == "klar" and {r["kommun"] for r in summary["rader"]} == set(reports)
    # The small municipality has units without visits: its hidden zeros count no one, and an outsider holding
    # all its published files recovers nothing else.
    audit = subprocess.run(cli + ["audit", "--period", "2025", "--config", str(other), "--data-dir",
                                  str(root / "andra-kommun" / "data"), "--reports-dir",
                                  str(root / "andra-kommun" / "reports")], capture_output=True, text=True, timeout=600)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "Granskningen gick igenom: 0 av" in audit.stdout


def test_ctrl_c_stops_the_batch_and_its_workers(tmp_path):
    import os
    import signal
    import time

    from test_runner_cli import _processes_in

    trace, nb, configs, root, before = _two_towns_published_last_year(
        tmp_path, ("Exempelkommun", "Andra kommun"), {"05_sammanstall": "import time\ntime.sleep(300)"})
    home = tmp_path / "cwd"
    home.mkdir()
    proc = subprocess.Popen(BATCH + [*map(str, configs), "--period", "2025", "--root", str(root), "--workers", "2",
                                     "--notebooks-dir", str(nb), "--formats", "html", "--all-units"],
                            cwd=home, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while sum(1 for line in trace_lines(trace) if line[0] == "05_sammanstall") < 2:
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    stopped = time.monotonic()
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stdout + stderr
    assert time.monotonic() - stopped < 60
    assert "Avbrutet (Ctrl-C)" in stdout and "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    summary = json.loads((root / "sammanfattning-2025.json").read_text(encoding="utf-8"))
    assert summary["status"] == "avbruten" and summary["antal"].get("avbruten", 0) >= 6
    assert sum(1 for line in trace_lines(trace) if line[0] == "05_sammanstall") == 2
    # Steps 01-04 had written into the report folders: both municipalities' earlier publications are put back.
    for folder in ("exempelkommun", "andra-kommun"):
        assert _now_published(root / folder) == before[folder], folder
    assert {t["publicering"] for t in summary["kommuner"]} == {"tidigare kvar"}
    time.sleep(3)
    assert _processes_in(home, nb) == []


def test_a_dask_worker_loads_the_report_template_only_after_its_kernel_has_started(monkeypatch, tmp_path):
    """The kernel's start imports papermill and pyarrow in a thread of the worker; the template's imports (pandas,
    pyarrow) in another thread at the same time failed with KeyError: 'pyarrow' in a loaded batch."""
    import threading
    import time

    from helpers.run import dask_tasks, workers

    started, loaded = threading.Event(), threading.Event()

    class Kernel:
        def wait_started(self):
            started.wait(5)

    monkeypatch.setattr(dask_tasks, "_process_kernel", lambda *a: Kernel())
    monkeypatch.setattr(workers, "prepare_rendering", lambda: loaded.set())
    assert dask_tasks.warm_up(str(tmp_path), []) is not None
    time.sleep(0.2)
    assert not loaded.is_set()  # still starting
    started.set()
    assert loaded.wait(5)
