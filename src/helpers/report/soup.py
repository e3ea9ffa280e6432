"""The report's HTML parsed once: the sums check, the PDF typesetter and the privacy check read the same tree
(none of them changes it); parsing is most of what each of them costs on the annex.

The lookups below do what BeautifulSoup's find_all, find, find_parent and select("thead tr") do for plain tag
names, without building a matcher for every call (that took most of the time spent on the annex's tables)."""
from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.element import Tag


def parse_html(html: str | BeautifulSoup) -> BeautifulSoup:
    """The parsed document; a tree already parsed is used as it is."""
    return html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "html.parser")


def tags(node, *names: str) -> list[Tag]:
    """The tags below ``node`` named one of ``names``, in document order (``node.find_all(names)``)."""
    return [d for d in node.descendants if isinstance(d, Tag) and d.name in names]


def first(node, *names: str) -> Tag | None:
    """The first tag below ``node`` named one of ``names`` (``node.find(names)``)."""
    return next((d for d in node.descendants if isinstance(d, Tag) and d.name in names), None)


def child_tags(node, *names: str) -> list[Tag]:
    """The children of ``node`` named one of ``names`` (``node.find_all(names, recursive=False)``)."""
    return [c for c in node.children if isinstance(c, Tag) and c.name in names]


def parent_named(node, name: str) -> Tag | None:
    """The nearest ancestor of ``node`` named ``name`` (``node.find_parent(name)``)."""
    parent = node.parent
    while parent is not None and parent.name != name:
        parent = parent.parent
    return parent


def head_rows(rows: list[Tag]) -> list[Tag]:
    """Of a table's rows (``tags(table, "tr")``), those inside a <thead> anywhere above them
    (``table.select("thead tr")``)."""
    return [tr for tr in rows if parent_named(tr, "thead") is not None]
