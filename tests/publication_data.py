"""Lillby: a tiny organisation for the publication tests, every row written out.

Three units of 3, 9 and 10 clients (22 in all), two sexes and four age groups. Each client has one case and one
intervention in their unit that ended in 2025 (planned or broken off), most with the client's own rating. Small
enough that almost every breakdown has cells under 5, which is what per-table suppression gets wrong.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.config import Config

T = pd.Timestamp
UNITS = {"a": ("Enhet A", "barn_unga"), "b": ("Enhet B", "missbruk_vuxen"), "c": ("Enhet C", "ekonomiskt_bistand")}
# client: (unit, sex, birth year, end reason, rating or None)
CLIENTS = {
    "P01": ("a", "kvinna", 2012, "planerad", 8), "P02": ("a", "man", 2013, "avbrott", 3),
    "P03": ("a", "kvinna", 2010, "planerad", None),
    "P04": ("b", "man", 1980, "planerad", 7), "P05": ("b", "man", 1975, "planerad", 9),
    "P06": ("b", "kvinna", 1990, "avbrott", 2), "P07": ("b", "man", 1985, "planerad", 8),
    "P08": ("b", "kvinna", 1970, "planerad", 6), "P09": ("b", "man", 1960, "avbrott", None),
    "P10": ("b", "man", 2000, "planerad", 7), "P11": ("b", "kvinna", 1995, "planerad", 10),
    "P12": ("b", "man", 1955, "planerad", 5),
    "P13": ("c", "kvinna", 1990, "planerad", 8), "P14": ("c", "man", 1988, "planerad", 6),
    "P15": ("c", "kvinna", 1992, "avbrott", 4), "P16": ("c", "man", 1970, "planerad", 9),
    "P17": ("c", "kvinna", 1965, "planerad", 7), "P18": ("c", "man", 2001, "planerad", None),
    "P19": ("c", "kvinna", 1999, "planerad", 8), "P20": ("c", "man", 1980, "avbrott", 5),
    "P21": ("c", "kvinna", 1985, "planerad", 7), "P22": ("c", "man", 1950, "planerad", 8),
}


def config(min_cell: int = 5, min_group: int = 10) -> Config:
    return Config(Path("/nonexistent/lillby.yml"), {
        "kommun": "Lillby",
        "enheter": [{"kod": k, "namn": n, "omraden": [a]} for k, (n, a) in UNITS.items()],
        "rojandekontroll": {"min_cell": min_cell, "min_group": min_group}})


def tables() -> dict[str, pd.DataFrame]:
    ids = list(CLIENTS)
    unit = [CLIENTS[c][0] for c in ids]
    clients = pd.DataFrame({"client_id": ids, "birth_year": [CLIENTS[c][2] for c in ids],
                            "sex": [CLIENTS[c][1] for c in ids]})
    cases = pd.DataFrame({"case_id": [f"K{c}" for c in ids], "client_id": ids, "unit": unit,
                          "target_group": ["barn" if u == "a" else "vuxna" for u in unit],
                          "opened": T("2024-11-01"), "closed": pd.NaT})
    iv = pd.DataFrame({"intervention_id": [f"I{c}" for c in ids], "case_id": [f"K{c}" for c in ids],
                       "client_id": ids, "unit": unit, "type": ["oppenvard"] * len(ids),
                       "provider": ["Egen regi"] * len(ids), "provider_type": ["intern"] * len(ids),
                       "start": T("2024-12-01"), "end": T("2025-06-30"),
                       "end_reason": [CLIENTS[c][3] for c in ids]})
    rated = [c for c in ids if CLIENTS[c][4] is not None]
    evaluations = pd.DataFrame({"intervention_id": [f"I{c}" for c in rated], "client_id": rated,
                                "date": T("2025-07-15"), "rating": [CLIENTS[c][4] for c in rated],
                                "satisfied": None})
    incidents = pd.DataFrame({
        "incident_id": [f"H{i}" for i in range(1, 11)],
        "type": ["lex_sarah"] * 8 + ["lex_sarah_ivo"] + ["synpunkt"],
        "date": [T(f"2025-{m:02d}-10") for m in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)],
        "category": ["Vård och behandling"] * 10,
        "unit": ["b", "b", "b", "c", "c", "c", "c", "c", "b", "a"]})
    return {"clients": clients, "cases": cases, "interventions": iv, "evaluations": evaluations,
            "incidents": incidents}
