"""Om underlaget: where the data came from, what was rejected and why (the import log), which sources earlier
periods lacked, what is missing per variable (from the publication's "Uppgift saknas" cells) and how
disclosure control was done."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .. import importlog, labels
from ..grouping import MISSING_GROUP
from ..indicators.registry import REGISTRY
from ..schema import TABLES

# The variables whose missing values limit the breakdowns, and the population each is counted in.
MISSING_BY = (("sex", "mal_i_arenden"), ("age_group", "mal_i_arenden"), ("target_group", "mal_i_arenden"),
              ("provider_type", "mal_i_arenden"), ("area", "maluppfyllelse"), ("sex", "brukarenkat_positiva"))
MISSING_CATEGORIES = (("avslutade_insatser", "Uppgift saknas", "Avslutsorsak"),)


def import_log(processed: Path) -> list[dict]:
    """One entry per imported source and table, as the import wrote it (empty when there is none)."""
    return [e for e in importlog.read_log(processed).values() if isinstance(e, dict) and "rows_in" in e]


def earlier_gaps(data_dir: Path, period: str) -> list[str]:
    """One Swedish sentence per source an earlier period lacked (its tables are not compared over time)."""
    base = Path(data_dir) / "processed"
    years = sorted(p.name for p in base.iterdir() if p.is_dir() and p.name.isdigit() and p.name < str(period)) \
        if base.is_dir() else []
    out = []
    for year in years:
        for file, tables in importlog.missing_sources(base / year):
            names = ", ".join(TABLES[t].label.lower() if t in TABLES else t for t in tables)
            out.append(f"Underlaget för {year} saknar {file} ({names}); de uppgifterna jämförs inte över tid.")
    return out


def source_rows(entries: list[dict]) -> list[dict]:
    rows = []
    for e in sorted(entries, key=lambda e: (str(e.get("source")), str(e.get("table")))):
        table = TABLES[e["table"]].label if e.get("table") in TABLES else str(e.get("table", ""))
        rows.append({"label": f"{e.get('source', '')} → {table}", "in": e.get("rows_in", 0),
                     "ok": e.get("accepted", 0), "rejected": e.get("rejected", 0), "_role": "part"})
    if rows:
        rows.append({"label": "Samtliga källor", "in": sum(r["in"] for r in rows), "ok": sum(r["ok"] for r in rows),
                     "rejected": sum(r["rejected"] for r in rows), "_role": "total"})
    return rows


def reason_rows(entries: list[dict]) -> list[dict]:
    """Why rows were rejected, summed over the sources: the import's own reasons, not the cases' reasons."""
    totals: dict[str, int] = {}
    for e in entries:
        for reason, k in (e.get("reasons") or {}).items():
            totals[reason] = totals.get(reason, 0) + int(k)
    rows = [{"label": r, "antal": k, "_role": "part"} for r, k in sorted(totals.items(), key=lambda kv: -kv[1])]
    if rows:
        rows.append({"label": "Samtliga avvisade rader", "antal": sum(totals.values()), "_role": "total"})
    return rows


def missing_rows(pub, scope: str | None) -> list[dict]:
    """Per variable: how many of a population lack a value ("Uppgift saknas"), as published."""
    rows = []
    for grouping, name in MISSING_BY:
        if not pub.applies(name, scope):
            continue
        category = "Q1" if name == "brukarenkat_positiva" else ("positiv_uppfyllt" if name == "maluppfyllelse" else "")
        total = pub.cell(name, scope, grouping="total", category=category)
        if total is None:
            continue
        missing = pub.cell(name, scope, grouping=grouping, group=MISSING_GROUP, category=category)
        rows.append(_missing_row(labels.grouping_label(grouping), REGISTRY[name].denominator_text, missing, total))
    for name, category, what in MISSING_CATEGORIES:
        if pub.applies(name, scope):
            cell = pub.cell(name, scope, category=category)
            if cell is not None:
                rows.append(_missing_row(what, REGISTRY[name].denominator_text, cell, cell, numerator=True))
    return rows


def _missing_row(variable: str, population: str, missing, total, numerator: bool = False) -> dict:
    hidden_total = total is None or total["status"] != "publicerad"
    base = None if hidden_total else total["denominator" if numerator else "n"]
    if missing is None:  # no group "Uppgift saknas": nothing is missing
        k, hidden = (0.0, False)
    else:
        hidden = missing["status"] != "publicerad"
        k = None if hidden else missing["numerator" if numerator else "n"]
    share = None if k is None or not base else k / base
    return {"label": variable, "population": population, "saknas": k, "bas": base, "andel": share,
            "_suppressed": ({"saknas", "andel"} if hidden else set()) | ({"bas", "andel"} if hidden_total else set())}


def disclosure_counts(pub) -> dict:
    meta = pub.meta or {}
    return {k: meta.get(k) for k in ("celler", "publicerade", "undertryckta", "primära", "sekundära", "granskning")}


def planning_verdicts(processed: Path) -> tuple[str, list[str]]:
    """Step 1's sample and its representativeness, as sentences (no counts of small groups)."""
    path = Path(processed) / "planering" / "urval.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "", []
    method = str(data.get("metod_namn") or data.get("metod") or "")
    shortfall = (data.get("bortfall") or {}).get("text", "")
    return method, [str(v) for v in (data.get("bedomningar") or {}).values()] + ([shortfall] if shortfall else [])


def frame_rows(df: pd.DataFrame) -> list[dict]:
    return df.to_dict("records")
