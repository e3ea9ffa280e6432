"""Chart functions: a Figure and an alt text with the numbers in Swedish; suppressed cells never drawn."""
import json
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers.analysis import chart_checks as checks
from helpers.analysis import charts as f
from helpers.analysis import figure_specs as specs
from helpers.analysis.goals import Goal
from helpers.config import DEFAULT_CONFIG, load_config
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
    assert all((tmp_path / m["fil_svg"]).exists() and m["fil_png"] == "" for m in manifest)  # SVG only by default
    with_png = rf.build(demo_tables(), glossary, "2025", tmp_path / "png", UNIT_NAMES, png=True)
    assert all((tmp_path / "png" / e.fil_png).is_file() for e in with_png)


# --- goal lines, labels, units, overlaps and codes --------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def dashed_lines(ax):
    return [line for line in ax.lines if line.get_linestyle() not in ("-", "None", "")]


def texts(fig):
    return [t.get_text() for t in checks.drawn_texts(fig)]


def svg_texts(path):
    """Every text a reader can see in a saved SVG (text is kept as text: svg.fonttype none)."""
    root = ElementTree.parse(path).getroot()
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_goal_line_on_bars_dashed_labelled_and_in_alt():
    goal = f.GoalMark(0.8, f"Mål 80{NB}%", f"minst 80{NB}%")
    fig, alt = f.bars_by_group(GROUPS, "andel insatser med mål per enhet 2025", goals=(goal,))
    [line] = dashed_lines(fig.axes[0])
    assert list(line.get_xdata()) == [0.8, 0.8]
    assert f"Mål 80{NB}%" in texts(fig)
    assert alt.endswith(f"Den streckade linjen visar nämndens mål: minst 80{NB}%.")
    # a goal for one group is drawn across that group's bar only
    fig, alt = f.bars_by_group(GROUPS, "andel per enhet", goals=(f.GoalMark(0.9, f"Mål 90{NB}%", f"minst 90{NB}%",
                                                                         "Vuxna"),))
    [line] = dashed_lines(fig.axes[0])
    assert list(line.get_ydata()) == pytest.approx([1 - 0.42, 1 + 0.42])  # row 1 = Vuxna
    assert f"(Vuxna: minst 90{NB}%)" in alt


def test_goal_marks_only_for_goals_on_the_total_or_a_group_drawn():
    goals = [Goal("A", "mal_i_arenden", "minst", 0.8), Goal("B", "mal_i_arenden", "minst", 0.9, "unit", "barn_unga"),
             Goal("C", "mal_i_arenden", "minst", 0.7, "unit", "ekonomiskt_bistand"),
             Goal("D", "mal_i_arenden", "lagre_an_foregaende"), Goal("E", "lex_sarah", "hogst", 10),
             Goal("F", "utredningstid_median", "hogst", 90)]
    marks = specs.goal_marks(goals, "mal_i_arenden", "andel", {"barn_unga": "Barn och unga"}, "unit")
    assert marks == (f.GoalMark(0.8, f"Mål 80{NB}%", f"minst 80{NB}%"),
                     f.GoalMark(0.9, f"Mål 90{NB}%", f"minst 90{NB}%", "Barn och unga"))
    # a goal on a group that is not drawn, a goal relative to last year: no line
    assert specs.goal_marks(goals, "mal_i_arenden", "andel", {"kvinna": "Kvinnor"}, "sex") == marks[:1]
    assert specs.goal_marks(goals, "utredningstid_median", "median_dagar") == (
        f.GoalMark(90.0, "Mål högst 90 dagar", "högst 90 dagar"),)


def test_trend_goal_lines_per_series_and_labels_do_not_collide():
    data = pd.DataFrame({"series": ["A"] * 8 + ["B"] * 8 + ["C"] * 8, "period": [str(y) for y in range(2018, 2026)] * 3,
                         "value": [0.7] * 7 + [0.76] + [0.72] * 7 + [0.77] + [0.74] * 7 + [0.78], "suppressed": False})
    goals = (f.GoalMark(0.8, f"Mål 80{NB}%", f"minst 80{NB}%", "A"), f.GoalMark(0.8, f"Mål 80{NB}%", f"minst 80{NB}%", "B"),
             f.GoalMark(0.95, f"Mål 95{NB}%", f"minst 95{NB}%", "C"))
    fig, alt = f.trend_lines(data, "andel över tid", goals=goals)
    ax = fig.axes[0]
    assert sorted(line.get_ydata()[0] for line in ax.lines if len(set(line.get_ydata())) == 1
                  and line.get_ydata()[0] in (0.8, 0.95)) == [0.8, 0.8, 0.95]
    assert texts(fig).count(f"Mål 80{NB}%") == 2  # one per series: two labels at 80 % set apart
    assert f"Streckade linjer visar nämndens mål (A: minst 80{NB}%; B: minst 80{NB}%; C: minst 95{NB}%)." in alt
    assert checks.text_overlaps(fig) == []  # 76, 77 and 78 % at the last point, 80 % twice


def test_crowded_charts_have_no_overlapping_or_cut_off_texts():
    many = pd.DataFrame({"label": [f"Utförare med ett långt namn nummer {i}" for i in range(14)],
                         "value": [0.97, 0.99, 1.0, 0.98] * 3 + [np.nan, 0.96],
                         "ci_low": [0.9] * 12 + [np.nan, 0.9], "ci_high": [1.0] * 12 + [np.nan, 1.0],
                         "n": [1234] * 12 + [3, 99], "suppressed": [False] * 12 + [True, False]})
    rows = [{"label": g, "category": c, "value": v, "n": 480, "suppressed": False}
            for g in ("Vuxna – missbruk och beroende", "Barn och unga", "Ekonomiskt bistånd")
            for c, v in zip(ATTAINMENT_LABELS, [0.55, 0.11, 0.1, 0.12, 0.12])]
    months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
    monthly = pd.DataFrame({"month": months * 3, "series": ["Inkomna"] * 24 + ["Inledda"] * 24 + ["Avslutade"] * 24,
                            "value": list(range(72)), "suppressed": False})
    drawn = [f.bars_by_group(many, "andel per utförare", goals=(f.GoalMark(0.95, f"Mål 95{NB}%", "minst 95 %"),)),
             f.stacked_shares(pd.DataFrame(rows), "måluppfyllelse", list(ATTAINMENT_LABELS), ATTAINMENT_LABELS),
             f.monthly_counts(monthly, "per månad")]
    for fig, _alt in drawn:
        assert checks.text_overlaps(fig) == []
        assert checks.outside_figure(fig) == []
        assert checks.unlabelled_axes(fig) == []
    # the measurement finds overlaps: two labels on the same spot
    fig, _ = f.bars_by_group(GROUPS, "andel")
    fig.axes[0].text(0.82, 0, "krock")
    fig.axes[0].text(0.82, 0, "krock")
    assert ("krock", "krock") in checks.text_overlaps(fig)


def test_values_carry_unit_and_statistic():
    data = pd.DataFrame({"label": ["Kvinnor", "Män"], "value": [7.0, 6.45], "n": [120, 80], "suppressed": False})
    fig, alt = f.bars_by_group(data, "månader med försörjningsstöd per kön 2025", unit="medelvärde_månader",
                               group_axis="Kön")
    assert fig.axes[0].get_xlabel() == "Medelvärde (månader)" and fig.axes[0].get_ylabel() == "Kön"
    assert "7,0 månader (n = 120)" in texts(fig)
    assert alt.startswith("Stapeldiagram: månader med försörjningsstöd per kön 2025 (medelvärde). Kvinnor 7,0 "
                          "månader (n = 120); Män 6,5 månader (n = 80).")  # 6.45 is stored as 6.4500000000000002
    fig, alt = f.bars_by_group(data.assign(value=[89, 120]), "utredningstid", unit="median_dagar")
    assert fig.axes[0].get_xlabel() == "Median (dagar)" and "89 dagar (n = 120)" in texts(fig)
    assert "(median). Kvinnor 89 dagar" in alt
    assert f.described(89, "median_dagar") == "median 89 dagar" and f.value_axis_label("antal") == "Antal"


def tables_of_codes():
    """Cells for every spec whose groups are raw codes, the way step 5 writes them."""
    def rows(name, grouping, groups, category="", value=0.6, n=200, periods=("2025",)):
        return [{"indicator": name, "period": p, "grouping": grouping, "group": g, "category": category,
                 "numerator": value * n, "denominator": n, "value": value, "ci_low": value - 0.05,
                 "ci_high": value + 0.05, "n": n, "suppressed": False} for p in periods for g in groups]
    from helpers.analysis.comparisons import normalise
    out = {
        "mal_i_arenden": rows("mal_i_arenden", "type", ["oppenvard", "konsulentstott_familjehem"])
        + rows("mal_i_arenden", "total", ["Totalt"], periods=("2024", "2025")),
        "maluppfyllelse": [r for c in ("positiv_uppfyllt", "negativ") for r in
                           rows("maluppfyllelse", "type", ["oppenvard", "konsulentstott_familjehem"], c, 0.5)],
        "forandring_fore_efter": [r for c in ("forbattrad", "forsamrad") for r in
                                  rows("forandring_fore_efter", "instrument", ["ASI_alkohol", "egen_skala"], c, 0.5)],
        "brukarenkat_positiva": [r for q in range(1, 8) for r in rows("brukarenkat_positiva", "total", ["Totalt"],
                                                                         f"Q{q}")],
        "livssituation_forbattrad": rows("livssituation_forbattrad", "target_group",
                                         ["barn_0_12", "vuxna_ekb", "unga_13"]),
        "placerade": rows("placerade", "legal_basis", ["LVU2", "SoL"], "periodens_slut", 40, 40),
        "synpunkter_klagomal": rows("synpunkter_klagomal", "incident_type", ["synpunkt", "klagomal"], "", 30, 30)
        + rows("synpunkter_klagomal", "total", ["Totalt"], "", 60, 60, ("2024", "2025")),
        "lex_sarah": rows("lex_sarah", "incident_type", ["lex_sarah", "lex_sarah_ivo"], "", 8, 8)
        + rows("lex_sarah", "total", ["Totalt"], "", 16, 16, ("2024", "2025")),
    }
    return {k: normalise(pd.DataFrame(v), k) for k, v in out.items()}


CODES = ["barn_0_12", "vuxna_ekb", "oppenvard", "konsulentstott_familjehem", *[f"Q{q}" for q in range(1, 8)],
         "unga_13", "ASI_alkohol", "egen_skala", "klagomal", "lex_sarah_ivo", "LVU2"]


def test_no_raw_code_on_any_figure_and_every_axis_labelled(tmp_path):
    config = load_config(DEFAULT_CONFIG)
    from helpers.analysis.comparisons import glossary
    entries = specs.build(tables_of_codes(), glossary(), "2025", tmp_path, config=config)
    assert {e.id for e in entries} >= {"mal_i_arenden", "maluppfyllelse", "forandring_fore_efter", "placerade",
                                       "brukarenkat_positiva", "livssituation_forbattrad", "internkontroll_per_typ",
                                       "uppfoljning_over_tid", "internkontroll_over_tid"}
    for e in entries:
        seen = svg_texts(tmp_path / e.fil_svg)
        words = " ".join(seen + [e.alt, e.rubrik])
        for code in CODES:
            assert code not in words, f"{code} i figuren {e.id}"
        # every saved figure's axes carry their labels (x and y), as text in the file
        root = ElementTree.parse(tmp_path / e.fil_svg).getroot()
        for gid in ("x-axelns-etikett", "y-axelns-etikett"):
            group = [g for g in root.iter(f"{SVG}g") if g.get("id") == gid]
            assert group and "".join(group[0].itertext()).strip(), f"{gid} saknas i {e.id}"
    assert "Ungdomar 13 år och äldre" in " ".join(svg_texts(tmp_path / "livssituation_forbattrad.svg"))
    # the demo config's goals: 95 % on mål i alla ärenden (a line on its bars and on the trend)
    assert f"Mål 95{NB}%" in svg_texts(tmp_path / "mal_i_arenden.svg")
    assert f"Mål 95{NB}%" in svg_texts(tmp_path / "uppfoljning_over_tid.svg")


def test_theme_is_set_once_and_svg_keeps_text(tmp_path, monkeypatch):
    f.apply_theme()
    calls = []
    monkeypatch.setattr(f.sns, "set_theme", lambda *a, **k: calls.append(1))
    fig, alt = f.bars_by_group(GROUPS, "andel")
    f.bars_by_group(GROUPS, "andel")
    assert calls == []  # no second theme set-up (and no font work) per figure
    svg, png = f.save(fig, tmp_path, "andel", png=False)
    assert png is None and not (tmp_path / "andel.png").exists()
    assert "Barn och unga" in svg_texts(svg) and "<path id=\"DejaVuSans" not in svg.read_text(encoding="utf-8")


# --- figures drawn ahead under the runner --------------------------------------------------------------------

def test_figures_drawn_ahead_are_taken_by_the_report_not_drawn_again(tmp_path, monkeypatch):
    """Under the runner a worker draws a report's figures before its notebook runs (``draw_ahead``); the
    notebook's call then writes the same files from the run's shared folder and draws nothing. Figures of
    another publication are drawn anew; without a shared folder the notebook draws into the report's folder."""
    from pathlib import Path

    from helpers import params, sharing
    from helpers.analysis.figure_entry import FigureEntry
    from helpers.publication.store import PUBLISHED_FILE

    drawn = []

    def fake_draw(run, folder):
        drawn.append(Path(folder))
        entry = FigureEntry("a", "a.svg", "", f"Rubrik {len(drawn)}", "alt", "uppfoljning")
        (Path(folder) / "a.svg").write_bytes(b"<svg>%d</svg>" % len(drawn))
        f.write_manifest([entry], folder)
        return [entry]

    monkeypatch.setattr(specs, "draw_report", fake_draw)
    shared = tmp_path / "delat"
    shared.mkdir()
    monkeypatch.setenv(sharing.SHARED_ENV, str(shared))
    out, data = tmp_path / "ut", tmp_path / "data"
    parameters = {"period": "2025", "config": str(DEFAULT_CONFIG), "data_dir": str(data), "output_dir": str(out),
                  "unit": None}
    assert specs.draw_ahead(parameters) == 1 and len(drawn) == 1
    assert specs.draw_ahead(parameters, ahead=True) == 0 and len(drawn) == 1  # drawn already: nothing to do
    run = params.validate("2025", str(DEFAULT_CONFIG), data, out, None)
    entries = specs.build_for_report(run)
    assert len(drawn) == 1 and [e.rubrik for e in entries] == ["Rubrik 1"]
    assert (out / "figurer" / "a.svg").read_bytes() == b"<svg>1</svg>"
    assert f.read_manifest(out / "figurer") == entries

    publication = Path(run.paths.publication)
    publication.mkdir(parents=True)
    (publication / PUBLISHED_FILE).write_bytes(b"en annan publikation")
    specs.build_for_report(run)
    assert len(drawn) == 2 and (out / "figurer" / "a.svg").read_bytes() == b"<svg>2</svg>"

    monkeypatch.delenv(sharing.SHARED_ENV)
    specs.build_for_report(run)
    assert drawn[-1] == Path(run.paths.figures) and len(drawn) == 3


def test_the_kernels_imports_leave_out_the_drawing_modules():
    """A warm kernel imports what the notebooks import: that leaves out matplotlib, seaborn and scipy.stats
    (~2 s of every kernel's start), which only drawing needs, and the runner's workers draw."""
    import subprocess
    import sys
    from pathlib import Path

    from helpers.run.engine import HEAVY_MODULES, notebook_imports

    modules = [*HEAVY_MODULES, *notebook_imports(sorted((Path(__file__).parents[1] / "notebooks").glob("0*.ipynb")))]
    code = ("import importlib, sys\n"
            f"for m in {modules!r}:\n"
            "    try:\n        importlib.import_module(m)\n    except ImportError:\n        pass\n"
            "print(sorted(m for m in ('matplotlib', 'seaborn', 'scipy.stats') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "helpers.analysis.figure_specs" in modules and out.stdout.strip() == "[]"


def test_seaborn_is_imported_without_scipys_statistics_and_clustering():
    """Drawing imports seaborn for its palette and theme only: scipy.stats and scipy.cluster (~0,8 s of a core),
    which seaborn loads for density estimates and clustered heat maps, stay out, and can be imported afterwards as
    usual. Where one was imported before, it stays."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from helpers.analysis import charts\n"
            "print(sorted(m for m in ('scipy.stats', 'scipy.cluster') if m in sys.modules))\n"
            "import scipy.stats, scipy.cluster.hierarchy\n"
            "print(scipy.stats.norm.cdf(0.0), charts.PALETTE == charts.sns.color_palette('colorblind'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "0.5 True"]
    before = subprocess.run([sys.executable, "-c", "import scipy.stats\n" + code], capture_output=True, text=True,
                            check=True)
    assert before.stdout.split("\n")[:2] == ["['scipy.stats']", "0.5 True"]


def test_text_extents_are_remembered_across_figures_and_follow_the_font():
    """Every saved figure has a new SVG renderer: the extents of its texts are kept for the process instead, and
    are the ones matplotlib measures, for the font the text is set in at the time."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    from helpers.analysis import chart_layout

    measure = TextToPath.get_text_width_height_descent
    original = measure.original  # installed by the drawing module
    ruler = TextToPath()
    text, prop = "Mål 80 % (n = 1 234)", FontProperties(family="DejaVu Sans", size=9)
    chart_layout._EXTENTS.clear()
    first = measure(ruler, text, prop, False)
    assert first == original(ruler, text, prop, False) and len(chart_layout._EXTENTS) == 1
    prop.set_size(18)  # the key is a copy: changing the properties afterwards measures anew
    larger = measure(ruler, text, prop, False)
    assert larger == original(ruler, text, prop, False) and larger[0] > 1.9 * first[0]
    assert measure(TextToPath(), text, FontProperties(family="DejaVu Sans", size=9), False) == first
    assert len(chart_layout._EXTENTS) == 2
    with mpl.rc_context({"font.sans-serif": ["DejaVu Sans Mono"]}):  # a generic family resolved otherwise
        generic = FontProperties(family="sans-serif", size=9)
        assert measure(ruler, text, generic, False) == original(ruler, text, generic, False) != first
    assert measure(ruler, r"$x^2$", prop, True) == original(ruler, r"$x^2$", prop, True)  # not kept
    assert len(chart_layout._EXTENTS) == 3
