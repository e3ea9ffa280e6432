"""A zero counts no one. A hidden count or complement that is 0 and that no primary cell shows needs no
protection range: an attacker who pins it at 0 learns nothing about a person. A zero a primary cell shows keeps
its duty (0 of 7 improved tells something about all 7). Before this rule, a unit without any booked visits made
a whole municipality's publication impossible: its hidden zero was pinned by another published zero."""
import numpy as np
import pandas as pd

from helpers.publication import secure
from helpers.publication.relations import Model


def _cells(rows):
    return pd.DataFrame([{"cell_id": cid, "kind": "share", "grouping": "total", "scope": scope, "period": "2025",
                          "numerator": num, "denominator": den, "value": num / den if den else np.nan, "n": den,
                          "status": status, "reason": reason}
                         for cid, scope, num, den, status, reason in rows])


def _model(cells):
    """Each cell shows its numerator and denominator and audits its complement (denominator − numerator)."""
    m = Model()
    for pos, row in cells.iterrows():
        num = m.variable((row.cell_id, "num"), row.numerator, f"{row.cell_id}: täljare")
        den = m.variable((row.cell_id, "den"), row.denominator, f"{row.cell_id}: nämnare")
        m.cell_rows.append(pos)
        m.shows += [(pos, num), (pos, den)]
        m.expressions.append((pos, {den: 1.0, num: -1.0}, f"{row.cell_id}: nämnare − täljare"))
    return m


def test_a_zero_outside_primary_cells_needs_no_range_but_a_primary_zero_does():
    cells = _cells([("besok|ekb", "ekb", 0, 0, "undertryckt", "sekundär"),      # no visits at all: counts no one
                    ("forbattrad|liten", "liten", 0, 7, "undertryckt", "primär"),  # 0 of 7: about all seven
                    ("besok|vuxna", "vuxna", 40, 50, "publicerad", "")])
    model = _model(cells)
    linked = secure.linked_set(cells, model, np.zeros(len(cells), bool), 5, "2025")
    protect = dict(zip(linked.variable_label, linked.protect))
    assert not protect["besok|ekb: täljare"] and not protect["besok|ekb: nämnare"]
    assert protect["forbattrad|liten: täljare"] and protect["forbattrad|liten: nämnare"]
    assert protect["besok|vuxna: täljare"]  # not zero: protected as always
    audited = set(linked.expression_label)
    assert "besok|ekb: nämnare − täljare" not in audited  # 0 − 0 about no one
    assert {"forbattrad|liten: nämnare − täljare", "besok|vuxna: nämnare − täljare"} <= audited


def test_a_hidden_zero_pinned_by_a_published_zero_does_not_stop_the_publication():
    # hela = u1 + u2 + u3 in numerators and bases; u2 is primary (3 of 4); u3 has nothing (0 of 0) and is
    # hidden (an earlier publication fixed it so), and a published cell elsewhere says u3 has nothing (its base
    # 0 bounds u3's base from above): u3 is pinned at 0 whatever else is hidden.
    cells = _cells([("a|hela", "hela", 60, 84, "publicerad", ""), ("a|u1", "u1", 57, 80, "publicerad", ""),
                    ("a|u2", "u2", 3, 4, "undertryckt", "primär"), ("a|u3", "u3", 0, 0, "undertryckt", "sekundär"),
                    ("b|u3", "u3", 0, 0, "publicerad", "")])
    fixed = np.array([False, False, False, True, False])
    model = _model(cells)
    var = {label: i for i, label in enumerate(model.var_labels)}
    for part in ("täljare", "nämnare"):
        model.equalities.append(({var[f"a|hela: {part}"]: 1.0, var[f"a|u1: {part}"]: -1.0,
                                  var[f"a|u2: {part}"]: -1.0, var[f"a|u3: {part}"]: -1.0}, f"a {part}: enheterna"))
    model.inequalities.append(({var["a|u3: nämnare"]: 1.0, var["b|u3: nämnare"]: -1.0}, "a|u3 ≤ b|u3"))
    result = secure.protect(cells, model, fixed, _Config(), "2025")
    assert result.audit.passed
    status = dict(zip(result.cells["cell_id"], result.cells["status"]))
    assert status["a|u2"] == "undertryckt" and status["b|u3"] == "publicerad"
    # u2's three are protected: its numerator is not readable as 60 − 57 − 0.
    assert status["a|u1"] == "undertryckt" or status["a|hela"] == "undertryckt"


class _Config(dict):
    min_cell = 5
