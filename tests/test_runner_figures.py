"""The reports' figures are drawn in a fork as soon as step 05 announces the publication written (the annexes start
then too), not only when the step ends; once, and never after the step failed."""
import threading
import time
from pathlib import Path

import pytest

from helpers.config import PROJECT_ROOT
from helpers.run import chain
from helpers.run.journal import Journal
from helpers.sharing import PUBLICATION_WRITTEN, SHARED_ENV, announce

STEP = "05_sammanstall"
REPORTS = [{"unit": None}, {"unit": "barn_unga"}]


@pytest.fixture
def shared(tmp_path, monkeypatch):
    folder = tmp_path / "delat"
    folder.mkdir()
    monkeypatch.setenv(SHARED_ENV, str(folder))
    return folder


def _until(condition, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        time.sleep(0.01)
    return bool(condition())


def _watching() -> tuple[list, chain.FiguresOnce]:
    """What the fork would be started with, and a FiguresOnce watching for the publication."""
    started: list = []
    figures = chain.FiguresOnce(started.append, REPORTS)
    figures.watch()
    return started, figures


def test_the_fork_starts_once_when_the_publication_is_announced(shared):
    started, figures = _watching()
    time.sleep(0.2)
    assert started == []  # nothing announced yet
    announce(PUBLICATION_WRITTEN)
    assert _until(lambda: started)
    figures.now()  # the step ends: already started
    time.sleep(0.1)
    assert started == [REPORTS]


def test_without_an_announcement_the_fork_starts_when_the_step_ends(shared):
    started, figures = _watching()
    figures.now()
    figures.now()
    announce(PUBLICATION_WRITTEN)
    time.sleep(0.2)
    assert started == [REPORTS]


def test_after_a_failed_step_no_fork_starts_whatever_is_announced(shared):
    started, figures = _watching()
    figures.stop()
    announce(PUBLICATION_WRITTEN)
    time.sleep(0.2)
    figures.now()  # not called by the chain after a failure, and harmless if it were
    assert started == []


def test_outside_the_runner_nothing_is_watched(tmp_path, monkeypatch):
    monkeypatch.delenv(SHARED_ENV, raising=False)
    started, figures = _watching()
    assert not [t for t in threading.enumerate() if t.name == "publikationen" and t.is_alive()]
    figures.now()
    assert started == [REPORTS]


class _Step05:
    """Step 05 as the kernel runs it: announces the publication, then goes on (the workbook) for a while and
    notes whether the figures' fork had started meanwhile; or fails before it announces anything."""

    def __init__(self, started: list, fails: bool = False):
        self.started, self.fails, self.seen_during_step = started, fails, None

    def execute(self, source, executed, parameters, notebooks_dir, timeout):
        if self.fails:
            time.sleep(0.2)  # the watcher is running
            raise ValueError("publikationen kunde inte skyddas")
        announce(PUBLICATION_WRITTEN)
        self.seen_during_step = _until(lambda: self.started, 3.0)


def _run_step_05(tmp_path: Path, kernel: _Step05, started: list) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / f"{STEP}.ipynb").write_text("{}", encoding="utf-8")
    job = chain.ChainJob(
        run_id="k1", scope="hela", label="hela verksamheten",
        parameters={"config": str(PROJECT_ROOT / "config" / "exempelkommun.yml")}, notebooks_dir=notebooks,
        data_dir=tmp_path / "data", output_dir=tmp_path / "reports" / "2025", steps=(STEP,), order=(STEP,),
        first_number=5, total=7, force=True, figures_after=STEP, figures_for=tuple(REPORTS))
    chain._run_steps(job, kernel, lambda event: None, lambda: False, Journal(job.output_dir, job.run_id),
                     chain.ChainResult(job.scope, job.label, "klar"), lambda: None, started.append)


def test_the_chain_starts_the_figures_while_step_05_still_runs(tmp_path, shared):
    started: list = []
    kernel = _Step05(started)
    _run_step_05(tmp_path, kernel, started)
    assert kernel.seen_during_step is True  # drawn beside the rest of step 05, not after it
    assert started == [list(REPORTS)]  # once, although the step also ended


def test_no_figures_are_drawn_when_step_05_fails(tmp_path, shared):
    started: list = []
    with pytest.raises(chain.PipelineError, match="publikationen kunde inte skyddas"):
        _run_step_05(tmp_path, _Step05(started, fails=True), started)
    announce(PUBLICATION_WRITTEN)  # (a later announcement, say from a rerun) is not watched for any longer
    time.sleep(0.2)
    assert started == []
