"""Step 6 for every scope at once: the committee's goals, comparisons, trends and key findings of the whole
organisation and of each unit, all read from the one publication, written to ``<root>/analys/<scope>/``."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import comparisons as cmp
from . import findings as fnd
from . import goals as g

ORG = "hela"


@dataclass
class ScopeAnalysis:
    scope: str | None
    goals: pd.DataFrame
    comparisons: pd.DataFrame
    trend: pd.DataFrame
    findings: list  # findings.KeyFindings: list[findings.Finding] with the rule and the number tested


def analyse(pub, scope: str | None, config) -> ScopeAnalysis:
    """One scope's analysis from the publication's cells (numbers of suppressed cells are never used)."""
    tables = pub.tables(scope)
    gloss = cmp.glossary()
    period = pub.period
    goal_list = g.for_unit(g.goals_from_config(config), scope, config.units)
    goal_table = g.evaluate_goals(goal_list, tables, period, gloss, config.units, config.min_cell)
    comparison = cmp.comparisons(tables, period, gloss, config.units)
    trend = cmp.trend(tables, gloss)
    findings = fnd.key_findings(goal_table, comparison, period, config, scope)
    return ScopeAnalysis(scope, goal_table, comparison, trend, findings)


def write(result: ScopeAnalysis, paths) -> list:
    folder = paths.analysis_for(result.scope)
    written = [g.write_goals(result.goals, folder)]
    written += cmp.write_analysis(folder, result.comparisons, result.trend)
    fnd.write_key_findings(folder / "nyckelfynd.md", result.findings)
    return written + [folder / "nyckelfynd.md"]


def analyse_all(pub, config, paths) -> dict[str, ScopeAnalysis]:
    """Every scope (the whole organisation first, then each unit in the config's order)."""
    out = {}
    for scope in [None, *config.units]:
        result = analyse(pub, scope, config)
        write(result, paths)
        out[scope or ORG] = result
    return out


def overview(results: dict[str, ScopeAnalysis], config) -> pd.DataFrame:
    rows = []
    for scope, r in results.items():
        counts = r.goals["status"].value_counts() if len(r.goals) else pd.Series(dtype=int)
        rows.append({"Område": "Hela verksamheten" if scope == ORG else config.unit_name(scope),
                     "Mål": int(len(r.goals)), "Uppnådda": int(counts.get(g.REACHED, 0)),
                     "Delvis": int(counts.get(g.PARTLY, 0)), "Inte uppnådda": int(counts.get(g.NOT_REACHED, 0)),
                     "Kan inte mätas": int(counts.get(g.NOT_MEASURABLE, 0)), "Nyckelfynd": len(r.findings)})
    return pd.DataFrame(rows)
