"""The committee's goals for the period (Mål för perioden): read from the config, judged against the indicators.

A goal names an indicator, optionally a group or category of it, and a target:
``{typ: minst, varde: 0.8}``, ``{typ: hogst, varde: 30}``, ``{typ: lagre_an_foregaende}`` or
``{typ: hogre_an_foregaende}``. ``delvis: 0.05`` makes a value within 0.05 of the target "delvis uppnått";
``delvis_enheter: true`` judges the goal per unit (all units = uppnått, some = delvis uppnått).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import formatting as fmt
from ..formatting import format_value  # noqa: F401 (used by the analysis too)
from ..config import Config, ConfigError
from ..tables import write_atomic

REACHED = "uppnått"
PARTLY = "delvis uppnått"
NOT_REACHED = "inte uppnått"
NOT_MEASURABLE = "kan inte mätas"
STATUSES = (REACHED, PARTLY, NOT_REACHED, NOT_MEASURABLE)

TARGET_TYPES = ("minst", "hogst", "lagre_an_foregaende", "hogre_an_foregaende")
RELATIVE = ("lagre_an_foregaende", "hogre_an_foregaende")
GOAL_COLUMNS = ["mal", "indikator", "malvarde_text", "resultat_text", "status", "varde", "n"]


@dataclass(frozen=True)
class Goal:
    text: str
    indicator: str
    target_type: str
    target_value: float | None = None
    grouping: str = "total"
    group: str = "Totalt"
    category: str = ""
    band: float | None = None
    partly_units: bool = False
    measure: str = ""  # optional phrase for the result text, e.g. "andelen insatser med dokumenterat mål"


@dataclass(frozen=True)
class IndicatorInfo:
    """What a goal's wording needs to know about its indicator (from ordlista.parquet)."""
    label: str
    unit: str = "andel"  # "andel" | "antal" | "median_dagar" | "medelvärde" | ...


@dataclass(frozen=True)
class GoalResult:
    goal: Goal
    status: str
    target_text: str
    result_text: str
    value: float | None
    n: float | None

    def row(self) -> dict:
        return {"mal": self.goal.text, "indikator": self.goal.indicator, "malvarde_text": self.target_text,
                "resultat_text": self.result_text, "status": self.status, "varde": self.value, "n": self.n}


# --- reading the config -------------------------------------------------------------------------------

def goals_from_config(config: Config) -> list[Goal]:
    """The goals under ``mal:``; a malformed goal raises ConfigError naming the file, the goal and the key."""
    raw = config.get("mal") or []
    if not isinstance(raw, list):
        raise ConfigError(f"{config.path.name}: 'mal' ska vara en lista med mål.")
    return [_parse_goal(item, i + 1, config.path.name) for i, item in enumerate(raw)]


def _parse_goal(item, number: int, source: str) -> Goal:
    where = f"{source}, mål nr {number}"
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: varje mål ska ha nycklarna 'text', 'indikator' och 'mal'.")
    for key in ("text", "indikator", "mal"):
        if not item.get(key):
            raise ConfigError(f"{where}: nyckeln '{key}' saknas.")
    target = item["mal"]
    if not isinstance(target, dict) or target.get("typ") not in TARGET_TYPES:
        raise ConfigError(f"{where}: 'mal.typ' ska vara en av {', '.join(TARGET_TYPES)}.")
    value = target.get("varde")
    if target["typ"] not in RELATIVE:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: 'mal.varde' ska vara ett tal (andelar som 0.8 för 80 %).")
        value = float(value)
    group = item.get("grupp") or {}
    if not isinstance(group, dict):
        raise ConfigError(f"{where}: 'grupp' ska ha nycklarna grouping, group och/eller category.")
    band = item.get("delvis")
    if band is not None and (isinstance(band, bool) or not isinstance(band, (int, float)) or band < 0):
        raise ConfigError(f"{where}: 'delvis' ska vara ett tal ≥ 0 (t.ex. 0.05 för 5 procentenheter).")
    grouping = str(group.get("grouping", "total"))
    return Goal(text=str(item["text"]).strip(), indicator=str(item["indikator"]), target_type=target["typ"],
                target_value=value if target["typ"] not in RELATIVE else None, grouping=grouping,
                group=str(group.get("group", "Totalt" if grouping == "total" else "")),
                category=str(group.get("category", "")), band=None if band is None else float(band),
                partly_units=bool(item.get("delvis_enheter", False)), measure=str(item.get("matt") or "").strip())


# --- wording ------------------------------------------------------------------------------------------

def subject(info: IndicatorInfo) -> str:
    """The indicator as the subject of a sentence: 'Andel insatser med mål' -> 'Andelen insatser med mål'.

    A label that is not a phrase starting with Andel/Antal becomes 'Andelen för ”Mål i alla ärenden”'.
    """
    label = info.label.strip()
    for word, definite in (("Andel ", "Andelen "), ("Antal ", "Antalet ")):
        if label.startswith(word):
            return definite + label[len(word):]
    if label.startswith(("Andelen ", "Antalet ")):
        return label
    if info.unit == "andel":
        return f"Andelen för ”{label}”"
    if info.unit == "antal":
        return f"Antalet för ”{label}”"
    return label[:1].upper() + label[1:]


def target_text(goal: Goal, unit: str) -> str:
    if goal.target_type == "minst":
        return f"minst {format_value(goal.target_value, unit)}"
    if goal.target_type == "hogst":
        return f"högst {format_value(goal.target_value, unit)}"
    return "lägre än föregående år" if goal.target_type == "lagre_an_foregaende" else "högre än föregående år"


def _with_n(value, n, unit: str, extra_decimals: int = 0) -> str:
    text = format_value(value, unit, extra_decimals)
    if n is None or pd.isna(n) or (unit == "antal" and float(n) == float(value)):
        return text
    return f"{text} (n = {fmt.integer(n)})"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


# --- evaluation ---------------------------------------------------------------------------------------

def _rows(table: pd.DataFrame, period: str, grouping: str, group: str | tuple, category: str) -> pd.DataFrame:
    groups = group if isinstance(group, tuple) else (group,)
    if table.empty:
        return table
    sel = ((table["period"].astype(str) == str(period)) & (table["grouping"] == grouping)
           & (table["category"].fillna("") == category))
    if grouping == "total":
        return table[sel]
    return table[sel & table["group"].astype(str).isin(groups)]


def _cell(table, period, grouping, group, category) -> tuple[str, float | None, float | None]:
    """('ok' | 'saknas' | 'undertryckt', value, n) for one cell."""
    rows = _rows(table, period, grouping, group, category)
    if rows.empty:
        return "saknas", None, None
    row = rows.iloc[0]
    if bool(row.get("suppressed", False)) or pd.isna(row["value"]):
        return ("undertryckt" if bool(row.get("suppressed", False)) else "saknas"), None, None
    n = row.get("n")
    return "ok", float(row["value"]), (None if n is None or pd.isna(n) else float(n))


def previous_period(table: pd.DataFrame, period: str) -> str | None:
    """The latest period before ``period`` in the table (periods are years as strings)."""
    if table.empty:
        return None
    earlier = sorted(p for p in table["period"].astype(str).unique() if p < str(period))
    return earlier[-1] if earlier else None


def _meets(goal: Goal, value: float, reference: float | None) -> str:
    """REACHED, PARTLY (within the band) or NOT_REACHED for one value."""
    band = goal.band or 0.0
    if goal.target_type == "minst":
        gap = goal.target_value - value
    elif goal.target_type == "hogst":
        gap = value - goal.target_value
    elif goal.target_type == "lagre_an_foregaende":
        gap = value - reference if value != reference else 1e-12
    else:
        gap = reference - value if value != reference else 1e-12
    gap = round(gap, 12)
    if gap <= 0:
        return REACHED
    return PARTLY if band and gap <= band + 1e-12 else NOT_REACHED


def evaluate_goal(goal: Goal, table: pd.DataFrame, period: str, info: IndicatorInfo | None = None,
                  unit_names: dict[str, str] | None = None, min_cell: int = 5) -> GoalResult:
    """Judge one goal against its indicator table (all periods, contract of indicators/<name>.parquet)."""
    info = info or IndicatorInfo(label=goal.indicator)
    if goal.measure:
        info = IndicatorInfo(goal.measure[:1].upper() + goal.measure[1:], info.unit)
    unit_names = unit_names or {}
    target = target_text(goal, info.unit)
    period = str(period)
    groups = (goal.group, unit_names[goal.group]) if goal.group in unit_names else goal.group
    state, value, n = _cell(table, period, goal.grouping, groups, goal.category)
    name = _lower_first(subject(info))
    group_note = f" för {unit_names.get(goal.group, goal.group)}" if goal.grouping != "total" else ""

    def unmeasurable(reason: str, shown=None, shown_n=None) -> GoalResult:
        return GoalResult(goal, NOT_MEASURABLE, target, reason, shown, shown_n)

    if state == "saknas":
        return unmeasurable(f"Det finns inga uppgifter om {name}{group_note} för {period}, "
                            f"målet var {target}.")
    if state == "undertryckt":
        return unmeasurable(f"Uppgiften om {name}{group_note} för {period} redovisas inte eftersom underlaget "
                            f"är för litet (färre än {min_cell}), målet var {target}.")
    reference = prev = prev_n = None
    if goal.target_type in RELATIVE:
        prev = previous_period(table, period)
        prev_state, reference, prev_n = (_cell(table, prev, goal.grouping, groups, goal.category)
                                         if prev else ("saknas", None, None))
        if prev_state != "ok":
            return unmeasurable(f"{subject(info)}{group_note} var {_with_n(value, n, info.unit)}, men det finns "
                                f"ingen jämförbar uppgift för föregående år; målet var {target}.", value, n)

    status = _meets(goal, value, reference)
    # A value that rounds to its target but misses it is shown with one more decimal, so text and status agree.
    shown_target = reference if goal.target_type in RELATIVE else goal.target_value
    extra = int(status != REACHED and format_value(value, info.unit) == format_value(shown_target, info.unit))
    opening = f"{subject(info)}{group_note} var {_with_n(value, n, info.unit, extra)}"
    if goal.target_type in RELATIVE:
        opening += f" jämfört med {_with_n(reference, prev_n, info.unit, extra)} år {prev}"
    text = f"{opening}, målet var {target}."
    if goal.partly_units and goal.grouping == "total":
        status, note = _units_rule(goal, table, period, reference, info, unit_names, status)
        text += note
    return GoalResult(goal, status, target, text, value, n)


def _units_rule(goal: Goal, table: pd.DataFrame, period: str, reference, info: IndicatorInfo,
                unit_names: dict[str, str], total_status: str) -> tuple[str, str]:
    """Judge per unit: all reach it = uppnått, some = delvis uppnått, none = inte uppnått."""
    rows = table[(table["period"].astype(str) == period) & (table["grouping"] == "unit")
                 & (table["category"].fillna("") == goal.category)] if not table.empty else table
    if rows.empty:
        return total_status, ""
    prev = previous_period(table, period)
    reached, measured, unmeasured = [], 0, 0
    for _, row in rows.iterrows():
        grp = str(row["group"])
        state, value, _ = _cell(table, period, "unit", grp, goal.category)
        ref = None
        if goal.target_type in RELATIVE:
            prev_state, ref, _ = _cell(table, prev, "unit", grp, goal.category) if prev else ("saknas", None, None)
            state = state if prev_state == "ok" else "saknas"
        if state != "ok":
            unmeasured += 1
            continue
        measured += 1
        if _meets(goal, value, ref) == REACHED:
            reached.append(unit_names.get(grp, grp))
    if measured == 0:
        return total_status, " Målet kan inte bedömas per enhet."
    status = REACHED if len(reached) == measured else (PARTLY if reached else NOT_REACHED)
    note = f" Målet nåddes i {len(reached)} av {measured} enheter"
    note += f" ({', '.join(reached)})." if reached and len(reached) < measured else "."
    if unmeasured:
        note += f" {unmeasured} enhet{'er' if unmeasured > 1 else ''} kan inte mätas."
    return status, note


# --- all goals ----------------------------------------------------------------------------------------

def for_unit(goals: list[Goal], unit: str | None, unit_names: dict[str, str]) -> list[Goal]:
    """In a unit's report: drop goals set for another unit; a goal for this unit is read from its total."""
    if unit is None:
        return goals
    names = {unit, unit_names.get(unit, unit)}
    kept = []
    for g in goals:
        if g.grouping == "unit":
            if g.group not in names:
                continue
            g = Goal(g.text, g.indicator, g.target_type, g.target_value, "total", "Totalt", g.category,
                     g.band, False, g.measure)
        kept.append(g)
    return kept


def evaluate_goals(goals: list[Goal], tables: dict[str, pd.DataFrame], period: str,
                   infos: dict[str, IndicatorInfo] | None = None, unit_names: dict[str, str] | None = None,
                   min_cell: int = 5) -> pd.DataFrame:
    """One row per goal with the columns of mal.parquet, in the config's order."""
    infos = infos or {}
    empty = pd.DataFrame(columns=["indicator", "period", "grouping", "group", "category", "value", "n",
                                  "suppressed"])
    rows = [evaluate_goal(g, tables.get(g.indicator, empty), period, infos.get(g.indicator), unit_names,
                          min_cell).row() for g in goals]
    out = pd.DataFrame(rows, columns=GOAL_COLUMNS)
    out["varde"] = out["varde"].astype("Float64")
    out["n"] = out["n"].astype("Float64")
    return out


def write_goals(goal_table: pd.DataFrame, analysis_dir: str | Path) -> Path:
    return write_atomic(goal_table, Path(analysis_dir) / "mal.parquet")
