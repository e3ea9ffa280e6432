"""Swedish labels for the codes a reader meets: the survey questions, the reasons for 'ej tillfredsställande', the
dose categories and month categories; every cell of the newer indicators has them."""
import tempfile

from helpers import labels, schema
from helpers.indicators.registry import CATEGORY_LABELS
from helpers.publication.compute import compute_cells
from test_indicators_data import config, with_support_evaluations

NEW = ("barnenkat_positiva", "ekb_ej_tillfredsstallande_orsak", "insatser_enligt_plan", "tillfallen_per_insats",
       "genomforda_besok", "placerade_per_manad")


def test_every_survey_question_and_reason_has_a_label():
    for q in schema.SURVEY_QUESTIONS + schema.CHILD_SURVEY_QUESTIONS:
        assert labels.category_label(q) != q and CATEGORY_LABELS.get(q, labels.SURVEY_QUESTIONS[q])
        assert schema.SURVEY_QUESTION_SCALES[q] in schema.SURVEY_SCALES
    for code in schema.DISSATISFACTION_REASONS:
        assert labels.category_label(code) != code and CATEGORY_LABELS[code] == labels.category_label(code)
    assert set(schema.CHILD_FAVOURABLE) == set(schema.CHILD_SURVEY_QUESTIONS)
    for q, answers in schema.CHILD_FAVOURABLE.items():
        assert set(answers) <= set(schema.SURVEY_SCALES[schema.SURVEY_QUESTION_SCALES[q]]["answers"])


def test_the_krankning_question_names_its_favourable_answer():
    assert schema.CHILD_FAVOURABLE["B3"] == (3,)  # 3 = nej
    assert labels.category_label("B3").startswith("Har inte blivit kränkt")


def test_months_and_codes_that_are_their_own_label():
    assert labels.category_label("2025-12") == "december 2025"
    assert labels.has_label("form", "HVB") and not labels.has_label("form", "okänd_form")


def test_the_new_indicators_cells_all_have_labels():
    cfg = config()
    cfg.data["etiketter"] = {"target_group": {"barn": "Barn", "unga": "Unga", "vuxna": "Vuxna"}}  # the fixture's
    cells = compute_cells("2025", tempfile.mkdtemp(), cfg, earlier=False, names=list(NEW),
                          tables=with_support_evaluations())
    assert set(cells["indicator"]) == set(NEW)
    assert labels.missing_labels(cells, cfg) == []
