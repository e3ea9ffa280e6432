"""The `uppfoljning sample` command: draw the plan's sample and write the registration templates."""
from __future__ import annotations

import sys
from pathlib import Path

from ..config import ConfigError
from ..params import ParameterError, validate
from .methods import margin_text
from .registration import write_templates
from .sampling import (SamplingError, draw_sample, expected_shortfall, import_population, load_population,
                       representativeness, representativeness_tests, sample_size, sample_size_table,
                       write_planning, write_sample_list)
from .spec import PlanError, check_plan, load_plan, plan_summary

def cli_sample(args) -> int:
    """`uppfoljning sample --plan PLAN --period P [--method M] [--seed S] [--config C] [--data-dir D]`."""
    def fail(message: str) -> int:
        print(f"Fel: {message}", file=sys.stderr)
        return 2

    try:
        run = validate(args.period, args.config, args.data_dir, getattr(args, "output_dir", None))
        plan = load_plan(args.plan, run.config)
    except (ConfigError, ParameterError, PlanError) as exc:
        return fail(str(exc))
    problems = check_plan(plan, run.config)
    if problems:
        return fail("planen kan inte användas:\n  " + "\n  ".join(problems))
    method = args.method or plan.method
    params = plan.method_params if method == plan.method else {}
    seed = plan.seed if args.seed is None else args.seed
    pop = load_population(run.paths, run.period, plan)
    if pop.empty:
        import_population(run.period, run.config, run.paths.data_dir)
        pop = load_population(run.paths, run.period, plan)
    if pop.empty:
        return fail(f"inga ärenden aktualiserade under {run.period} i {run.paths.processed}. "
                    "Importera klienter och ärenden först (uppfoljning import).")
    notes = []
    if method in ("slumpmassigt", "stratifierat") and "n" not in params:
        params = {**params, "n": sample_size(len(pop), plan.margin, plan.expected_share)}
        notes.append(f"n saknas i planen: urvalet får det antal som behövs för felmarginalen, n = {params['n']}.")
    try:
        result = draw_sample(pop, method, params, seed)
    except SamplingError as exc:
        return fail(str(exc))
    sizes = sample_size_table(pop, result, plan.margin, plan.expected_share, run.config.units)
    table = representativeness(pop, result.sample, config=run.config)
    tests = representativeness_tests(table)
    prev = str(int(run.period) - 1)
    shortfall = expected_shortfall(run.paths.processed_for(prev), prev, plan.units)
    explicit = getattr(args, "output_dir", None)
    planning_dir = (Path(explicit) if explicit else run.paths.processed) / "planering"  # internal, no pseudonyms
    written = write_sample_list(result, run.paths.sample)
    written += write_templates(plan, result.sample, run.paths.sample, run.period)
    written += write_planning(planning_dir, plan_summary(plan), sizes, table, tests, result,
                              len(pop), shortfall)
    print(f"Urval för {run.config.municipality} {run.period}: {result.label} (slumpfrö {result.seed}).")
    print(f"Population: {len(pop)} aktualiseringar. Urval: {len(result.sample)} aktualiseringar, "
          f"{result.sample['client_id'].nunique()} klienter.")
    for w in notes + result.warnings:
        print(f"Obs! {w}")
    total = sizes.iloc[-1]
    print(f"Behövs för en felmarginal på {margin_text(plan.margin)}: {total['Behövs']} "
          f"(urvalet: {total['Urval']}).")
    for verdict in tests["Bedömning"]:
        print(f"- {verdict}")
    print(shortfall["text"])
    print("Skrivna filer:")
    for p in written:
        print(f"  {p}")
    return 0
