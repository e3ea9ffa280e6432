"""Small, hand-made inputs for the report in exactly the formats steps 5 and 6 write, and a notebook-free way to
build an "executed" report notebook from them (fast tests; the real notebook is run in test_report_notebook.py)."""
from __future__ import annotations

import json
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
    "indikator": ["mal_i_arenden", "brukarenkat_bemotande", "maluppfyllelse", "besok_placerade"],
    "malvarde_text": ["100 %", "≥ 90 %", "Högre än 2024", "4 besök per år"],
    "resultat_text": ["Andelen var 80 % (n = 100), målet var 100 %.", "Andelen var 90 % (n = 50).",
                      "Andelen uppfyllda mål ökade från 45 % till 50 %.", "Uppgifterna är för få för att redovisas."],
    "status": ["inte uppnått", "uppnått", "delvis uppnått", "kan inte mätas"],
    "varde": [0.8, 0.9, 0.5, np.nan],
    "n": [100, 50, 100, np.nan],
})


def _row(indicator, grouping, group, num, den, value, n=None, category="", suppressed=False, ci=(np.nan, np.nan)):
    return {"indicator": indicator, "period": "2025", "grouping": grouping, "group": group, "category": category,
            "numerator": num, "denominator": den, "value": value, "ci_low": ci[0], "ci_high": ci[1],
            "n": n if n is not None else den, "suppressed": suppressed}


def indicator_frames() -> dict[str, pd.DataFrame]:
    # Parts by unit add up to the total: 30+25+25 = 80 of 40+30+30 = 100.
    goal = [_row("mal_i_arenden", "total", "Totalt", 80, 100, 0.80, ci=(0.71, 0.87)),
            _row("mal_i_arenden", "unit", "barn_unga", 30, 40, 0.75, ci=(0.60, 0.86)),
            _row("mal_i_arenden", "unit", "vuxna_missbruk", 25, 30, 25 / 30),
            _row("mal_i_arenden", "unit", "ekonomiskt_bistand", 25, 30, 25 / 30)]
    # Distribution: 50+30+12+8 = 100 goals.
    attain = [_row("maluppfyllelse", "total", "Totalt", k, 100, k / 100, category=c)
              for c, k in (("Positiv förändring och målet uppfyllt", 50), ("Positiv förändring men målet inte uppfyllt", 30),
                           ("Ingen förändring", 12), ("Negativ förändring", 8))]
    # Counts by sex: 60 + 57 + suppressed (3) = 120; the suppressed part explains the gap.
    inv = [_row("antal_utredningar", "total", "Totalt", 120, np.nan, 120, n=120),
           _row("antal_utredningar", "sex", "kvinna", 60, np.nan, 60, n=60),
           _row("antal_utredningar", "sex", "man", 57, np.nan, 57, n=57),
           _row("antal_utredningar", "sex", "annat", np.nan, np.nan, np.nan, n=np.nan, suppressed=True)]
    median = [_row("tid_till_beslut", "total", "Totalt", np.nan, np.nan, 95.5, n=120)]
    survey = [_row("brukarenkat_bemotande", "total", "Totalt", 45, 50, 0.90, ci=(0.79, 0.96))]
    return {"mal_i_arenden": pd.DataFrame(goal), "maluppfyllelse": pd.DataFrame(attain),
            "antal_utredningar": pd.DataFrame(inv), "tid_till_beslut": pd.DataFrame(median),
            "brukarenkat_bemotande": pd.DataFrame(survey)}


GLOSSARY = pd.DataFrame({
    "name": ["mal_i_arenden", "maluppfyllelse", "antal_utredningar", "tid_till_beslut", "brukarenkat_bemotande"],
    "label": ["Insatser med dokumenterat mål", "Måluppfyllelse", "Inledda barnavårdsutredningar",
              "Tid till beslut (median, dagar)", "Brukarenkät: nöjd med bemötandet"],
    "description": ["Andel pågående insatser med minst ett dokumenterat mål.", "Mål bedömda på den fyrgradiga skalan.",
                    "Antal inledda utredningar under året.", "Dagar från aktualisering till beslut.",
                    "Andel som svarat positivt på frågan om bemötande."],
    "numerator_text": ["insatser med mål", "mål i kategorin", "", "", "positiva svar"],
    "denominator_text": ["pågående insatser", "bedömda mål", "", "", "svar på frågan"],
    "unit": ["andel", "andel", "antal", "dagar", "andel"],
})

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
    ind = out / "indicators"
    ind.mkdir(parents=True)
    for name, df in indicator_frames().items():
        df.to_parquet(ind / f"{name}.parquet", index=False)
    GLOSSARY.to_parquet(ind / "ordlista.parquet", index=False)
    (ind / "undertryckning.json").write_text(json.dumps({"threshold": 5, "antal_utredningar": 1}), encoding="utf-8")
    ana = out / "analys"
    ana.mkdir()
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
    # The by-unit parts of mal_i_arenden sum to the total: 30 + 25 + 25 = 80 and 40 + 30 + 30 = 100.
    goal = indicator_frames()["mal_i_arenden"]
    parts = goal[goal["grouping"] == "unit"]
    assert parts["numerator"].sum() == 80 and parts["denominator"].sum() == 100
