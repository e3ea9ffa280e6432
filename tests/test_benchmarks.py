"""The benchmarks run on Windows too: peak memory without the POSIX-only `resource` module."""
import sys
from pathlib import Path
from types import SimpleNamespace

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from peak_memory import peak_mib  # noqa: E402


def test_peak_memory_on_linux_is_the_processes_own():
    assert 1 < peak_mib() < 64 * 1024


def test_peak_memory_without_resource_reads_the_peak_working_set(monkeypatch):
    process = SimpleNamespace(memory_info=lambda: SimpleNamespace(peak_wset=3 * 1024 ** 2))
    monkeypatch.setitem(sys.modules, "resource", None)  # as on Windows: import resource raises ImportError
    monkeypatch.setitem(sys.modules, "psutil", SimpleNamespace(Process=lambda: process))
    assert peak_mib() == 3.0


def test_no_benchmark_imports_resource_itself():
    for script in BENCHMARKS.glob("*.py"):
        if script.name != "peak_memory.py":
            assert "import resource" not in script.read_text(encoding="utf-8"), script.name


def test_the_report_benchmark_shows_the_range_of_its_rounds_beside_the_median():
    from bench_report import Timed

    rounds = [20.9, 18.4, 26.7]
    assert Timed(20.9, rounds, 0, 30.0, rounds).spread == "18,4–26,7 s"
    assert Timed(20.9, [20.9], 0, 30.0, [20.9]).spread == "en omgång"


def test_the_report_benchmark_compares_two_runs_round_by_round_in_alternating_order():
    from bench_report import Timed, median_runs, paired

    big, small = Timed(0, [], 0, 0, [20.0, 36.0, 18.0]), Timed(0, [], 0, 0, [10.0, 12.0, 9.0])
    assert paired(big, small) == "median 2,00 (2,00–3,00)"
    calls = []
    median_runs(3, lambda: calls.append("a") or 1.0, lambda: calls.append("b") or 1.0)
    assert calls == ["a", "b", "b", "a", "a", "b"]


def test_the_report_benchmark_measures_what_a_second_core_adds():
    from bench_report import machine_line, two_cores

    alone, together = two_cores(loops=200_000)
    assert 0 < alone < 5 and 0 < together < 5
    assert machine_line(1.0, 1.25) == ("Maskinen: samma Python-arbete tar 1,00 s ensamt och 1,25 s när två körs "
                                       "samtidigt: två kärnor räcker till 1,60 gånger så mycket som en.")


def test_the_report_benchmark_publishes_the_earlier_year_in_a_copy_once(tmp_path, monkeypatch):
    import bench_report

    data = tmp_path / "data-5000"
    (data / "raw" / "2025").mkdir(parents=True)
    (data / "raw" / "2025" / "arenden.csv").write_text("x", encoding="utf-8")
    runs = []

    def fake_runner(folder, out, units=(), workers=2, period="2025"):
        runs.append((folder.name, period))
        (folder / "processed" / period / "publikation").mkdir(parents=True)
        return 1.0
    monkeypatch.setattr(bench_report, "runner", fake_runner)
    copy = bench_report.earlier_published(data, tmp_path)
    assert copy != data and (copy / "raw" / "2025" / "arenden.csv").exists()
    assert runs == [(copy.name, "2024")] and not (data / "processed").exists()  # the first-year data as it was
    assert bench_report.earlier_published(data, tmp_path) == copy and len(runs) == 1  # reused next time


def test_the_report_benchmark_says_how_much_of_the_machines_time_its_host_took(monkeypatch):
    import bench_report
    from bench_report import Timed, Usage

    ticks = iter([(100, 1000), (150, 2000)])
    monkeypatch.setattr(bench_report, "host_ticks", lambda: next(ticks))
    with Usage(every=0.01) as usage:
        pass
    assert usage.stolen == 0.05
    assert Timed(7.0, [], 0, 9.0, [7.1, 11.7], [0.05, 0.124]).spread == \
        "7,1–11,7 s; värden tog 5–12 % av maskinens tid"
    assert Timed(7.0, [], 0, 9.0, [7.1], [None]).spread == "en omgång"  # no /proc/stat: nothing said
    monkeypatch.undo()
    ticks = bench_report.host_ticks()  # this machine's own counters (None where there is no /proc/stat)
    assert ticks is None or 0 <= ticks[0] <= ticks[1]
