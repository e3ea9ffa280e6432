"""Benchmark: every indicator on synthetic processed tables with 1 000 000 interventions.

    .venv/bin/python benchmarks/bench_indicators.py [--interventions 1000000] [--keep DIR]

Generates the canonical tables directly (vectorised, seeded), writes them as Parquet under a temporary
data folder, then times loading and each indicator and prints the peak memory (ru_maxrss).
Target: under 20 s for all indicators and under 4 GiB peak on a 2-core machine.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.config import Config
from helpers.indicators import REGISTRY
from helpers.publication.build import _one_period
from helpers.indicators.context import PeriodData
from helpers.schema import ATTAINMENT, INSTRUMENTS, INTERVENTION_TYPES, SEXES, SURVEY_QUESTIONS
from helpers.tables import write_table
from peak_memory import peak_mib

PERIOD = "2025"
UNITS = ["barn_unga", "vuxna_missbruk", "ekonomiskt_bistand"]
END = pd.Timestamp(f"{PERIOD}-12-31")


def _ids(prefix: str, n: int) -> np.ndarray:
    return np.char.add(prefix, np.arange(n).astype(str))


def _dates(rng, n: int, first: str, last: str) -> pd.Series:
    a, b = pd.Timestamp(first), pd.Timestamp(last)
    return pd.Series(a + pd.to_timedelta(rng.integers(0, (b - a).days + 1, n), unit="D"))


def _after(rng, base: pd.Series, low: int, high: int) -> pd.Series:
    d = base + pd.to_timedelta(rng.integers(low, high, len(base)), unit="D")
    return d.where(d <= END)


def make_tables(n_interventions: int = 1_000_000, seed: int = 5) -> dict[str, pd.DataFrame]:
    """Synthetic canonical tables in proportion to `n_interventions` (about 0.3 clients per intervention)."""
    rng = np.random.default_rng(seed)
    n = n_interventions
    n_clients = max(10, int(n * 0.3))
    clients = pd.DataFrame({"client_id": _ids("K", n_clients), "birth_year": rng.integers(1940, 2024, n_clients),
                            "sex": rng.choice(SEXES[:2], n_clients)})
    n_cases = int(n_clients * 1.25)
    case_client = np.concatenate([np.arange(n_clients), rng.integers(0, n_clients, n_cases - n_clients)])
    opened = _dates(rng, n_cases, "2019-01-01", "2025-12-31")
    cases = pd.DataFrame({"case_id": _ids("A", n_cases), "client_id": clients["client_id"].to_numpy()[case_client],
                          "unit": rng.choice(UNITS, n_cases), "target_group": rng.choice(["barn", "unga", "vuxna"], n_cases),
                          "opened": opened})
    cases["closed"] = _after(rng, opened, 10, 900).where(rng.random(n_cases) < 0.6)
    ci = rng.integers(0, n_cases, n)
    start = _dates(rng, n, "2021-01-01", "2025-12-31")
    iv = pd.DataFrame({"intervention_id": _ids("I", n), "case_id": cases["case_id"].to_numpy()[ci],
                       "client_id": cases["client_id"].to_numpy()[ci], "unit": cases["unit"].to_numpy()[ci],
                       "type": rng.choice(INTERVENTION_TYPES, n), "provider": np.char.add("Utförare ", rng.integers(0, 60, n).astype(str)),
                       "provider_type": rng.choice(["intern", "extern"], n), "start": start})
    iv["end"] = _after(rng, start, 20, 900).where(rng.random(n) < 0.7)
    iv["end_reason"] = pd.Series(rng.choice(["planerad", "avbrott", "annan"], n)).where(iv["end"].notna())
    n_goals = int(n * 1.1)
    gi = rng.integers(0, n, n_goals)
    goals = pd.DataFrame({"goal_id": _ids("G", n_goals), "intervention_id": iv["intervention_id"].to_numpy()[gi],
                          "client_id": iv["client_id"].to_numpy()[gi],
                          "set_on": (start.to_numpy()[gi] + pd.to_timedelta(rng.integers(0, 30, n_goals), unit="D")),
                          "area": rng.choice(["boende", "arbete", "hälsa", "familj"], n_goals)})
    goals["set_on"] = goals["set_on"].clip(upper=END)
    n_fu = int(n * 2)
    fi = rng.integers(0, n_goals, n_fu)
    fu = pd.DataFrame({"goal_id": goals["goal_id"].to_numpy()[fi],
                       "date": (goals["set_on"].to_numpy()[fi] + pd.to_timedelta(rng.integers(30, 700, n_fu), unit="D")),
                       "attainment": rng.choice(ATTAINMENT, n_fu)})
    fu = fu[fu["date"] <= END].drop_duplicates(["goal_id", "date"])
    ended = iv.index[iv["end"].notna()].to_numpy()
    ei = rng.choice(ended, int(len(ended) * 0.4), replace=False)
    ev = pd.DataFrame({"intervention_id": iv["intervention_id"].to_numpy()[ei], "client_id": iv["client_id"].to_numpy()[ei],
                       "date": iv["end"].to_numpy()[ei], "rating": rng.integers(1, 11, len(ei))})
    ev["satisfied"] = pd.Series(rng.choice(["ja", "nej"], len(ei))).where(iv["type"].to_numpy()[ei] == "ekonomiskt_bistand")
    mi = rng.choice(n, int(n * 0.6), replace=False)
    instr = rng.choice(list(INSTRUMENTS), len(mi))
    before = pd.DataFrame({"client_id": iv["client_id"].to_numpy()[mi], "intervention_id": iv["intervention_id"].to_numpy()[mi],
                           "instrument": instr, "occasion": "fore", "date": start.to_numpy()[mi],
                           "score": rng.integers(1, 10, len(mi)).astype(float)})
    after = before.sample(frac=0.75, random_state=seed).assign(occasion="efter")
    after["date"] = after["date"] + pd.to_timedelta(rng.integers(60, 400, len(after)), unit="D")
    after["score"] = np.clip(after["score"] + rng.integers(-3, 3, len(after)), 1, 9)
    meas = pd.concat([before, after[after["date"] <= END]], ignore_index=True)
    meas.insert(0, "measurement_id", _ids("M", len(meas)))
    n_inv = int(n * 0.1)
    cl = rng.integers(0, n_clients, n_inv)
    received = _dates(rng, n_inv, "2024-01-01", "2025-12-31")
    inv = pd.DataFrame({"investigation_id": _ids("U", n_inv), "client_id": clients["client_id"].to_numpy()[cl],
                        "unit": "barn_unga", "report_received": received,
                        "pre_assessment_date": _after(rng, received, 0, 25)})
    inv["investigation_start"] = inv["pre_assessment_date"].where(rng.random(n_inv) < 0.5)
    inv["investigation_end"] = _after(rng, inv["investigation_start"].fillna(END), 30, 200)
    inv["extended"] = rng.random(n_inv) < 0.1
    n_pl = int(n * 0.05)
    pl_start = _dates(rng, n_pl, "2019-01-01", "2025-12-31")
    pl = pd.DataFrame({"placement_id": _ids("P", n_pl), "client_id": clients["client_id"].to_numpy()[rng.integers(0, n_clients, n_pl)],
                       "unit": "barn_unga", "form": rng.choice(["familjehem", "HVB", "jourhem"], n_pl),
                       "legal_basis": rng.choice(["SoL", "LVU2", "LVU3"], n_pl), "start": pl_start})
    pl["end"] = _after(rng, pl_start, 30, 1500).where(rng.random(n_pl) < 0.5)
    vi = rng.integers(0, n_pl, n_pl * 4)
    visits = pd.DataFrame({"placement_id": pl["placement_id"].to_numpy()[vi],
                           "date": _dates(rng, len(vi), "2024-01-01", "2025-12-31"),
                           "individual_talk": rng.random(len(vi)) < 0.7}).drop_duplicates(["placement_id", "date"])
    ri = rng.integers(0, n_pl, n_pl * 3)
    reviews = pd.DataFrame({"placement_id": pl["placement_id"].to_numpy()[ri],
                            "date": _dates(rng, len(ri), "2019-06-01", "2025-12-31"),
                            "type": np.where(pl["legal_basis"].to_numpy()[ri] == "LVU3", "omprovning", "overvagande")})
    reviews = reviews.drop_duplicates(["placement_id", "date", "type"])
    n_app = int(n * 0.1)
    contact = _dates(rng, n_app, "2024-06-01", "2025-12-31")
    apps = pd.DataFrame({"application_id": _ids("B", n_app), "client_id": clients["client_id"].to_numpy()[rng.integers(0, n_clients, n_app)],
                         "first_contact": contact, "decision_date": _after(rng, contact, 0, 40),
                         "decision": rng.choice(["bifall", "avslag"], n_app)})
    recip = rng.choice(n_clients, int(n * 0.15), replace=False)
    months = rng.integers(1, 13, len(recip))
    rows = np.repeat(recip, months)
    month_no = np.concatenate([rng.choice(12, m, replace=False) + 1 for m in months[:1]] or [[]])  # placeholder
    month_no = (rng.integers(0, 12, len(rows)) + 1)
    sm = pd.DataFrame({"client_id": clients["client_id"].to_numpy()[rows],
                       "month": np.char.add(f"{PERIOD}-", np.char.zfill(month_no.astype(str), 2)),
                       "amount": rng.integers(2000, 15000, len(rows)).astype(float)}).drop_duplicates(["client_id", "month"])
    n_resp = int(n * 0.015)
    sa = pd.DataFrame({"respondent_id": np.repeat(_ids("R", n_resp), len(SURVEY_QUESTIONS)),
                       "survey": "brukarenkat", "unit": np.repeat(rng.choice(UNITS, n_resp), len(SURVEY_QUESTIONS)),
                       "question_id": np.tile(SURVEY_QUESTIONS, n_resp),
                       "answer": rng.choice([1, 2, 3, 4, 5, 9], n_resp * len(SURVEY_QUESTIONS))})
    n_inc = max(10, int(n * 0.005))
    inc = pd.DataFrame({"incident_id": _ids("H", n_inc),
                        "type": rng.choice(["synpunkt", "klagomal", "lex_sarah", "lex_sarah_ivo", "ivo_tillsyn"], n_inc),
                        "date": _dates(rng, n_inc, "2025-01-01", "2025-12-31"),
                        "category": rng.choice(["bemötande", "handläggning", "information"], n_inc),
                        "unit": rng.choice(UNITS, n_inc)})
    return {"clients": clients, "cases": cases, "interventions": iv, "goals": goals, "goal_followups": fu,
            "evaluations": ev, "measurements": meas, "investigations": inv, "placements": pl,
            "placement_visits": visits, "placement_reviews": reviews, "support_applications": apps,
            "support_months": sm, "survey_answers": sa, "incidents": inc}


def peak_mib() -> float:
    return peak_mib()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--interventions", type=int, default=1_000_000)
    ap.add_argument("--keep", default=None, help="Write the synthetic data here instead of a temporary folder")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    tables = make_tables(args.interventions)
    with tempfile.TemporaryDirectory() as tmp:
        processed = Path(args.keep or tmp) / "processed" / PERIOD
        for name, df in tables.items():
            write_table(processed, name, df)
        del tables
        print(f"Genererade och skrev data: {time.perf_counter() - t0:.1f} s")
        config = Config(Path("bench.yml"), {"kommun": "Bench", "enheter": [{"kod": u, "namn": u} for u in UNITS]})
        data = PeriodData(PERIOD, processed, config)
        t1 = time.perf_counter()
        for name in ("clients", "cases", "interventions", "goals", "goal_followups", "evaluations", "measurements",
                     "investigations", "placements", "placement_visits", "placement_reviews",
                     "support_applications", "support_months", "survey_answers", "incidents"):
            data.table(name)
        load = time.perf_counter() - t1
        print(f"{'inläsning av tabeller':40s} {load:7.2f} s")
        total = load
        for name in REGISTRY:
            t = time.perf_counter()
            cells = _one_period(name, data)
            dt = time.perf_counter() - t
            total += dt
            print(f"{name:40s} {dt:7.2f} s  {len(cells):6d} celler, {int(cells['suppressed'].sum()):5d} undertryckta")
    print(f"{'totalt (inläsning + indikatorer)':40s} {total:7.2f} s")
    print(f"Högsta minnesanvändning: {peak_mib():.0f} MiB")
    return 0 if total < 20 and peak_mib() < 4096 else 1


if __name__ == "__main__":
    sys.exit(main())
