"""Lillby: a tiny organisation for the publication tests, every row written out.

Three units of 3, 9 and 10 clients (22 in all), two sexes and six age groups. Each client has one case and one
intervention in their unit that ended in 2025 (planned or broken off), most with the client's own rating. Unit A
(children) has four investigations, three closed in 2025 (April, May, July), and A and B (adults) six placements,
four running on 2025-01-01 (two in each) and three on 2025-12-31. Nine of unit C's (ekonomiskt bistånd) clients
answered whether the support was satisfactory: six "ja", three "nej" (reasons: handläggningstid, bemötande, none).
Ten incidents: lex Sarah 8 + 1 reported to IVO, one complaint. Small enough that almost every breakdown has cells
under 5, which is what per-table suppression gets wrong.
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
# ekonomiskt bistånd: client -> (satisfied, reason when not)
SATISFIED = {"P13": ("ja", None), "P14": ("nej", "handlaggningstid"), "P15": ("nej", "bemotande"), "P16": ("ja", None),
             "P17": ("ja", None), "P19": ("ja", None), "P20": ("nej", None), "P21": ("ja", None),
             "P22": ("ja", None)}
# placement: (client, unit, form, legal basis, start, end)
PLACEMENTS = {
    "PL1": ("P01", "a", "familjehem", "SoL", "2024-10-01", None),
    "PL2": ("P02", "a", "HVB", "LVU2", "2024-12-15", "2025-03-31"),
    "PL3": ("P03", "a", "jourhem", "SoL", "2025-02-01", "2025-08-31"),
    "PL4": ("P04", "b", "HVB", "SoL", "2024-06-01", None),
    "PL5": ("P05", "b", "HVB", "LVM", "2024-11-20", "2025-02-15"),
    "PL6": ("P06", "b", "familjehem", "SoL", "2025-03-01", None),
}
# investigation (unit A): (client, report received, pre-assessment, started, closed, extended)
INVESTIGATIONS = {
    "U1": ("P01", "2025-01-10", "2025-01-15", "2025-01-15", "2025-04-10", False),
    "U2": ("P02", "2025-02-01", "2025-02-10", "2025-02-10", "2025-07-20", True),
    "U3": ("P03", "2025-03-05", "2025-03-12", "2025-03-12", "2025-05-02", False),
    "U4": ("P01", "2025-09-01", "2025-09-20", "2025-09-20", None, False),
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
                                "satisfied": [SATISFIED.get(c, (None, None))[0] for c in rated],
                                "dissatisfaction_reason": [SATISFIED.get(c, (None, None))[1] for c in rated]})
    placements = pd.DataFrame([{"placement_id": k, "client_id": c, "case_id": f"K{c}", "unit": u, "form": f,
                                "legal_basis": lb, "start": T(s), "end": T(e) if e else pd.NaT}
                               for k, (c, u, f, lb, s, e) in PLACEMENTS.items()])
    investigations = pd.DataFrame([{"investigation_id": k, "case_id": f"K{c}", "client_id": c, "unit": "a",
                                    "report_received": T(r), "pre_assessment_date": T(p),
                                    "pre_assessment_decision": "inleda", "investigation_start": T(s),
                                    "investigation_end": T(e) if e else pd.NaT, "extended": x}
                                   for k, (c, r, p, s, e, x) in INVESTIGATIONS.items()])
    incidents = pd.DataFrame({
        "incident_id": [f"H{i}" for i in range(1, 11)],
        "type": ["lex_sarah"] * 8 + ["lex_sarah_ivo"] + ["synpunkt"],
        "date": [T(f"2025-{m:02d}-10") for m in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)],
        "category": ["Vård och behandling"] * 10,
        "unit": ["b", "b", "b", "c", "c", "c", "c", "c", "b", "a"]})
    return {"clients": clients, "cases": cases, "interventions": iv, "evaluations": evaluations,
            "incidents": incidents, "placements": placements, "investigations": investigations}
