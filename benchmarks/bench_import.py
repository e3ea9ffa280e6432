"""Benchmark: import and validate 1 000 000 intervention rows from a ;-separated Windows-1252 CSV.

Writes a synthetic export (valid personnummer, decimal commas, Swedish headers and a few faulty rows) to a
temporary folder, imports it with `importing.import_file` and prints rows/s and peak memory.
Target on a 2-core machine: under 30 s and under 2 GiB.

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--persons 200000]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.collect.importing import import_file
from helpers.collect.mapping import Mapping, TableMapping
from peak_memory import peak_mib

TYPES = np.array(["HVB", "familjehem", "Öppenvård", "behandling_missbruk", "boendestod"])
UNITS = np.array(["Barn och unga", "Vuxna – missbruk och beroende", "Ekonomiskt bistånd"])


def personnummer(rng: np.random.Generator, n: int) -> np.ndarray:
    """n valid ten-digit personnummer YYMMDD-NNNC (Luhn check digit computed with numpy)."""
    born = pd.Timestamp("1940-01-01") + pd.to_timedelta(rng.integers(0, 365 * 80, n), unit="D")
    digits = np.stack([born.year % 100 // 10, born.year % 10, born.month // 10, born.month % 10,
                       born.day // 10, born.day % 10], axis=1)
    serial = rng.integers(1, 1000, n)
    digits = np.concatenate([digits, np.stack([serial // 100, serial // 10 % 10, serial % 10], axis=1)], axis=1)
    products = digits * np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
    check = (10 - (products // 10 + products % 10).sum(axis=1) % 10) % 10
    text = ["".join(map(str, d[:6])) + "-" + "".join(map(str, d[6:])) + str(c) for d, c in zip(digits, check)]
    return np.array(text)


def write_export(path: Path, rows: int, persons: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    people = personnummer(rng, persons)
    chunk = 200_000
    with open(path, "w", encoding="cp1252", newline="") as fh:
        fh.write("Personnummer;Namn;Insatsnummer;Enhet;Insatstyp;Startdatum;Slutdatum;Planerad dos\r\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            who = people[rng.integers(0, persons, n)]
            begin = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
            end = begin + pd.to_timedelta(rng.integers(10, 400, n), unit="D")
            end_text = np.where(end <= pd.Timestamp("2025-12-31"), end.strftime("%Y-%m-%d"), "")
            dose = np.char.replace((rng.integers(0, 400, n) / 4).astype(str), ".", ",")
            ids = np.char.add("I", np.arange(start, start + n).astype(str))
            frame = pd.DataFrame({"p": who, "namn": "Åsa Öberg", "id": ids, "u": UNITS[rng.integers(0, 3, n)],
                                  "t": TYPES[rng.integers(0, len(TYPES), n)], "s": begin.strftime("%Y-%m-%d"),
                                  "e": end_text, "d": dose})
            if start == 0:  # a few faults: bad check digit, impossible date, out of range, unknown code
                frame.loc[1, "p"] = frame.loc[1, "p"][:-1] + str((int(frame.loc[1, "p"][-1]) + 1) % 10)
                frame.loc[2, "s"] = "2025-02-30"
                frame.loc[3, "d"] = "-5"
                frame.loc[4, "t"] = "okänd"
            frame.to_csv(fh, sep=";", header=False, index=False, lineterminator="\r\n")


MAPPING = Mapping("Benchmark-export", None, {"interventions": TableMapping(
    "interventions",
    {"Personnummer": "personnummer", "Insatsnummer": "intervention_id", "Enhet": "unit", "Insatstyp": "type",
     "Startdatum": "start", "Slutdatum": "end", "Planerad dos": "planned_sessions"},
    {"type": {"Öppenvård": "oppenvard"}})}, encoding="cp1252", delimiter=";")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--persons", type=int, default=200_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "insatser.csv"
        t0 = time.perf_counter()
        write_export(src, args.rows, args.persons)
        print(f"Skapade {src.stat().st_size / 1e6:.0f} MB ({args.rows} rader) på {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        result = import_file("interventions", src, "2025", mapping=MAPPING, data_dir=tmp, write=True)
        secs = time.perf_counter() - t0
    peak = peak_mib() / 1024  # GiB
    print(f"Import och validering: {secs:.1f} s, {result.rows_in / secs:,.0f} rader/s".replace(",", " "))
    print(f"Rader in {result.rows_in}, godkända {result.accepted_rows}, avvisade {len(result.rejected)}: "
          f"{result.reasons}")
    print(f"Högsta minnesanvändning (hela processen): {peak:.2f} GiB")


if __name__ == "__main__":
    main()
