"""Privacy check of a rendered report (HTML or PDF): personnummer-shaped strings and small published counts.

Searched: the visible text, the text a screen reader or tooltip shows (alt, title, aria-label), the text inside
embedded SVG images (data URIs and inline <svg>), table cells in count columns, and in a PDF also its metadata,
bookmarks and the alt texts of its tagged figures.
"""
from __future__ import annotations

import base64
import binascii
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes

from .reconcile import parse_number
from .soup import Element, first, head_rows, parse_html, parent_named, tags
from ..personnummer import luhn_check_digit

# Dashes a personnummer may be written with: hyphen-minus, the Unicode hyphens and dashes, minus, plus.
_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SEP = rf"[+{_DASH}]"
# YYMMDD or CCYYMMDD, then a dash, plus or space (or nothing), then NNNC; the day may be +60 (samordningsnummer).
# A space may also sit between the century and the date ("19 850101 1234") and around the dash.
_PNR = re.compile(rf"(?<![\d/.,:{_DASH}])(?:((?:19|20))\s?)?(\d{{2}})(0[1-9]|1[0-2])"
                  rf"(0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])(\s?{_SEP}\s?|\s)?(\d{{3}})(\d)(?!\s?[\d/.,:{_DASH}]?\d)")
_GROUPED = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})*"  # "2 979" (space-grouped thousands) is one number
_NOT_AFTER = rf"(?<![\d.,:/{_DASH}\u00a0\u202f])"  # not part of a date, decimal, range or grouped number
# "n = 3", "n=3", "n: 3", "N = 3" in running text.
_SMALL_N_TEXT = re.compile(rf"\b[nN]\s*[=:]\s*({_GROUPED})(?![\d,])")
# "3 personer", "3 klienter", "3 barn", "3 ärenden", ... in running text.
_PERSON_WORDS = ("personer|person|klienter|klient|barn|ärenden|ärende|brukare|individer|hushåll|ungdomar|kvinnor|"
                 "män|flickor|pojkar|svarande")
# A threshold ("färre än 5 personer", "minst 3 barn") is not a count.
_THRESHOLD = "".join(f"(?<!{w} )" for w in ("än", "under", "minst", "högst", "över", "till", "lägst", "max"))
_SMALL_COUNT_TEXT = re.compile(rf"{_NOT_AFTER}{_THRESHOLD}\b({_GROUPED})[ \u00a0\u202f]+(?:{_PERSON_WORDS})\b(?![\w{_DASH}])",
                               re.IGNORECASE)
# Column headers that say the column counts persons or cases.
_COUNT_HEADER = re.compile(r"^(antal|n|täljare|nämnare|svarande|personer)\b|\(n\)", re.IGNORECASE)
_TEXT_ATTRIBUTES = ("alt", "title", "aria-label", "aria-description", "data-report-title")
_IMAGE_TAGS = frozenset({"img", "image", "source", "object", "embed"})
_SVG_TEXT = re.compile(r"<(text|tspan|title|desc)\b[^>]*>(.*?)</\1\s*>", re.S | re.I)
_DATA_SVG = re.compile(r"data:image/svg\+xml(?P<params>(?:;[\w=.-]+)*),(?P<data>.*)", re.S | re.I)


@dataclass(frozen=True)
class Finding:
    what: str   # Swedish description
    where: str  # page, table and row, or "löptext"
    text: str   # the match, masked where it could identify a person


def luhn_ok(nine_digits: str, check: str) -> bool:
    """Modulus-10 check digit over YYMMDDNNN (weights 2,1,2,...)."""
    return luhn_check_digit(nine_digits) == int(check)


def find_personnummer(text: str, where: str) -> list[Finding]:
    """Personnummer/samordningsnummer-shaped strings. Luhn-valid ones certainly; with a separator (a dash of any
    kind, plus or space) or a century also without Luhn; a bare 10-digit run only when Luhn-valid (phone numbers
    and ids are bare digit runs)."""
    found = []
    for m in _PNR.finditer(text):
        century, yy, mm, dd, sep, nnn, c = m.groups()
        century, sep = century or "", sep or ""
        valid = luhn_ok(yy + mm + dd + nnn, c)
        if not (valid or sep or century):
            continue
        kind = "samordningsnummer" if int(dd) > 60 else "personnummer"
        what = f"{kind} (kontrollsiffran stämmer)" if valid else f"möjligt {kind} (kontrollsiffran stämmer inte)"
        found.append(Finding(what, where, f"{century}{yy}{mm}{dd}{sep}XXXX"))
    return found


def _small(value: float | None, min_cell: int) -> bool:
    return value is not None and float(value).is_integer() and 1 <= value < min_cell


def _small_n_in_text(text: str, where: str, min_cell: int) -> list[Finding]:
    """Small counts written in sentences: "n = 3", "n: 3", "3 personer", "2 barn"."""
    found = []
    for pattern in (_SMALL_N_TEXT, _SMALL_COUNT_TEXT):
        found += [Finding(f"litet antal i text (under {min_cell})", where, m.group(0))
                  for m in pattern.finditer(text) if _small(int(re.sub(r"\D", "", m.group(1))), min_cell)]
    return found


def svg_text(svg: str) -> str:
    """The words an SVG image shows or names: its <text>, <tspan>, <title> and <desc> (not path data)."""
    parts = [re.sub(r"<[^>]+>", " ", m.group(2)) for m in _SVG_TEXT.finditer(svg)]
    return parse_html(" ".join(parts)).get_text(" ") if parts else ""


def _data_uri_svg(src: str) -> str | None:
    m = _DATA_SVG.match(src.strip())
    if not m:
        return None
    try:
        data = (base64.b64decode(re.sub(r"\s+", "", m.group("data")))
                if ";base64" in m.group("params").lower() else unquote_to_bytes(m.group("data")))
    except (binascii.Error, ValueError):
        return None
    return data.decode("utf-8", "replace")


def _texts_beside_the_body(soup: Element, source: str) -> list[tuple[str, str]]:
    """(where, text) for attribute texts and SVG images; inline <svg> text is in the body text already."""
    by_name: dict[str, list[tuple[str, str]]] = {name: [] for name in _TEXT_ATTRIBUTES}
    images = []
    for tag in soup.elements():  # one pass over the document
        for name in _TEXT_ATTRIBUTES:
            if tag.has_attr(name):
                by_name[name].append((f"{source} {name}-attribut".strip(), str(tag[name])))
        if tag.name in _IMAGE_TAGS:
            images.append(tag)
    out = [item for name in _TEXT_ATTRIBUTES for item in by_name[name]]
    for i, img in enumerate(images, start=1):
        for attr in ("src", "href", "xlink:href", "data", "srcset"):
            if img.get(attr) and (svg := _data_uri_svg(str(img[attr]))) is not None:
                out.append((f"{source} text i SVG-bild {i}".strip(), svg_text(svg)))
    return out


def _visible_text(soup: Element) -> str:
    """The text a reader sees (the contents of <style>, <script> and <template> are not part of it)."""
    return soup.get_text(" ")


def _table_name(table, index: int) -> str:
    caption = first(table, "caption")
    return caption.get_text(" ", strip=True) if caption else f"tabell {index}"


def _expanded(cells) -> list:
    """Cells by column index, a cell spanning columns repeated."""
    out = []
    for cell in cells:
        try:
            span = max(1, min(int(cell.get("colspan", 1)), 100))
        except ValueError:
            span = 1
        out += [cell] * span
    return out


def _count_columns(head: list, rows: list) -> tuple[set[int], list[str]]:
    """Columns whose header (in any header row) names a count, and the header text per column. ``head``: the
    table's rows in a <thead>; ``rows``: all its rows."""
    names: dict[int, list[str]] = {}
    for tr in head or [tr for tr in rows[:1] if first(tr, "th") and not first(tr, "td")]:
        for j, th in enumerate(_expanded(tags(tr, "th", "td"))):
            names.setdefault(j, []).append(th.get_text(" ", strip=True))
    counts = {j for j, texts in names.items() if any(_COUNT_HEADER.search(t) for t in texts)}
    return counts, [" / ".join(dict.fromkeys(names[j])) for j in sorted(names)]


def _table_findings(table, index: int, min_cell: int) -> list[Finding]:
    """Small numbers in count columns: a cell marked data-count, or any cell under a header that names a count."""
    name = _table_name(table, index)
    rows = tags(table, "tr")
    thead = head_rows(rows)
    count_idx, headers = _count_columns(thead, rows)
    head = set(thead)
    body = [tr for tr in rows if tr not in head and parent_named(tr, "table") is table]
    if not head and body and first(body[0], "th") and not first(body[0], "td"):
        body = body[1:]  # the header row of a table without <thead>
    findings = []
    for r, tr in enumerate(body, start=1):
        cells = _expanded(tags(tr, "td", "th"))
        label = cells[0].get_text(" ", strip=True) if cells else ""
        for j, cell in enumerate(cells):
            if j and cells[j - 1] is cell:
                continue
            text = cell.get_text(" ", strip=True)
            is_count = cell.has_attr("data-count") or (j in count_idx and j > 0)
            if is_count and "%" not in text and "," not in text and _small(parse_number(text), min_cell):
                col = headers[j] if j < len(headers) else str(j + 1)
                findings.append(Finding(f"publicerat antal under {min_cell}",
                                        f"{name}, rad {r} ({label}), kolumn {col}", text))
    return findings


def check_html(text: str, min_cell: int, source: str = "", soup: Element | None = None) -> list[Finding]:
    """Findings in a report's HTML; ``soup``: the same text already parsed (it is read, not changed)."""
    soup = parse_html(soup if soup is not None else text)
    findings: list[Finding] = []
    for i, table in enumerate(tags(soup, "table"), start=1):
        findings += _table_findings(table, i, min_cell)
    texts = _texts_beside_the_body(soup, source)
    texts.insert(0, (f"{source} löptext".strip(), _visible_text(soup)))
    for where, content in texts:
        findings += find_personnummer(content, where)
        findings += _small_n_in_text(content, where, min_cell)
    return findings


_NUMBER_TOKEN = re.compile(r"(?<!\d)(\d+(?:[ \u00a0\u202f]\d{3})*(?:,\d+)?)(\s*%)?")
_NUMERIC_WORD = re.compile(r"^(?:[\d,%–\-\u00a0\u202f]+|X)$")
_PDF_COUNT_HEADER = re.compile(r"\b(Antal|Täljare|Nämnare|Svarande|Personer)\b|\(n\)|(?:^|\s)n$")
_PAGE_FOOTER = re.compile(r"^Sida \d+ av \d+$")
COUNT_UNIT = "(antal)"  # the PDF's caption of a table of counts whose header does not name them ends with it


def names_a_count(header: str) -> bool:
    """Whether a table header's text (in the PDF) says the numbers under it are counts."""
    return bool(_PDF_COUNT_HEADER.search(header))


def _whole_counts(nums: str) -> list[str]:
    """Whole numbers in a row's tail, leaving out percentages, decimals, years and ranges. When the text keeps
    the non-breaking spaces that group thousands ("4\u00a0400"), a plain space separates cells: "3 441" is then
    two cells, 3 and 441, not 3 441."""
    if "\u00a0" in nums or "\u202f" in nums:
        return [w for w in nums.split(" ") if w and re.fullmatch(r"\d{1,3}(?:[\u00a0\u202f]\d{3})*", w)
                and not re.fullmatch(r"(19|20)\d{2}", w)]
    out = []
    # A range like "1–10" is a scale, not two counts; a dash between spaces is a cell without a value, and a
    # decimal number's digits are not a range's ("2,6 – 283": 2,6 and 283, never 2).
    nums = re.sub(r"(?<![\d,])\d+[–-]\d+(?![\d,])", " ", nums)
    for number, pct in _NUMBER_TOKEN.findall(nums):
        if pct or "," in number or re.fullmatch(r"(19|20)\d{2}", number):
            continue
        out.append(number)
    return out


def _table_row(line: str) -> tuple[str, str] | None:
    """A PDF text line as (row label, numbers): the label runs to its last word with a letter in it, so labels
    may start with a digit ("0–12 år 3", "25–44 år 4 12 %"); None when nothing numeric follows it."""
    words = [w for w in line.split(" ") if w]  # a non-breaking space groups thousands: it stays in the word
    last = max((i for i, w in enumerate(words) if not _NUMERIC_WORD.match(w)), default=-1)
    if last < 0 or last == len(words) - 1:
        return None
    label, tail = " ".join(words[:last + 1]), " ".join(words[last + 1:]).strip()
    if len(words[:last + 1]) > 8 or not re.search(r"[^\W\d_]", label):  # running prose wrapped onto a number
        return None
    return label, tail


def check_pdf_text(pages: list[str], min_cell: int) -> list[Finding]:
    """Heuristics for a PDF's text: personnummer anywhere; small counts in running text and in table rows of
    count tables (a row label followed only by numbers, below a header line that names counts or a caption that
    ends with the unit "(antal)")."""
    findings: list[Finding] = []
    for p, page in enumerate(pages, start=1):
        where = f"sida {p}"
        findings += find_personnummer(page, where)
        findings += _small_n_in_text(page, where, min_cell)
        in_count_table = False
        for line in page.splitlines():
            s = line.strip()
            if re.match(r"^Tabell \d+\.", s) or s.endswith(COUNT_UNIT):  # a caption (or its last line)
                in_count_table = s.endswith(COUNT_UNIT)
                continue
            if not s or s.startswith(("Figur ", "X =", "– =")) or _PAGE_FOOTER.match(s):
                in_count_table = False
                continue
            row = _table_row(s)
            if names_a_count(s) and (row is None or not _whole_counts(row[1])):
                in_count_table = True
                continue
            if in_count_table and row:
                for token in _whole_counts(row[1]):
                    if _small(parse_number(token), min_cell):
                        findings.append(Finding(f"publicerat antal under {min_cell} (trolig tabellrad)",
                                                f"{where}, rad \"{s[:60]}\"", token))
    return findings


def _struct_text(get, element) -> str:
    import ctypes
    size = get(element, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    get(element, buffer, size)
    return buffer.raw[:size - 2].decode("utf-16-le", errors="replace")


def _pdf_texts(doc) -> tuple[list[str], list[tuple[str, str]]]:
    """The text of each page as a reader copies it (PDFium: some twenty times faster than a pure-Python parser),
    and (where, text) for what a screen reader reads beside the pages: metadata, bookmarks and the alt,
    replacement, title and expansion texts of tagged elements. Each page is loaded once for both."""
    import pypdfium2.raw as pdfium_c

    getters = (pdfium_c.FPDF_StructElement_GetAltText, pdfium_c.FPDF_StructElement_GetActualText,
               pdfium_c.FPDF_StructElement_GetTitle, pdfium_c.FPDF_StructElement_GetExpansion)
    alts: dict[str, None] = {}  # in order, once: an element spanning pages is reached from each of them

    def walk(element, depth=0):
        if not element or depth > 200:
            return
        for get in getters:
            if text := _struct_text(get, element):
                alts[text] = None
        for i in range(pdfium_c.FPDF_StructElement_CountChildren(element)):
            walk(pdfium_c.FPDF_StructElement_GetChildAtIndex(element, i), depth + 1)

    texts = []
    for i in range(len(doc)):
        page = doc[i]  # kept alive while its text and structure tree are read
        try:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range().replace("\r\n", "\n"))
            textpage.close()
            tree = pdfium_c.FPDF_StructTree_GetForPage(page.raw)
            if not tree:  # an untagged page
                continue
            try:
                for j in range(pdfium_c.FPDF_StructTree_CountChildren(tree)):
                    walk(pdfium_c.FPDF_StructTree_GetChildAtIndex(tree, j))
            finally:
                pdfium_c.FPDF_StructTree_Close(tree)
        finally:
            page.close()
    return texts, [("metadata", " ".join(str(v) for v in doc.get_metadata_dict().values())),
                   ("bokmärken", " ".join(item.get_title() for item in doc.get_toc())),
                   ("alternativtexter", "\n".join(alts))]


def check_pdf(path: Path, min_cell: int) -> list[Finding]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        pages, beside = _pdf_texts(doc)
        findings = check_pdf_text(pages, min_cell)
        for where, text in beside:
            findings += find_personnummer(text, where)
            findings += _small_n_in_text(text, where, min_cell)
    finally:
        doc.close()
    return findings


def check_report(path: str | Path, min_cell: int = 5, parsed: tuple[str, Element] | None = None
                 ) -> list[Finding]:
    """Findings in a rendered report; an empty list means none were found. ``parsed``: (HTML text, its tree),
    used when the file holds exactly that text."""
    p = Path(path)
    if p.suffix.lower() == ".pdf":
        return check_pdf(p, min_cell)
    text = p.read_text(encoding="utf-8")
    return check_html(text, min_cell, soup=parsed[1] if parsed and parsed[0] == text else None)


def format_findings(path: Path, findings: list[Finding]) -> str:
    lines = [f"{path}: {len(findings)} fynd som kan röja enskilda personer:"]
    lines += [f"  - {f.what}: {f.text} ({f.where})" for f in findings]
    return "\n".join(lines)


def cli_check_report(args) -> int:
    """`uppfoljning check-report PATH [--min-cell N]`: 0 when clean, 1 when something was found."""
    path = Path(args.path)
    if not path.is_file():
        print(f"Filen {path} finns inte.", file=sys.stderr)
        return 2
    if path.suffix.lower() not in (".html", ".htm", ".pdf"):
        print(f"Filen {path} är varken HTML eller PDF.", file=sys.stderr)
        return 2
    try:
        findings = check_report(path, args.min_cell)
    except Exception as exc:  # an unreadable file: say so in Swedish instead of a traceback
        print(f"Filen {path} kunde inte läsas: {exc}", file=sys.stderr)
        return 2
    if findings:
        print(format_findings(path, findings))
        return 1
    print(f"{path}: inga fynd (personnummer eller antal under {args.min_cell}).")
    return 0
