"""Benchmark: the same report HTML typeset as PDF with WeasyPrint (before) and with typst (the product).

    .venv/bin/python benchmarks/bench_pdf.py [HTML] [--repeats 3]

HTML defaults to the demo organisation report, reports/2025/kvalitetsredovisning.html; when it is missing it is
made first with `uppfoljning demo --clients 5000` and `uppfoljning run --period 2025 --formats html` (2–3 minutes).
Each renderer runs in a fresh process per repeat (typst keeps caches between compilations in one process, which
would flatter it); the median of the repeats is printed with pages and file size. WeasyPrint is a test dependency
only, kept for this comparison.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "reports" / "2025" / "kvalitetsredovisning.html"

RENDER = {
    "weasyprint": """
import logging, sys, time
from weasyprint import HTML
for name in ("weasyprint", "fontTools"):
    logging.getLogger(name).setLevel(logging.ERROR)
html = open(sys.argv[1], encoding="utf-8").read()
start = time.perf_counter()
HTML(string=html, base_url=sys.argv[1]).write_pdf(sys.argv[2], pdf_variant="pdf/ua-1")
print(time.perf_counter() - start)
""",
    "typst": """
import sys, time
from pathlib import Path
from helpers.report.pdf import html_to_pdf
html = open(sys.argv[1], encoding="utf-8").read()
start = time.perf_counter()
html_to_pdf(html, Path(sys.argv[2]))
print(time.perf_counter() - start)
""",
}


def demo_report() -> Path:
    if not DEMO.exists():
        cli = Path(sys.executable).with_name("uppfoljning")
        print("Skapar demorapporten (2–3 minuter) ...", flush=True)
        subprocess.run([str(cli), "demo", "--data-dir", "data", "--clients", "5000"], cwd=ROOT, check=True)
        subprocess.run([str(cli), "run", "--period", "2025", "--formats", "html"], cwd=ROOT, check=True)
    return DEMO


def time_once(renderer: str, html: Path, pdf: Path) -> float:
    """Seconds inside the renderer (imports excluded), measured in a fresh process."""
    done = subprocess.run([sys.executable, "-c", RENDER[renderer], str(html), str(pdf)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", nargs="?", type=Path, help="rapportens HTML (standard: demorapporten)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    html = args.html or demo_report()
    print(f"{html} ({html.stat().st_size / 1e6:.1f} MB HTML), median av {args.repeats}:")
    with tempfile.TemporaryDirectory() as tmp:
        for renderer in RENDER:
            pdf = Path(tmp) / f"{renderer}.pdf"
            times = [time_once(renderer, html, pdf) for _ in range(args.repeats)]
            pages = len(PdfReader(pdf).pages)
            size = f"{pdf.stat().st_size / 1e3:,.0f}".replace(",", " ")
            print(f"  {renderer:<11} {statistics.median(times):6.2f} s  (min {min(times):.2f}, max {max(times):.2f})"
                  f"  {pages} sidor  {size} kB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
