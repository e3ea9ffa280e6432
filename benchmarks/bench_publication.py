"""Building, protecting and auditing one period's publication at 5 000 and 50 000 clients a year.

For each size a fresh process generates the demo municipality, imports both periods and then times the
publication's parts: computing every cell of every scope, the relations, protection + audit (the target is under
5 s at 5 000 clients a year on a 2-core machine, and less than 4× that at 50 000), an outsider's audit of the
written files, and writing them. It prints cells, primary and secondary suppressions, seconds (wall and CPU)
and peak memory.

    python benchmarks/bench_publication.py [--sizes 5000 50000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peak_memory import peak_mib

ROOT = Path(__file__).resolve().parents[1]


def measure(clients: int, folder: Path) -> dict:
    """Runs in its own process: demo data, import, then the timed publication."""
    from helpers.collect.importing import import_sources
    from helpers.config import load_config
    from helpers.demo.command import generate
    from helpers.publication import publish
    from helpers.publication.command import audit_published
    from helpers.publication.compute import compute_cells
    from helpers.publication.relations import build_model

    cfg = load_config(None)
    data = folder / "data"
    generate(data, ["2024", "2025"], clients, 20251)
    for period in ("2024", "2025"):
        import_sources(period, cfg, data)
    out: dict = {"klienter": clients}
    t, c = time.perf_counter(), time.process_time()
    cells = compute_cells("2025", data, cfg)
    out["beräkna_s"], out["beräkna_cpu"] = time.perf_counter() - t, time.process_time() - c
    t = time.perf_counter()
    build_model(cells.assign(status="publicerad", reason=""))
    out["samband_s"] = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    built = publish.build("2025", data, cfg)
    out["hela_bygget_s"], out["hela_bygget_cpu"] = time.perf_counter() - t, time.process_time() - c
    out["skydd_och_granskning_s"] = built.seconds["skydda_och_granska"]
    summary = built.summary()
    out.update({k: summary[k] for k in ("celler", "primära", "sekundära", "undertryckta")})
    t = time.perf_counter()
    publish.write(built, "2025", folder / "reports" / "2025", data, cfg)
    out["skriva_s"] = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    outsider = audit_published(folder / "reports", "2025", cfg)
    out["utomstående_granskning_s"], out["utomstående_granskning_cpu"] = time.perf_counter() - t, time.process_time() - c
    out["granskning"] = outsider.summary()
    out["topp_minne_mib"] = peak_mib()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[5000, 50000])
    parser.add_argument("--keep", default=None, help="folder to keep the generated data in")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--folder", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, Path(args.folder)), ensure_ascii=False))
        return
    rows = []
    for size in args.sizes:
        folder = Path(args.keep) / str(size) if args.keep else Path(tempfile.mkdtemp(prefix=f"pub{size}-"))
        folder.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([sys.executable, __file__, "--one", str(size), "--folder", str(folder)],
                              capture_output=True, text=True, cwd=ROOT)
        if proc.returncode:
            print(proc.stderr[-2000:])
            sys.exit(1)
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    keys = ["klienter", "celler", "primära", "sekundära", "undertryckta", "beräkna_s", "samband_s",
            "skydd_och_granskning_s", "hela_bygget_s", "hela_bygget_cpu", "skriva_s", "utomstående_granskning_s",
            "topp_minne_mib"]
    print(" | ".join(keys))
    for r in rows:
        print(" | ".join(f"{r[k]:.2f}" if isinstance(r[k], float) else str(r[k]) for k in keys))
    for r in rows:
        print(f"{r['klienter']}: {r['granskning']}")
    if len(rows) == 2:
        ratio = rows[1]["skydd_och_granskning_s"] / max(rows[0]["skydd_och_granskning_s"], 1e-9)
        print(f"Skydd och granskning, {rows[1]['klienter']} mot {rows[0]['klienter']} klienter: {ratio:.1f} gånger så lång tid")


if __name__ == "__main__":
    main()
