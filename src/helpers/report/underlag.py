"""Om underlaget: where the data came from, what was rejected and why (the import log), which sources earlier
periods lacked, what is missing per variable (from the publication's "Uppgift saknas" cells) and how disclosure
control was done; step 1's verdicts.

The report prints no count that is not a cell of the publication or protected like one: the expected shortfall
is read from the publication's cell, step 1's verdicts come without shares, and the import log's row counts go
through the same protection engine as the publication (``protect_import_tables``)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .. import formatting as fmt
from .. import importlog, labels
from ..grouping import MISSING_GROUP
from ..indicators.registry import REGISTRY
from ..publication.views import NOT_APPLICABLE, PUBLISHED
from ..schema import TABLES
from .live import MISSING_TEXT, SUPPRESSED_TEXT

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


def _planning(processed: Path) -> dict:
    try:
        data = json.loads((Path(processed) / "planering" / "urval.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def planning_verdicts(processed: Path) -> tuple[str, list[str]]:
    """Step 1's method and representativeness verdicts, in the version without shares (a share of a small sample
    can give away a small count); a planning file without that version gives no verdicts."""
    data = _planning(processed)
    method = str(data.get("metod_namn") or data.get("metod") or "")
    return method, [str(v) for v in (data.get("bedomningar_rapport") or {}).values()]


def shortfall_sentence(pub, scope: str | None, processed: Path) -> str:
    """The expected shortfall, from the publication's `matning_efter_insats` cell of the period step 1 looked at
    (last year), not from step 1's own count: that count is computed outside the publication and can be small in
    a unit's report. The cell is suppressed and audited with everything else; the number without an after
    measurement is its complement, which the primary rules and the audit cover too."""
    earlier = str((_planning(processed).get("bortfall") or {}).get("period") or int(pub.period) - 1)
    cell = pub.cell("matning_efter_insats", scope, period=earlier)
    lead = f"Förväntat bortfall bland förmätningarna i insatser som avslutades {earlier}"
    if cell is None or cell["status"] == NOT_APPLICABLE:
        return ""
    if cell["status"] != PUBLISHED or pd.isna(cell["denominator"]) or not cell["denominator"]:
        return f"{lead}: {SUPPRESSED_TEXT if cell['status'] != PUBLISHED else MISSING_TEXT}."
    base, missing = cell["denominator"], cell["denominator"] - cell["numerator"]
    return (f"{lead}: {fmt.percent(missing / base)} saknade eftermätning "
            f"({fmt.integer(missing)} av {fmt.integer(base)}).")


IMPORT_COUNTS = {"sources": ("in", "ok", "rejected"), "reasons": ("antal",)}


def protect_import_tables(sources: list[dict], reasons: list[dict], config) -> None:
    """Mark (``_suppressed``) the import log's counts that the privacy rules hide, in place.

    The import log counts rows of files, not persons, but a count by reason can still be small. The counts get
    the publication's rules: 1..min_cell-1 is hidden, and the protection engine hides partners until no hidden
    count can be worked out from the others (rows in = accepted + rejected, the total row = its parts, the
    reasons' total = the rejected rows). If it cannot, every count of the two tables is hidden."""
    from ..publication.secure import LinkedSetBuilder, ProtectionError, protection_range, run_protect

    b = LinkedSetBuilder(protection=protection_range(config))
    tables = ((sources, IMPORT_COUNTS["sources"]), (reasons, IMPORT_COUNTS["reasons"]))
    cell, var, value = {}, {}, {}
    for t, (rows, keys) in enumerate(tables):
        for r, row in enumerate(rows):
            for key in keys:
                v = value[t, r, key] = float(row[key])
                weight = 50 if row.get("_role") == "total" else 1
                cell[t, r, key], var[t, r, key] = b.add_count(f"{row['label']}: {key}", v, 0 < v < config.min_cell,
                                                              (1 + v) * weight, protect=v > 0)

    def relate(total, parts, label):  # only what the log's numbers satisfy (the log is not checked here)
        if parts and value[total] == sum(value[p] for p in parts):
            b.sum_to(var[total], [var[p] for p in parts], label)

    for t, (rows, keys) in enumerate(tables):
        for key in keys:
            parts = [(t, r, key) for r, row in enumerate(rows) if row.get("_role") == "part"]
            for r, row in enumerate(rows):
                if row.get("_role") == "total":
                    relate((t, r, key), parts, f"summa {key}")
    for r, _ in enumerate(sources):
        relate((0, r, "in"), [(0, r, "ok"), (0, r, "rejected")], f"rad {r}")
    if sources and reasons:
        relate((0, len(sources) - 1, "rejected"), [(1, len(reasons) - 1, "antal")], "avvisade rader")
    if not any(0 < v < config.min_cell for v in value.values()):
        return  # no small count, so nothing to protect and nothing to hide
    try:
        hidden = run_protect(b.build()).suppressed
    except ProtectionError:
        hidden = [True] * len(cell)
    for (t, r, key), c in cell.items():
        if hidden[c]:
            row = tables[t][0][r]
            row["_suppressed"] = set(row.get("_suppressed", ())) | {key}


def frame_rows(df: pd.DataFrame) -> list[dict]:
    return df.to_dict("records")
