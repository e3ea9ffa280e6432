"""Benchmark: draw and save every report's figures (the whole organisation and each unit) for one period.

    .venv/bin/python benchmarks/bench_figures.py [--period 2025] [--data-dir data] [--repeat 2]

Reads the period's publication (``reports/<period>/publikation``, written by `uppfoljning run`); without one it
computes the period's cells from ``data/processed`` with primary suppression only (the figures cost the same).
Prints wall and CPU seconds per report and in total. Target: a unit report's figures well inside its ~2 s budget.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from helpers.analysis import figure_specs
from helpers.analysis.comparisons import glossary
from helpers.config import PROJECT_ROOT, load_config


def publication(period: str, data_dir: str, config):
    from helpers.publication.views import NOT_APPLICABLE, PUBLISHED, SUPPRESSED, Publication, published_numbers
    folder = PROJECT_ROOT / "reports" / period / "publikation"
    if folder.is_dir():
        from helpers.publication.store import load_publication
        return load_publication(folder, config, period)
    from helpers.publication.compute import compute_cells
    from helpers.publication.primary import PRIMARY, primary_mask
    cells = compute_cells(period, data_dir, config)
    cells = cells.assign(status=np.where(cells["applicable"], PUBLISHED, NOT_APPLICABLE), reason="")
    hidden = primary_mask(cells, config.min_cell, config.min_group) & cells["applicable"]
    cells.loc[hidden, ["status", "reason"]] = [SUPPRESSED, PRIMARY]
    return Publication(published_numbers(cells), config, period)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2025")
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--config", default=None)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    config = load_config(args.config)
    pub = publication(args.period, args.data_dir, config)
    scopes = [None, *config.units]
    tables = {scope: pub.tables(scope) for scope in scopes}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.repeat):
            total_wall = total_cpu = figures = 0
            for scope in scopes:
                wall, cpu = time.perf_counter(), time.process_time()
                goals = figure_specs.config_goals(config, scope)
                entries = figure_specs.build(tables[scope], glossary(), args.period, Path(tmp) / str(scope),
                                             config.units, config.min_cell, config=config, goals=goals)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                total_wall, total_cpu, figures = total_wall + wall, total_cpu + cpu, figures + len(entries)
                print(f"run {run + 1}  {config.unit_name(scope):32s} {len(entries):2d} figurer  "
                      f"{wall:5.2f} s ({cpu:5.2f} s cpu)")
            print(f"run {run + 1}  totalt {figures} figurer: {total_wall:.2f} s ({total_cpu:.2f} s cpu)")


if __name__ == "__main__":
    main()
