"""The runner with tiny notebooks: the step lists of today and of the coming publication, warm kernels shared by
a run's notebooks, papermill's parameter injection, and reruns that skip what did not change."""
import json
import re

import nbformat
import psutil
import pytest

from helpers.run import pipeline
from runner_fakes import PUBLISH, STEPS, WRITE, fake_notebooks, notebook, raw_data, trace_lines

SETTINGS = {
    "idag": ((), STEPS[4:]),                  # SHARED_STEPS = (), SCOPE_STEPS = (05, 06, 07)
    "publikationen": (STEPS[4:6], STEPS[6:]),  # SHARED_STEPS = (05, 06), SCOPE_STEPS = (07,)
}
UNITS = ["barn_unga", "vuxna_missbruk"]


@pytest.fixture()
def project(tmp_path):
    trace = tmp_path / "trace.txt"
    return {"nb": fake_notebooks(tmp_path / "nb", trace), "trace": trace, "data": raw_data(tmp_path / "data"),
            "out": tmp_path / "reports" / "2025"}


def _run(project, **kw):
    kw.setdefault("formats", "html")
    return pipeline.run_pipeline("2025", data_dir=project["data"], output_dir=project["out"],
                                 notebooks_dir=project["nb"], **kw)


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_step_lists_decide_what_runs_once_and_what_runs_per_scope(project, setting, monkeypatch):
    shared, scope = SETTINGS[setting]
    monkeypatch.setattr(pipeline, "SHARED_STEPS", shared)
    monkeypatch.setattr(pipeline, "SCOPE_STEPS", scope)
    results = _run(project, units=UNITS, workers=2)

    ran = trace_lines(project["trace"])
    once = [(step, unit) for step, unit, _, _ in ran if step not in scope]
    assert once == [(s, "None") for s in STEPS if s not in scope]  # period and shared steps: once, whole org
    for unit in ["None", *UNITS]:
        assert sorted(step for step, u, _, _ in ran if step in scope and u == unit) == sorted(scope)
    # One warm kernel per worker, started from this interpreter: never more kernels than workers.
    import sys
    assert len({pid for _, _, pid, _ in ran}) <= 2
    assert {exe for _, _, _, exe in ran} == {sys.executable}

    assert set(results) == {"hela verksamheten", *UNITS}
    for scope_name, files in results.items():
        html = files["html"].read_text(encoding="utf-8")
        assert '<html lang="sv"' in html and "Kvalitetsredovisning 2025" in html
        assert ("hela verksamheten" if scope_name == "hela verksamheten" else scope_name) in html
    unit_audit = project["out"] / "enheter" / "barn_unga" / "notebooks"
    assert sorted(p.stem for p in unit_audit.glob("*.ipynb")) == sorted(scope)
    whole_audit = project["out"] / "notebooks"
    assert sorted(p.stem for p in whole_audit.glob("*.ipynb")) == sorted(STEPS)

    # Parameters are injected the way papermill does it, as strings.
    executed = nbformat.read(unit_audit / f"{scope[-1]}.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'unit = "barn_unga"' in injected[0].source
    assert executed.metadata.papermill.parameters["period"] == "2025"
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"][0] == 1

    log = json.loads((whole_audit / "korning.json").read_text(encoding="utf-8"))
    assert log["status"] == "klar" and log["kommun"] == "Exempelkommun"
    # Once the period chain has written the publication (step 05), every scope's annex is a job of its own for
    # whichever worker is idle; otherwise each chain renders its annex with its report.
    apart = "05_sammanstall" in shared
    assert [s["steg"] for s in log["steg"]] == list(STEPS) + ["rendering"] + (["bilaga"] if apart else [])
    for files in results.values():
        assert files["bilaga_html"].exists()
    assert (whole_audit / "korning.log").read_text(encoding="utf-8").startswith("20")  # timestamped lines


@pytest.mark.slow
def test_rerun_skips_unchanged_steps_says_so_and_force_runs_everything(project, capsys):
    _run(project, units=["barn_unga"])
    html = (project["out"] / "kvalitetsredovisning.html").read_bytes()
    first = len(trace_lines(project["trace"]))
    capsys.readouterr()

    _run(project, units=["barn_unga"])  # nothing changed: nothing runs, the report stays byte for byte
    out = capsys.readouterr().out
    assert len(trace_lines(project["trace"])) == first
    assert "[1/7] 01_planera (hela verksamheten): oförändrad sedan förra körningen, hoppas över" in out
    assert "Kör med --force" in out
    assert (project["out"] / "kvalitetsredovisning.html").read_bytes() == html
    log = json.loads((project["out"] / "notebooks" / "korning.json").read_text(encoding="utf-8"))
    assert {s["status"] for s in log["steg"]} == {"oförändrad"}
    assert len(log["indata"]["02_fore_insats"]["statiskt"]) == 64  # sha256 content hashes

    # Only the text of notebook 02 changes: it runs, writes the same files, so nothing after it runs.
    source = nbformat.read(project["nb"] / "02_fore_insats.ipynb", as_version=4)
    source.cells[0].source = "# Steg 2, ny rubrik"
    nbformat.write(source, str(project["nb"] / "02_fore_insats.ipynb"))
    _run(project, units=["barn_unga"])
    assert [line[0] for line in trace_lines(project["trace"])[first:]] == ["02_fore_insats"]

    # New raw data: every step of every scope runs again.
    raw_data(project["data"], content="a;b\n1;3\n")
    before = len(trace_lines(project["trace"]))
    _run(project, units=["barn_unga"])
    shared, scope = len(STEPS) - len(pipeline.SCOPE_STEPS), len(pipeline.SCOPE_STEPS)
    assert len(trace_lines(project["trace"])) - before == shared + 2 * scope

    # A step that writes something new makes the later steps run (the earlier ones stay skipped).
    notebook(project["nb"] / "06_analysera.ipynb", "from pathlib import Path\n"
             "Path(output_dir, 'analys.txt').write_text('ny analys')")
    before = len(trace_lines(project["trace"]))
    _run(project)
    assert [line[0] for line in trace_lines(project["trace"])[before:]] == ["07_kvalitetsredovisning"]

    before = len(trace_lines(project["trace"]))
    _run(project, force=True)
    assert [line[0] for line in trace_lines(project["trace"])[before:]] == [s for s in STEPS if s != "06_analysera"]


@pytest.mark.slow
def test_a_missing_report_file_or_audit_notebook_is_made_again(project):
    _run(project)
    (project["out"] / "kvalitetsredovisning.html").unlink()
    (project["out"] / "notebooks" / "04_efter_insats.ipynb").unlink()
    before = len(trace_lines(project["trace"]))
    results = _run(project)
    assert results["hela verksamheten"]["html"].exists()
    assert [line[0] for line in trace_lines(project["trace"])[before:]] == ["04_efter_insats"]


@pytest.mark.slow
def test_a_spare_worker_renders_the_annex_apart_and_keeps_an_unchanged_one(project):
    annex = project["out"] / "kvalitetsredovisning_bilaga.html"
    journal = project["out"] / "notebooks" / "korning.json"

    # Step 05 takes two seconds, as a real one does: the cells' process below starts before it ends (with
    # steps that take no time the run may take the job back unstarted, and rightly so).
    fake_notebooks(project["nb"], project["trace"], {STEPS[4]: "import time\ntime.sleep(2)"})
    results = _run(project, workers=2)  # one report, two workers: the second renders the annex
    assert results["hela verksamheten"]["bilaga_html"] == annex and annex.exists()
    assert "Bilaga: indikatortabeller 2025" in annex.read_text(encoding="utf-8")
    log = json.loads(journal.read_text(encoding="utf-8"))
    assert [(s["steg"], s["status"]) for s in log["steg"]][-2:] == [("rendering", "klar"), ("bilaga", "klar")]
    assert len({pid for _, _, pid, _ in trace_lines(project["trace"])}) == 1  # the spare worker has no kernel
    assert not list((project["out"] / "notebooks").glob(".bilaga-*"))  # the staging folder is gone
    # The spare worker also read the import steps' sources ahead, from the moment step 01 started, in a process
    # of its own that is stopped if the steps are done first (these notebooks take a second).
    run_log = (project["out"] / "notebooks" / "korning.log").read_text(encoding="utf-8")
    assert re.search(r"Inläsningen i förväg för steg 04, 03 och 02: (klar|stoppad) på", run_log)
    # From step 04, it also started the process that computes step 05's cells from the other end.
    assert re.search(r"Beräkningen av indikatorernas celler i förväg: (klar|stoppad) på", run_log)
    assert not [p for p in psutil.process_iter(["cmdline"]) if "helpers.run.work_ahead" in (p.info["cmdline"] or [])]
    assert not list((project["data"] / "processed").glob(".importminne-*"))  # the shared folder is gone
    written = annex.stat().st_mtime_ns

    results = _run(project, workers=2)  # nothing changed: the annex in place is kept as it is
    log = json.loads(journal.read_text(encoding="utf-8"))
    assert ("bilaga", "oförändrad") in [(s["steg"], s["status"]) for s in log["steg"]]
    assert annex.stat().st_mtime_ns == written and results["hela verksamheten"]["bilaga_html"] == annex

    _run(project, workers=2, force=True)
    log = json.loads(journal.read_text(encoding="utf-8"))
    assert ("bilaga", "klar") in [(s["steg"], s["status"]) for s in log["steg"]]
    assert annex.stat().st_mtime_ns != written

    annex.unlink()
    (project["out"] / "notebooks" / "korning.log").unlink()
    _run(project, workers=1)  # one worker: the report's own rendering makes the annex, as before
    assert annex.exists()
    assert "förväg" not in (project["out"] / "notebooks" / "korning.log").read_text(encoding="utf-8")
    log = json.loads(journal.read_text(encoding="utf-8"))
    assert "bilaga" not in [s["steg"] for s in log["steg"]]


# Step 05 announces its publication written, then waits (as it does while it writes the workbook) until the annex
# staged by the other worker appears, and says whether it did (beside the reports folder: a failed run's own
# files are put back as they were).
WAIT_FOR_ANNEX = """import glob, time
from helpers.sharing import PUBLICATION_WRITTEN, announce
announce(PUBLICATION_WRITTEN)
staged = str(Path(output_dir) / 'notebooks' / '.bilaga-*' / '*_bilaga.html')
end = time.monotonic() + 30
while not glob.glob(staged) and time.monotonic() < end:
    time.sleep(0.1)
(Path(output_dir).parents[1] / 'bilaga_under_steg_05.txt').write_text(str(bool(glob.glob(staged))))"""


@pytest.mark.slow
def test_the_annex_starts_once_the_publication_is_written_not_when_its_step_ends(project):
    notebook(project["nb"] / f"{STEPS[4]}.ipynb", WRITE.format(step=STEPS[4], trace=str(project["trace"])),
             PUBLISH, WAIT_FOR_ANNEX)
    results = _run(project, workers=2)
    assert (project["out"].parents[1] / "bilaga_under_steg_05.txt").read_text() == "True"
    assert results["hela verksamheten"]["bilaga_html"].exists()
    log = json.loads((project["out"] / "notebooks" / "korning.json").read_text(encoding="utf-8"))
    assert ("bilaga", "klar") in [(s["steg"], s["status"]) for s in log["steg"]]


@pytest.mark.slow
def test_an_annex_started_early_is_thrown_away_when_its_step_05_fails_after_all(project):
    annex = project["out"] / "kvalitetsredovisning_bilaga.html"
    _run(project, workers=2)
    before = annex.read_bytes(), annex.stat().st_mtime_ns
    notebook(project["nb"] / f"{STEPS[4]}.ipynb", WRITE.format(step=STEPS[4], trace=str(project["trace"])),
             PUBLISH, WAIT_FOR_ANNEX, "raise ValueError('arbetsboken kunde inte skrivas')")
    with pytest.raises(pipeline.PipelineError, match="arbetsboken kunde inte skrivas"):
        _run(project, workers=2, force=True)
    assert (project["out"].parents[1] / "bilaga_under_steg_05.txt").read_text() == "True"  # it had started
    assert (annex.read_bytes(), annex.stat().st_mtime_ns) == before  # not the one rendered in the failed run
    assert not list((project["out"] / "notebooks").glob(".bilaga-*"))
