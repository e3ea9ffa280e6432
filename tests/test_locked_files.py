"""A file held open in another program (Excel, a PDF viewer) cannot be replaced on Windows: every writer names the
file in a Swedish message and leaves the old file as it was, with no temporary files behind."""
import os
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from helpers.analysis import findings
from helpers.manifest import read_manifest, write_manifest
from helpers.plan import registration, sampling
from helpers.plan.spec import load_plan
from helpers.run import chain
from helpers.run.failures import PipelineError
from helpers.run.journal import Journal
from helpers.atomic import FileWriteError
from test_registration import PLAN, SAMPLE
from test_sampling import days_of_2025, make_population

LOCKED = "öppen i ett annat program (till exempel Excel eller en PDF-läsare)"


@pytest.fixture
def lock(monkeypatch):
    """lock(path): renaming onto ``path`` fails as Windows fails it while another program holds the file."""
    real = os.replace

    def locking(target: Path):
        def replace(src, dst):
            if Path(dst).resolve() == target.resolve():
                raise PermissionError(13, "Permission denied", str(dst))
            return real(src, dst)
        monkeypatch.setattr(os, "replace", replace)
    return locking


def assert_refused_and_kept(target: Path, write) -> FileWriteError:
    old, listing = target.read_bytes(), sorted(target.parent.iterdir())
    with pytest.raises(FileWriteError) as info:
        write()
    assert str(info.value).startswith(f"Filen {target} kunde inte skrivas: den är troligen {LOCKED}")
    assert target.read_bytes() == old
    assert sorted(target.parent.iterdir()) == listing  # no temporary file left behind
    return info.value


def test_registration_template_open_in_excel(tmp_path, lock):
    plan_file = tmp_path / "plan.yml"
    plan_file.write_text(PLAN, encoding="utf-8")
    plan, folder = load_plan(plan_file), tmp_path / "urval"
    written = registration.write_templates(plan, SAMPLE, folder, "2025")
    target = registration.template_path(folder, "fore", "measurements")
    assert target in written
    lock(target)
    assert_refused_and_kept(target, lambda: registration.write_templates(plan, SAMPLE.head(1), folder, "2025"))
    # still the old template: three clients with two instruments each, not the one client of the refused write
    clients = [r[1] for r in openpyxl.load_workbook(target).worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert clients == ["k1", "k1", "k2", "k2", "k3", "k3"]


def test_sample_list_open_in_excel(tmp_path, lock):
    population = make_population(days_of_2025(6))
    folder = tmp_path / "urval"
    sampling.write_sample_list(sampling.draw_sample(population, "alla"), folder)
    target = folder / "urval.csv"
    lock(target)
    smaller = sampling.draw_sample(population, "slumpmassigt", {"n": 2}, seed=3)
    assert_refused_and_kept(target, lambda: sampling.write_sample_list(smaller, folder))
    kept = pd.read_csv(target, sep=";", encoding="utf-8-sig")
    assert kept["Klient-id"].tolist() == ["p01", "p02", "p03", "p04", "p05", "p06"]


def test_key_findings_open_in_an_editor(tmp_path, lock):
    target = tmp_path / "nyckelfynd.md"
    findings.write_key_findings(target, [])
    lock(target)
    assert_refused_and_kept(target, lambda: findings.write_key_findings(target, [], rule="En annan regel."))
    assert "En annan regel." not in target.read_text(encoding="utf-8")


def test_demo_file_list_locked(tmp_path, lock):
    (tmp_path / "a.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("y\n", encoding="utf-8")
    target = write_manifest(tmp_path, [tmp_path / "a.csv"])
    lock(target)
    assert_refused_and_kept(target, lambda: write_manifest(tmp_path, [tmp_path / "b.csv"]))
    assert list(read_manifest(tmp_path)) == ["a.csv"]


def rendered(staging: Path, text: str) -> None:
    staging.mkdir(parents=True, exist_ok=True)
    for suffix in ("html", "pdf"):
        (staging / f"kvalitetsredovisning.{suffix}").write_text(f"{text} {suffix}", encoding="utf-8")


def test_report_open_in_a_pdf_viewer_is_named_and_kept(tmp_path, lock):
    out = tmp_path / "reports" / "2025"
    rendered(out, "förra")
    target = out / "kvalitetsredovisning.pdf"
    staging = out / ".rendering-1"
    rendered(staging, "nya")
    lock(target)
    message = f"Filen {target} kunde inte skrivas: den är troligen {LOCKED}"
    with pytest.raises(FileWriteError, match=re.escape(message)):
        chain._move_into_place(staging, out)
    assert target.read_text(encoding="utf-8") == "förra pdf"
    assert (out / "kvalitetsredovisning.html").read_text(encoding="utf-8") == "nya html"  # not locked: replaced


def test_a_locked_report_fails_the_rendering_with_the_files_name(tmp_path, lock, monkeypatch):
    out = tmp_path / "reports" / "2025"
    rendered(out, "förra")
    target = out / "kvalitetsredovisning.pdf"

    def render_scope(executed, staging, parameters, formats, annex=True):
        rendered(Path(staging), "nya")
        return {fmt: Path(staging) / f"kvalitetsredovisning.{fmt}" for fmt in formats}
    monkeypatch.setattr("helpers.report.bundle.render_scope", render_scope)
    lock(target)
    job = chain.ChainJob(run_id="k1", scope="hela", label="hela verksamheten", parameters={}, notebooks_dir=tmp_path,
                         data_dir=tmp_path / "data", output_dir=out, steps=(), order=("07_kvalitetsredovisning",),
                         first_number=1, total=1, formats=("html", "pdf"))
    journal = Journal(out, "k1")
    with pytest.raises(PipelineError) as info:
        chain._render(job, lambda event: None, journal, chain.ChainResult("hela", "hela verksamheten", "klar"))
    assert str(info.value).startswith(f"Rapporten (hela verksamheten) kunde inte sparas: Filen {target} kunde inte "
                                      f"skrivas: den är troligen {LOCKED}")
    assert target.read_text(encoding="utf-8") == "förra pdf"
    assert not list(out.glob(".rendering-*"))  # the staging folder is cleaned up
