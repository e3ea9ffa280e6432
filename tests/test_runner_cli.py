"""`uppfoljning run` as an unattended job sees it: arguments refused before anything is written (exit 2), a quiet
terminal, a per-cell time limit from the config, one run per output folder, and Ctrl-C that stops at once."""
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers.cli import main
from helpers.run import pipeline
from helpers.run.arguments import ArgumentError, RunLock, require_data
from runner_fakes import STEPS, config_copy, fake_notebooks, raw_data, trace_lines

CLI = [sys.executable, "-m", "helpers.cli", "run", "--period", "2025"]


def _args(nb, data, out, *more):
    return CLI + ["--notebooks-dir", str(nb), "--data-dir", str(data), "--output-dir", str(out), *more]


def test_empty_formats_and_a_period_without_data_are_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "reports" / "2023"
    assert main(["run", "--period", "2025", "--formats", "", "--output-dir", str(out)]) == 2
    assert "Inget format angivet" in capsys.readouterr().err
    data = raw_data(tmp_path / "data", "2025")
    assert main(["run", "--period", "2023", "--data-dir", str(data), "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Det finns inga data för period 2023" in err and str(data / "raw" / "2023") in err
    assert not out.exists() and not (data / "processed").exists()


def test_exports_only_in_subfolders_are_data_but_hidden_and_lock_files_are_not(tmp_path):
    data = tmp_path / "data"
    raw = data / "raw" / "2025"
    for leftover in (".DS_Store", "Thumbs.db", "~$insatser.xlsx", ".ipynb_checkpoints/arenden.csv",
                     "barn/.~lock.arenden.csv#"):
        (raw / leftover).parent.mkdir(parents=True, exist_ok=True)
        (raw / leftover).write_text("x", encoding="utf-8")
    with pytest.raises(ArgumentError, match="Det finns inga data för period 2025"):
        require_data("2025", None, data)
    for folder in ("barn", "vuxen"):
        (raw / folder).mkdir(exist_ok=True)
        (raw / folder / "arenden.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    require_data("2025", None, data)  # the exports under barn/ and vuxen/ are the period's data


def test_a_folder_that_cannot_be_written_is_named_as_such(tmp_path, capsys):
    locked = tmp_path / "skrivskyddad"
    locked.mkdir()
    as_root = os.geteuid() == 0
    if as_root:
        if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i fungerar inte här: en skrivskyddad mapp kan inte göras som root")
    else:
        locked.chmod(0o555)
    try:
        data = raw_data(tmp_path / "data")
        code = main(["run", "--period", "2025", "--data-dir", str(data), "--output-dir", str(locked / "2025")])
        err = capsys.readouterr().err
    finally:
        subprocess.run(["chattr", "-i", str(locked)], capture_output=True) if as_root else locked.chmod(0o755)
    assert code == 2
    assert f"Utdatamappen {locked / '2025'} går inte att skriva till: mappen är skrivskyddad" in err
    assert "--output-dir" in err and ".csv" not in err


def test_two_runs_never_write_the_same_folder(tmp_path):
    nb = fake_notebooks(tmp_path / "nb", tmp_path / "trace.txt")
    out = tmp_path / "reports" / "2025"
    with RunLock(out):
        with pytest.raises(pipeline.ArgumentError, match="En annan körning skriver redan till"):
            pipeline.run_pipeline("2025", data_dir=raw_data(tmp_path / "data"), output_dir=out, notebooks_dir=nb)
    assert trace_lines(tmp_path / "trace.txt") == []


def test_quiet_terminal_and_a_repeated_unit_runs_once(tmp_path):
    # What the kernel process itself prints (a library writing to its stderr), as ipykernel's own warnings
    loud = "import os\nos.write(2, b'WARNING | en rad som karnan sjalv skriver\\n')"
    nb = fake_notebooks(tmp_path / "nb", tmp_path / "trace.txt", {"02_fore_insats": loud})
    out = tmp_path / "reports" / "2025"
    proc = subprocess.run(_args(nb, raw_data(tmp_path / "data"), out, "--unit", "barn_unga", "--unit", "barn_unga",
                                "--workers", "2", "--formats", "html"), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    for noise in ("IPKernelApp", "KeyboardInterrupt", "Traceback", "WARNING", "Kernel is running"):
        assert noise not in proc.stdout, noise
    assert "Enheten barn_unga angavs mer än en gång; den körs en gång." in proc.stdout
    assert [p.name for p in (out / "enheter").iterdir()] == ["barn_unga"]
    unit_steps = [step for step, unit, _, _ in trace_lines(tmp_path / "trace.txt") if unit == "barn_unga"]
    assert unit_steps == list(pipeline.SCOPE_STEPS)  # a unit runs only its own report step, once
    log = (out / "notebooks" / "korning.log").read_text(encoding="utf-8")
    assert "kärna: WARNING | en rad som karnan sjalv skriver" in log  # the kernel's own lines are kept, in the log
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="2025/enheter/barn_unga/kvalitetsredovisning.html"' in index


def test_a_hung_cell_stops_at_the_configured_time_limit(tmp_path):
    config = config_copy(tmp_path / "config", "korning:\n  cell_timeout_s: 3\n")
    nb = fake_notebooks(tmp_path / "nb", tmp_path / "trace.txt", {"02_fore_insats": "import time\ntime.sleep(300)"})
    started = time.monotonic()
    proc = subprocess.run(_args(nb, raw_data(tmp_path / "data"), tmp_path / "ut", "--config", str(config)),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1
    assert "FEL: Steget 02_fore_insats.ipynb misslyckades i cell 4" in proc.stderr
    assert "Tidsgräns: cellen körde längre än 3 s och avbröts" in proc.stderr
    assert "korning.cell_timeout_s" in proc.stderr and "Traceback" not in proc.stderr
    assert time.monotonic() - started < 200  # not the 300 s the cell wanted


def _processes_in(*folders) -> list:
    import psutil

    found = []
    for p in psutil.process_iter(["pid", "cwd", "cmdline"]):
        try:
            if p.info["cwd"] in {str(f) for f in folders}:
                found.append(p.info)
        except (psutil.Error, TypeError):
            continue
    return found


@pytest.mark.slow
def test_ctrl_c_stops_at_once_cancels_queued_units_and_keeps_the_reports(tmp_path):
    trace = tmp_path / "trace.txt"
    nb = fake_notebooks(tmp_path / "nb", trace)
    data, out = raw_data(tmp_path / "data"), tmp_path / "reports" / "2025"
    first = subprocess.run(_args(nb, data, out, "--formats", "html"), capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    before = (out / "kvalitetsredovisning.html").read_bytes()

    report_step = STEPS[-1]
    fake_notebooks(nb, trace, {report_step: "import time\ntime.sleep(300)"})
    home = tmp_path / "cwd"
    home.mkdir()
    # Three workers: two run report chains at once (the third, the spare, renders annexes and starts no kernel)
    proc = subprocess.Popen(_args(nb, data, out, "--formats", "html", "--workers", "3", "--unit", "barn_unga",
                                  "--unit", "vuxna_missbruk", "--unit", "ekonomiskt_bistand"),
                            cwd=home, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while sum(1 for line in trace_lines(trace) if line[0] == report_step) < 3:  # 1 earlier + 2 running now
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    stopped = time.monotonic()
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert time.monotonic() - stopped < 20
    assert "Avbrutet (Ctrl-C)" in stderr and "Startade aldrig:" in stderr
    assert "Rapporter som redan fanns (HTML och PDF) är orörda" in stderr and "Traceback" not in stderr
    assert (out / "kvalitetsredovisning.html").read_bytes() == before
    assert sum(1 for line in trace_lines(trace) if line[0] == report_step) == 3  # queued units never ran
    time.sleep(3)
    assert _processes_in(home, nb) == []  # no worker or kernel left behind
