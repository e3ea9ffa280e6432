"""The report's HTML parsed once into a small tree: the sums check, the PDF typesetter and the privacy check read
the same tree (none of them changes it).

Python's own HTML tokenizer with the tree rules BeautifulSoup's "html.parser" builder applies (an end tag closes
the nearest open element of its name and everything opened after it, an end tag with nothing to close is
ignored, void elements close themselves, whitespace-only text outside <pre> becomes one space or newline, the
text of <script>, <style> and <template> is not part of an element's text), so the tree is the one BeautifulSoup
built, in about half the time: most of BeautifulSoup's time on a report went to building its own tree. Comments,
the doctype and processing instructions are left out: none of the readers uses them.

Elements are kept in document order with the range of their descendants, so finding the tags below an element
is a slice of one list."""
from __future__ import annotations

import html
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "menuitem", "meta",
                  "param", "source", "track", "wbr", "basefont", "bgsound", "command", "frame", "image", "isindex",
                  "nextid", "spacer"})
_HIDDEN = frozenset({"script", "style", "template"})
_KEEP_SPACE = frozenset({"pre", "textarea"})
_NO_ASCII_SPACE = str.maketrans("", "", " \n\t\f\r")


class HiddenText(str):
    """Text inside <script>, <style> or <template>: in the tree, not in an element's text (except the text of
    the innermost of them, ``inside``, asked of itself)."""

    def __new__(cls, text: str, inside: str):
        self = super().__new__(cls, text)
        self.inside = inside
        return self


class Element:
    """One HTML element: its name, attributes (``class`` as a list of names), children (elements and strings in
    order), parent, and where its start tag stands in the source (line from 1, column from 0). An element is equal
    only to itself, so sets of elements are cheap."""

    __slots__ = ("name", "attrs", "children", "parent", "sourceline", "sourcepos", "index", "end", "order")

    def __init__(self, name: str, attrs: dict, parent: Element | None, line: int, pos: int, order: list):
        self.name, self.attrs, self.children, self.parent = name, attrs, [], parent
        self.sourceline, self.sourcepos = line, pos
        self.order = order  # every element of the document, in document order
        self.index = self.end = len(order)  # its place there, and its last descendant's
        order.append(self)

    def get(self, key: str, default=None):
        return self.attrs.get(key, default)

    def __getitem__(self, key: str):
        return self.attrs[key]

    def has_attr(self, key: str) -> bool:
        return key in self.attrs

    def elements(self) -> list[Element]:
        """The elements below this one, in document order."""
        return self.order[self.index + 1:self.end + 1]

    def strings(self):
        """The text below this element in document order, without the text of <script>, <style> and <template>
        (their own text when asked of them)."""
        hidden = self.name if self.name in _HIDDEN else None
        stack = [iter(self.children)]
        while stack:
            for node in stack[-1]:
                if isinstance(node, Element):
                    stack.append(iter(node.children))
                    break
                wanted = type(node) is str if hidden is None else getattr(node, "inside", None) == hidden
                if wanted:
                    yield node
            else:
                stack.pop()

    def get_text(self, separator: str = "", strip: bool = False) -> str:
        if strip:
            return separator.join(s for s in (t.strip() for t in self.strings()) if s)
        return separator.join(self.strings())

    def __repr__(self) -> str:
        return f"<{self.name} rad {self.sourceline}>"


def to_html(node) -> str:
    """An element written out again (names and attributes as parsed)."""
    if not isinstance(node, Element):
        return html.escape(node, quote=False)
    attrs = "".join(f' {k}="{html.escape(" ".join(v) if isinstance(v, list) else v)}"' for k, v in node.attrs.items())
    if node.name in VOID:
        return f"<{node.name}{attrs}/>"
    return f"<{node.name}{attrs}>{''.join(to_html(c) for c in node.children)}</{node.name}>"


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.order: list[Element] = []
        self.root = Element("[document]", {}, None, 0, 0, self.order)
        self.stack = [self.root]
        self.text: list[str] = []
        self.hidden: list[str] = []  # open <script>, <style> or <template> elements
        self.keep_space = 0  # open <pre> or <textarea> elements
        self.closed_void: list[str] = []  # "<br></br>": the end tag of a void element already closed is ignored

    def _end_text(self, cdata: bool = False) -> None:
        if not self.text:
            return
        text = "".join(self.text)
        self.text.clear()
        if not self.keep_space and not text.translate(_NO_ASCII_SPACE):
            text = "\n" if "\n" in text else " "
        self.stack[-1].children.append(HiddenText(text, self.hidden[-1]) if self.hidden and not cdata else text)

    def _open(self, tag: str, attrs: list) -> Element:
        self._end_text()
        values = {}
        for key, value in attrs:
            values[key] = "" if value is None else value
        if "class" in values:
            values["class"] = values["class"].split()
        line, pos = self.getpos()
        parent = self.stack[-1]
        element = Element(tag, values, parent, line, pos, self.order)
        parent.children.append(element)
        return element

    def handle_starttag(self, tag, attrs):
        element = self._open(tag, attrs)
        if tag in VOID:
            self.closed_void.append(tag)
            return
        self.stack.append(element)
        if tag in _HIDDEN:
            self.hidden.append(tag)
        self.keep_space += tag in _KEEP_SPACE

    def handle_startendtag(self, tag, attrs):
        self._open(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.closed_void:
            self.closed_void.remove(tag)
            return
        self._end_text()
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].name == tag:
                self._close(i)
                return

    def _close(self, i: int) -> None:
        """Closes the open elements from the i:th on."""
        end = len(self.order) - 1
        for element in self.stack[i:]:
            element.end = end
            if element.name in _HIDDEN:
                self.hidden.pop()
            self.keep_space -= element.name in _KEEP_SPACE
        del self.stack[i:]

    def handle_data(self, data):
        self.text.append(data)

    def unknown_decl(self, data):  # <![CDATA[...]]> (in inline SVG): text wherever it is, as BeautifulSoup keeps it
        self._end_text()
        if data.upper().startswith("CDATA["):
            self.text.append(data[len("CDATA["):])
            self._end_text(cdata=True)

    def handle_comment(self, data):
        self._end_text()

    def handle_decl(self, decl):
        self._end_text()

    def handle_pi(self, data):
        self._end_text()

    def finish(self) -> Element:
        self.close()
        self._end_text()
        self._close(0)
        return self.root


def parse_html(html_text: str | Element) -> Element:
    """The parsed document (its root element); a tree already parsed is used as it is."""
    if isinstance(html_text, Element):
        return html_text
    builder = _TreeBuilder()
    builder.feed(html_text)
    return builder.finish()


def tags(node: Element, *names: str) -> list[Element]:
    """The elements below ``node`` named one of ``names``, in document order."""
    return [e for e in node.elements() if e.name in names]


def first(node: Element, *names: str) -> Element | None:
    """The first element below ``node`` named one of ``names``."""
    order = node.order
    for i in range(node.index + 1, node.end + 1):
        if order[i].name in names:
            return order[i]
    return None


def child_tags(node: Element, *names: str) -> list[Element]:
    """The children of ``node`` named one of ``names``."""
    return [c for c in node.children if isinstance(c, Element) and c.name in names]


def parent_named(node: Element, name: str) -> Element | None:
    """The nearest ancestor of ``node`` named ``name``."""
    parent = node.parent
    while parent is not None and parent.name != name:
        parent = parent.parent
    return parent


def head_rows(rows: list[Element]) -> list[Element]:
    """Of a table's rows (``tags(table, "tr")``), those inside a <thead> anywhere above them."""
    return [tr for tr in rows if parent_named(tr, "thead") is not None]
