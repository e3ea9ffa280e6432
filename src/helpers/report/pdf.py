"""The report as PDF: its own self-contained HTML converted to typst markup and typeset as a tagged PDF/UA-1 (A4).

The HTML vocabulary is the report's own (title page, table of contents, sections, report tables with captions and
notes, figures with alt text, Markdown-rendered text); nbconvert's wrapper divs are walked through and an element
the converter does not know degrades to its text. All text goes into typst as string literals, so nothing in it can
be read as typst markup. Page setup, fonts, colours, header and footer live in templates/kvalitetsredovisning/
rapport.typ; the colours are read from rapport.css so the PDF looks like the HTML.
"""
from __future__ import annotations

import base64
import binascii
import collections
import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import PROJECT_ROOT
from ..atomic import replace_atomic
from .checks import COUNT_UNIT, names_a_count
from .soup import Element, child_tags, first, parent_named, parse_html, tags, to_html

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "kvalitetsredovisning"
TEMPLATE = TEMPLATE_DIR / "rapport.typ"
STYLESHEET = TEMPLATE_DIR / "rapport.css"
TEXT_WIDTH_MM = 210 - 20 - 18  # A4 minus the template's left and right margins
MAX_FIGURE_HEIGHT_MM = 200     # as figure.figur img { max-height: 200mm } in print

_BLOCK = {"address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt", "fieldset",
          "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "img", "li",
          "main", "nav", "ol", "p", "pre", "section", "summary", "svg", "table", "ul", "body", "html"}
_INVISIBLE = {"head", "script", "style", "template", "noscript", "title", "meta", "link"}
_WRAP = {"strong": "strong", "b": "strong", "em": "emph", "i": "emph", "sup": "super", "sub": "sub",
         "u": "underline", "ins": "underline", "s": "strike", "del": "strike"}
_PARAGRAPH_CLASSES = {"saknas": "missing", "forsiktighet": "caution", "tabellnot": "table-note",
                      "kommun": "municipality", "enhet": "unit-name"}
_TABLE_PARTS = {"caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "td", "th"}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SPACE = re.compile(r"[ \t\n\r\f\v]+")  # HTML white space; a non-breaking space is text
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_DATA_URI = re.compile(r"data:(?P<mime>[\w.+/-]+)(?:;[\w=.-]+)*?(?P<b64>;base64)?,(?P<data>.*)", re.S)
_CSS_VAR = re.compile(r"--([\w-]+)\s*:\s*(#[0-9a-fA-F]{3,8})\s*;")
_COLOUR_SELECTORS = {"saknas": r"\.saknas\s*\{[^}]*?color:\s*(#[0-9a-fA-F]{3,8})",
                     "ruta": r"\.forsiktighet\s*\{[^}]*?background:\s*(#[0-9a-fA-F]{3,8})",
                     "marginal": r"@bottom-right\s*\{[^}]*?color:\s*(#[0-9a-fA-F]{3,8})"}


def typst_string(text: str) -> str:
    """A typst string literal: only backslash and double quote need escaping inside one."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", " ") + '"'


def css_colours(css: str) -> dict[str, str]:
    """The stylesheet's colours as sys.inputs for the template ("farg-rubrik": "#1f3a5f", ...)."""
    colours = {name: value for name, value in _CSS_VAR.findall(css)}
    for name, pattern in _COLOUR_SELECTORS.items():
        if m := re.search(pattern, css, re.S):
            colours[name] = m.group(1)
    return {f"farg-{name}": value for name, value in colours.items()}


@dataclass
class TypstDocument:
    title: str
    markup: str
    files: dict[str, bytes] = field(default_factory=dict)  # images, by the name the markup uses


def _classes(tag: Element) -> set[str]:
    return set(tag.get("class") or [])


def _counts_unnamed(header: list[Element], body: list[Element]) -> bool:
    """A table of counts (every number in its body is marked data-count, see tables.Col.is_count) whose header
    does not say so: in the PDF its caption ends with the unit "(antal)", so the privacy check of the PDF text
    knows the table's whole numbers are counts, as the HTML's markers tell the check of the HTML."""
    cells = [c for tr in body for c in child_tags(tr, "td", "th")[1:]]
    if not any(c.has_attr("data-count") for c in cells):
        return False
    if any(names_a_count(th.get_text(" ", strip=True)) for tr in header for th in tags(tr, "th", "td")):
        return False
    return all(c.has_attr("data-count") or c.has_attr("data-suppressed") or "num" not in _classes(c)
               for c in cells)


def _image_size(data: bytes, mime: str) -> tuple[float, float] | None:
    """Width and height (any unit) of an SVG or PNG, for the maximum figure height."""
    if mime == "image/png" and data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if mime == "image/svg+xml":
        head = data[:4000].decode("utf-8", "replace")
        if m := re.search(r"<svg\b[^>]*?\bviewBox\s*=\s*[\"']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)", head):
            return float(m.group(1)), float(m.group(2))
        w = re.search(r"<svg\b[^>]*?\bwidth\s*=\s*[\"']([\d.]+)", head)
        h = re.search(r"<svg\b[^>]*?\bheight\s*=\s*[\"']([\d.]+)", head)
        if w and h:
            return float(w.group(1)), float(h.group(1))
    return None


class _Converter:
    """Walks the report's HTML once and writes typst markup; images are collected as files."""

    def __init__(self, soup: Element, source: str):
        self.files: dict[str, bytes] = {}
        self.labels: set[str] = set()
        self.targets = self._link_targets(soup)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.level = 0  # the last heading level written: PDF/UA-1 wants level 1 first and no skipped levels
        self.done: set[Element] = set()  # a figure's image and caption, written before the rest of the figure

    # -- anchors: headings, tables and figures carry labels; a link to a section goes to its heading
    @staticmethod
    def _link_targets(soup) -> dict[str, str]:
        targets = {}
        for tag in (e for e in soup.elements() if e.get("id") is not None):
            if tag.name in _HEADINGS or tag.name in ("table", "figure"):
                targets.setdefault(tag["id"], tag["id"])
            elif heading := next((e for e in tag.elements() if e.name in _HEADINGS and e.get("id") is not None),
                                 None):
                targets.setdefault(tag["id"], heading["id"])
        return targets

    def _label(self, tag: Element) -> str:
        ident = tag.get("id")
        if not ident or ident in self.labels:
            return ""
        self.labels.add(ident)
        return f" #label({typst_string(ident)})"

    # -- inline content
    def inline(self, nodes) -> str:
        runs: list = []
        for node in nodes:
            self._inline_runs(node, runs)
        out: list = []
        space = True  # a space here would be leading or doubled
        for run in runs:
            if isinstance(run, _Text):
                text = _SPACE.sub(" ", run.text)
                if space and text.startswith(" "):
                    text = text[1:]
                if text:
                    out.append(_Text(text))
                    space = text.endswith(" ")
            else:
                out.append(run)
                space = space or run == "#linebreak()"
        last = next((i for i in range(len(out) - 1, -1, -1) if isinstance(out[i], _Text)), None)
        if last is not None and all(r == "]" for r in out[last + 1:]):
            out[last] = _Text(out[last].text.rstrip(" "))
        return "".join("#" + typst_string(r.text) if isinstance(r, _Text) else r for r in out if r != _Text(""))

    def _inline_runs(self, node, runs: list) -> None:
        if isinstance(node, str):
            runs.append(_Text(node))
            return
        if node in self.done:
            return
        name = node.name
        if name in _INVISIBLE:
            return
        if name == "br":
            runs.append("#linebreak()")
        elif name in _WRAP:
            runs.append(f"#{_WRAP[name]}[")
            for child in node.children:
                self._inline_runs(child, runs)
            runs.append("]")
        elif name in ("code", "kbd", "samp"):
            runs.append(f"#raw({typst_string(_SPACE.sub(' ', node.get_text()))})")
        elif name == "a" and node.get("href"):
            href = node["href"]
            if href.startswith("#"):
                target = self.targets.get(href[1:])
                dest = typst_string(target) if target else None
            else:
                dest = typst_string(href)
            if dest:
                runs.append(f"#link({dest})[" if not href.startswith("#") else f"#internal-link({dest})[")
            for child in node.children:
                self._inline_runs(child, runs)
            if dest:
                runs.append("]")
        elif name in ("img", "svg"):  # an image inside running text: its alt text
            runs.append(_Text(" " + self._alt(node) + " "))
        else:
            for child in node.children:
                self._inline_runs(child, runs)

    # -- blocks
    def blocks(self, nodes) -> list[str]:
        """Block markup for a run of sibling nodes: inline runs become paragraphs."""
        out, pending = [], []
        for node in nodes:
            if isinstance(node, Element) and node in self.done:
                continue
            if isinstance(node, Element) and node.name in _BLOCK:
                self._flush(pending, out)
                out += self.block(node)
            else:
                pending.append(node)
        self._flush(pending, out)
        return out

    def _flush(self, pending: list, out: list) -> None:
        if pending:
            markup = self.inline(pending)
            if markup:
                out.append(markup)
            pending.clear()

    def content(self, tag: Element) -> str:
        return "[" + "\n\n".join(self.blocks(tag.children)) + "]"

    def block(self, tag: Element) -> list[str]:
        name, classes = tag.name, _classes(tag)
        if name in _INVISIBLE:
            return []
        if re.fullmatch(r"h[1-6]", name):
            return self._heading(tag)
        if name == "p" and not self._image_in(tag):
            body = self.inline(tag.children)
            if not body:
                return []
            fn = next((f for c, f in _PARAGRAPH_CLASSES.items() if c in classes), None)
            return [f"#{fn}[{body}]" if fn else body]
        if name == "section" and "titelsida" in classes:
            return [f"#title-page{self.content(tag)}"]
        if name == "nav" and "innehall" in classes:
            heading = first(tag, *_HEADINGS)
            title = self.inline(heading.children) if heading else '#"Innehåll"'
            return [f"#contents(title: [{title}])"]
        if name in ("ul", "ol"):
            return self._list(tag)
        if name == "dl":
            return self._description_list(tag, "titeluppgifter" in classes)
        if name == "table":
            return [self._table(tag)]
        if name == "figure" and self._image_in(tag):
            return self._figure(tag)
        if name in ("img", "svg"):
            return [self._image(tag)]
        if name == "blockquote":
            return [f"#quote(block: true){self.content(tag)}"]
        if name == "pre":
            return [f"#raw(block: true, {typst_string(tag.get_text())})"]
        if name == "hr":
            return ["#line(length: 100%, stroke: 0.75pt + colours.linje)"]
        out = self.blocks(tag.children)
        if name == "section" and tag.get("id") == "bilagor":  # #bilagor { break-before: page } in print
            out.insert(0, "#pagebreak(weak: true)")
        return out

    def heading(self, level: int, body: str, label: str = "") -> str:
        level = min(level, self.level + 1)
        self.level = level
        return f"#heading(level: {level}, outlined: {'false' if level == 1 else 'true'})[{body}]{label}"

    def _heading(self, tag: Element) -> list[str]:
        body = self.inline(tag.children)
        if not body:  # PDF/UA-1 forbids an empty heading; there is no text to lose
            return []
        return [self.heading(int(tag.name[1]), body, self._label(tag))]

    def _list(self, tag: Element) -> list[str]:
        items, stray = [], []  # text or elements that are not <li> become items of their own, not lost
        for child in list(tag.children) + [None]:
            if child is None or (isinstance(child, Element) and child.name == "li"):
                if stray and (body := "\n\n".join(self.blocks(stray))):
                    items.append(f"[{body}]")
                stray = []
                if child is not None:
                    items.append(self.content(child))
            else:
                stray.append(child)
        if not items:
            return []
        fn = "enum" if tag.name == "ol" else "list"
        start = f"start: {int(tag['start'])}, " if fn == "enum" and str(tag.get("start", "")).isdigit() else ""
        return [f"#{fn}({start}{', '.join(items)})"]

    def _description_list(self, tag: Element, title_facts: bool) -> list[str]:
        pairs: list[list] = []
        parts = [c for c in tags(tag, "dt", "dd") if parent_named(c, "dl") is tag]  # also inside <div> groups
        for child in parts:
            if child.name == "dt" or not pairs:
                pairs.append([child if child.name == "dt" else None, []])
            if child.name == "dd":
                pairs[-1][1].append(child)
        in_parts = collections.Counter()
        for part in parts:
            in_parts.update(_words(part))
        if not pairs or _words(tag) != in_parts:
            return self.blocks(tag.children)  # text outside the terms and descriptions: keep it all as text
        items = []
        for term, descs in pairs:
            t = self.inline(term.children) if term else ""
            d = "\n\n".join(b for dd in descs for b in self.blocks(dd.children))
            items.append(f"([{t}], [{d}])" if title_facts else f"terms.item([{t}], [{d}])")
        return [f"#{'title-facts' if title_facts else 'glossary'}({', '.join(items)})"]

    # -- tables
    def _table(self, tag: Element) -> str:
        parts = [p for p in tags(tag, "thead", "tbody", "tfoot", "tr") if parent_named(p, "table") is tag]
        rows = [p for p in parts if p.name == "tr"]
        header = [tr for tr in rows if tr.parent.name == "thead"]
        if not header:  # a Markdown or hand-written table: leading rows of header cells only
            for tr in rows[:-1]:
                cells = child_tags(tr, "td", "th")
                if not cells or any(c.name != "th" for c in cells):
                    break
                header.append(tr)
        in_header = set(header)
        body = [tr for tr in rows if tr not in in_header]
        totals = [len(header) + i for i, tr in enumerate(body)
                  if "summarad" in _classes(tr) or tr.get("data-role") == "total"]
        grid = _Grid()
        header_cells = [grid.row([self._cell(c, True) for c in child_tags(tr, "td", "th")],
                                 header=True) for tr in header]
        body_cells = [grid.row([self._cell(c, len(header) + i in totals)
                                for c in child_tags(tr, "td", "th")]) for i, tr in enumerate(body)]
        ncols = max(grid.width, 1)
        widths, shrink = grid.widths(ncols)
        right = [grid.right_votes.get(j, 0) > grid.cell_count.get(j, 1) / 2 for j in range(ncols)]
        args = [f"columns: ({', '.join(widths)},)", f"align: ({', '.join('right' if r else 'left' for r in right)},)",
                f"header-rows: {len(header)}"]
        if totals:
            args.append(f"total-rows: ({', '.join(map(str, totals))},)")
        size = (0.88 if "maltabell" in _classes(tag) else 0.9) * shrink
        if size != 0.9:
            args.append(f"size: {round(size, 3)}")
        stray = [node for part in [tag] + parts for node in part.children
                 if not (isinstance(node, Element) and node.name in _TABLE_PARTS)
                 and not (isinstance(node, str) and not node.strip())]
        caption = first(tag, "caption")
        if caption is not None and parent_named(caption, "table") is tag:
            unit = f"#{typst_string(' ' + COUNT_UNIT)}" if _counts_unnamed(header, body) else ""
            args.insert(0, f"caption: [{self.inline(caption.children)}{unit}]")
        cells = []
        if header_cells:
            cells.append("table.header(" + ", ".join(c for row in header_cells for c in grid.pad(row, right)) + ")")
        cells += [c for row in body_cells for c in grid.pad(row, right)]
        return "\n\n".join([f"#report-table({', '.join(args + cells)}){self._label(tag)}"] + self.blocks(stray))

    def _cell(self, cell: Element, bold: bool) -> _Cell:
        colspan = _span(cell.get("colspan"))
        rowspan = _span(cell.get("rowspan"))
        style = (cell.get("style") or "").replace(" ", "")
        if "num" in _classes(cell) or "text-align:right" in style or cell.get("align") == "right":
            align = "right"
        elif "text-align:center" in style or cell.get("align") == "center":
            align = "center"
        else:
            align = "left"
        body = "\n\n".join(self.blocks(cell.children))
        text = cell.get_text(" ", strip=True)
        word = max((len(w) for w in text.split()), default=0) * (1.3 if bold else 1.05)  # bold letters are wider
        return _Cell(f"[#bold[{body}]]" if bold and body else f"[{body}]", colspan, rowspan, align, len(text), word)

    # -- figures and images
    def _image_in(self, tag: Element) -> Element | None:
        """The first image below ``tag`` not yet written."""
        return next((e for e in tags(tag, "img", "svg") if e not in self.done), None)

    def _figure(self, tag: Element) -> list[str]:
        img = self._image_in(tag)
        caption = first(tag, "figcaption")
        call = self._image_call(img)
        cap = self.inline(caption.children) if caption else ""
        self.done.update(e for e in (img, caption) if e is not None)
        if call is None:  # no image to show: its alt text and the caption, as text
            figure = [self._alt_block(img)] + ([f"#figure-caption[{cap}]"] if cap else [])
        else:
            figure = [f"#report-figure({call}{f', caption: [{cap}]' if cap else ''}){self._label(tag)}"]
        return figure + self.blocks(tag.children)

    def _image(self, tag: Element) -> str:
        call = self._image_call(tag)
        return self._alt_block(tag) if call is None else f"#block(above: 1em, below: 1em, {call})"

    def _alt_block(self, tag: Element) -> str:
        """An image that is not embedded (or cannot be read) is represented by its alt text: no text is lost."""
        return f"#image-missing[#{typst_string(self._alt(tag))}]"

    @staticmethod
    def _alt(tag: Element) -> str:
        if tag.name == "svg":
            title = first(tag, "title")
            return (tag.get("aria-label") or (title.get_text(" ", strip=True) if title else "")).strip()
        return (tag.get("alt") or "").strip()

    def _image_call(self, tag: Element) -> str | None:
        alt = self._alt(tag)
        fig = parent_named(tag, "figure")
        if not alt and fig is not None and (caption := first(fig, "figcaption")):
            alt = caption.get_text(" ", strip=True)
        data, mime = self._image_data(tag)
        if data is None:
            return None
        ext = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}[mime]
        name = f"bild-{len(self.files) + 1}.{ext}"
        self.files[name] = data
        size = _image_size(data, mime)
        sizing = "width: 100%"
        if size and size[0] > 0 and size[1] / size[0] * TEXT_WIDTH_MM > MAX_FIGURE_HEIGHT_MM:
            sizing = f"height: {MAX_FIGURE_HEIGHT_MM}mm"
        return f"image({typst_string(name)}, alt: {typst_string(alt or 'Bild')}, {sizing})"

    def _inline_svg(self, tag: Element) -> str:
        """The <svg> element as written: the HTML parser lowercases names (viewBox, linearGradient) SVG needs."""
        start = self.line_starts[tag.sourceline - 1] + tag.sourcepos if tag.sourceline else -1
        if start < 0 or not self.source.startswith("<svg", start):
            return to_html(tag)
        depth, pos = 0, start
        for m in re.compile(r"<(/?)svg\b[^>]*?(/?)>", re.I).finditer(self.source, start):
            depth += -1 if m.group(1) else (0 if m.group(2) else 1)
            pos = m.end()
            if depth == 0:
                return self.source[start:pos]
        return to_html(tag)

    def _image_data(self, tag: Element) -> tuple[bytes | None, str]:
        if tag.name == "svg":
            svg = self._inline_svg(tag)
            if "xmlns=" not in svg.split(">", 1)[0]:
                svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
            return svg.encode("utf-8"), "image/svg+xml"
        m = _DATA_URI.match((tag.get("src") or "").strip())
        if not m or m.group("mime") not in ("image/svg+xml", "image/png", "image/jpeg", "image/gif"):
            return None, ""
        try:
            if m.group("b64"):
                data = base64.b64decode(re.sub(r"\s+", "", m.group("data")), validate=True)
            else:
                from urllib.parse import unquote_to_bytes
                data = unquote_to_bytes(m.group("data"))
        except (binascii.Error, ValueError):
            return None, ""
        return data, m.group("mime")


def _words(tag) -> collections.Counter:
    return collections.Counter(tag.get_text(" ").split())


@dataclass
class _Text:
    text: str


@dataclass
class _Cell:
    markup: str
    colspan: int
    rowspan: int
    align: str
    length: int
    word: float = 0  # the longest word, in characters: a column is never narrower


def _span(value) -> int:
    if value is None:  # most cells
        return 1
    try:
        return max(1, min(int(value), 1000))
    except (TypeError, ValueError):
        return 1


# A text's width in characters is an estimate: a column that gets only what its text needs gets this much more.
SLACK = 1.15


class _Grid:
    """Places cells as the HTML table model does (row and column spans), so short rows can be padded: typst
    would otherwise move the next row's cells up."""

    def __init__(self):
        self.occupied: dict[int, set[int]] = {}
        self.y = 0
        self.width = 0
        self.right_votes: dict[int, int] = {}
        self.cell_count: dict[int, int] = {}
        self.lengths: dict[int, int] = {}
        self.words: dict[int, float] = {}
        # the widest a column need be: its longest text in the body, or half a header (bold letters are wider)
        self.needs: dict[int, float] = {}

    def row(self, cells: list[_Cell], header: bool = False) -> list[tuple[int, _Cell | None]]:
        taken = self.occupied.setdefault(self.y, set())
        placed, x = [], 0
        for cell in cells:
            while x in taken:
                x += 1
            placed.append((x, cell))
            for dy in range(cell.rowspan):
                self.occupied.setdefault(self.y + dy, set()).update(range(x, x + cell.colspan))
            if cell.colspan == 1:
                self.cell_count[x] = self.cell_count.get(x, 0) + 1
                self.right_votes[x] = self.right_votes.get(x, 0) + (cell.align == "right")
                self.lengths[x] = max(self.lengths.get(x, 0), cell.length)
                self.words[x] = max(self.words.get(x, 0), cell.word)
                self.needs[x] = max(self.needs.get(x, 0),
                                    max(cell.word, cell.length * 0.65) if header else cell.length)
            x += cell.colspan
        self.width = max(self.width, x, max(taken, default=-1) + 1)
        self.y += 1
        return self.y - 1, placed

    def pad(self, row: tuple[int, list[tuple[int, _Cell]]], right: list[bool]) -> list[str]:
        """Cell markup for one row, with empty cells where the row is shorter than the table."""
        y, placed = row
        out = []
        for x, cell in placed:
            args = []
            if cell.colspan > 1:
                args.append(f"colspan: {cell.colspan}")
            if cell.rowspan > 1:
                args.append(f"rowspan: {cell.rowspan}")
            column_align = "right" if x < len(right) and right[x] else "left"
            if cell.align != column_align:
                args.append(f"align: {cell.align}")
            out.append(f"table.cell({', '.join(args)}){cell.markup}" if args else cell.markup)
        return out + ["[]"] * max(0, self.width - len(self.occupied.get(y, ())))

    def widths(self, ncols: int, line: float = 92) -> tuple[list[str], float]:
        """Column widths and how much to shrink the text (1: not at all). Short columns (a number, a year) take
        their content's width. Longer columns first get room for their longest word, then share what is left of
        the line (about `line` characters of table text) in proportion to the square root of their longest text,
        so a long header wraps instead of crowding out the others. A column never gets much more than its longest
        text in the body (its header may wrap onto two lines) and what it does not need goes to the others, so a
        column of short values ("+1 procentenheter") leaves the room to the labels beside it. When even the
        longest words do not fit, the table's text is made smaller (at most to 80 %) rather than letting a word
        run into the next column."""
        long = [j for j in range(ncols) if self.lengths.get(j, 0) > 12] or [0]
        pad = 2.0  # the cell's inset, in characters
        autos = sum(self.lengths.get(j, 0) + pad for j in range(ncols) if j not in long)
        floor = {j: self.words.get(j, 0) + pad for j in long}
        need = autos + sum(floor.values())
        left = max(0.0, line - need)
        roots = {j: max(self.lengths.get(j, 1), 1) ** 0.5 for j in long}
        share = dict(floor)
        cap = {j: max(floor[j], self.needs.get(j, 0) * SLACK + pad) for j in long}
        open_ = [j for j in long if share[j] < cap[j]]
        while left > 1e-6 and open_:
            weight = sum(roots[j] for j in open_)
            given, left = {j: left * roots[j] / weight for j in open_}, 0.0
            for j in open_:
                take = min(given[j], cap[j] - share[j])
                share[j] += take
                left += given[j] - take
            open_ = [j for j in open_ if share[j] < cap[j] - 1e-6]
        return ([f"{round(share[j], 1)}fr" if j in share else "auto" for j in range(ncols)],
                max(0.8, min(1.0, line / need)) if need else 1.0)


def _document_date(text: str) -> str:
    """The PDF's date as typst markup: the report's date (ÅÅÅÅ-MM-DD), else none. Never the moment of typesetting
    (typst's default), so that a rerun on unchanged inputs gives the same bytes."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return "none"
    return f"datetime(year: {day.year}, month: {day.month}, day: {day.day})"


def html_to_typst(html_text: str, soup: Element | None = None) -> TypstDocument:
    """The report's HTML as typst markup for the template, plus the images it refers to. ``soup``: the same
    HTML already parsed (it is read, not changed)."""
    soup = parse_html(soup if soup is not None else html_text)
    h1 = next((e for e in soup.elements() if e.has_attr("data-report-title")), None)
    head_title = first(soup, "title")
    title = (h1["data-report-title"] if h1 else "") or (head_title.get_text(strip=True) if head_title else "")
    title = _SPACE.sub(" ", title).strip() or "Kvalitetsredovisning"
    date = _document_date(h1.get("data-report-date", "") if h1 else "")
    converter = _Converter(soup, html_text)
    root = first(soup, "body") or soup
    blocks = [] if first(root, "h1") else [converter.heading(1, "#" + typst_string(title))]
    body = "\n\n".join(blocks + converter.blocks(root.children))
    markup = (f'#import "rapport.typ": *\n#show: report.with(title: {typst_string(title)}, date: {date})\n\n'
              f'{body}\n')
    return TypstDocument(title, markup, converter.files)


def html_to_pdf(html_text: str, target: Path, soup: Element | None = None,
                meanwhile: Callable[[], None] | None = None) -> Path:
    """Typeset the report's HTML as an A4 tagged PDF/UA-1 at ``target``, written atomically. ``meanwhile`` is
    called just before typst sets the document: typst lets go of the interpreter while it works, so a thread
    started there runs beside it."""
    import typst

    doc = html_to_typst(html_text, soup)
    colours = css_colours(STYLESHEET.read_text(encoding="utf-8")) if STYLESHEET.exists() else {}
    with tempfile.TemporaryDirectory(prefix="rapport-typst-") as tmp:
        work = Path(tmp)
        shutil.copyfile(TEMPLATE, work / "rapport.typ")
        for name, data in doc.files.items():
            (work / name).write_bytes(data)
        (work / "main.typ").write_text(doc.markup, encoding="utf-8")
        if meanwhile is not None:
            meanwhile()
        try:
            pdf = typst.compile(str(work / "main.typ"), root=str(work), format="pdf", pdf_standards=["ua-1"],
                                sys_inputs=colours)
        except typst.TypstError as exc:
            raise RuntimeError(f"PDF-filen {target} kunde inte sättas: {exc.message}") from exc
    return replace_atomic(Path(target), lambda tmp: Path(tmp).write_bytes(pdf))
