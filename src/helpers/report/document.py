"""What every rendered document shares: numbered table and figure captions, sections and labels."""
from __future__ import annotations

import html
import re

from .. import formatting as fmt
from .. import labels
from ..indicators.registry import REGISTRY, UNIT_LABELS
from .tables import html_table


def esc(text) -> str:
    return html.escape(str(text))


def keep_together(text: str) -> str:
    """A number stays on the line of the word after it ("4 månader", "14 dagar"): no-break space."""
    return re.sub(r"(\d) (?=\w)", "\\1\u00a0", text)


def indicator_label(name: str, with_unit: bool = False) -> str:
    """The indicator's Swedish name; with its measure ("Väntetid … (median, dagar)") for anything but a share."""
    if name not in REGISTRY:
        return name
    ind = REGISTRY[name]
    if not with_unit or ind.unit in ("andel", "antal"):
        return keep_together(ind.label)
    measure = UNIT_LABELS[ind.unit].lower()
    label = ind.label if measure.split(",")[0] in ind.label.lower() else f"{ind.label} ({measure})"
    return keep_together(label)


def group_name(grouping: str, group: str, config) -> str:
    return labels.group_label(grouping, group, config)


class Document:
    """Numbers tables and figures in the order they are built; sections with ids for the contents."""

    SECTIONS: tuple[tuple[str, str], ...] = ()

    def __init__(self, config):
        self.cfg = config
        self._tables = 0
        self._figures = 0

    def title_heading(self, title: str, period: str) -> str:
        """The document's title; its attributes give the PDF its title and, where the config has the period's report
        date (``rapportdatum``), its date: the same PDF on every rerun, not the moment it was set."""
        date = self.cfg.period_info(period).get("rapportdatum")
        dated = f' data-report-date="{fmt.date(date)}"' if date else ""
        return (f'<h1 class="rapporttitel" data-report-title="{esc(self.cfg.municipality)} – {esc(title)}"{dated}>'
                f"{esc(title)}</h1>")

    def table(self, rows, columns, caption: str, **kw) -> str:
        self._tables += 1
        return html_table(rows, columns, f"Tabell {self._tables}. {caption}", table_id=f"tabell-{self._tables}",
                          **kw)

    def figure(self, data_uri: str, alt: str, title: str) -> str:
        self._figures += 1
        n = self._figures
        return (f'<figure class="figur" id="figur-{n}"><img src="{data_uri}" alt="{esc(alt)}">'
                f"<figcaption>Figur {n}. {esc(title)}</figcaption></figure>")

    def section(self, sid: str, body: str) -> str:
        title = dict(self.SECTIONS)[sid]
        return (f'<section class="avsnitt" id="{sid}" aria-labelledby="{sid}-rubrik">\n'
                f'<h2 id="{sid}-rubrik">{esc(title)}</h2>\n{body}\n</section>')

    def contents(self) -> str:
        items = "".join(f'<li><a href="#{sid}">{esc(title)}</a></li>' for sid, title in self.SECTIONS)
        return (f'<nav class="innehall" aria-labelledby="innehall-rubrik"><h2 id="innehall-rubrik">Innehåll</h2>'
                f"<ol>{items}</ol></nav>")
