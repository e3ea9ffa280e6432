"""WCAG 2.1 A/AA (axe-core) on the rendered report in headless Debian Chromium: zero violations."""
from __future__ import annotations

import os

import pytest

from helpers.report.a11y import axe_violations, describe, find_chromium
from helpers.report.render import render_report
from test_report_fixtures import executed_notebook, make_project

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    exe = find_chromium()
    if exe is None:
        message = "Chromium saknas (/usr/lib/chromium/chromium): installera Debian-paketet chromium."
        if os.environ.get("CI"):
            pytest.fail(message + " Tillgänglighetstestet måste köras i CI.")
        pytest.skip(message)
    return exe


def test_report_has_no_axe_violations(chromium, tmp_path):
    project = make_project(tmp_path)
    files = render_report(executed_notebook(project), tmp_path / "ut", formats="html")
    violations = axe_violations(files["html"], chromium)
    assert violations == [], describe(violations)


def test_axe_really_finds_problems(chromium, tmp_path):
    # A control: an image without alt and a table header cell left empty must be reported.
    page = tmp_path / "dalig.html"
    page.write_text('<!DOCTYPE html><html lang="sv"><head><title>t</title></head><body><main>'
                    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                    "<table><tr><th></th><th>Antal</th></tr><tr><td>a</td><td>9</td></tr></table></main></body></html>",
                    encoding="utf-8")
    ids = {v["id"] for v in axe_violations(page, chromium)}
    assert "image-alt" in ids
