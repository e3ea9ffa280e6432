"""One period's raw exports, as the source systems would print them at the end of the year.

A yearly export holds everything active during the year: cases, interventions and placements that overlap
it (with their earlier history), and nothing dated after the period's end (what lies later is still open).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from . import labels as L
from .organisation import child_survey, incidents, survey
from .world import stream_rng, cohort, years_for


@dataclass
class Sheet:
    frame: pd.DataFrame
    title: str | None = None      # a merged title row above the header (the header is then on row 2)


@dataclass
class SourceFile:
    name: str
    sheets: dict[str, Sheet]      # CSV files have one sheet named ""
    encoding: str = "cp1252"
    delimiter: str = ";"
    extra: dict = field(default_factory=dict)

    @property
    def is_excel(self) -> bool:
        return self.name.endswith(".xlsx")


def decimal(x: float | None, decimals: int | None = None) -> str:
    """Swedish decimal comma with space as thousands separator: 1234.5 -> '1 234,50' (decimals=2)."""
    if x is None:
        return ""
    if decimals is None:
        text = f"{x:.1f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return f"{x:,.{decimals}f}".replace(",", " ").replace(".", ",")


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _ymd(d: dt.date | None) -> str:
    return d.strftime("%Y%m%d") if d else ""


def _int(x) -> str:
    return "" if x is None else str(int(x))


class _Period:
    """Collects the cohorts that can be active in a period and decides what its export shows."""

    def __init__(self, seed: int, clients: int, period: int):
        self.start, self.end = dt.date(period, 1, 1), dt.date(period, 12, 31)
        years = [cohort(seed, clients, y) for y in years_for(period)]
        pick = lambda attr: [r for y in years for r in getattr(y.cohort, attr)]  # noqa: E731
        reg = lambda attr: [r for y in years for r in getattr(y.register, attr)]  # noqa: E731
        self.cases, self.investigations = pick("cases"), pick("investigations")
        self.interventions, self.placements = pick("interventions"), pick("placements")
        self.visits, self.reviews, self.applications = pick("visits"), pick("reviews"), pick("applications")
        self.goals, self.followups = reg("goals"), reg("followups")
        self.measurements, self.evaluations, self.payments = reg("measurements"), reg("evaluations"), reg("payments")
        self._spans()

    def _spans(self) -> None:
        """The last day anything about an intervention or case happened: it is exported until then."""
        last: dict[int, dt.date] = {}

        def bump(key: int, day: dt.date | None) -> None:
            if day is not None and (key not in last or day > last[key]):
                last[key] = day
        for rec in self.interventions:
            bump(id(rec), rec["end"])
        for m in self.measurements + self.evaluations:
            bump(id(m["intervention"]), m["date"])
        for f in self.followups:
            bump(id(f["goal"]["intervention"]), f["date"])
        for case in self.cases:
            bump(id(case), case["closed"])
        for inv in self.investigations:
            bump(id(inv["case"]), inv["investigation_end"] or inv["pre_assessment_date"])
        for rec in self.interventions:
            bump(id(rec["case"]), last[id(rec)])
        for a in self.applications:
            bump(id(a["case"]), a["decision_date"])
        self.last = last

    def active(self, rec: dict, first_key: str) -> bool:
        return rec[first_key] <= self.end and self.last.get(id(rec), rec[first_key]) >= self.start

    def shown(self, day: dt.date | None) -> dt.date | None:
        """A date as the export knows it: None when it lies after the period's end."""
        return day if day is not None and day <= self.end else None


def build(seed: int, clients: int, period: str) -> list[SourceFile]:
    p = _Period(seed, clients, int(period))
    cases = sorted((c for c in p.cases if p.active(c, "opened")), key=lambda c: (c["opened"], c["case_id"]))
    case_ids = {id(c) for c in cases}
    ivs = sorted((r for r in p.interventions if r["start"] <= p.end and id(r["case"]) in case_ids
                  and p.active(r, "start")), key=lambda r: (r["start"], r["intervention_id"]))
    iv_ids = {id(r) for r in ivs}
    placements = sorted((pl for pl in p.placements if pl["start"] <= p.end and pl["end"] >= p.start),
                        key=lambda pl: (pl["start"], pl["placement_id"]))
    pl_ids = {id(pl) for pl in placements}
    goals = [g for g in p.goals if id(g["intervention"]) in iv_ids and g["set_on"] <= p.end]
    goal_ids = {id(g) for g in goals}
    return [
        SourceFile("arenden.csv", {"": Sheet(_cases(p, cases))}),
        SourceFile("utredningar.csv", {"": Sheet(_investigations(p, case_ids))}),
        SourceFile("insatser.csv", {"": Sheet(_interventions(p, ivs))}),
        SourceFile("placeringar.csv", {"": Sheet(_placements(p, placements))}),
        SourceFile("placeringsbesok.csv", {"": Sheet(_frame(
            [{"Placeringsnummer": v["placement"]["placement_id"], "Besöksdatum": _iso(v["date"]),
              "Enskilt samtal": "Ja" if v["individual_talk"] else "Nej"}
             for v in p.visits if id(v["placement"]) in pl_ids and v["date"] <= p.end],
            ["Placeringsnummer", "Besöksdatum", "Enskilt samtal"]))}),
        SourceFile("overvaganden.csv", {"": Sheet(_frame(
            [{"Placeringsnummer": r["placement"]["placement_id"], "Datum": _iso(r["date"]),
              "Typ": L.REVIEW[r["type"]]} for r in p.reviews if id(r["placement"]) in pl_ids and r["date"] <= p.end],
            ["Placeringsnummer", "Datum", "Typ"]))}),
        SourceFile("ekb_ansokningar.csv", {"": Sheet(_applications(p, case_ids))}),
        SourceFile("ekb_utbetalningar.csv", {"": Sheet(_payments(p))}, encoding="utf-8-sig"),
        SourceFile("uppfoljningsregister.xlsx", _register(p, goals, goal_ids, iv_ids, period)),
        SourceFile("brukarenkat.csv", {"": Sheet(_survey(seed, clients, int(period)))}, encoding="utf-8",
                   delimiter=","),
        SourceFile("synpunkter.xlsx", {"Ärenden": Sheet(_incidents(seed, clients, int(period)))}),
    ]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _cases(p: _Period, cases: list[dict]) -> pd.DataFrame:
    cols = ["Personnummer", "Namn", "Ärendenummer", "Enhet", "Målgrupp", "Aktualiseringsdatum",
            "Aktualiseringstyp", "Orsak", "Avslutsdatum"]
    return _frame([{"Personnummer": c["person"].formatted(), "Namn": c["person"].name, "Ärendenummer": c["case_id"],
                    "Enhet": L.UNIT[c["unit"]], "Målgrupp": L.TARGET_GROUP[c["target_group"]],
                    "Aktualiseringsdatum": _iso(c["opened"]), "Aktualiseringstyp": L.CASE_SOURCE[c["source"]],
                    "Orsak": c["reason"], "Avslutsdatum": _iso(p.shown(c["closed"]))} for c in cases], cols)


def _investigations(p: _Period, case_ids: set[int]) -> pd.DataFrame:
    cols = ["Utredningsnummer", "Ärendenummer", "Personnummer", "Namn", "Enhet", "Anmälan inkom",
            "Förhandsbedömning klar", "Beslut förhandsbedömning", "Utredning inledd", "Utredning avslutad",
            "Förlängd", "Utfall"]
    rows = []
    for inv in sorted(p.investigations, key=lambda i: (i["report_received"], i["investigation_id"])):
        if id(inv["case"]) not in case_ids:
            continue
        pre, start, end = (p.shown(inv[k]) for k in ("pre_assessment_date", "investigation_start",
                                                      "investigation_end"))
        # An extension is decided when the four months run out.
        extended = inv["extended"] and start is not None and (start + dt.timedelta(days=120)) <= p.end
        rows.append({"Utredningsnummer": inv["investigation_id"], "Ärendenummer": inv["case"]["case_id"],
                     "Personnummer": inv["person"].formatted(), "Namn": inv["person"].name,
                     "Enhet": L.UNIT[inv["unit"]], "Anmälan inkom": _iso(inv["report_received"]),
                     "Förhandsbedömning klar": _iso(pre),
                     "Beslut förhandsbedömning": L.PRE_DECISION[inv["pre_assessment_decision"]] if pre else "",
                     "Utredning inledd": _iso(start), "Utredning avslutad": _iso(end),
                     "Förlängd": "Ja" if extended else "Nej",
                     "Utfall": L.OUTCOME[inv["outcome"]] if end else ""})
    return _frame(rows, cols)


def _interventions(p: _Period, ivs: list[dict]) -> pd.DataFrame:
    cols = ["Insatsnummer", "Ärendenummer", "Personnummer", "Namn", "Enhet", "Insats", "Utförare", "Utförartyp",
            "Beslutsdatum", "Startdatum", "Slutdatum", "Avslutsorsak", "Planerad dos (tillfällen)",
            "Dygnskostnad (kr)", "Individuella samtal", "Gruppsamtal", "Anhörigsamtal", "Genomförda besök",
            "Uteblivna besök"]
    rows = []
    for r in ivs:
        end = p.shown(r["end"])
        # Sessions held so far: a running intervention has held its share of the total by the period's end.
        share = 1.0 if end else (p.end - r["start"]).days / max(1, (r["end"] - r["start"]).days)
        held = lambda k: "" if r[k] is None else str(int(round(r[k] * share)))  # noqa: E731
        rows.append({"Insatsnummer": r["intervention_id"], "Ärendenummer": r["case"]["case_id"],
                     "Personnummer": r["person"].formatted(), "Namn": r["person"].name,
                     "Enhet": L.UNIT[r["unit"]], "Insats": L.INTERVENTION[r["type"]], "Utförare": r["provider"],
                     "Utförartyp": L.PROVIDER_TYPE[r["provider_type"]], "Beslutsdatum": _iso(r["decided"]),
                     "Startdatum": _iso(r["start"]), "Slutdatum": _iso(end),
                     "Avslutsorsak": L.END_REASON[r["end_reason"]] if end else "",
                     "Planerad dos (tillfällen)": decimal(r["planned_sessions"]),
                     "Dygnskostnad (kr)": decimal(r["daily_cost"], 2),
                     "Individuella samtal": held("individual_sessions"), "Gruppsamtal": held("group_sessions"),
                     "Anhörigsamtal": held("relative_sessions"), "Genomförda besök": held("visits_held"),
                     "Uteblivna besök": held("visits_missed")})
    return _frame(rows, cols)


def _placements(p: _Period, placements: list[dict]) -> pd.DataFrame:
    cols = ["Placeringsnummer", "Ärendenummer", "Personnummer", "Namn", "Enhet", "Placeringsform", "Lagrum",
            "Startdatum", "Slutdatum"]
    return _frame([{"Placeringsnummer": pl["placement_id"], "Ärendenummer": pl["case"]["case_id"],
                    "Personnummer": pl["person"].formatted(), "Namn": pl["person"].name,
                    "Enhet": L.UNIT[pl["unit"]], "Placeringsform": L.PLACEMENT_FORM[pl["form"]],
                    "Lagrum": L.LEGAL_BASIS[pl["legal_basis"]], "Startdatum": _iso(pl["start"]),
                    "Slutdatum": _iso(p.shown(pl["end"]))} for pl in placements], cols)


def _applications(p: _Period, case_ids: set[int]) -> pd.DataFrame:
    cols = ["Ansökningsnummer", "Personnummer", "Namn", "Första kontakt", "Beslutsdatum", "Beslut"]
    rows = []
    for a in sorted(p.applications, key=lambda a: (a["first_contact"], a["application_id"])):
        decided = p.shown(a["decision_date"])
        if id(a["case"]) not in case_ids or (a["first_contact"] < p.start and decided is not None
                                             and decided < p.start):
            continue
        rows.append({"Ansökningsnummer": a["application_id"], "Personnummer": a["person"].formatted(),
                     "Namn": a["person"].name, "Första kontakt": _ymd(a["first_contact"]),
                     "Beslutsdatum": _ymd(decided), "Beslut": L.DECISION[a["decision"]] if decided else ""})
    return _frame(rows, cols)


def _payments(p: _Period) -> pd.DataFrame:
    """One row per person and month: payments of concurrent decisions are summed as the system pays them."""
    total: dict[tuple[str, dt.date], list] = {}
    for pay in p.payments:
        if p.start <= pay["month"] <= p.end:
            key = (pay["person"].digits, pay["month"])
            total.setdefault(key, [pay["person"], 0.0])[1] += pay["amount"]
    rows = [{"Personnummer": person.formatted(), "Utbetalningsmånad": month.strftime("%Y-%m"),
             "Belopp (kr)": decimal(amount, 2)}
            for (_, month), (person, amount) in sorted(total.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    return _frame(rows, ["Personnummer", "Utbetalningsmånad", "Belopp (kr)"])


def _register(p: _Period, goals, goal_ids, iv_ids, period: str) -> dict[str, Sheet]:
    """The caseworkers' Excel register: dates as Excel dates, personnummer as 12 digits."""
    goal_rows = [{"Mål-id": g["goal_id"], "Insats-id": g["intervention"]["intervention_id"],
                  "Personnummer": g["person"].formatted("plain"), "Satt datum": g["set_on"],
                  "Livsområde": g["area"], "Målformulering": g["text"]} for g in goals]
    fu_rows = [{"Mål-id": f["goal"]["goal_id"], "Uppföljningsdatum": f["date"],
                "Måluppfyllelse": L.ATTAINMENT[f["attainment"]]}
               for f in p.followups if id(f["goal"]) in goal_ids and f["date"] <= p.end]
    m_rows = [{"Mätnings-id": m["measurement_id"], "Personnummer": m["person"].formatted("plain"),
               "Insats-id": m["intervention"]["intervention_id"], "Instrument": L.INSTRUMENT[m["instrument"]],
               "Tillfälle": L.OCCASION[m["occasion"]], "Datum": m["date"], "Poäng": int(m["score"])}
              for m in p.measurements if id(m["intervention"]) in iv_ids and m["date"] <= p.end]
    e_rows = [{"Insats-id": e["intervention"]["intervention_id"], "Personnummer": e["person"].formatted("plain"),
               "Datum": e["date"], "Skattning (1–10)": e["rating"],
               "Tillfredsställande": L.SATISFIED[e["satisfied"]] if e["satisfied"] else None,
               "Orsak ej tillfredsställande": L.DISSATISFACTION[e["reason"]] if e["reason"] else None}
              for e in p.evaluations if id(e["intervention"]) in iv_ids and e["date"] <= p.end]
    return {
        "Mål": Sheet(_frame(goal_rows, ["Mål-id", "Insats-id", "Personnummer", "Satt datum", "Livsområde",
                                        "Målformulering"]), f"Uppföljningsregister {period}: mål"),
        "Måluppföljning": Sheet(_frame(fu_rows, ["Mål-id", "Uppföljningsdatum", "Måluppfyllelse"])),
        "Mätningar": Sheet(_frame(m_rows, ["Mätnings-id", "Personnummer", "Insats-id", "Instrument", "Tillfälle",
                                           "Datum", "Poäng"]), f"Uppföljningsregister {period}: mätningar"),
        "Utvärderingar": Sheet(_frame(e_rows, ["Insats-id", "Personnummer", "Datum", "Skattning (1–10)",
                                               "Tillfredsställande", "Orsak ej tillfredsställande"])),
    }


def _survey(seed: int, clients: int, year: int) -> pd.DataFrame:
    """The survey tool's export: the adults' brukarundersökning, then the barnenkät (with the child's insats)."""
    rows = survey(stream_rng(seed, year, 3), year, clients) + child_survey(stream_rng(seed, year, 6), year, clients)
    return _frame([{"Svarsid": r["respondent_id"], "Enkät": r["survey"], "Verksamhet": L.SURVEY_UNIT[r["unit"]],
                    "Målgrupp": L.SURVEY_GROUP[r["target_group"]], "Kön": L.SEX[r["sex"]],
                    "Insats": L.INTERVENTION[r["intervention_type"]] if r.get("intervention_type") else "",
                    "Fråga": L.QUESTION[r["question_id"]], "Svar": str(r["answer"])} for r in rows],
                  ["Svarsid", "Enkät", "Verksamhet", "Målgrupp", "Kön", "Insats", "Fråga", "Svar"])


def _incidents(seed: int, clients: int, year: int) -> pd.DataFrame:
    rows = incidents(stream_rng(seed, year, 4), year, clients)
    return _frame([{"Diarienummer": r["incident_id"], "Inkom": r["date"], "Typ": L.INCIDENT[r["type"]],
                    "Kategori": r["category"], "Enhet": L.UNIT[r["unit"]]} for r in rows],
                  ["Diarienummer", "Inkom", "Typ", "Kategori", "Enhet"])
