"""The kvalitetsredovisning's body: the key message, the goals and the analysis first, then what was achieved,
the comparisons, the users' view, internal control and the data behind it. Every number is a cell of the
publication; the full indicator tables are the annex (``annex``), so the body stays short.

``Report`` numbers tables and figures in the order the sections are built (``Report.sections()``); every method
returns an HTML fragment that notebook 07 displays.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pandas as pd

from .. import formatting as fmt
from .. import labels
from ..indicators.registry import REGISTRY
from ..params import RunParams
from ..atomic import write_text_atomic
from . import actions, claims, keyfigures, live, narrative, underlag
from .document import Document, esc, indicator_label
from .errors import ReportCheckError
from .inputs import Figure, ReportInputs, load_inputs
from .tables import Col

STATUS_LABELS = {"uppnått": "Uppnått", "delvis uppnått": "Delvis uppnått", "inte uppnått": "Inte uppnått",
                 "kan inte mätas": "Kan inte mätas"}
STATUS_RULES = (
    "Så bedöms målen. <strong>Uppnått</strong>: resultatet når målvärdet. <strong>Delvis uppnått</strong>: "
    "resultatet ligger inom den marginal under målvärdet som nämnden har angett för målet (till exempel tio "
    "procentenheter), eller – för mål som bedöms per enhet – målet nåddes i någon men inte alla enheter. "
    "<strong>Inte uppnått</strong>: resultatet ligger längre från målvärdet. <strong>Kan inte mätas</strong>: "
    "uppgiften saknas, bygger på för få personer för att redovisas eller saknar ett jämförbart föregående år. "
    "<strong>Ej tillämpligt</strong>: målet gäller inte enhetens verksamhetsområde och redovisas inte i dess rapport.")
CAUTION = ("Uppföljningsdata visar förändring, inte effekt. Att fler klienter mår bättre efter en insats betyder "
           "inte att insatsen orsakade förbättringen: andra händelser i livet, att de som svarar skiljer sig från "
           "dem som inte svarar och naturlig variation kan förklara skillnaden. Resultaten beskriver verksamheten "
           "och är ett underlag för dialog och förbättring, inte en utvärdering av insatsernas effekter.")
COVERAGE = (("matning_efter_insats", ""), ("utvardering_efter_insats", ""), ("uppfoljning_6_manader", ""))
ADULT_QUESTIONS = ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7")


def _slug(text: str) -> str:
    t = unicodedata.normalize("NFKD", str(text).lower())
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def figure_section(avsnitt: str) -> str:
    """A figure's ``avsnitt`` (free Swedish text or a key) -> the section id it belongs to."""
    s = _slug(avsnitt)
    for prefix, section in (("samm", "sammanfattning"), ("inled", "inledning"), ("kvalitet", "kvalitetssakring"),
                            ("brukar", "kvalitetssakring"), ("enkat", "kvalitetssakring"),
                            ("intern", "internkontroll"), ("synpunkt", "internkontroll"),
                            ("tillsyn", "internkontroll"), ("samverk", "samverkan"), ("mal", "mal"),
                            ("analys", "analys"), ("om-underlag", "om-underlaget"), ("underlag", "om-underlaget")):
        if s.startswith(prefix):
            return section
    return "uppfoljning"


class Report(Document):
    SECTIONS = (
        ("sammanfattning", "Sammanfattning"),
        ("inledning", "Inledning"),
        ("mal", "Mål för perioden"),
        ("analys", "Analys och åtgärder"),
        ("uppfoljning", "Uppföljning – vad har vi uppnått?"),
        ("jamforelse", "Jämförelse med andra kommuner"),
        ("kvalitetssakring", "Kvalitetssäkring – brukarenkäter"),
        ("internkontroll", "Internkontroll, synpunkter och tillsyn"),
        ("samverkan", "Samverkan"),
        ("om-underlaget", "Om underlaget"),
        ("bilaga", "Bilaga: indikatortabeller"),
    )

    def __init__(self, run: RunParams, inputs: ReportInputs | None = None):
        super().__init__(run.config)
        self.run = run
        self.inputs = inputs if inputs is not None else load_inputs(run.paths, run.config, run.unit)
        self.pub = self.inputs.publication
        self.texts = self.cfg.texts_dir(run.period)
        self.info = self.cfg.period_info(run.period)
        self._placed: set[int] = set()
        self._change_noted = False
        self.claims: list[claims.Claim] = []

    # -- helpers --------------------------------------------------------------------------------------------
    @property
    def title(self) -> str:
        t = f"Kvalitetsredovisning {self.run.period}"
        return f"{t} – {self.run.unit_name}" if self.run.unit else t

    def place(self, fig: Figure) -> str:
        return self.figure(fig.data_uri, fig.alt, fig.title)

    def figures_for(self, section: str, unit: str | None = None) -> str:
        out = []
        for i, fig in enumerate(self.inputs.figures):
            if i in self._placed or figure_section(fig.section) != section:
                continue
            if unit is not None and unit not in _slug(fig.section).replace("-", "_") and unit not in fig.id:
                continue
            self._placed.add(i)
            out.append(self.place(fig))
        return "\n".join(out)

    def _text(self, name: str, missing: str | None = narrative.MISSING_TEXT, scope: str | None = "") -> str:
        """An analyst's text with its live numbers filled in from the publication and checked against them.
        `scope` is the unit whose cells the text's references read (default: the report's own)."""
        text = narrative.read_text(self.texts, name)
        if text is None:
            return f'<p class="saknas">{missing}</p>' if missing else ""
        scope = self.run.unit if scope == "" else scope
        goals = self.inputs.goals if scope == self.run.unit else self._goals_for(scope)
        ctx = live.TextContext(self.pub, scope, goals)
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
        path = write_text_atomic(folder / "textkontroll.json", json.dumps(rows, ensure_ascii=False, indent=2))
        errors = [c for c in self.claims if c.level == claims.ERROR]
        if errors and claims.strict(self.cfg):
            lines = "\n".join(f"- {c.text}: {c.message} (\"{c.sentence[:80]}\")" for c in errors)
            raise ReportCheckError(f"Texterna säger emot siffrorna ({len(errors)} fel):\n{lines}")
        return path

    def key_figures(self, scope: str | None, caption: str, names=keyfigures.HEADLINE,
                    by_category: bool = False) -> str:
        """A scope's key figures, this year beside last year; the note on how change is measured comes once per
        section, under its first such table. `by_category`: the rows are one indicator's categories, which the
        caption names, so each row is labelled with its category alone."""
        rows = keyfigures.rows(self.pub, scope, names)
        if not rows:
            return ""
        if by_category:
            for row in rows:
                text = labels.category_label(row["_category"])
                row["label"] = text[:1].upper() + text[1:]
        note = None if self._change_noted else keyfigures.CHANGE_NOTE
        self._change_noted = True
        return self.table(rows, keyfigures.columns(self.run.period), caption, note=note)

    def units_side_by_side(self) -> str:
        """This year's key figures of every unit in one table: each value is the cell of the unit's own table."""
        rows, cols = keyfigures.by_unit(self.pub, self.cfg.units)
        if not rows:
            return ""
        note = keyfigures.NOT_APPLICABLE_NOTE if any(keyfigures.NOT_APPLICABLE in r.values() for r in rows) else None
        return self.table(rows, cols, f"Nyckeltal per enhet {self.run.period}", note=note)

    def section(self, sid: str, body: str) -> str:
        self._change_noted = False  # the next section explains change again under its first key-figure table
        return super().section(sid, body)

    # -- title page -----------------------------------------------------------------------------------------
    def _alarms(self) -> str:
        path = self.run.paths.processed / "larm.json"
        try:
            alarms = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return ""
        if not alarms:
            return ""
        # The reader's version of each alarm, without its row counts (the run's record keeps them); an alarm
        # written before that version existed is named by its kind and file.
        items = "".join(f"<li>{esc(_alarm_text(a))}</li>" for a in alarms)
        return (f'<div class="larm" role="note"><p><strong>Observera:</strong> underlaget har brister som kan påverka '
                f"resultaten. Körningen fortsatte trots följande larm:</p><ul>{items}</ul></div>")

    def title_page(self) -> str:
        c = self.cfg
        lines = [f'<p class="kommun">{esc(c.municipality)}</p>',
                 self.title_heading(self.title, self.run.period)]
        if self.run.unit:
            lines.append(f'<p class="enhet">{esc(self.run.unit_name)}</p>')
        meta = [("Nämnd", c.get("namnd")), ("Förvaltning", c.get("forvaltning")),
                ("Period", f"1 januari–31 december {self.run.period}"),
                ("Diarienummer", self.info.get("diarienummer")),
                ("Datum", fmt.date(self.info["rapportdatum"]) if self.info.get("rapportdatum") else None)]
        dl = "".join(f"<dt>{k}</dt><dd>{esc(v)}</dd>" for k, v in meta if v)
        lines.append(f'<dl class="titeluppgifter">{dl}</dl>')
        lines.append(self._alarms())
        return (f'<section class="titelsida" aria-label="Titelsida" data-min-cell="{c.min_cell}">\n'
                + "\n".join(line for line in lines if line) + "\n</section>")

    # -- sections -------------------------------------------------------------------------------------------
    def sammanfattning(self) -> str:
        body = [self._text("sammanfattning")]
        goals = self.inputs.goals
        if len(goals):
            counts = goals["status"].astype(str).value_counts()
            rows = [{"label": STATUS_LABELS.get(s, s), "antal": int(counts.get(s, 0)), "_role": "part"}
                    for s in STATUS_LABELS]
            rows.append({"label": "Samtliga mål", "antal": len(goals), "_role": "total"})
            # The board's goals by status: goals, not persons or cases (counts=False).
            body.append(self.table(rows, [Col("label", "Status"),
                                          Col("antal", "Mål", "number", sums=True, counts=False)],
                                   f"Nämndens mål för {self.run.period}: status"))
        if self.inputs.key_findings.strip():
            body.append("<h3>Nyckelfynd</h3>" + narrative.render_markdown(self.inputs.key_findings))
        body.append(self.figures_for("sammanfattning"))
        return self.section("sammanfattning", "\n".join(b for b in body if b))

    def inledning(self) -> str:
        return self.section("inledning", self._text("inledning") + self.figures_for("inledning"))

    def mal(self) -> str:
        goals = self.inputs.goals
        body = [self._text("mal", missing=None)]
        if goals.empty:
            body.append('<p class="saknas">Nämnden har inga mål för perioden i konfigurationen (uppgift saknas).</p>')
        else:
            rows = [{"mal": g["mal"], "malvarde": g.get("malvarde_text", ""), "resultat": g.get("resultat_text", ""),
                     "status": STATUS_LABELS.get(str(g["status"]), str(g["status"]))} for _, g in goals.iterrows()]
            body.append(self.table(rows, [Col("mal", "Mål"), Col("malvarde", "Målvärde"), Col("resultat", "Resultat"),
                                          Col("status", "Status")], f"Mål för perioden {self.run.period}",
                                   css_class="rapporttabell maltabell"))
        body.append(f'<p class="regler">{STATUS_RULES}</p>')
        body.append(self.figures_for("mal"))
        return self.section("mal", "\n".join(b for b in body if b))

    def analys(self) -> str:
        body = [self._text("analys", missing=None),
                f'<p class="forsiktighet"><strong>Förändring, inte effekt.</strong> {esc(CAUTION)}</p>',
                "<h3>Hur fullständigt är underlaget?</h3>",
                "<p>Resultaten bygger på de klienter som har följts upp. Tabellen visar hur stor del av dem som har "
                "en eftermätning, en egen utvärdering och en måluppföljning i tid; ju lägre andel, desto större risk "
                "att resultaten inte gäller alla.</p>",
                self.key_figures(self.run.unit, f"Underlagets täckning {self.run.period}", COVERAGE)]
        method, verdicts = underlag.planning_verdicts(self.run.paths.processed)
        shortfall = underlag.shortfall_sentence(self.pub, self.run.unit, self.run.paths.processed)
        verdicts += [shortfall] if shortfall else []
        if verdicts:
            body.append(f"<p>Urvalet i steg 1 ({esc(method.lower())}) jämfördes med alla som aktualiserades under "
                        "året:</p><ul>" + "".join(f"<li>{esc(v)}</li>" for v in verdicts) + "</ul>")
        body += self._actions()
        body.append(self.figures_for("analys"))
        return self.section("analys", "\n".join(b for b in body if b))

    def _actions(self) -> list[str]:
        out = ["<h3>Åtgärder</h3>"]
        new = actions.decided_in(self.cfg, self.run.period)
        earlier = actions.followed_up_in(self.cfg, self.run.period)
        if new:
            rows = [{"vad": a.what, "vem": a.who, "senast": a.by or fmt.MISSING,
                     "indikator": indicator_label(a.indicator) if a.indicator else fmt.MISSING} for a in new]
            out.append(self.table(rows, [Col("vad", "Åtgärd"), Col("vem", "Ansvarig"), Col("senast", "Klart senast"),
                                         Col("indikator", "Följs upp med")], f"Åtgärder som beslutas {self.run.period}"))
        else:
            out.append('<p class="saknas">Inga nya åtgärder har registrerats för perioden (<code>atgarder</code> '
                       "i konfigurationen).</p>")
        if earlier:
            rows = []
            for a in earlier:
                result = fmt.MISSING
                if a.indicator and self.pub.applies(a.indicator, self.run.unit):
                    cell = self.pub.cell(a.indicator, self.run.unit)
                    result = keyfigures.shown(cell, REGISTRY[a.indicator].unit)[0] if cell is not None else fmt.MISSING
                rows.append({"vad": a.what, "beslutad": a.decided, "status": actions.STATUSES[a.status],
                             "uppfoljning": a.follow_up or fmt.MISSING,
                             "resultat": f"{indicator_label(a.indicator)}: {result}" if a.indicator else fmt.MISSING})
            out.append(self.table(rows, [Col("vad", "Åtgärd"), Col("beslutad", "Beslutad"), Col("status", "Status"),
                                         Col("uppfoljning", "Uppföljning"), Col("resultat", f"Indikatorn {self.run.period}")],
                                  "Uppföljning av tidigare beslutade åtgärder"))
        return out

    def uppfoljning(self) -> str:
        body = [self._text("uppfoljning", missing=None)]
        if self.run.unit:
            body.append(self._text(f"uppfoljning_{self.run.unit}", missing=None))
            body.append(self.key_figures(self.run.unit, f"Nyckeltal för {self.run.unit_name} {self.run.period}"))
            body.append(self._dose(self.run.unit))
            body.append(self._placements_by_month(self.run.unit))
            body.append(self.figures_for("uppfoljning"))
        else:
            body.append("<h3>Hela verksamheten</h3>")
            body.append(self.key_figures(None, f"Nyckeltal för hela verksamheten {self.run.period}"))
            body.append(self._dose(None))
            body.append(self._placements_by_month(None))
            body.append(self.figures_for("uppfoljning", unit="hela"))
            if self.cfg.units:
                body.append('<h3 id="enheterna">Nyckeltal per enhet</h3>')
                body.append(f"<p>Tabellen visar varje enhets värde för {self.run.period}. Enhetens fullständiga "
                            f"tabell, med {int(self.run.period) - 1}, förändringen och antalet, finns i bilagan och "
                            "i enhetens egen rapport.</p>")
                body.append(self.units_side_by_side()
                            or '<p class="saknas">Inga indikatorer gäller enheterna (uppgift saknas).</p>')
            for code, name in self.cfg.units.items():
                own = [self._text(f"uppfoljning_{code}", missing=None, scope=code),
                       self.figures_for("uppfoljning", unit=code)]
                if any(own):  # the unit's own narrative and figures, under its name
                    body.append(f'<h3 id="enhet-{esc(code)}">{esc(name)}</h3>')
                    body += own
            body.append(self.figures_for("uppfoljning"))
        return self.section("uppfoljning", "\n".join(b for b in body if b))

    def jamforelse(self) -> str:
        from ..comparison import build_comparison, compared_indicators
        from ..comparison.kolada import KoladaFileError

        body = [self._text("jamforelse", missing=None)]
        own = {}
        try:
            names = compared_indicators(self.cfg)
            for name in names or ():
                cell = self.pub.cell(name, self.run.unit) if name in REGISTRY else None
                if cell is not None and cell["status"] == "publicerad":
                    own[name] = float(cell["value"])
            comparison = build_comparison(self.cfg, self.run.period, own) if names is not None else None
        except (KoladaFileError, ValueError) as exc:
            body.append(f'<p class="saknas">Jämförelsen kunde inte göras: {esc(exc)}</p>')
            return self.section("jamforelse", "\n".join(body))
        if comparison is None:
            body.append('<p class="saknas">Ingen jämförelse med andra kommuner är konfigurerad '
                        "(<code>jamforelse</code> i konfigurationen).</p>")
        else:
            frame = comparison.display
            cols = [Col(f"c{i}", str(c)) for i, c in enumerate(frame.columns)]
            rows = [{f"c{i}": ("" if pd.isna(v) else v) for i, v in enumerate(r)} for r in frame.itertuples(index=False)]
            body.append(self.table(rows, cols, f"Nyckeltal i Kolada: {self.cfg.municipality}, jämförelsegrupp och riket"))
            body.append("".join(f'<p class="tabellnot">{esc(line)}</p>' for line in comparison.sources))
        body.append(self.figures_for("jamforelse"))
        return self.section("jamforelse", "\n".join(b for b in body if b))

    def _survey_table(self, questions, caption: str, indicator: str = "brukarenkat_positiva") -> str:
        rows, prev = [], str(int(self.run.period) - 1)
        for q in questions:
            now = self.pub.cell(indicator, self.run.unit, category=q)
            if now is None:
                continue
            before = self.pub.cell(indicator, self.run.unit, prev, category=q)
            hidden = now["status"] != "publicerad"
            rows.append({"label": labels.category_label(q), "before": keyfigures.shown(before, "andel")[0],
                         "now": keyfigures.shown(now, "andel")[0], "change": keyfigures.change_text(now, before, "andel"),
                         "n": None if hidden else now["n"], "_suppressed": {"n"} if hidden else set()})
        if not rows:
            return ""
        return self.table(rows, [Col("label", "Fråga"), Col("before", prev), Col("now", self.run.period),
                                 Col("change", "Förändring"), Col("n", f"Svarande (n) {self.run.period}", "count")],
                          caption, note="Andel positiva svar bland dem som besvarat frågan; \"vet ej\" räknas inte.")

    def _distribution(self, indicator: str, head: str, caption: str, scope: str | None = "") -> str:
        """A distribution's categories for the period: count and share, the base as the total row."""
        scope = self.run.unit if scope == "" else scope
        part = self.pub.scope(scope).query("indicator == @indicator and grouping == 'total'")
        if part.empty:
            return ""
        rows, visible = [], part[part["status"] == "publicerad"]
        for _, r in part.iterrows():
            hidden = r["status"] != "publicerad"
            rows.append({"label": labels.category_label(r["category"]), "antal": None if hidden else r["numerator"],
                         "andel": None if hidden else r["value"], "_role": "part",
                         "_suppressed": {"antal", "andel"} if hidden else set()})
        base = visible["denominator"].iloc[0] if len(visible) else None
        rows.append({"label": "Totalt", "antal": base, "andel": 1.0 if base else None, "_role": "total",
                     "_suppressed": set() if len(visible) else {"antal", "andel"}})
        return self.table(rows, [Col("label", head), Col("antal", "Antal", "count", sums=True),
                                 Col("andel", "Andel", "share")], caption)

    def _placements_by_month(self, scope: str | None) -> str:
        """Norrköping's table: persons placed on the first day of each month, January to December, by form."""
        if not self.pub.applies("placerade_per_manad", scope):
            return ""
        part = self.pub.scope(scope).query("indicator == 'placerade_per_manad' and grouping in ('total', 'form')")
        months = sorted(m for m in part["category"].unique() if m)
        if not months:
            return ""
        rows = []
        for (grouping, group), cells in part.groupby(["grouping", "group"], sort=False):
            row = {"form": "Samtliga placerade" if grouping == "total" else labels.group_label("form", group, self.cfg),
                   "_role": "total" if grouping == "total" else "part", "_suppressed": set()}
            for _, c in cells.iterrows():
                row[c["category"]] = None if c["status"] != "publicerad" else c["value"]
                if c["status"] != "publicerad":
                    row["_suppressed"].add(c["category"])
            rows.append(row)
        rows.sort(key=lambda r: r["_role"] == "total")
        cols = [Col("form", "Placeringsform")] + [Col(m, fmt.month(m, short=True).split()[0], "count", sums=True)
                                                  for m in months]
        return self.table(rows, cols, f"Placerade den första dagen i varje månad {self.run.period}",
                          note="En person med flera placeringar samtidigt räknas en gång.")

    def _dose(self, scope: str | None) -> str:
        """Step 3: how much of the planned dose was delivered."""
        names = (("insatser_enligt_plan", ""), ("genomforda_besok", ""))
        if not any(self.pub.applies(n, scope) for n, _ in names):
            return ""
        out = ["<h4>Genomförande av insatserna</h4>",
               self.key_figures(scope, f"Genomförande av insatserna {self.run.period}", names)]
        if self.pub.applies("tillfallen_per_insats", scope):
            cats = list(dict.fromkeys(self.pub.scope(scope).query(
                "indicator == 'tillfallen_per_insats' and grouping == 'total'")["category"]))
            out.append(self.key_figures(scope, f"{indicator_label('tillfallen_per_insats', with_unit=True)} "
                                               f"{self.run.period}", tuple(("tillfallen_per_insats", c) for c in cats),
                                        by_category=True))
        return "\n".join(x for x in out if x)

    def kvalitetssakring(self) -> str:
        body = [self._text("kvalitetssakring")]
        if not self.pub.applies("brukarenkat_positiva", self.run.unit):
            body.append('<p class="saknas">Resultat från brukarenkäter saknas för perioden (uppgift saknas).</p>')
        else:
            questions = list(dict.fromkeys(self.pub.scope(self.run.unit).query(
                "indicator == 'brukarenkat_positiva' and grouping == 'total'")["category"]))
            body.append(self._survey_table([q for q in questions if q in ADULT_QUESTIONS],
                                           f"Brukarenkät: andel positiva svar {self.run.period}"))
        if self.pub.applies("barnenkat_positiva", self.run.unit):
            questions = list(dict.fromkeys(self.pub.scope(self.run.unit).query(
                "indicator == 'barnenkat_positiva' and grouping == 'total'")["category"]))
            body.append("<h3>Barns och ungas egna svar</h3>")
            body.append("<p>Barn och unga i placering och öppenvård svarar själva på frågor om trygghet, bemötande, "
                        "kränkning, skola, hälsa och tandvård.</p>")
            body.append(self._survey_table(questions, f"Barns och ungas svar: andel positiva svar {self.run.period}",
                                           "barnenkat_positiva"))
        if self.pub.applies("ekb_ej_tillfredsstallande_orsak", self.run.unit):
            body.append("<h3>Varför ekonomiskt bistånd inte var tillfredsställande</h3>")
            body.append(self._distribution("ekb_ej_tillfredsstallande_orsak", "Orsak",
                                           f"Orsaker till att ekonomiskt bistånd inte var tillfredsställande "
                                           f"{self.run.period}"))
        body.append(self.figures_for("kvalitetssakring"))
        return self.section("kvalitetssakring", "\n".join(b for b in body if b))

    def _incident_cells(self, period: str) -> dict[str, pd.Series]:
        """The publication's cells of synpunkter, klagomål, lex Sarah and IVO for a period, by incident type."""
        out = {}
        for indicator, kinds in (("synpunkter_klagomal", ("synpunkt", "klagomal")),
                                 ("lex_sarah", ("lex_sarah", "lex_sarah_ivo")), ("ivo_tillsyn", ("ivo_tillsyn",))):
            total = self.pub.cell(indicator, self.run.unit, period)
            for kind in kinds:
                cell = self.pub.cell(indicator, self.run.unit, period, "incident_type", kind) if len(kinds) > 1 \
                    else total
                if cell is None and total is not None and total["status"] == "publicerad" and total["value"] == 0:
                    out[kind] = pd.Series({"value": 0.0, "status": "publicerad"})  # none that year
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
            for code, label in labels.INCIDENT_TYPES.items():
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
        return self.section("internkontroll", "\n".join(body))

    def samverkan(self) -> str:
        return self.section("samverkan", self._text("samverkan") + self.figures_for("samverkan"))

    def om_underlaget(self) -> str:
        processed = self.run.paths.processed
        log = underlag.import_log(processed)
        body = ["<h3>Källor</h3>", self._text("kallor", missing=None)]
        sources = underlag.source_rows(log)
        if sources:
            body.append("<p>Underlaget är verksamhetssystemens exporter och registreringsblanketter för perioden. "
                        "Personnummer ersattes med pseudonymer vid inläsningen. Rader som inte klarade kontrollerna "
                        "lades i karantän med en orsak och räknas inte med.</p>")
            reasons = underlag.reason_rows(log)
            underlag.protect_import_tables(sources, reasons, self.cfg)  # counts: the privacy check reads them
            body.append(self.table(sources, [Col("label", "Källa"), Col("in", "Rader i filen", "count", sums=True),
                                             Col("ok", "Godkända", "count", sums=True),
                                             Col("rejected", "Avvisade", "count", sums=True)],
                                   "Underlagets källor: inlästa, godkända och avvisade rader"))
            if reasons:
                body.append(self.table(reasons, [Col("label", "Orsak"),
                                                 Col("antal", "Avvisade rader", "count", sums=True)],
                                       "Orsaker till att rader avvisades vid inläsningen"))
        else:
            body.append('<p class="saknas">Uppgifter om inlästa och avvisade rader: uppgift saknas.</p>')
        gaps = underlag.earlier_gaps(self.run.paths.data_dir, self.run.period)
        if gaps:
            body.append("<ul>" + "".join(f"<li>{esc(g)}</li>" for g in gaps) + "</ul>")
        body.append("<h3>Bortfall</h3>")
        missing = underlag.missing_rows(self.pub, self.run.unit)
        if missing:
            body.append("<p>Alla uppgifter finns inte registrerade för alla. Tabellen visar för de viktigaste "
                        "variablerna hur många som saknar uppgiften; de redovisas i gruppen \"Uppgift saknas\" i "
                        "bilagans tabeller och räknas inte bort.</p>")
            body.append(self.table(missing, [Col("label", "Uppgift"), Col("population", "Bland"),
                                             Col("saknas", "Saknas", "count"), Col("bas", "Totalt", "count"),
                                             Col("andel", "Andel som saknas", "share", 1)],
                                   "Saknade uppgifter per variabel"))
        body.append(self._disclosure())
        body.append("<h3>Metod</h3>")
        body.append("<p>Uppföljningen följer Socialstyrelsens sex steg för systematisk uppföljning: planera, "
                    "dokumentera situationen före, under och efter insatsen, sammanställa på gruppnivå och "
                    "analysera. Andelar redovisas med 95 procents konfidensintervall i bilagan.</p>")
        rule = _finding_rule(self.cfg)
        if rule:
            body.append(f"<p>{esc(rule)}</p>")
        body.append(self._text("metod", missing=None))
        body.append(self.figures_for("om-underlaget"))
        return self.section("om-underlaget", "\n".join(b for b in body if b))

    def _disclosure(self) -> str:
        from ..publication.linked import method_texts
        from ..publication.secure import protection_range

        texts = method_texts(self.cfg.min_cell, self.cfg.min_group, protection_range(self.cfg))
        counts = underlag.disclosure_counts(self.pub)
        parts = ["<h3>Röjandekontroll</h3>", f"<p>{esc(texts['primary'])}</p>", f"<p>{esc(texts['secondary'])}</p>",
                 f"<p>{esc(texts['audit'])}</p>"]
        if counts.get("celler"):
            parts.append(f"<p>Publikationen för {self.run.period} har {fmt.integer(counts['celler'])} celler för hela "
                         f"verksamheten och enheterna; {fmt.integer(counts['undertryckta'])} av dem visas inte. "
                         f"{esc(counts.get('granskning') or '')}</p>")
        parts.append(f"<p>{esc(texts['reader'])}</p>")
        return "\n".join(parts)

    def bilaga(self) -> str:
        up = "" if self.run.unit is None else "../../"
        body = ("<p>Indikatorernas tabeller per enhet, kön, åldersgrupp, målgrupp och typ av insats, med "
                "konfidensintervall, täljare och nämnare, finns i bilagan "
                '<a href="kvalitetsredovisning_bilaga.html">Bilaga: indikatortabeller (HTML)</a> och '
                '<a href="kvalitetsredovisning_bilaga.pdf">(PDF)</a>, och i arbetsboken '
                f'<a href="{up}publikation/indikatorer.xlsx">indikatorer.xlsx</a>. Bilagan har också ordlistan med '
                "varje indikators definition"
                + ("" if self.run.unit else " och varje enhets nyckeltal med föregående år, förändring och antal")
                + ".</p>")
        return self.section("bilaga", body)

    def sections(self) -> list[str]:
        """Every part of the report in order (what the notebook displays cell by cell)."""
        return [self.title_page(), self.contents(), self.sammanfattning(), self.inledning(), self.mal(),
                self.analys(), self.uppfoljning(), self.jamforelse(), self.kvalitetssakring(), self.internkontroll(),
                self.samverkan(), self.om_underlaget(), self.bilaga()]


def _alarm_text(alarm) -> str:
    if not isinstance(alarm, dict):
        return "Larm vid inläsningen."
    return str(alarm.get("rapporttext") or f"{alarm.get('fil', '')}: {str(alarm.get('orsak', 'larm')).lower()}.")


def _finding_rule(config) -> str:
    from ..analysis.findings import rule_text, settings_from_config
    return rule_text(settings_from_config(config))


SECTIONS = Report.SECTIONS
