"""A dozen synthetic clients for the indicator tests (period 2025), and helpers to read cells.

Every expected value in the tests is worked out by hand from the rows below.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from helpers.config import Config
from helpers.publication.compute import compute_indicator

T = pd.Timestamp
NaT = pd.NaT


def config(min_cell: int = 1, min_group: int = 1, **settings) -> Config:
    data = {"kommun": "Testkommun", "enheter": [{"kod": u, "namn": u, "omraden": [a]} for u, a in
                                                (("barn_unga", "barn_unga"), ("vuxna_missbruk", "missbruk_vuxen"),
                                                 ("ekonomiskt_bistand", "ekonomiskt_bistand"))],
            "rojandekontroll": {"min_cell": min_cell, "min_group": min_group}}
    if settings:
        data["indikatorer"] = settings
    return Config(Path("/nonexistent/test.yml"), data)


def tables() -> dict[str, pd.DataFrame]:
    clients = pd.DataFrame({
        "client_id": ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"],
        "birth_year": [2012, 2010, 1970, 1980, 1990, 2015, 2000, 1960],
        "sex": ["kvinna", "man", "man", "man", "kvinna", "kvinna", "kvinna", "man"]})
    cases = pd.DataFrame({
        "case_id": ["K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K9", "K10"],
        "client_id": ["C1", "C1", "C2", "C5", "C5", "C7", "C7", "C8", "C4", "C4"],
        "unit": ["barn_unga", "barn_unga", "barn_unga", "vuxna_missbruk", "vuxna_missbruk", "ekonomiskt_bistand",
                 "ekonomiskt_bistand", "ekonomiskt_bistand", "vuxna_missbruk", "ekonomiskt_bistand"],
        "target_group": ["barn", "barn", "unga", "vuxna", "vuxna", "vuxna", "vuxna", "vuxna", "vuxna", "vuxna"],
        "opened": [T("2023-01-01"), T("2024-12-01"), T("2023-06-01"), T("2023-03-01"), T("2024-01-01"),
                   T("2023-05-01"), T("2025-04-01"), T("2024-01-01"), T("2025-01-01"), T("2025-02-01")],
        "closed": [T("2024-03-01"), NaT, T("2024-05-10"), T("2024-06-15"), NaT, T("2024-02-01"), NaT,
                   T("2024-08-01"), NaT, NaT]})
    iv = pd.DataFrame({
        "intervention_id": ["I1", "I2", "I3", "I4", "I5", "I6", "I7"],
        "case_id": ["K2", "K3", None, "K9", "K5", None, "K10"],
        "client_id": ["C1", "C2", "C3", "C4", "C5", "C6", "C4"],
        "unit": ["barn_unga", "barn_unga", "vuxna_missbruk", "vuxna_missbruk", "vuxna_missbruk", "barn_unga",
                 "ekonomiskt_bistand"],
        "type": ["oppenvard", "oppenvard", "behandling_missbruk", "behandling_missbruk", "behandling_missbruk",
                 "kontaktfamilj", "ekonomiskt_bistand"],
        "provider": ["Egen regi", "Egen regi", "Egen regi", "Bolaget AB", "Bolaget AB", "Egen regi", "Egen regi"],
        "provider_type": ["intern", "intern", "intern", "extern", "extern", "intern", "intern"],
        "start": [T("2024-06-01"), T("2025-02-01"), T("2023-01-01"), T("2025-11-01"), T("2024-01-01"),
                  T("2025-01-10"), T("2025-03-01")],
        "end": [NaT, T("2025-10-15"), T("2024-12-31"), NaT, T("2025-05-01"), NaT, NaT],
        "end_reason": [None, "planerad", "planerad", None, "avbrott", None, None],
        "planned_sessions": [12.0, 10.0, None, None, 20.5, 8.0, None]})
    # Dose held (step 3). I1 and I6 still run, I3 ended in 2024: only I2 and I5 count.
    sessions = pd.DataFrame({
        "intervention_id": ["I1", "I2", "I3", "I5", "I6"], "client_id": ["C1", "C2", "C3", "C5", "C6"],
        "individual_sessions": [6, 8, 30, 6, None], "group_sessions": [None, None, None, 3, None],
        "relative_sessions": [1, 2, None, 0, None], "visits_held": [None, 2, 5, 4, 3],
        "visits_missed": [None, 0, 5, 2, 1]})
    goals = pd.DataFrame({
        "goal_id": ["G1", "G4", "G5", "G6"], "intervention_id": ["I1", "I4", "I5", "I6"],
        "client_id": ["C1", "C4", "C5", "C6"],
        "set_on": [T("2024-06-10"), T("2025-11-05"), T("2024-01-05"), T("2025-01-15")],
        "area": ["skola", "missbruk", "missbruk", "familj"]})
    followups = pd.DataFrame({
        "goal_id": ["G1", "G1", "G5", "G6", "G6", "G4"],
        "date": [T("2025-03-01"), T("2025-09-01"), T("2024-12-01"), T("2025-03-01"), T("2025-08-01"),
                 T("2025-12-01")],
        "attainment": ["ingen_forandring", "positiv_uppfyllt", "positiv_ej_uppfyllt", "negativ", "ej_bedomt",
                       "ej_bedomt"]})
    evaluations = pd.DataFrame({
        "intervention_id": ["I2", "I5"], "client_id": ["C2", "C5"], "date": [T("2025-10-20"), T("2025-05-10")],
        "rating": [8, 3], "satisfied": [None, None]})
    measurements = pd.DataFrame({
        "measurement_id": [f"M{i}" for i in range(1, 12)],
        "client_id": ["C1", "C1", "C1", "C4", "C4", "C5", "C5", "C6", "C2", "C2", "C2"],
        "intervention_id": ["I1", "I1", "I1", "I4", "I4", "I5", "I5", "I6", "I2", "I2", "I2"],
        "instrument": ["AUDIT", "AUDIT", "AUDIT", "KASAM13", "KASAM13", "DUDIT", "DUDIT", "AUDIT", "AUDIT",
                       "AUDIT", "KASAM13"],
        "occasion": ["fore", "efter", "uppfoljning", "fore", "efter", "fore", "efter", "fore", "fore", "efter",
                     "fore"],
        "date": [T("2024-06-01"), T("2025-06-01"), T("2025-11-01"), T("2025-11-02"), T("2025-12-20"),
                 T("2024-01-05"), T("2025-04-20"), T("2025-01-15"), T("2025-02-01"), T("2025-10-10"),
                 T("2025-02-01")],
        "score": [20, 12, 14, 50, 45, 10, 10, 8, 5, 2, 60]})
    support_months = pd.DataFrame({
        "client_id": ["C4"] * 11 + ["C5"] * 3 + ["C7"] * 11 + ["C8"] * 2,
        "month": [f"2025-{m:02d}" for m in range(1, 12)] + ["2025-01", "2025-02", "2025-03"]
        + [f"2025-{m:02d}" for m in range(1, 11)] + ["2024-12"] + ["2025-05", "2025-06"],
        "amount": [5000.0] * 25 + [0.0, 3000.0]})
    applications = pd.DataFrame({
        "application_id": ["A1", "A2", "A3", "A4", "A5"], "client_id": ["C4", "C7", "C8", "C5", "C5"],
        "first_contact": [T("2025-01-01"), T("2025-03-01"), T("2024-12-20"), T("2024-11-01"), T("2025-12-28")],
        "decision_date": [T("2025-01-11"), T("2025-03-21"), T("2025-01-05"), T("2024-11-10"), NaT],
        "decision": ["bifall", "bifall", "avslag", "bifall", None]})
    investigations = pd.DataFrame({
        "investigation_id": ["R1", "R2", "R3", "R4", "R5"], "case_id": ["K2", "K3", None, None, "K1"],
        "client_id": ["C1", "C2", "C6", "C6", "C1"], "unit": ["barn_unga"] * 5,
        "report_received": [T("2025-01-10"), T("2025-02-01"), T("2025-12-25"), T("2025-06-01"), T("2024-10-01")],
        "pre_assessment_date": [T("2025-01-20"), T("2025-02-20"), NaT, NaT, T("2024-10-05")],
        "investigation_start": [T("2025-01-20"), T("2025-02-20"), NaT, NaT, T("2024-10-05")],
        "investigation_end": [T("2025-05-20"), T("2025-07-01"), NaT, NaT, T("2025-01-15")],
        "extended": [False, True, None, None, False]})
    placements = pd.DataFrame({
        "placement_id": ["P1", "P2", "P3", "P4", "P5"], "client_id": ["C1", "C6", "C2", "C4", "C1"],
        "unit": ["barn_unga", "barn_unga", "barn_unga", "vuxna_missbruk", "barn_unga"],
        "form": ["familjehem", "HVB", "jourhem", "HVB", "HVB"], "legal_basis": ["SoL", "LVU3", "LVU2", "LVM", "SoL"],
        "start": [T("2024-03-01"), T("2024-10-01"), T("2025-03-01"), T("2024-05-01"), T("2025-05-15")],
        "end": [NaT, NaT, T("2025-08-31"), T("2025-02-01"), T("2025-06-20")]})
    visits = pd.DataFrame({
        "placement_id": ["P1"] * 4 + ["P2"] * 3 + ["P1"],
        "date": [T("2025-02-01"), T("2025-05-01"), T("2025-08-01"), T("2025-11-01"), T("2025-03-01"),
                 T("2025-06-01"), T("2025-09-01"), T("2024-12-01")],
        "individual_talk": [True, False, False, False, True, True, True, True]})
    reviews = pd.DataFrame({
        "placement_id": ["P1", "P1", "P1", "P2", "P2", "P2"],
        "date": [T("2024-08-20"), T("2025-02-15"), T("2025-09-01"), T("2025-03-15"), T("2025-09-10"),
                 T("2025-01-01")],
        "type": ["overvagande", "overvagande", "overvagande", "omprovning", "omprovning", "overvagande"]})
    survey = pd.DataFrame({
        "respondent_id": ["r1", "r2", "r3", "r4", "r1", "r2"], "survey": ["brukarenkat"] * 6,
        "unit": ["barn_unga", "barn_unga", "vuxna_missbruk", "vuxna_missbruk", "barn_unga", "barn_unga"],
        "question_id": ["Q1", "Q1", "Q1", "Q1", "Q7", "Q7"], "answer": [1, 2, 4, 9, 2, 5]})
    # Barnenkät (ja = 1, delvis = 2, nej = 3, vet ej = 9); b4's 5 on B2 lies off the scale.
    children = pd.DataFrame([
        ("b1", "kvinna", "familjehem", "B1", 1), ("b1", "kvinna", "familjehem", "B3", 3),
        ("b1", "kvinna", "familjehem", "B5", 2), ("b2", "man", "HVB", "B1", 3), ("b2", "man", "HVB", "B3", 1),
        ("b2", "man", "HVB", "B5", 9), ("b3", "kvinna", "oppenvard", "B1", 1), ("b3", "kvinna", "oppenvard", "B3", 2),
        ("b3", "kvinna", "oppenvard", "B5", 1), ("b4", "man", "oppenvard", "B1", 2),
        ("b4", "man", "oppenvard", "B3", 3), ("b4", "man", "oppenvard", "B6", 1), ("b4", "man", "oppenvard", "B2", 5)],
        columns=["respondent_id", "sex", "intervention_type", "question_id", "answer"])
    survey = pd.concat([survey, children.assign(survey="barnenkat", unit="barn_unga")], ignore_index=True)
    incidents = pd.DataFrame({
        "incident_id": [f"H{i}" for i in range(1, 8)],
        "type": ["synpunkt", "synpunkt", "klagomal", "lex_sarah", "lex_sarah_ivo", "ivo_tillsyn", "synpunkt"],
        "date": [T("2025-02-01"), T("2025-03-01"), T("2025-04-01"), T("2025-05-01"), T("2025-06-01"),
                 T("2025-07-01"), T("2024-12-31")],
        "category": ["bemötande", "bemötande", "handläggning", "vård", "vård", "handläggning", "bemötande"],
        "unit": ["barn_unga", "barn_unga", "vuxna_missbruk", "vuxna_missbruk", "vuxna_missbruk", None,
                 "barn_unga"]})
    return {"clients": clients, "cases": cases, "interventions": iv, "goals": goals, "goal_followups": followups,
            "evaluations": evaluations, "measurements": measurements, "support_months": support_months,
            "support_applications": applications, "investigations": investigations, "placements": placements,
            "placement_visits": visits, "placement_reviews": reviews, "survey_answers": survey,
            "incidents": incidents, "sessions": sessions}


def with_support_evaluations() -> dict[str, pd.DataFrame]:
    """tables() plus ekonomiskt bistånd finished with the client's answer: satisfied or not, and why (Nacka).

    In their own function so that the interventions they add leave the other indicators' expectations as they are.
    I8 (C9) ja; I9 (C10) nej, first 'information' then 'handläggningstid' (the latest row counts); I10 (C11) nej,
    bemötande; I11 (C12) nej without a reason; I12 (C10) ended in 2024 and I7 (C4) still runs: not counted.
    """
    data = tables()
    data["clients"] = pd.concat([data["clients"], pd.DataFrame({
        "client_id": ["C9", "C10", "C11", "C12"], "birth_year": [1985, 1990, 1970, 2000],
        "sex": ["kvinna", "man", "kvinna", "man"]})], ignore_index=True)
    data["interventions"] = pd.concat([data["interventions"], pd.DataFrame({
        "intervention_id": ["I8", "I9", "I10", "I11", "I12"], "client_id": ["C9", "C10", "C11", "C12", "C10"],
        "unit": ["ekonomiskt_bistand"] * 5, "type": ["ekonomiskt_bistand"] * 5, "provider": ["Egen regi"] * 5,
        "provider_type": ["intern"] * 5,
        "start": [T("2025-01-01"), T("2025-02-01"), T("2024-10-01"), T("2025-03-01"), T("2024-06-01")],
        "end": [T("2025-04-30"), T("2025-06-30"), T("2025-01-31"), T("2025-09-30"), T("2024-11-30")],
        "end_reason": ["planerad"] * 5})], ignore_index=True)
    data["evaluations"] = pd.concat([data["evaluations"], pd.DataFrame({
        "intervention_id": ["I8", "I9", "I9", "I10", "I11", "I12", "I7"],
        "client_id": ["C9", "C10", "C10", "C11", "C12", "C10", "C4"],
        "date": [T("2025-05-05"), T("2025-07-01"), T("2025-07-10"), T("2025-02-10"), T("2025-10-05"),
                 T("2024-12-10"), T("2025-06-01")],
        "satisfied": ["ja", "nej", "nej", "nej", "nej", "nej", "nej"],
        "dissatisfaction_reason": [None, "information", "handlaggningstid", "bemotande", None, "information",
                                   "annat"]})], ignore_index=True)
    return data


def run(name: str, tmp_path, unit=None, cfg=None, data=None) -> pd.DataFrame:
    return compute_indicator(name, "2025", data_dir=tmp_path, config=cfg or config(), unit=unit,
                             tables=tables() if data is None else data)


def cell(df: pd.DataFrame, grouping: str = "total", group: str = "Totalt", category: str = "") -> pd.Series:
    hit = df[(df["grouping"] == grouping) & (df["group"] == group) & (df["category"] == category)]
    assert len(hit) == 1, f"{grouping}/{group}/{category}: {len(hit)} rows"
    return hit.iloc[0]


def share(df, grouping="total", group="Totalt", category="") -> tuple[float, float]:
    c = cell(df, grouping, group, category)
    return c["numerator"], c["denominator"]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_the_fixture_is_valid_for_every_table():
    from helpers.tables import coerce
    for name, df in tables().items():
        assert list(coerce(name, df).columns)[: len(df.columns)]  # every table coerces without error
