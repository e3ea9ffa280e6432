"""Automated WCAG 2.1 A/AA check (axe-core) of a rendered report in headless Debian Chromium."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


def axe_violations(html_path: str | Path, chromium: str | None = None) -> list[dict]:
    """axe-core violations (WCAG 2.1 A/AA) for one HTML file; each has id, impact, help and nodes."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    exe = chromium or find_chromium()
    if exe is None:
        raise FileNotFoundError("Chromium hittades inte (installera Debian-paketet chromium).")
    with tempfile.TemporaryDirectory(prefix="axe-profile-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=exe, headless=True,
                                                       args=CHROMIUM_ARGS)
        try:
            page = context.new_page()
            page.goto(Path(html_path).resolve().as_uri())
            result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        finally:
            context.close()
    return list(result.response.get("violations", []))


def describe(violations: list[dict]) -> str:
    return "\n".join(f"- {v['id']} ({v.get('impact')}): {v.get('help')} – "
                     + "; ".join(n.get("target", [""])[0] if isinstance(n.get("target"), list) else ""
                                 for n in v.get("nodes", [])[:3]) for v in violations)
