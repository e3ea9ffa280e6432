"""Chart functions: a Figure and an alt text with the numbers in Swedish; suppressed cells never drawn."""
import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers.analysis import charts as f
from helpers.schema import ATTAINMENT_LABELS

NB = "\u00a0"


def bars(ax):
    """The drawn bars (patches with a width), not the axes background."""
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]


GROUPS = pd.DataFrame({"label": ["Barn och unga", "Vuxna", "Ekonomiskt bistånd"], "value": [0.82, 0.605, np.nan],
                       "ci_low": [0.75, 0.5, np.nan], "ci_high": [0.88, 0.69, np.nan], "n": [120, 1412, 3],
                       "suppressed": [False, False, True]})


def test_bars_by_group_alt_text_numbers_and_no_bar_for_suppressed():
    fig, alt = f.bars_by_group(GROUPS, "andel insatser med dokumenterat mål per enhet 2025")
    assert isinstance(fig, Figure)
    assert alt.startswith("Stapeldiagram: andel insatser med dokumenterat mål per enhet 2025. ")
    # 0.605 -> "60 %" (round half to even on 60.5 is 60), 1412 -> "1 412" with a non-breaking space
    assert f"Barn och unga 82{NB}% (n = 120); Vuxna 60{NB}% (n = 1{NB}412)." in alt
    assert "Redovisas inte (för litet underlag): Ekonomiskt bistånd." in alt
    ax = fig.axes[0]
    assert [round(p.get_width(), 3) for p in bars(ax)] == [0.82, 0.605]  # two bars, none for the suppressed
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[:3] == [f"0{NB}%", f"20{NB}%", f"40{NB}%"]
    assert any(t.get_text() == "X" for t in ax.texts)
    f.plt.close(fig)


def test_bars_by_group_counts_use_swedish_numbers():
    data = pd.DataFrame({"label": ["A", "B"], "value": [1234.0, 56.5], "n": [np.nan, np.nan],
                         "suppressed": [False, False]})
    fig, alt = f.bars_by_group(data, "antal klagomål", unit="medelvärde")
    assert f"A 1{NB}234,0; B 56,5." in alt
    f.plt.close(fig)


def test_stacked_shares_alt_and_suppressed_group_not_drawn():
    rows = []
    for label, values, n, sup in (("Barn och unga", [0.5, 0.25, 0.15, 0.10], 200, False),
                                  ("Vuxna", [np.nan] * 4, 4, True)):
        for cat, v in zip(["positiv_uppfyllt", "positiv_ej_uppfyllt", "ingen_forandring", "negativ"], values):
            rows.append({"label": label, "category": cat, "value": v, "n": n, "suppressed": sup})
    fig, alt = f.stacked_shares(pd.DataFrame(rows), "måluppfyllelse per enhet 2025",
                                category_labels=ATTAINMENT_LABELS)
    assert (f"Barn och unga (n = 200): positiv förändring och målet uppfyllt 50{NB}%, positiv förändring men "
            f"målet inte uppfyllt 25{NB}%, ingen förändring 15{NB}%, negativ förändring 10{NB}%.") in alt
    assert "Redovisas inte (för litet underlag): Vuxna." in alt
    drawn = bars(fig.axes[0])
    assert len([p for p in drawn if p.get_y() < 0.5]) == 4  # Barn och unga's four segments only
    assert sum(p.get_width() for p in drawn) == pytest.approx(1.0)
    hatches = {p.get_hatch() for p in drawn}
    assert len(hatches) == 4  # each category has its own hatching, not colour alone
    f.plt.close(fig)


def test_trend_lines_gap_for_suppressed_and_alt():
    data = pd.DataFrame({"series": ["Mål"] * 3 + ["Uppföljning"] * 3, "period": ["2023", "2024", "2025"] * 2,
                         "value": [0.6, 0.7, 0.755, 0.5, np.nan, 0.66],
                         "suppressed": [False] * 4 + [True, False]})
    fig, alt = f.trend_lines(data, "andel över tid")
    assert alt == (f"Linjediagram: andel över tid, 2023–2025. Mål: 2023 60{NB}%, 2024 70{NB}%, 2025 76{NB}%; "
                   f"Uppföljning: 2023 50{NB}%, 2024 redovisas inte, 2025 66{NB}%.")
    line = fig.axes[0].lines[1]
    assert np.isnan(line.get_ydata()[1])  # nothing drawn for the suppressed period
    f.plt.close(fig)


def test_monthly_counts_swedish_months_and_alt():
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    opened = [20, 22, 45, 30, 28, 26, 20, 24, 31, 33, 29, 27]
    closed = [18, 20, 30, 35, 27, 25, 22, 21, 30, np.nan, 28, 26]
    data = pd.DataFrame({"month": months * 2, "series": ["Inkomna"] * 12 + ["Avslutade"] * 12,
                         "value": opened + closed, "suppressed": [False] * 21 + [True] + [False] * 2})
    fig, alt = f.monthly_counts(data, "inkomna och avslutade utredningar per månad 2025")
    # sum(opened) = 335; the maximum 45 in mars, the minimum 20 first in januari
    assert "Inkomna: totalt 335, flest i mars 2025 (45), färst i januari 2025 (20)" in alt
    # closed without oktober: 18+20+30+35+27+25+22+21+30+28+26 = 282; 1 month suppressed
    assert "Avslutade: totalt 282, flest i april 2025 (35), färst i januari 2025 (18), 1 månad redovisas inte." \
        in alt
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[:3] == ["jan", "feb", "mar"] and labels[9] == "okt"
    f.plt.close(fig)


def test_same_input_gives_byte_identical_svg_and_manifest(tmp_path):
    outputs = []
    for run in ("a", "b"):
        fig, alt = f.bars_by_group(GROUPS, "andel per enhet")
        entry = f.save_entry(fig, alt, tmp_path / run, "andel", "Andel per enhet", "uppfoljning")
        f.write_manifest([entry], tmp_path / run)
        outputs.append(((tmp_path / run / "andel.svg").read_bytes(), (tmp_path / run / "andel.png").read_bytes()))
    assert outputs[0][0] == outputs[1][0]
    assert outputs[0][1] == outputs[1][1]
    manifest = json.loads((tmp_path / "a" / "figurer.json").read_text(encoding="utf-8"))
    assert manifest == [{"id": "andel", "fil_svg": "andel.svg", "fil_png": "andel.png", "rubrik": "Andel per enhet",
                         "alt": alt, "avsnitt": "uppfoljning"}]
    assert f.read_manifest(tmp_path / "a")[0].alt == alt


# --- the report's figure set on indicator tables in the step-5 contract ------------------------------------

def indicator_rows(name, rows):
    out = []
    for period, grouping, group, category, value, n, sup in rows:
        out.append({"indicator": name, "period": period, "grouping": grouping, "group": group,
                    "category": category, "numerator": None, "denominator": n, "value": None if sup else value,
                    "ci_low": None if sup or value is None else max(value - 0.05, 0),
                    "ci_high": None if sup or value is None else min(value + 0.05, 1), "n": n, "suppressed": sup})
    return out


def demo_tables():
    from helpers.analysis.comparisons import normalise
    T = "Totalt"
    raw = {
        "mal_i_arenden": [("2024", "total", T, "", 0.70, 400, False), ("2025", "total", T, "", 0.76, 412, False),
                          ("2025", "unit", "vuxna_missbruk", "", 0.60, 100, False),
                          ("2025", "unit", "barn_unga", "", 0.85, 120, False),
                          ("2025", "unit", "ekonomiskt_bistand", "", None, 3, True)],
        "maluppfyllelse": [("2025", "total", T, c, v, 200, False) for c, v in
                           zip(["positiv_uppfyllt", "positiv_ej_uppfyllt", "ingen_forandring", "negativ"],
                               [0.4, 0.3, 0.2, 0.1])],
        "utvardering_efter_insats": [("2025", "total", T, "", 0.5, 80, False)],  # one group only: no figure
    }
    return {k: normalise(pd.DataFrame(indicator_rows(k, v)), k) for k, v in raw.items()}


UNIT_NAMES = {"barn_unga": "Barn och unga", "vuxna_missbruk": "Vuxna – missbruk och beroende",
              "ekonomiskt_bistand": "Ekonomiskt bistånd"}


def test_report_figure_set_draws_what_has_data_in_report_order(tmp_path):
    from helpers.analysis import figure_specs as rf
    from helpers.analysis.goals import IndicatorInfo
    glossary = {"mal_i_arenden": IndicatorInfo("Mål i alla ärenden", "andel"),
                "maluppfyllelse": IndicatorInfo("Måluppfyllelse", "andel")}
    entries = rf.build(demo_tables(), glossary, "2025", tmp_path, UNIT_NAMES)
    assert [e.id for e in entries] == ["mal_i_arenden", "uppfoljning_over_tid", "maluppfyllelse"]
    bars = entries[0]
    assert bars.rubrik == "Mål i alla ärenden: andel per enhet, 2025"
    # units in the config's order, the suppressed unit named, not drawn
    assert (f"Barn och unga 85{NB}% (n = 120); Vuxna – missbruk och beroende 60{NB}% (n = 100)." in bars.alt)
    assert "Redovisas inte (för litet underlag): Ekonomiskt bistånd." in bars.alt
    assert entries[1].rubrik == "Mål, måluppföljning och utvärdering över tid, 2024–2025"
    assert f"Mål i alla ärenden: 2024 70{NB}%, 2025 76{NB}%" in entries[1].alt
    assert "Totalt (n = 200): positiv förändring och målet uppfyllt 40" in entries[2].alt
    manifest = json.loads((tmp_path / "figurer.json").read_text(encoding="utf-8"))
    assert [m["avsnitt"] for m in manifest] == ["uppfoljning"] * 3
    assert all((tmp_path / m["fil_svg"]).exists() and (tmp_path / m["fil_png"]).exists() for m in manifest)
