"""The report's HTML parsed once: the sums check, the PDF typesetter and the privacy check read the same tree
(none of them changes it); parsing is most of what each of them costs on the annex."""
from __future__ import annotations

from bs4 import BeautifulSoup


def parse_html(html: str | BeautifulSoup) -> BeautifulSoup:
    """The parsed document; a tree already parsed is used as it is."""
    return html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "html.parser")
