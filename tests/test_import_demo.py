"""The demo municipality's exports import end to end: every planted fault is quarantined with its reason,
nothing else is rejected, and the counts add up."""
import json
import subprocess
import sys

import pytest

from helpers import personnummer as pnr
from helpers.collect import importing
from helpers.collect import validation as v
from helpers.config import load_config

EXPECTED_REASON = {
    "felaktig_kontrollsiffra": pnr.R_CHECK,
    "omojligt_datum": v.R_DATE,
    "varde_utanfor_intervall": v.R_SCALE,
    "datum_efter_periodens_slut": v.R_AFTER_PERIOD,
    "saknat_obligatoriskt_varde": v.R_REQUIRED,
    "okand_kod": v.R_CODE,
    "dubblettrad": v.R_DUPLICATE,
    "okand_referens": v.R_REF,
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    if not load_config().get("kallor"):
        pytest.skip("konfigurationen listar inga källor ännu")
    data = tmp_path_factory.mktemp("demo")
    made = subprocess.run([sys.executable, "-m", "helpers.cli", "demo", "--clients", "300", "--periods", "2025",
                           "--data-dir", str(data)], capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr
    results = importing.import_sources("2025", None, data_dir=data)
    planted = json.loads((data / "raw" / "2025" / "_planterade_fel.json").read_text(encoding="utf-8"))
    return data, results, planted


def test_counts_add_up(demo):
    _, results, _ = demo
    assert results
    for r in results:
        assert r.rows_in == r.accepted_rows + len(r.rejected), (r.table, r.source)
        assert sum(r.reasons.values()) == len(r.rejected)


def test_every_planted_fault_is_quarantined_with_its_reason(demo):
    data, results, planted = demo
    by_source = {(r.table, r.source): r for r in results}
    for kind, info in planted.items():
        r = by_source[(info["tabell"], info["fil"])]
        rejected = r.rejected.set_index("Rad")
        for row in info["rader"]:
            assert row in rejected.index, (kind, row)
            reasons = str(rejected.loc[row, "Orsak"]) + " " + str(rejected.loc[row, "Övriga fel"])
            assert EXPECTED_REASON[kind] in reasons, (kind, row, reasons)
        quarantine = (data / "processed" / "2025" / "karantan" / f"{info['tabell']}.csv").read_text(
            encoding="utf-8-sig")
        assert info["fil"] in quarantine


def test_nothing_but_the_planted_rows_is_rejected(demo):
    _, results, planted = demo
    planted_rows = {(i["tabell"], i["fil"], row) for i in planted.values() for row in i["rader"]}
    rejected = {(r.table, r.source, int(row)) for r in results for row in r.rejected["Rad"]}
    assert rejected == planted_rows


def test_childrens_answers_and_reasons_arrive_in_the_canonical_tables(demo):
    from helpers.schema import CHILD_SURVEY_QUESTIONS
    from helpers.tables import load_table
    data, _, _ = demo
    processed = data / "processed" / "2025"
    survey = load_table(processed, "survey_answers")
    children = survey[survey["question_id"].isin(CHILD_SURVEY_QUESTIONS)]
    assert len(children) and children["intervention_type"].notna().all()
    assert survey.loc[~survey["question_id"].isin(CHILD_SURVEY_QUESTIONS), "intervention_type"].isna().all()
    assert set(children["target_group"]) <= {"barn_0_12", "unga_13_20"}
    ev = load_table(processed, "evaluations")
    with_reason = ev[ev["dissatisfaction_reason"].notna()]
    assert len(with_reason) and (with_reason["satisfied"] == "nej").all()
