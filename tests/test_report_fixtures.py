"""Small, hand-made inputs for the report in exactly the formats steps 5 and 6 write, and a notebook-free way to
build an "executed" report notebook from them (fast tests; the real notebook is run in test_report_notebook.py)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import yaml

from helpers import params
from helpers.config import DEFAULT_CONFIG
from helpers.report.sections import Report

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">'
       '<rect x="20" y="40" width="80" height="140" fill="#1f4e8c"/><rect x="140" y="80" width="80" height="100" '
       'fill="#e69f00"/></svg>')

GOALS = pd.DataFrame({
    "mal": ["Alla insatser ska ha ett dokumenterat mål", "Minst 90 % ska vara nöjda med bemötandet",
            "Fler mål ska uppfyllas än förra året", "Placerade barn ska besökas fyra gånger per år"],
    "indikator": ["mal_i_arenden", "brukarenkat_positiva", "maluppfyllelse", "besok_placerade_barn"],
    "malvarde_text": ["100 %", "≥ 90 %", "Högre än 2024", "4 besök per år"],
    "resultat_text": ["Andelen var 80 % (n = 100), målet var 100 %.", "Andelen var 90 % (n = 50).",
                      "Andelen uppfyllda mål ökade från 45 % till 50 %.", "Uppgifterna är för få för att redovisas."],
    "status": ["inte uppnått", "uppnått", "delvis uppnått", "kan inte mätas"],
    "varde": [0.8, 0.9, 0.5, np.nan],
    "n": [100, 50, 100, np.nan],
})


def _cell(indicator, scope, grouping, group, num, den, value, n=None, category="", status="publicerad",
          kind="share", period="2025", ci=(np.nan, np.nan)):
    return {"cell_id": f"{indicator}|{scope}|{period}|{grouping}|{group}|{category}", "indicator": indicator,
            "scope": scope, "period": period, "grouping": grouping, "group": group, "category": category,
            "numerator": num, "denominator": den, "value": value, "ci_low": ci[0], "ci_high": ci[1],
            "n": n if n is not None else den, "kind": kind, "status": status}


def publication_cells() -> pd.DataFrame:
    """A small publication: every number as steps 5 and 6 would publish it (suppressed cells carry none)."""
    rows = []
    # mal_i_arenden: the units' own totals add up to the whole organisation's: 30+25+25 = 80 of 40+30+30 = 100.
    rows.append(_cell("mal_i_arenden", "hela", "total", "Totalt", 80, 100, 0.80, ci=(0.71, 0.87)))
    rows.append(_cell("mal_i_arenden", "hela", "total", "Totalt", 72, 100, 0.72, period="2024"))
    for unit, k, n in (("barn_unga", 30, 40), ("vuxna_missbruk", 25, 30), ("ekonomiskt_bistand", 25, 30)):
        rows.append(_cell("mal_i_arenden", unit, "total", "Totalt", k, n, k / n))
    # by sex: 45 + 33 + one suppressed group
    rows += [_cell("mal_i_arenden", "hela", "sex", "kvinna", 45, 55, 45 / 55), _cell("mal_i_arenden", "hela", "sex",
             "man", 33, 41, 33 / 41), _cell("mal_i_arenden", "hela", "sex", "Uppgift saknas", np.nan, np.nan, np.nan,
                                          status="undertryckt")]
    # a distribution: 50+30+12+8 = 100 goals
    for c, k in (("positiv_uppfyllt", 50), ("positiv_ej_uppfyllt", 30), ("ingen_forandring", 12), ("negativ", 8)):
        rows.append(_cell("maluppfyllelse", "hela", "total", "Totalt", k, 100, k / 100, category=c))
    # counts: 60 + 57 + a suppressed part = 120
    rows += [_cell("synpunkter_klagomal", "hela", "total", "Totalt", 120, np.nan, 120, n=120, kind="count"),
             _cell("synpunkter_klagomal", "hela", "incident_type", "klagomal", 60, np.nan, 60, n=60, kind="count"),
             _cell("synpunkter_klagomal", "hela", "incident_type", "synpunkt", np.nan, np.nan, np.nan, n=np.nan,
                   kind="count", status="undertryckt")]
    rows.append(_cell("utredningstid_median", "hela", "total", "Totalt", np.nan, np.nan, 95.5, n=120, kind="median"))
    rows.append(_cell("brukarenkat_positiva", "hela", "total", "Totalt", 45, 50, 0.90, category="Q4"))
    # an indicator that does not concern a unit's area
    rows.append(_cell("forsorjningsstod_mottagare", "barn_unga", "total", "Totalt", np.nan, np.nan, np.nan,
                      kind="count", status="ej tillämplig"))
    return pd.DataFrame(rows)


TEXTS = {
    "sammanfattning": "Verksamheten har under året arbetat vidare med systematisk uppföljning.",
    "inledning": "Nämnden följer upp verksamhetens mål och identifierar förbättringsområden.",
    "kvalitetssakring": "Brukarenkäter har genomförts i alla enheter.",
    "internkontroll": "Internkontrollen visar förbättringar i dokumentationen.",
    "samverkan": "Samverkan med skola och region har fortsatt.",
}


def make_project(root: Path, texts: dict[str, str] | None = None) -> dict[str, Path]:
    """Config, texts, indicator, analysis, figure and processed files for period 2025 under ``root``."""
    cfg = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    cfg["texter"] = "texter"
    config = root / "kommun.yml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    tdir = root / "texter" / "2025"
    tdir.mkdir(parents=True)
    for name, text in (TEXTS if texts is None else texts).items():
        (tdir / f"{name}.md").write_text(text + "\n", encoding="utf-8")
    out = root / "reports" / "2025"
    pub = out / "publikation"
    pub.mkdir(parents=True)
    publication_cells().to_parquet(pub / "celler.parquet", index=False)
    (pub / "publikation.json").write_text(json.dumps({"celler": 17, "undertryckta": 2, "granskning": "Granskningen "
                                                      "gick igenom."}, ensure_ascii=False), encoding="utf-8")
    for scope in ("hela", "barn_unga", "vuxna_missbruk", "ekonomiskt_bistand"):
        ana = out / "analys" / scope
        ana.mkdir(parents=True)
        GOALS.to_parquet(ana / "mal.parquet", index=False)
        (ana / "nyckelfynd.md").write_text("- Andelen insatser med mål var 80 %.\n", encoding="utf-8")
    fig = out / "figurer"
    fig.mkdir()
    (fig / "mal_per_enhet.svg").write_text(SVG, encoding="utf-8")
    (fig / "figurer.json").write_text(json.dumps([
        {"id": "mal_per_enhet", "fil_svg": "mal_per_enhet.svg", "fil_png": "", "rubrik": "Insatser med mål per enhet",
         "alt": "Stapeldiagram: andel insatser med mål, Barn och unga 75 %, Vuxna 83 %, Ekonomiskt bistånd 83 %.",
         "avsnitt": "uppfoljning"}], ensure_ascii=False), encoding="utf-8")
    processed = root / "data" / "processed" / "2025"
    (processed / "karantan").mkdir(parents=True)
    incidents = pd.DataFrame({"incident_id": [f"i{i}" for i in range(14)],
                              "type": ["klagomal"] * 12 + ["lex_sarah"] * 2,
                              "date": pd.to_datetime(["2025-03-01"] * 14), "category": [""] * 14,
                              "unit": ["barn_unga"] * 14})
    incidents.to_parquet(processed / "incidents.parquet", index=False)
    pd.DataFrame({"row": [4, 9], "reason": ["ogiltigt personnummer", "datum saknas"]}).to_parquet(
        processed / "karantan" / "incidents.parquet", index=False)
    return {"config": config, "data_dir": root / "data", "output_dir": out, "texts": tdir}


def executed_notebook(project: dict[str, Path], unit: str | None = None) -> nbformat.NotebookNode:
    """What notebook 07 produces, without a kernel: one display_data output per report part."""
    run = params.validate("2025", str(project["config"]), str(project["data_dir"]), str(project["output_dir"]), unit)
    report = Report(run)
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    nb.cells.append(nbformat.v4.new_markdown_cell("# Förklaring för analytikern som inte ska synas"))
    code = nbformat.v4.new_code_cell("display(HTML(rapport.title_page()))")
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/html": part, "text/plain": "<HTML>"})
                    for part in report.sections()]
    code.outputs.append(nbformat.v4.new_output("stream", name="stdout", text="felsökningsutskrift\n"))
    nb.cells.append(code)
    return nb


def test_fixture_parts_add_up_by_hand():
    # The units' totals of mal_i_arenden sum to the organisation's: 30 + 25 + 25 = 80 and 40 + 30 + 30 = 100.
    cells = publication_cells()
    units = cells[(cells["indicator"] == "mal_i_arenden") & (cells["scope"] != "hela")]
    assert units["numerator"].sum() == 80 and units["denominator"].sum() == 100


def test_a_process_loads_the_publication_once_until_its_files_or_config_change(tmp_path):
    """Step 6, every report's figures and text and every annex read the same publication: loaded once per process
    while its files and the config's contents are unchanged; another config or rewritten cells load it again."""
    from helpers.publication.store import load_publication

    project = make_project(tmp_path)

    def load(config=None):
        run = params.validate("2025", str(config or project["config"]), str(project["data_dir"]),
                              str(project["output_dir"]))
        return load_publication(run.paths.publication, run.config, run.period)
    first = load()
    assert load() is first  # another Config object with the same file and contents
    other = tmp_path / "annan.yml"
    other.write_text(project["config"].read_text(encoding="utf-8").replace("kommun: ", "kommun: Annan ", 1),
                     encoding="utf-8")
    second = load(other)
    assert second is not first and second.config.municipality.startswith("Annan")
    assert load() is not second and load().config.municipality == first.config.municipality
    third = load()
    os.utime(project["output_dir"] / "publikation" / "celler.parquet", ns=(0, 0))  # rewritten cells
    assert load() is not third