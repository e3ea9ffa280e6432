"""A period's publication changes all at once or not at all: a failed or interrupted run leaves the previous
publication as it was, byte for byte, and keeps its own audit trail where a reviewer looks for it."""
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.run import pipeline
from helpers.run.transaction import FAILED_TRAIL, all_or_nothing, recover
from runner_fakes import STEPS, fake_notebooks, raw_data


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def published(tmp_path):
    report, internal = tmp_path / "reports" / "2025", tmp_path / "data" / "processed" / "2025" / "publikation"
    (report / "publikation").mkdir(parents=True)
    (report / "kvalitetsredovisning.html").write_text("<p>förra</p>", encoding="utf-8")
    (report / "publikation" / "celler.parquet").write_bytes(b"gamla celler")
    internal.mkdir(parents=True)
    (internal / "celler_intern.parquet").write_bytes(b"gamla interna")
    return report, internal


def _change(report, internal):
    """What a run does: rewrites in place, replaces, adds, removes, and leaves its audit trail."""
    with open(report / "kvalitetsredovisning.html", "w", encoding="utf-8") as fh:  # in place, same inode
        fh.write("<p>halv</p>")
    (report / "publikation" / "celler.parquet").unlink()
    (report / "ny.txt").write_text("ny", encoding="utf-8")
    (internal / "celler_intern.parquet").write_bytes(b"nya interna")
    (report / "notebooks").mkdir(exist_ok=True)
    (report / "notebooks" / "05_sammanstall.ipynb").write_text("{}", encoding="utf-8")


@pytest.mark.parametrize("failure", [RuntimeError("kontrollen stoppade"), KeyboardInterrupt()])
def test_failure_or_ctrl_c_puts_back_the_previous_publication(published, failure):
    report, internal = published
    before_report, before_internal = _tree(report), _tree(internal)
    said = []
    with pytest.raises(type(failure)):
        with all_or_nothing([report, internal], said.append):
            _change(report, internal)
            raise failure
    trail = report / "notebooks" / FAILED_TRAIL
    assert (trail / "05_sammanstall.ipynb").exists()  # the failed run's notebooks can be read
    after = _tree(report)
    assert {k: v for k, v in after.items() if not k.startswith("notebooks/")} == before_report
    assert _tree(internal) == before_internal
    assert said == ["Körningen blev inte klar: den tidigare publikationen ligger kvar orörd."]
    assert not list(report.parent.glob(".*")) and not list(internal.parent.glob(".*"))  # no snapshot left


def test_success_keeps_the_new_publication_and_drops_the_snapshots(published):
    report, internal = published
    with all_or_nothing([report, internal], lambda _: None):
        _change(report, internal)
    assert (report / "kvalitetsredovisning.html").read_text(encoding="utf-8") == "<p>halv</p>"
    assert (internal / "celler_intern.parquet").read_bytes() == b"nya interna"
    assert not list(report.parent.glob(".*")) and not list(internal.parent.glob(".*"))


def test_a_first_run_that_fails_publishes_nothing(tmp_path):
    report, internal = tmp_path / "reports" / "2025", tmp_path / "processed" / "2025" / "publikation"
    said = []
    with pytest.raises(RuntimeError):
        with all_or_nothing([report, internal], said.append):
            internal.mkdir(parents=True)
            (internal / "celler_intern.parquet").write_bytes(b"x")
            (report / "notebooks").mkdir(parents=True)
            (report / "kvalitetsredovisning.html").write_text("x", encoding="utf-8")
            raise RuntimeError
    assert not internal.exists()
    assert [p.relative_to(report).as_posix() for p in report.rglob("*") if p.is_file()] == []
    assert "det fanns ingen, och inget nytt publicerades" in said[0]


def test_a_crash_mid_run_is_repaired_by_the_next_run(published):
    report, internal = published
    before = _tree(report)
    crash = (f"import os\nfrom pathlib import Path\nfrom helpers.run.transaction import all_or_nothing\n"
             f"from test_transaction import _change\n"
             f"r, i = Path({str(report)!r}), Path({str(internal)!r})\n"
             f"with all_or_nothing([r, i], print):\n    _change(r, i)\n    os._exit(9)  # a power cut: no cleanup\n")
    proc = subprocess.run([sys.executable, "-c", crash], cwd=Path(__file__).parent, timeout=120)
    assert proc.returncode == 9 and (report / "ny.txt").exists()
    assert recover([report, internal]) == [report, internal]
    assert _tree(report) == before
    assert (internal / "celler_intern.parquet").read_bytes() == b"gamla interna"


def test_a_run_that_fails_in_the_report_step_leaves_last_years_reports(tmp_path):
    trace = tmp_path / "trace.txt"
    notebooks = fake_notebooks(tmp_path / "nb", trace)
    data, out = raw_data(tmp_path / "data"), tmp_path / "reports" / "2025"
    run = dict(data_dir=data, output_dir=out, notebooks_dir=notebooks, formats="html", units=["barn_unga"],
               workers=2)
    pipeline.run_pipeline("2025", **run)
    before = {k: v for k, v in _tree(out).items() if not k.startswith(("notebooks/", "enheter/barn_unga/notebooks"))}
    assert "kvalitetsredovisning.html" in before and "publikation/celler.parquet" in before

    fake_notebooks(notebooks, trace, {STEPS[-1]: "raise ValueError('planterat fel')"})
    with pytest.raises(pipeline.PipelineError, match="planterat fel"):
        pipeline.run_pipeline("2025", force=True, **run)
    after = {k: v for k, v in _tree(out).items() if not k.startswith(("notebooks/", "enheter/barn_unga/notebooks"))}
    assert after == before
    assert (out / "notebooks" / FAILED_TRAIL / f"{STEPS[-1]}.ipynb").exists()
