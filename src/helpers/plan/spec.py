"""The follow-up plan (step 1): load the user-edited YAML, check it against the data model, render it in Swedish.

A plan file has Swedish keys (see ``config/planer/exempelkommun.yml``):
``namn``, ``syfte``, ``population`` (``enheter``, ``malgrupper``, ``insatstyper``, ``period``), ``variabler``
(per occasion ``fore``/``under``/``efter``: canonical ``table.column`` names), ``instrument`` (keys of
``schema.INSTRUMENTS``), ``registrering`` (what, when and by whom), ``urval`` (``metod``, ``parametrar``,
``seed``, ``felmarginal``, ``andel``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import checked_files, schema
from ..config import Config
from ..yamldoc import YamlDocument, YamlFileError, read_yaml
from .methods import METHODS, margin_text

PLAN_OCCASIONS = ("fore", "under", "efter")
# The modules whose code decides whether a plan file passes (checked_files: a pass is remembered, and later
# processes read the plan without pydantic).
CHECKED_BY = ("plan/spec.py", "plan/model.py", "schema_messages.py", "schema.py", "yamldoc.py")


class PlanError(ValueError):
    """A plan that cannot be read or used; the message is Swedish and names the file."""


@dataclass(frozen=True)
class Plan:
    path: Path
    data: dict[str, Any]
    doc: YamlDocument | None = field(default=None, compare=False, repr=False)

    def where(self, *loc) -> str:
        """"plan.yml, rad 7" for the value at ``loc`` (the file name alone when the line is unknown)."""
        line = self.doc.line(loc) if self.doc is not None and loc else None
        return f"{self.path.name}, rad {line}" if line else self.path.name

    @property
    def name(self) -> str:
        return str(self.data.get("namn") or "Uppföljningsplan")

    @property
    def purpose(self) -> str:
        return str(self.data.get("syfte") or "").strip()

    @property
    def population(self) -> dict[str, Any]:
        return dict(self.data.get("population") or {})

    @property
    def units(self) -> list[str]:
        return [str(u) for u in self.population.get("enheter") or []]

    @property
    def target_groups(self) -> list[str]:
        return [str(g) for g in self.population.get("malgrupper") or []]

    @property
    def intervention_types(self) -> list[str]:
        return [str(t) for t in self.population.get("insatstyper") or []]

    @property
    def variables(self) -> dict[str, list[str]]:
        """Occasion -> canonical ``table.column`` names, in the plan's order."""
        raw = self.data.get("variabler") or {}
        return {str(k): [str(v) for v in (vals or [])] for k, vals in raw.items()}

    @property
    def instruments(self) -> list[str]:
        return [str(i) for i in self.data.get("instrument") or []]

    @property
    def registration(self) -> list[dict[str, str]]:
        return [{str(k): str(v) for k, v in (r or {}).items()} for r in self.data.get("registrering") or []]

    @property
    def sampling(self) -> dict[str, Any]:
        return dict(self.data.get("urval") or {})

    @property
    def method(self) -> str:
        return str(self.sampling.get("metod") or "alla")

    @property
    def method_params(self) -> dict[str, Any]:
        return dict(self.sampling.get("parametrar") or {})

    @property
    def seed(self) -> int:
        return int(self.sampling.get("seed", 1))

    @property
    def margin(self) -> float:
        return float(self.sampling.get("felmarginal", 0.05))

    @property
    def expected_share(self) -> float:
        return float(self.sampling.get("andel", 0.5))

    def variables_by_table(self, occasion: str) -> dict[str, list[str]]:
        """Table -> columns the plan registers at an occasion (unknown names skipped; see ``check_plan``)."""
        out: dict[str, list[str]] = {}
        for var in self.variables.get(occasion, []):
            table, _, column = var.partition(".")
            if table in schema.TABLES and column in schema.TABLES[table].names:
                out.setdefault(table, []).append(column)
        return out


def plan_path(config: Config) -> Path:
    """The plan named by the config's ``plan`` key, resolved relative to the config file."""
    if not config.get("plan"):
        raise PlanError(f"Konfigurationsfilen {config.path} anger ingen uppföljningsplan (nyckeln 'plan').")
    return config.resolve(config["plan"])


def load_plan(path: str | Path | None = None, config: Config | None = None) -> Plan:
    """Read a plan file; ``path=None`` takes the plan named in the config."""
    if path is None:
        if config is None:
            raise PlanError("Ange en planfil eller en konfiguration med nyckeln 'plan'.")
        p = plan_path(config)
    else:
        p = Path(path)
        if not p.is_absolute() and not p.exists() and config is not None:
            p = config.resolve(p)
    if not p.exists():
        raise PlanError(f"Planfilen {p} finns inte.")
    what = f"Planfilen {p}"
    try:
        raw = p.read_bytes()
    except OSError:
        raw = None  # read_yaml says why
    try:
        doc = read_yaml(p, what, raw)
    except YamlFileError as exc:
        raise PlanError(str(exc)) from None
    if not isinstance(doc.data, dict):
        raise PlanError(f"{what} ska innehålla nycklar som syfte, population, variabler och urval.")
    verdict = checked_files.key(raw, CHECKED_BY)
    if not checked_files.passed(verdict):
        from ..schema_messages import check_document
        from .model import PlanFile

        check_document(doc, PlanFile, what, PlanError)
        checked_files.remember(verdict)
    return Plan(p.resolve(), doc.data, doc)


def check_plan(plan: Plan, config: Config | None = None) -> list[str]:
    """Problems with the plan against the data model, in Swedish; an empty list means the plan can be used."""

    problems: list[str] = []
    where = plan.where
    if not plan.purpose:
        problems.append(f"{where('syfte')}: syfte saknas. Beskriv vad verksamheten behöver veta och varför.")
    for occasion, names in plan.variables.items():
        if occasion not in PLAN_OCCASIONS:
            problems.append(f"{where('variabler', occasion)}: okänt tillfälle '{occasion}' under variabler "
                            f"(tillåtna: {', '.join(PLAN_OCCASIONS)}).")
        for i, var in enumerate(names):
            at = where("variabler", occasion, i)
            table, dot, column = var.partition(".")
            if not dot:
                problems.append(f"{at}: variabeln '{var}' ({occasion}) ska skrivas som tabell.kolumn, "
                                "t.ex. measurements.score.")
            elif table not in schema.TABLES:
                problems.append(f"{at}: okänd variabel '{var}' ({occasion}): tabellen '{table}' finns inte i "
                                f"datamodellen. Kända tabeller: {', '.join(schema.TABLES)}.")
            elif column not in schema.TABLES[table].names:
                problems.append(f"{at}: okänd variabel '{var}' ({occasion}): tabellen {table} "
                                f"({schema.TABLES[table].label}) har ingen kolumn '{column}'. "
                                f"Kända kolumner: {', '.join(schema.TABLES[table].names)}.")
    for i, instrument in enumerate(plan.instruments):
        if instrument not in schema.INSTRUMENTS:
            problems.append(f"{where('instrument', i)}: okänt instrument '{instrument}'. Kända instrument: "
                            f"{', '.join(schema.INSTRUMENTS)}.")
    for i, itype in enumerate(plan.intervention_types):
        if itype not in schema.INTERVENTION_TYPES:
            problems.append(f"{where('population', 'insatstyper', i)}: okänd insatstyp '{itype}'. Kända insatstyper: "
                            f"{', '.join(schema.INTERVENTION_TYPES)}.")
    if config is not None:
        for i, unit in enumerate(plan.units):
            if unit not in config.units:
                problems.append(f"{where('population', 'enheter', i)}: okänd enhet '{unit}'. Kända enheter i "
                                f"{config.path.name}: {', '.join(config.units)}.")
    if plan.method not in METHODS:
        problems.append(f"{where('urval', 'metod')}: okänd urvalsmetod '{plan.method}'. "
                        f"Kända metoder: {', '.join(METHODS)}.")
    urval = plan.sampling
    for key, convert, ok, message in (
            ("seed", int, lambda v: True, "slumpfröet (seed) ska vara ett heltal"),
            ("felmarginal", float, lambda v: 0 < v < 1,
             "felmarginalen ska vara en andel mellan 0 och 1, t.ex. 0.05 (= ±5 procentenheter)"),
            ("andel", float, lambda v: 0 < v < 1, "andel (förväntad andel) ska ligga mellan 0 och 1, t.ex. 0.5")):
        if key not in urval or urval[key] is None:
            continue
        try:
            valid = not isinstance(urval[key], bool) and ok(convert(urval[key]))
        except (TypeError, ValueError):
            valid = False
        if not valid:
            problems.append(f"{where('urval', key)}: {message}, inte {urval[key]!r}.")
    return problems


def require_valid(plan: Plan, config: Config | None = None) -> Plan:
    """The plan if it passes ``check_plan``; otherwise a PlanError listing every problem."""
    problems = check_plan(plan, config)
    if problems:
        raise PlanError("Planen kan inte användas:\n- " + "\n- ".join(problems))
    return plan


def _variable_label(var: str) -> str:
    table, _, column = var.partition(".")
    try:
        return f"{schema.TABLES[table].column(column).label} ({schema.TABLES[table].label.lower()})"
    except KeyError:
        return f"{var} (okänd variabel)"


def render_plan(plan: Plan, config: Config | None = None) -> str:
    """The plan as readable Swedish Markdown for the notebook."""

    unit_name = config.unit_name if config is not None else (lambda code: code)
    lines = [f"### {plan.name}", "", "**Syfte.** " + (plan.purpose or "Syfte saknas."), "", "**Vilka följs upp?**", ""]
    lines.append("- Enheter: " + (", ".join(unit_name(u) for u in plan.units) or "alla enheter"))
    lines.append("- Målgrupper: " + (", ".join(plan.target_groups) or "alla målgrupper"))
    lines.append("- Insatstyper: " + (", ".join(plan.intervention_types) or "alla insatstyper"))
    if plan.population.get("period"):
        lines.append(f"- Period: {plan.population['period']}")
    lines += ["", "**Vilka uppgifter samlas in?**", ""]
    for occasion in PLAN_OCCASIONS:
        names = plan.variables.get(occasion, [])
        if names:
            lines.append(f"- {schema.OCCASION_LABELS[occasion]}: " + "; ".join(_variable_label(v) for v in names))
    if plan.instruments:
        labels = [schema.INSTRUMENTS[i]["label"] if i in schema.INSTRUMENTS else f"{i} (okänt instrument)"
                  for i in plan.instruments]
        lines += ["", "**Instrument:** " + ", ".join(labels)]
    if plan.registration:
        lines += ["", "**När och av vem registreras uppgifterna?**", ""]
        for r in plan.registration:
            parts = [r.get("vad", ""), f"när: {r['nar']}" if r.get("nar") else "", f"vem: {r['vem']}" if r.get("vem") else ""]
            lines.append("- " + " – ".join(p for p in parts if p))
    method = METHODS.get(plan.method)
    lines += ["", "**Urval:** " + (method.label if method else f"okänd metod '{plan.method}'")]
    if plan.method_params:
        lines.append("(" + ", ".join(f"{k}: {v}" for k, v in plan.method_params.items()) + ")")
    lines.append(f"Slumpfrö {plan.seed}; önskad felmarginal {margin_text(plan.margin)} vid 95 % konfidensgrad.")
    return "\n".join(lines)


def plan_summary(plan: Plan) -> dict[str, Any]:
    """Group-level description of the plan for ``planering/plan.json`` (no personal data)."""
    return {"namn": plan.name, "syfte": plan.purpose, "fil": plan.path.name, "enheter": plan.units,
            "malgrupper": plan.target_groups, "insatstyper": plan.intervention_types,
            "variabler": plan.variables, "instrument": plan.instruments, "registrering": plan.registration,
            "urval": {"metod": plan.method, "parametrar": plan.method_params, "seed": plan.seed,
                      "felmarginal": plan.margin, "andel": plan.expected_share}}
