"""The annex "Bilaga: indikatortabeller": every applicable indicator of a scope by each of its groupings, from the
publication, and the glossary. A separate document (HTML and PDF) beside the report, so the report stays short."""
from __future__ import annotations

import nbformat
import pandas as pd

from .. import formatting as fmt
from .. import labels
from ..grouping import TOTAL_GROUP
from ..indicators.registry import REGISTRY, dictionary
from . import keyfigures
from .document import Document, esc, indicator_label
from .tables import Col

TOTAL = TOTAL_GROUP


class Annex(Document):
    SECTIONS = (("indikatortabeller", "Indikatortabeller"), ("ordlista", "Ordlista"))

    def __init__(self, pub, config, scope: str | None, title: str):
        super().__init__(config)
        self.pub, self.scope, self.title = pub, scope, title
        self.cells = pub.scope(scope)
        # Each indicator's cells as plain records, in the publication's order (pandas per row took most of the time;
        # the whole frame at once: a tenth of the time of one call per indicator)
        self.records: dict[str, list[dict]] = {}
        for r in self.cells.to_dict("records"):
            self.records.setdefault(r["indicator"], []).append(r)
        self.units = {code: name for code, name in config.units.items() if keyfigures.rows(pub, code)} \
            if scope is None else {}
        if self.units:  # the organisation's annex: first every unit's full key-figure table
            self.SECTIONS = (("nyckeltal-per-enhet", "Nyckeltal per enhet"),) + type(self).SECTIONS

    # -- one indicator ---------------------------------------------------------------------------------
    def _group(self, grouping: str, group: str) -> str:
        return TOTAL if grouping == "total" else labels.group_label(grouping, group, self.cfg)

    @staticmethod
    def _hidden(r) -> bool:
        return r["status"] != "publicerad"

    def _simple(self, name: str, grouping: str, part: list[dict], total: list[dict]) -> str:
        ind = REGISTRY[name]
        kind = ind.kind
        rows = []
        for role, records in (("part", part), ("total", total)):
            for r in records:
                hidden = self._hidden(r)
                row = {"group": self._group(r["grouping"], r["group"]), "value": r["value"], "numerator": r["numerator"],
                       "denominator": r["denominator"], "n": r["n"], "_role": role,
                       "_suppressed": {"value", "numerator", "denominator", "n", "ci"} if hidden else set()}
                if kind == "share" and not hidden and pd.notna(r["ci_low"]):
                    row["ci"] = f"{fmt.percent(r['ci_low'])}–{fmt.percent(r['ci_high'])}"
                if kind in ("mean", "median") and not hidden:
                    row["value"] = fmt.format_value(r["value"], ind.unit)
                rows.append(row)
        sums = len(part) > 0
        by = labels.grouping_label(grouping)
        if kind == "share":
            cols = [Col("group", by), Col("value", "Andel", "share"), Col("ci", "95 % KI"),
                    Col("numerator", "Täljare", "count", sums=sums), Col("denominator", "Nämnare", "count", sums=sums)]
            share_cols = [("value", "numerator", "denominator")]
        elif kind == "count":
            cols, share_cols = [Col("group", by), Col("value", "Antal", "count", sums=sums)], []
        else:
            cols = [Col("group", by), Col("value", "Median" if kind == "median" else "Medelvärde"),
                    Col("n", "Antal (n)", "count", sums=sums)]
            share_cols = []
        caption = f"{indicator_label(name, True)} per {by.lower()} {self.pub.period}" if sums \
            else f"{indicator_label(name, True)} {self.pub.period}"
        return self.table(rows, cols, caption, share_cols=share_cols)

    def _by_category(self, name: str, grouping: str, records: list[dict]) -> str:
        """Categories as columns (shares or counts), one row per group, n last."""
        ind = REGISTRY[name]
        cats = list(dict.fromkeys(r["category"] for r in records))
        groups: dict[tuple, list[dict]] = {}
        for r in records:
            groups.setdefault((r["grouping"], r["group"]), []).append(r)
        rows = []
        for (g, grp), part in groups.items():
            row = {"group": self._group(g, grp), "_role": "total" if g == "total" else "part", "_suppressed": set()}
            for r in part:
                row[f"c:{r['category']}"] = r["value"]
                if r["status"] != "publicerad":
                    row["_suppressed"].add(f"c:{r['category']}")
            if ind.distribution:  # the categories share one base: shown while any of them is
                visible = [r for r in part if r["status"] == "publicerad"]
                row["n"] = visible[0]["n"] if visible else None
                if not visible:
                    row["_suppressed"].add("n")
            rows.append(row)
        kind = {"share": "share", "count": "count"}.get(ind.kind, "number")  # a mean is no count of persons
        by = labels.grouping_label(grouping)
        cols = [Col("group", by)] + [Col(f"c:{c}", labels.category_label(c), kind, 1 if kind == "number" else 0,
                                         counts=kind == "count") for c in cats]
        if ind.distribution:
            cols.append(Col("n", "Antal (n)", "count", sums=grouping != "total"))
        where = f" per {by.lower()}" if grouping != "total" else ""
        return self.table(rows, cols, f"{indicator_label(name, True)}{where} {self.pub.period}")

    def indicator(self, name: str) -> str:
        one = self.records.get(name, [])
        ind = REGISTRY[name]
        body = [f'<h3 id="ind-{name}">{esc(ind.label)}</h3>', f'<p class="definition">{esc(ind.description)}</p>']
        has_categories = any(r["category"] != "" for r in one)
        by_grouping: dict[str, list[dict]] = {}
        for r in one:
            by_grouping.setdefault(r["grouping"], []).append(r)
        total = by_grouping.get("total", [])
        for grouping, part in by_grouping.items():
            if grouping == "total" and not has_categories:
                continue
            if has_categories:
                body.append(self._by_category(name, grouping, part if grouping == "total" else part + total))
            else:
                body.append(self._simple(name, grouping, part, total))
        if len(body) == 2:  # a lone total
            body.append(self._simple(name, "total", [], total))
        return "\n".join(body)

    # -- the document ----------------------------------------------------------------------------------
    def title_page(self) -> str:
        return (f'<section class="titelsida" aria-label="Titelsida" data-min-cell="{self.cfg.min_cell}">'
                f'<p class="kommun">{esc(self.cfg.municipality)}</p>'
                + self.title_heading(self.title, self.pub.period)
                + "<p>Bilaga till kvalitetsredovisningen. Alla tabeller bygger på samma "
                "publicerade celler som rapporten och arbetsboken indikatorer.xlsx. X = uppgiften visas inte "
                "(röjandekontroll); – = uppgift saknas.</p></section>")

    def unit_key_figures(self) -> str:
        """Each unit's key figures, this year beside last year with change and n: the same tables as in the unit's
        own report (the organisation's report compares this year's values side by side)."""
        if not self.units:
            return ""
        body = ["<p>Varje enhets nyckeltal, samma tabell som i enhetens egen rapport.</p>"]
        for i, (code, name) in enumerate(self.units.items()):
            body.append(f'<h3 id="nyckeltal-{esc(code)}">{esc(name)}</h3>')
            body.append(self.table(keyfigures.rows(self.pub, code), keyfigures.columns(self.pub.period),
                                   f"Nyckeltal för {name} {self.pub.period}",
                                   note=None if i else keyfigures.CHANGE_NOTE))
        return self.section("nyckeltal-per-enhet", "\n".join(body))

    def tables(self) -> str:
        return self.section("indikatortabeller", "\n".join(self.indicator(n) for n in self.pub.indicators(self.scope)))

    def glossary(self) -> str:
        items = []
        for _, r in dictionary().iterrows():
            text = " ".join(p for p in (r["description"], f"Täljare: {r['numerator']}." if r["numerator"] != "–"
                                         else "", f"Nämnare: {r['denominator']}." if r["denominator"] != "–" else "")
                            if p)
            items.append(f"<dt>{esc(r['label'])}</dt><dd>{esc(text)} Mått: {esc(r['unit_label'].lower())}.</dd>")
        return self.section("ordlista", f'<dl class="ordlista">{"".join(items)}</dl>')

    def html(self) -> str:
        return "\n".join(part for part in (self.title_page(), self.contents(), self.unit_key_figures(), self.tables(),
                                            self.glossary()) if part)


def annex_notebook(pub, config, scope: str | None, title: str) -> nbformat.NotebookNode:
    """The annex as a one-cell executed notebook, rendered with the report's own template."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": Annex(pub, config, scope, title).html()})]
    nb.cells = [cell]
    return nb
