"""The report's content, built from files: title page, contents, the sections and the appendices.

``Report`` numbers tables and figures in the order the sections are built, so build them in report order
(``Report.sections()`` does). Every method returns an HTML fragment; the notebook displays it.
"""
from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path

import pandas as pd

from .. import formatting as fmt
from ..params import RunParams
from ..grouping import GROUPING_LABELS
from ..schema import ATTAINMENT_LABELS, TABLES
from ..tables import replace_atomic
from . import claims, live, narrative
from .errors import ReportCheckError
from .inputs import Figure, ReportInputs, load_inputs
from .tables import Col, html_table

SECTIONS = (
    ("sammanfattning", "Sammanfattning"),
    ("inledning", "Inledning"),
    ("uppfoljning", "Uppföljning – vad har vi uppnått?"),
    ("kvalitetssakring", "Kvalitetssäkring – brukarenkäter"),
    ("internkontroll", "Internkontroll, synpunkter och tillsyn"),
    ("samverkan", "Samverkan"),
    ("mal", "Mål för perioden"),
    ("om-underlaget", "Om underlaget"),
    ("bilagor", "Bilagor"),
)
STATUS_LABELS = {"uppnått": "Uppnått", "delvis uppnått": "Delvis uppnått", "inte uppnått": "Inte uppnått",
                 "kan inte mätas": "Kan inte mätas"}
UNIT_GROUPINGS = ("enhet", "unit", "enheter")
TOTAL = "Totalt"
INCIDENT_LABELS = {"synpunkt": "Synpunkter", "klagomal": "Klagomål", "lex_sarah": "Lex Sarah-rapporter (internt)",
                   "lex_sarah_ivo": "Lex Sarah-anmälningar till IVO", "ivo_tillsyn": "Tillsynsärenden från IVO"}
CAUTION = ("Uppföljningsdata visar förändring, inte effekt. Att fler klienter mår bättre efter en insats betyder "
           "inte att insatsen orsakade förbättringen: andra händelser i livet, att de som svarar skiljer sig från "
           "dem som inte svarar och naturlig variation kan förklara skillnaden. Resultaten beskriver verksamheten "
           "och är ett underlag för dialog och förbättring, inte en utvärdering av insatsernas effekter.")


def category_labels() -> dict[str, str]:
    """Swedish labels of the indicators' category codes (the registry's, when step 5 is installed)."""
    try:
        from ..indicators.registry import CATEGORY_LABELS
        return dict(CATEGORY_LABELS)
    except Exception:  # the report still renders codes as they are
        return dict(ATTAINMENT_LABELS)


def _e(text) -> str:
    return html.escape(str(text))


def _slug(text: str) -> str:
    t = unicodedata.normalize("NFKD", str(text).lower())
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def value_kind(unit: str) -> str:
    """The glossary's unit -> how the value is printed: share, count or number."""
    u = _slug(unit)
    if u in ("andel", "procent", "") or "andel" in u:
        return "share"
    if u.startswith("antal"):
        return "count"
    return "number"


def figure_section(avsnitt: str) -> str:
    """A figure's ``avsnitt`` (free Swedish text or a key) -> the section id it belongs to."""
    s = _slug(avsnitt)
    for prefix, section in (("samm", "sammanfattning"), ("inled", "inledning"), ("kvalitet", "kvalitetssakring"),
                            ("brukar", "kvalitetssakring"), ("enkat", "kvalitetssakring"),
                            ("intern", "internkontroll"), ("synpunkt", "internkontroll"),
                            ("tillsyn", "internkontroll"), ("samverk", "samverkan"), ("mal", "mal"),
                            ("om-underlag", "om-underlaget"), ("underlag", "om-underlaget"), ("bilag", "bilagor")):
        if s.startswith(prefix):
            return section
    return "uppfoljning"


class Report:
    def __init__(self, run: RunParams, inputs: ReportInputs | None = None):
        self.run = run
        self.cfg = run.config
        self.inputs = inputs if inputs is not None else load_inputs(run.paths, run.config, run.unit)
        self.texts = self.cfg.texts_dir(run.period)
        self.info = self.cfg.period_info(run.period)
        self._tables = 0
        self._figures = 0
        self._placed: set[int] = set()
        self.claims: list[claims.Claim] = []
        g = self.inputs.glossary
        self.labels = dict(zip(g.get("name", []), g.get("label", [])))
        self.kinds = {n: value_kind(u) for n, u in zip(g.get("name", []), g.get("unit", []))}
        self.category_labels = category_labels()

    # -- helpers --------------------------------------------------------------------------------------------
    @property
    def title(self) -> str:
        t = f"Kvalitetsredovisning {self.run.period}"
        return f"{t} – {self.run.unit_name}" if self.run.unit else t

    def _caption(self, text: str) -> tuple[str, str]:
        self._tables += 1
        return f"Tabell {self._tables}. {text}", f"tabell-{self._tables}"

    def table(self, rows, columns, caption: str, **kw) -> str:
        cap, tid = self._caption(caption)
        return html_table(rows, columns, cap, table_id=tid, **kw)

    def figure(self, fig: Figure) -> str:
        self._figures += 1
        n = self._figures
        return (f'<figure class="figur" id="figur-{n}"><img src="{fig.data_uri}" alt="{_e(fig.alt)}">'
                f"<figcaption>Figur {n}. {_e(fig.title)}</figcaption></figure>")

    def figures_for(self, section: str, unit: str | None = None) -> str:
        out = []
        for i, fig in enumerate(self.inputs.figures):
            if i in self._placed or figure_section(fig.section) != section:
                continue
            if unit is not None and unit not in _slug(fig.section).replace("-", "_") and unit not in fig.id:
                continue
            self._placed.add(i)
            out.append(self.figure(fig))
        return "\n".join(out)

    def label(self, indicator: str) -> str:
        return str(self.labels.get(indicator) or indicator.replace("_", " ").capitalize())

    def _section(self, sid: str, body: str) -> str:
        title = dict(SECTIONS)[sid]
        return (f'<section class="avsnitt" id="{sid}" aria-labelledby="{sid}-rubrik">\n'
                f'<h2 id="{sid}-rubrik">{_e(title)}</h2>\n{body}\n</section>')

    def _text(self, name: str, missing: str | None = narrative.MISSING_TEXT, scope: str | None = "") -> str:
        """An analyst's text with its live numbers filled in from the publication and checked against them.
        `scope` is the unit whose cells the text's references read (default: the report's own)."""
        text = narrative.read_text(self.texts, name)
        if text is None:
            return f'<p class="saknas">{missing}</p>' if missing else ""
        scope = self.run.unit if scope == "" else scope
        goals = self.inputs.goals if scope == self.run.unit else self._goals_for(scope)
        ctx = live.TextContext(self.inputs.publication, scope, goals)
        rendered = live.render(text, ctx)
        self.claims += claims.check_text(rendered, ctx, f"{name}.md")
        return narrative.render_markdown(live.strip(rendered))

    def _goals_for(self, scope: str | None) -> pd.DataFrame:
        from .inputs import GOAL_COLUMNS, read_parquet
        return read_parquet(self.run.paths.analysis_for(scope) / "mal.parquet", GOAL_COLUMNS)

    def write_checks(self) -> Path:
        """The text check's findings for the run's check list; with the strict option a contradiction stops here."""
        folder = self.run.paths.output_dir / "notebooks"
        rows = [c.row() for c in self.claims]
        path = replace_atomic(folder / "textkontroll.json", lambda tmp: Path(tmp).write_text(
            json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8"))
        errors = [c for c in self.claims if c.level == claims.ERROR]
        if errors and claims.strict(self.cfg):
            lines = "\n".join(f"- {c.text}: {c.message} (\"{c.sentence[:80]}\")" for c in errors)
            raise ReportCheckError(f"Texterna säger emot siffrorna ({len(errors)} fel):\n{lines}")
        return path

    # -- indicator rows -------------------------------------------------------------------------------------
    def _indicator_rows(self, frame: pd.DataFrame) -> list[dict]:
        """One key-figure row per indicator (no distributions): label, result, numerator, denominator."""
        rows = []
        order = {n: i for i, n in enumerate(self.labels)}
        frame = frame.assign(_order=frame["indicator"].map(order).fillna(len(order))).sort_values("_order", kind="stable")
        for _, r in frame[frame["category"] == ""].iterrows():
            kind = self.kinds.get(r["indicator"], "share")
            sup = {"value", "numerator", "denominator"} if r["suppressed"] else set()
            row = {"label": self.label(r["indicator"]), "value": r["value"], "_suppressed": sup,
                   "_kind": {"value": kind}}
            if kind == "share":
                row.update(numerator=r["numerator"], denominator=r["denominator"])
            elif kind == "number":
                row["denominator"] = r["n"]
                row["_kind"]["value"] = "number:1"
            rows.append(row)
        return rows

    def key_figures(self, frame: pd.DataFrame, caption: str) -> str:
        rows = self._indicator_rows(frame)
        if not rows:
            return '<p class="saknas">Inga indikatorvärden finns för perioden (uppgift saknas).</p>'
        cols = [Col("label", "Indikator"), Col("value", "Resultat", "share"),
                Col("numerator", "Täljare", "count"), Col("denominator", "Nämnare (n)", "count")]
        return self.table(rows, cols, caption, share_cols=[("value", "numerator", "denominator")])

    def _unit_frame(self, unit: str) -> pd.DataFrame:
        ind = self.inputs.indicators
        name = self.cfg.unit_name(unit)
        mask = ind["grouping"].str.lower().isin(UNIT_GROUPINGS) & ind["group"].isin([unit, name])
        return ind[mask]

    def _total_frame(self) -> pd.DataFrame:
        ind = self.inputs.indicators
        return ind[ind["group"] == TOTAL]

    # -- title page and contents ----------------------------------------------------------------------------
    def title_page(self) -> str:
        c = self.cfg
        lines = [f'<p class="kommun">{_e(c.municipality)}</p>',
                 f'<h1 class="rapporttitel" data-report-title="{_e(c.municipality)} – {_e(self.title)}">'
                 f"{_e(self.title)}</h1>"]
        if self.run.unit:
            lines.append(f'<p class="enhet">{_e(self.run.unit_name)}</p>')
        meta = [("Nämnd", c.get("namnd")), ("Förvaltning", c.get("forvaltning")),
                ("Period", f"1 januari–31 december {self.run.period}"),
                ("Diarienummer", self.info.get("diarienummer")),
                ("Datum", fmt.date(self.info["rapportdatum"]) if self.info.get("rapportdatum") else None)]
        dl = "".join(f"<dt>{k}</dt><dd>{_e(v)}</dd>" for k, v in meta if v)
        lines.append(f'<dl class="titeluppgifter">{dl}</dl>')
        return (f'<section class="titelsida" aria-label="Titelsida" data-min-cell="{self.cfg.min_cell}">\n' + "\n".join(lines) + "\n</section>")

    def contents(self) -> str:
        items = "".join(f'<li><a href="#{sid}">{_e(title)}</a></li>' for sid, title in SECTIONS)
        return (f'<nav class="innehall" aria-labelledby="innehall-rubrik"><h2 id="innehall-rubrik">Innehåll</h2>'
                f"<ol>{items}</ol></nav>")

    # -- sections -------------------------------------------------------------------------------------------
    def sammanfattning(self) -> str:
        body = [self._text("sammanfattning")]
        goals = self.inputs.goals
        if len(goals):
            counts = goals["status"].astype(str).value_counts()
            rows = [{"label": STATUS_LABELS.get(s, s), "antal": int(counts.get(s, 0)), "_role": "part"}
                    for s in STATUS_LABELS]
            rows.append({"label": "Samtliga mål", "antal": len(goals), "_role": "total"})
            body.append(f"<p>Nämnden följer {len(goals)} mål för perioden. Tabellen visar hur många av dem som "
                        "uppnåddes; varje mål redovisas i avsnittet Mål för perioden.</p>")
            body.append(self.table(rows, [Col("label", "Status"), Col("antal", "Mål", "number", sums=True)],
                                   "Målens status"))
        if self.inputs.key_findings.strip():
            body.append("<h3>Nyckelfynd</h3>" + narrative.render_markdown(self.inputs.key_findings))
        body.append(self.figures_for("sammanfattning"))
        return self._section("sammanfattning", "\n".join(body))

    def inledning(self) -> str:
        return self._section("inledning", self._text("inledning") + self.figures_for("inledning"))

    def uppfoljning(self) -> str:
        body = [self._text("uppfoljning", missing=None)]
        if self.run.unit:
            body.append(self._text(f"uppfoljning_{self.run.unit}", missing=None))
            body.append(self.key_figures(self._total_frame(), f"Nyckeltal för {self.run.unit_name} {self.run.period}"))
            body.append(self.figures_for("uppfoljning"))
        else:
            body.append("<h3>Hela verksamheten</h3>")
            body.append(self.key_figures(self._total_frame(), f"Nyckeltal för hela verksamheten {self.run.period}"))
            for code, name in self.cfg.units.items():
                body.append(f'<h3 id="enhet-{_e(code)}">{_e(name)}</h3>')
                body.append(self._text(f"uppfoljning_{code}", missing=None, scope=code))
                frame = self._unit_frame(code)
                if len(frame):
                    body.append(self.key_figures(frame, f"Nyckeltal för {name} {self.run.period}"))
                else:
                    body.append('<p class="saknas">Indikatorer per enhet saknas (uppgift saknas).</p>')
                body.append(self.figures_for("uppfoljning", unit=code))
            body.append(self.figures_for("uppfoljning"))
        return self._section("uppfoljning", "\n".join(b for b in body if b))

    def _survey_indicators(self) -> list[str]:
        names = self.inputs.indicators["indicator"].drop_duplicates()
        return [n for n in names if any(k in _slug(n + " " + self.label(n)) for k in ("enkat", "brukarundersok"))]

    def kvalitetssakring(self) -> str:
        body = [self._text("kvalitetssakring")]
        survey = self._survey_indicators()
        if survey:
            ind = self.inputs.indicators
            frame = ind[ind["indicator"].isin(survey) & (ind["group"] == TOTAL)]
            body.append(self.key_figures(frame, f"Resultat av brukarenkäter {self.run.period}"))
        else:
            body.append('<p class="saknas">Resultat från brukarenkäter saknas för perioden (uppgift saknas).</p>')
        body.append(self.figures_for("kvalitetssakring"))
        return self._section("kvalitetssakring", "\n".join(body))

    def _incident_cells(self, period: str) -> dict[str, pd.Series]:
        """The publication's cells of synpunkter, klagomål, lex Sarah and IVO for a period, by incident type."""
        pub, out = self.inputs.publication, {}
        for indicator, kinds in (("synpunkter_klagomal", ("synpunkt", "klagomal")),
                                 ("lex_sarah", ("lex_sarah", "lex_sarah_ivo")), ("ivo_tillsyn", ("ivo_tillsyn",))):
            for kind in kinds:
                cell = pub.cell(indicator, self.run.unit, period, "incident_type", kind) if len(kinds) > 1 else \
                    pub.cell(indicator, self.run.unit, period)
                if cell is None and len(kinds) > 1 and pub.cell(indicator, self.run.unit, period) is not None:
                    out[kind] = pd.Series({"value": 0.0, "status": "publicerad"})  # no such incidents that year
                elif cell is not None:
                    out[kind] = cell
        return out

    def internkontroll(self) -> str:
        body = [self._text("internkontroll")]
        now = self._incident_cells(self.run.period)
        prev_period = str(int(self.run.period) - 1)
        before = self._incident_cells(prev_period)
        if not now:
            body.append('<p class="saknas">Uppgifter om synpunkter, klagomål, lex Sarah och tillsyn saknas för '
                        "perioden (uppgift saknas).</p>")
        else:
            rows = []
            for code, label in INCIDENT_LABELS.items():
                row = {"label": label, "_suppressed": set()}
                for key, cells in (("now", now), ("before", before)):
                    cell = cells.get(code)
                    row[key] = None if cell is None else cell["value"]
                    if cell is not None and cell["status"] != "publicerad":
                        row["_suppressed"].add(key)
                rows.append(row)
            body.append(self.table(rows, [Col("label", "Typ"), Col("now", f"Antal {self.run.period}", "count"),
                                          Col("before", f"Antal {prev_period}", "count")],
                                   "Synpunkter, klagomål, lex Sarah och tillsyn"))
        body.append(self.figures_for("internkontroll"))
        return self._section("internkontroll", "\n".join(body))

    def samverkan(self) -> str:
        return self._section("samverkan", self._text("samverkan") + self.figures_for("samverkan"))

    def mal(self) -> str:
        goals = self.inputs.goals
        body = [self._text("mal", missing=None)]
        if goals.empty:
            body.append('<p class="saknas">Nämndens mål för perioden saknas i underlaget (uppgift saknas).</p>')
        else:
            rows = [{"mal": g["mal"], "malvarde": g.get("malvarde_text", ""), "resultat": g.get("resultat_text", ""),
                     "status": STATUS_LABELS.get(str(g["status"]), str(g["status"]))} for _, g in goals.iterrows()]
            body.append(self.table(rows, [Col("mal", "Mål"), Col("malvarde", "Målvärde"), Col("resultat", "Resultat"),
                                          Col("status", "Status")], f"Mål för perioden {self.run.period}",
                                   css_class="rapporttabell maltabell"))
        body.append(self.figures_for("mal"))
        return self._section("mal", "\n".join(b for b in body if b))

    def _suppression_rows(self) -> list[dict]:
        ind = self.inputs.indicators
        if ind.empty:
            return []
        counts = ind[ind["suppressed"]].groupby("indicator").size()
        return [{"label": self.label(n), "antal": int(k), "_role": "part"} for n, k in counts.items()]

    def om_underlaget(self) -> str:
        s = self.inputs.import_summary
        body = ["<h3>Källor</h3>", self._text("kallor", missing=None)]
        tables = s.get("tables", {})
        if tables:
            rows = [{"label": TABLES[t].label if t in TABLES else t, "rader": n,
                     "avvisade": s.get("rejected", {}).get(t, 0), "_role": "part"} for t, n in tables.items()]
            rows.append({"label": "Samtliga tabeller", "rader": sum(tables.values()),
                         "avvisade": sum(r["avvisade"] for r in rows), "_role": "total"})
            body.append("<p>Underlaget är verksamhetssystemens exporter och registreringsblanketter för perioden. "
                        "Personnummer ersattes med pseudonymer vid inläsningen. Rader som inte klarade kontrollerna "
                        "lades i karantän med en orsak och räknas inte med.</p>")
            body.append(self.table(rows, [Col("label", "Tabell"), Col("rader", "Godkända rader", "number", sums=True),
                                          Col("avvisade", "Avvisade rader", "number", sums=True)],
                                   "Underlagets tabeller: godkända och avvisade rader"))
            reasons = s.get("reasons", {})
            if reasons:
                items = "".join(f"<li>{_e(r)}: {fmt.integer(k)} rader</li>" for r, k in sorted(reasons.items()))
                body.append(f"<p>Orsaker till att rader avvisades:</p><ul>{items}</ul>")
        else:
            body.append('<p class="saknas">Uppgifter om inlästa och avvisade rader: uppgift saknas.</p>')

        body.append("<h3>Bortfall</h3>")
        ind = self.inputs.indicators
        missing = int((ind["value"].isna() & ~ind["suppressed"]).sum()) if len(ind) else 0
        body.append(f"<p>Indikatorerna bygger på de ärenden där uppgiften finns registrerad. I indikatortabellerna "
                    f"saknas värde i {fmt.integer(missing)} celler (markerade med {fmt.MISSING}). Nämnaren (n) visar "
                    "hur många varje andel bygger på.</p>")

        body.append("<h3>Röjandekontroll</h3>")
        rows = self._suppression_rows()
        threshold = self.cfg.min_cell
        body.append(f"<p>För att ingen enskild person ska kunna identifieras visas inte antal som bygger på färre än "
                    f"{threshold} personer, och inte heller andelar med en nämnare under {threshold}. När en summa "
                    "visas döljs även den minsta cellen bredvid, så att den dolda uppgiften inte kan räknas fram. "
                    f"Dolda uppgifter markeras med {fmt.SUPPRESSED}.</p>")
        if rows:
            rows.append({"label": "Samtliga indikatorer", "antal": sum(r["antal"] for r in rows), "_role": "total"})
            body.append(self.table(rows, [Col("label", "Indikator"),
                                          Col("antal", "Dolda celler", "number", sums=True)],
                                   "Undertryckta celler per indikator"))
        else:
            body.append("<p>Inga celler behövde döljas.</p>")

        body.append("<h3>Metod</h3>")
        body.append("<p>Uppföljningen följer Socialstyrelsens sex steg för systematisk uppföljning: planera, "
                    "dokumentera situationen före, under och efter insatsen, sammanställa på gruppnivå och "
                    "analysera. Andelar redovisas med 95 procents konfidensintervall där det är meningsfullt.</p>")
        body.append(self._text("metod", missing=None))
        body.append(f'<p class="forsiktighet"><strong>Att tänka på:</strong> {_e(CAUTION)}</p>')
        body.append(self.figures_for("om-underlaget"))
        return self._section("om-underlaget", "\n".join(b for b in body if b))

    def _appendix_table(self, name: str, grouping: str, frame: pd.DataFrame) -> str:
        kind = self.kinds.get(name, "share")
        label = self.label(name)
        total = self._total_frame()
        total = total[(total["indicator"] == name) & (total["category"] == "")]
        rows = []
        names = self.cfg.units if grouping.lower() in UNIT_GROUPINGS else {}
        for _, r in frame.iterrows():
            rows.append(self._appendix_row(r, kind, "part", names.get(r["group"])))
        for _, r in total.iterrows():
            rows.append(self._appendix_row(r, kind, "total", TOTAL))
        by = GROUPING_LABELS.get(grouping, grouping.replace("_", " ")).lower()
        has_parts = len(frame) > 0  # a lone total has nothing to add up
        if kind == "share":
            cols = [Col("group", by.capitalize()), Col("value", "Andel", "share"), Col("ci", "95 % KI"),
                    Col("numerator", "Täljare", "count", sums=has_parts),
                    Col("denominator", "Nämnare", "count", sums=has_parts)]
            shares = [("value", "numerator", "denominator")]
        elif kind == "count":
            cols, shares = [Col("group", by.capitalize()), Col("value", "Antal", "count", sums=has_parts)], []
        else:
            cols = [Col("group", by.capitalize()), Col("value", "Värde", "number", 1),
                    Col("n", "Antal (n)", "count", sums=has_parts)]
            shares = []
        caption = f"{label} per {by.lower()} {self.run.period}" if has_parts else f"{label} {self.run.period}"
        return self.table(rows, cols, caption, share_cols=shares)

    @staticmethod
    def _appendix_row(r, kind: str, role: str, label: str | None = None) -> dict:
        row = {"group": label or r["group"], "value": r["value"], "numerator": r["numerator"],
               "denominator": r["denominator"], "n": r["n"], "_role": role}
        if kind == "share" and pd.notna(r["ci_low"]) and pd.notna(r["ci_high"]) and not r["suppressed"]:
            row["ci"] = f"{fmt.percent(r['ci_low'])}–{fmt.percent(r['ci_high'])}"
        if r["suppressed"]:
            row["_suppressed"] = {"value", "numerator", "denominator", "n", "ci"}
        return row

    def _distribution_table(self, name: str, frame: pd.DataFrame) -> str:
        labels = self.category_labels
        if self.kinds.get(name, "share") != "share":  # counts per category (e.g. per month): no shares
            rows = [{"category": labels.get(r["category"], r["category"]), "antal": r["value"], "_role": "part",
                     "_suppressed": {"antal"} if r["suppressed"] else set()} for _, r in frame.iterrows()]
            total = self._total_frame()
            total = total[(total["indicator"] == name) & (total["category"] == "")]
            for _, r in total.iterrows():
                rows.append({"category": TOTAL, "antal": r["value"], "_role": "total",
                             "_suppressed": {"antal"} if r["suppressed"] else set()})
            cols = [Col("category", "Kategori"), Col("antal", "Antal", "count", sums=len(total) > 0)]
            return self.table(rows, cols, f"{self.label(name)} per kategori {self.run.period}")
        from ..indicators.registry import REGISTRY

        spec = REGISTRY.get(name)
        if spec is not None and not spec.distribution:  # one share per category (e.g. per question): no total
            rows = [{"category": labels.get(r["category"], r["category"]), "antal": r["numerator"],
                     "bas": r["denominator"], "andel": r["value"], "_role": "part",
                     "_suppressed": {"antal", "bas", "andel"} if r["suppressed"] else set()}
                    for _, r in frame.iterrows()]
            cols = [Col("category", "Kategori"), Col("antal", "Antal", "count"), Col("bas", "Bas", "count"),
                    Col("andel", "Andel", "share")]
            return self.table(rows, cols, f"{self.label(name)} per kategori {self.run.period}")
        rows = [{"category": labels.get(r["category"], r["category"]), "antal": r["numerator"], "andel": r["value"], "_role": "part",
                 "_suppressed": {"antal", "andel"} if r["suppressed"] else set()} for _, r in frame.iterrows()]
        dens = frame["denominator"].dropna()
        if len(dens):
            rows.append({"category": TOTAL, "antal": dens.iloc[0], "andel": 1.0, "_role": "total"})
        cols = [Col("category", "Kategori"), Col("antal", "Antal", "count", sums=True), Col("andel", "Andel", "share")]
        return self.table(rows, cols, f"{self.label(name)}, fördelning {self.run.period}")

    def bilagor(self) -> str:
        ind = self.inputs.indicators
        body = ['<h3 id="bilaga-1">Bilaga 1. Indikatortabeller</h3>']
        if ind.empty:
            body.append('<p class="saknas">Indikatortabeller saknas (uppgift saknas).</p>')
        names = list(ind["indicator"].drop_duplicates())
        names.sort(key=lambda n: list(self.labels).index(n) if n in self.labels else len(self.labels))
        for name in names:
            one = ind[ind["indicator"] == name]
            body.append(f"<h4>{_e(self.label(name))}</h4>")
            dist = one[(one["category"] != "") & (one["group"] == TOTAL)]
            if len(dist):
                body.append(self._distribution_table(name, dist))
                continue
            parts = one[(one["group"] != TOTAL) & (one["category"] == "")]
            if parts.empty:
                body.append(self._appendix_table(name, "grupp", parts))
                continue
            for grouping in parts["grouping"].drop_duplicates():
                body.append(self._appendix_table(name, grouping, parts[parts["grouping"] == grouping]))
        body.append('<h3 id="bilaga-2">Bilaga 2. Ordlista</h3>')
        g = self.inputs.glossary
        if g.empty:
            body.append('<p class="saknas">Ordlistan saknas (uppgift saknas).</p>')
        else:
            items = []
            for _, r in g.iterrows():
                parts = [str(r.get("description") or "")]
                if r.get("numerator_text"):
                    parts.append(f"Täljare: {r['numerator_text']}.")
                if r.get("denominator_text"):
                    parts.append(f"Nämnare: {r['denominator_text']}.")
                items.append(f"<dt>{_e(r.get('label') or r['name'])}</dt><dd>{_e(' '.join(p for p in parts if p))}</dd>")
            body.append(f'<dl class="ordlista">{"".join(items)}</dl>')
        rest = [self.figure(f) for i, f in enumerate(self.inputs.figures) if i not in self._placed]
        body.extend(rest)
        return self._section("bilagor", "\n".join(body))

    def sections(self) -> list[str]:
        """Every part of the report in order (what the notebook displays cell by cell)."""
        return [self.title_page(), self.contents(), self.sammanfattning(), self.inledning(), self.uppfoljning(),
                self.kvalitetssakring(), self.internkontroll(), self.samverkan(), self.mal(), self.om_underlaget(),
                self.bilagor()]
