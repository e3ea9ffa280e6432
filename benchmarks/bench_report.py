"""Benchmark: the runner against the route a user takes without it, on the same notebooks and demo data.

Side by side, in this one process tree (medians of --repeats runs):

1. One whole-organisation report, HTML + PDF:
   - the runner: `uppfoljning run --force` as a user starts it (two workers: one runs the notebooks in a warm
     kernel and renders the report, the other renders the annex as soon as the publication is written);
   - the naive route: the papermill CLI per notebook, `jupyter nbconvert --to html --no-input` with the
     project's template, and the WeasyPrint CLI.
   Both with their ratio, and where the time goes: per step; kernel start, imports, cells, HTML and PDF.
2. The organisation plus 3 units with 2 workers, and the extra cost of each unit.
3. 5 000 against 50 000 clients a year (the runner, whole organisation): as above, the earlier year imported but
   not published, so every run computes its cells too (a municipality's first year with the tool); and, for
   comparison, the same with the earlier year published (every later year: its cells are taken from its
   publication). The target is judged on the first.
4. Peak memory of the runs' process trees (runner, workers, kernels) during the runs.
With each run, the CPU time of its processes: on 2 cores a run cannot take less than half of it, which shows
how much of a target is a matter of CPU and how much of scheduling. First, how much the machine's second core adds
(a shared host may give less than a whole one); with each range of rounds, the share of the machine's time its host
took meanwhile (steal, on Linux), which slows every run alike.

Targets on a 2-core machine: (1) at least 4x faster than the naive route, (2) under 17 s and at most 2 s per
extra unit, (3) 50 000 clients in less than 2x the time of 5 000, (4) under 2 GiB.

    .venv/bin/python benchmarks/bench_report.py [--clients 5000] [--large 50000] [--repeats 3]
                                                [--work-dir DIR] [--skip-naive] [--skip-large]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONFIG = ROOT / "config" / "exempelkommun.yml"
NOTEBOOKS = ROOT / "notebooks"
STEPS = ("01_planera", "02_fore_insats", "03_under_insats", "04_efter_insats", "05_sammanstall", "06_analysera",
         "07_kvalitetsredovisning")
PERIOD = "2025"
UNITS = ("barn_unga", "vuxna_missbruk", "ekonomiskt_bistand")
CORES = 2  # the targets are for a 2-core machine


def sv(x: float, d: int = 1) -> str:
    return f"{x:.{d}f}".replace(".", ",")


def host_ticks() -> tuple[int, int] | None:
    """(stolen, all) clock ticks of the machine so far, from Linux's /proc/stat (None elsewhere): the hypervisor of
    a shared host takes "steal" time from the machine, which slows every run alike whatever its code."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            ticks = [int(x) for x in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    return (ticks[7] if len(ticks) > 7 else 0), sum(ticks)


class Usage:
    """Samples the resident memory and the CPU time of this process's descendants (the runs: runner, workers,
    kernels, or the naive route's processes), not of this process itself; keeps the peak memory and each process's
    CPU seconds as last seen (a process that ends between two samples loses at most one interval's CPU)."""

    def __init__(self, every: float = 0.1):
        self.every, self.peak, self._stop, self.stolen = every, 0, threading.Event(), None
        self._cpu: dict[tuple[int, float], float] = {}  # (pid, start time) -> CPU seconds
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu(self) -> float:
        return sum(self._cpu.values())

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in me.children(recursive=True):
                try:
                    total += p.memory_info().rss
                    times = p.cpu_times()
                    self._cpu[p.pid, p.create_time()] = times.user + times.system
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self):
        self._ticks = host_ticks()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        before, after = self._ticks, host_ticks()
        self.stolen = None if before is None or after is None or after[1] <= before[1] else \
            (after[0] - before[0]) / (after[1] - before[1])


def run(cmd, **kw) -> float:
    started = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise SystemExit(f"Misslyckades ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stdout[-2000:]}"
                         f"\n{proc.stderr[-2000:]}")
    return time.perf_counter() - started


def demo(folder: Path, clients: int) -> Path:
    if not (folder / "raw" / PERIOD / "arenden.csv").exists():
        print(f"Skapar demodata för {clients} klienter i {folder} …", flush=True)
        run([sys.executable, "-m", "helpers.cli", "demo", "--clients", clients, "--data-dir", folder])
    return folder


def earlier_published(data: Path, work: Path) -> Path:
    """A copy of ``data`` where the earlier year is published too, as it is from a municipality's second year on."""
    copy = data.with_name(data.name + "-foregaende-publicerat")
    earlier = str(int(PERIOD) - 1)
    if not (copy / "processed" / earlier / "publikation").is_dir():
        print(f"Publicerar {earlier} i en kopia av {data.name} …", flush=True)
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(data, copy)
        runner(copy, work / "foregaende" / copy.name / earlier, period=earlier)
    return copy


def runner(data: Path, out: Path, units=(), workers=2, period: str = PERIOD) -> float:
    cmd = [sys.executable, "-m", "helpers.cli", "run", "--period", period, "--data-dir", data, "--output-dir", out,
           "--force", "--formats", "html,pdf", "--workers", workers]
    for u in units:
        cmd += ["--unit", u]
    return run(cmd)


def naive(data: Path, out: Path) -> dict[str, float]:
    """The notebooks the way a user runs them without the runner: one CLI process per notebook and step."""
    audit = out / "notebooks"
    audit.mkdir(parents=True, exist_ok=True)
    times = {}
    for step in STEPS:
        times[step] = run([BIN / "papermill", NOTEBOOKS / f"{step}.ipynb", audit / f"{step}.ipynb",
                           "-r", "period", PERIOD, "-r", "config", CONFIG, "-r", "data_dir", data,
                           "-r", "output_dir", out, "--cwd", NOTEBOOKS, "--no-progress-bar"])
    times["HTML"] = run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input",
                         "--template", "kvalitetsredovisning",
                         f"--TemplateExporter.extra_template_basedirs={ROOT / 'templates'}",
                         "--HTMLExporter.language_code=sv", "--HTMLExporter.exclude_anchor_links=True",
                         audit / f"{STEPS[-1]}.ipynb", "--output-dir", out, "--output", "kvalitetsredovisning"])
    times["PDF"] = run([BIN / "weasyprint", "-q", "--pdf-variant", "pdf/ua-1", out / "kvalitetsredovisning.html",
                        out / "kvalitetsredovisning.pdf"])
    return times


def render_split(executed: Path) -> tuple[float, float, float, float]:
    """HTML (first call, later call), PDF and the report checks (totals, privacy) in this process."""
    from helpers.report.checks import check_report
    from helpers.report.reconcile import assert_reconciled
    from helpers.report.render import html_to_pdf, notebook_to_html

    t0 = time.perf_counter()
    notebook_to_html(executed)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    html = notebook_to_html(executed)
    later = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        html_to_pdf(html, Path(tmp) / "r.pdf")
        pdf = time.perf_counter() - t0
        (Path(tmp) / "r.html").write_text(html, encoding="utf-8")
        t0 = time.perf_counter()
        assert_reconciled(html)
        for name in ("r.html", "r.pdf"):
            check_report(Path(tmp) / name, 5)
        checks = time.perf_counter() - t0
    return first, later, pdf, checks


def journal(out: Path) -> dict:
    return json.loads((out / "notebooks" / "korning.json").read_text(encoding="utf-8"))


@dataclass
class Timed:
    seconds: float  # the median wall time
    runs: list      # each round's result
    peak: int       # the highest memory of the runs' processes, in bytes
    cpu: float      # the median CPU seconds of the runs' processes
    walls: list     # each round's wall time
    stolen: list = field(default_factory=list)  # each round's share of the machine's time its host took (steal)

    @property
    def spread(self) -> str:
        """The rounds' range: on a shared machine the same run varies by seconds, and a median alone hides it;
        with the share of the machine's time the host took meanwhile, where the system tells it."""
        out = f"{sv(min(self.walls))}–{sv(max(self.walls))} s" if len(self.walls) > 1 else "en omgång"
        stolen = [x for x in self.stolen if x is not None]
        if stolen:
            out += (f"; värden tog {sv(100 * min(stolen), 0)}–{sv(100 * max(stolen), 0)} % av maskinens tid"
                    if len(stolen) > 1 else f"; värden tog {sv(100 * stolen[0], 0)} % av maskinens tid")
        return out


def median_runs(n: int, *fns) -> list[Timed]:
    """Each function's median time and CPU time, its results and peak memory over ``n`` rounds. With several
    functions, each round runs them one after the other (every other round in the reverse order), so a machine whose
    speed drifts (a shared host) slows them alike."""
    results, peaks, cpus, stolen = [[] for _ in fns], [[] for _ in fns], [[] for _ in fns], [[] for _ in fns]
    for round_ in range(n):
        order = list(enumerate(fns))
        for i, fn in (order if round_ % 2 == 0 else order[::-1]):
            with Usage() as usage:
                results[i].append(fn())
            peaks[i].append(usage.peak)
            cpus[i].append(usage.cpu)
            stolen[i].append(usage.stolen)
    out = []
    for rs, ps, cs, st in zip(results, peaks, cpus, stolen):
        total = [r if isinstance(r, float) else sum(r.values()) for r in rs]
        out.append(Timed(statistics.median(total), rs, max(ps), statistics.median(cs), total, st))
    return out


def paired(a: Timed, b: Timed) -> str:
    """The ratio a/b round by round (the two runs of a round side by side, on the same state of the machine): its
    median and range. On a host whose speed swings within minutes (the same run 6 s in one section, 14 s in the
    next), this is the steadier measure; the ratio of the medians mixes rounds from different states."""
    ratios = [x / y for x, y in zip(a.walls, b.walls)]
    return (f"median {sv(statistics.median(ratios), 2)}"
            + (f" ({sv(min(ratios), 2)}–{sv(max(ratios), 2)})" if len(ratios) > 1 else ""))


def _spin(loops: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(loops):
        total += i
    return time.perf_counter() - started


def two_cores(loops: int = 10_000_000) -> tuple[float, float]:
    """(seconds for a fixed piece of Python work alone, seconds for each of two copies of it side by side): how much
    a second core adds on this machine (a shared host may give less than a whole core; the targets assume two)."""
    import multiprocessing

    alone = _spin(loops)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        together = max(pool.map(_spin, [loops, loops]))
    return alone, together


def machine_line(alone: float, together: float) -> str:
    return (f"Maskinen: samma Python-arbete tar {sv(alone, 2)} s ensamt och {sv(together, 2)} s när två körs "
            f"samtidigt: två kärnor räcker till {sv(2 * alone / together, 2)} gånger så mycket som en.")


def cpu_line(cpu: float, wall: float) -> str:
    """CPU seconds against the wall time: on 2 cores the run cannot take less than half its CPU time."""
    return (f"CPU-tid {sv(cpu)} s på {sv(wall)} s ({sv(cpu / wall, 2)} kärnor i snitt; "
            f"på {CORES} kärnor tar den minst {sv(cpu / CORES)} s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=5000)
    ap.add_argument("--large", type=int, default=50000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--work-dir", default=None, help="Folder for demo data and outputs (kept; reused next time)")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--skip-large", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="bench-report-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    data = demo(work / f"data-{args.clients}", args.clients)
    print(machine_line(*two_cores()), flush=True)
    print(f"Förbereder (tidigare period importeras, en körning som inte räknas) i {work} …", flush=True)
    runner(data, work / "uppvarmning" / PERIOD)
    peak = 0

    runner_out = work / "korare" / PERIOD
    timed = median_runs(args.repeats, lambda: runner(data, runner_out),
                        *([] if args.skip_naive else [lambda: naive(data, work / "naiv" / PERIOD)]))
    first, *naive_timed = timed
    t_runner, runner_runs, peak = first.seconds, first.runs, max(peak, first.peak)
    log = journal(runner_out)
    html_first, html_later, pdf, checks = render_split(runner_out / "notebooks" / f"{STEPS[-1]}.ipynb")

    print(f"\n1. En rapport för hela verksamheten (HTML + PDF), {args.clients} klienter, median av {args.repeats}"
          + ("" if args.skip_naive else " (körverktyget och den naiva vägen turvis)"))
    if not args.skip_naive:
        t_naive, naive_runs, peak = naive_timed[0].seconds, naive_timed[0].runs, max(peak, naive_timed[0].peak)
        print(f"   naiv väg (papermill-CLI per notebook, nbconvert-CLI, WeasyPrint-CLI): {sv(t_naive)} s "
              f"(omgångarna {naive_timed[0].spread})")
        print(f"   körverktyget (uppfoljning run):                                    {sv(t_runner)} s "
              f"(omgångarna {first.spread})")
        print(f"   kvot: {sv(t_naive / t_runner, 2)}x snabbare (mål: minst 4x); omgång för omgång: "
              f"{paired(naive_timed[0], first)}")
        print(f"   körverktyget: {cpu_line(first.cpu, t_runner)}")
    else:
        naive_runs = []
        print(f"   körverktyget (uppfoljning run): {sv(t_runner)} s (omgångarna {first.spread})")
        print(f"   {cpu_line(first.cpu, t_runner)}")

    steps = {s["steg"]: s for s in log["steg"]}
    cells = sum(s.get("celler") or 0 for s in log["steg"])
    waited = sum(s.get("vantade_pa_karnan") or 0 for s in log["steg"])
    notebooks = sum(steps[s].get("sekunder", 0) for s in STEPS if s in steps)
    rendering = steps.get("rendering", {}).get("sekunder", 0)
    print("\n   Var tiden går, per steg (sekunder: körverktyget | varav celler | naiv väg):")
    for step in STEPS:
        s = steps.get(step, {})
        naive_t = statistics.median(r[step] for r in naive_runs) if naive_runs else float("nan")
        print(f"     {step:<26} {sv(s.get('sekunder', 0)):>6} | {sv(s.get('celler') or 0):>6} | {sv(naive_t):>6}")
    naive_html = statistics.median(r["HTML"] for r in naive_runs) if naive_runs else float("nan")
    naive_pdf = statistics.median(r["PDF"] for r in naive_runs) if naive_runs else float("nan")
    print(f"     {'rendering (HTML + PDF)':<26} {sv(rendering):>6} |        | {sv(naive_html + naive_pdf):>6}")
    if "bilaga" in steps:
        print(f"     {'bilagan (parallellt)':<26} {sv(steps['bilaga'].get('sekunder', 0)):>6} |        |")
    tider = log.get("tider", {})
    print(f"\n   Var tiden går, efter slag (körverktyget, senaste körningen, {sv(runner_runs[-1])} s):")
    print(f"     kärnstart {sv(tider.get('karnstart', 0))} s och förimporter {sv(tider.get('importer', 0))} s "
          f"(parallellt med körprocessens start; notebookarna väntade {sv(waited)} s på kärnan)")
    print(f"     celler {sv(cells)} s, notebook-hantering (papermill, nbclient, återställning) "
          f"{sv(max(0.0, notebooks - cells - waited))} s")
    print(f"     HTML {sv(html_later, 2)} s (första gången i en process {sv(html_first, 2)} s), PDF {sv(pdf)} s, "
          f"kontroller av rapporten (summor, integritet; den naiva vägen gör inga) {sv(checks)} s")
    print(f"     övrigt (Python-start, arbetsprocesser, kontrollsummor, översikten): "
          f"{sv(runner_runs[-1] - notebooks - rendering)} s")

    print(f"\n2. Hela verksamheten och {len(UNITS)} enheter med 2 arbetsprocesser, median av {args.repeats} "
          "(turvis med hela verksamheten ensam)")
    units, org = median_runs(
        args.repeats, lambda: runner(data, work / "enheter" / PERIOD, UNITS, workers=2), lambda: runner(data, runner_out))
    t_units, t_org, peak = units.seconds, org.seconds, max(peak, units.peak)
    print(f"   {sv(t_units)} s (mål: under 17 s); hela verksamheten ensam {sv(t_org)} s; per extra enhet "
          f"{sv((t_units - t_org) / len(UNITS))} s (mål: högst 2 s)")
    print(f"   omgångarna: med enheterna {units.spread}, hela verksamheten ensam {org.spread}")
    print(f"   med enheterna: {cpu_line(units.cpu, t_units)}; hela verksamheten ensam: CPU-tid {sv(org.cpu)} s")
    extra = (units.cpu - org.cpu) / len(UNITS)
    print(f"   en extra enhet kostar {sv(extra)} s CPU-tid: på {CORES} kärnor minst {sv(extra / CORES)} s")
    own = [journal(work / "enheter" / PERIOD / "enheter" / u) for u in UNITS]
    per_unit = statistics.median(sum(s.get("sekunder", 0) for s in j["steg"]) for j in own)
    print(f"   en enhets egna steg (07 och rendering med bilagan), i en arbetsprocess: {sv(per_unit)} s")

    if not args.skip_large:
        print(f"\n3. {args.large} mot {args.clients} klienter om året (hela verksamheten), median av {args.repeats} "
              "(turvis)")
        large = demo(work / f"data-{args.large}", args.large)
        runner(large, work / "uppvarmning-stor" / PERIOD)
        big, small = median_runs(
            args.repeats, lambda: runner(large, work / "stor" / PERIOD), lambda: runner(data, runner_out))
        t_large, t_small, peak = big.seconds, small.seconds, max(peak, big.peak)
        print(f"   {args.clients}: {sv(t_small)} s, {args.large}: {sv(t_large)} s, kvot {sv(t_large / t_small, 2)} "
              f"(mål: under 2); omgång för omgång: {paired(big, small)}")
        print(f"   omgångarna: {args.large} {big.spread}, {args.clients} {small.spread}")
        print(f"   {args.large}: {cpu_line(big.cpu, t_large)}; {args.clients}: CPU-tid {sv(small.cpu)} s")
        later_large, later_small = earlier_published(large, work), earlier_published(data, work)
        big2, small2 = median_runs(
            args.repeats, lambda: runner(later_large, work / "stor-ar2" / PERIOD),
            lambda: runner(later_small, work / "korare-ar2" / PERIOD))
        peak = max(peak, big2.peak)
        print(f"   som jämförelse, med föregående år publicerat (varje år efter det första): {args.clients}: "
              f"{sv(small2.seconds)} s, {args.large}: {sv(big2.seconds)} s, "
              f"kvot {sv(big2.seconds / small2.seconds, 2)}; omgång för omgång: {paired(big2, small2)}")
        print(f"   CPU-tid där: {args.large} {sv(big2.cpu)} s, {args.clients} {sv(small2.cpu)} s")

    print(f"\n4. Största minnesanvändning för körningarnas processträd (körverktyget, arbetsprocesser, kärnor): "
          f"{sv(peak / 2**30, 2)} GiB (mål: under 2 GiB)")
    print(f"\nUtdata och demodata: {work}")


if __name__ == "__main__":
    main()
