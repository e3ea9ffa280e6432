"""Privacy check of a rendered report (HTML or PDF): personnummer-shaped strings and small published counts."""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from .reconcile import parse_number
from ..personnummer import luhn_check_digit

# YYMMDD or CCYYMMDD, optional -/+, NNNC; the day may be +60 (samordningsnummer).
_PNR = re.compile(r"(?<![\d/.,:-])((?:19|20)?)(\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
                  r"([-+]?)(\d{3})(\d)(?![\d/.,:-]?\d)")
# "n = 3" in running text; "n = 2 979" (space-grouped thousands) is one number, not 2.
_SMALL_N_TEXT = re.compile(r"\bn\s*=\s*(\d{1,3}(?:[ \u00a0\u202f]\d{3})*)(?![\d,])")
_COUNT_HEADER = re.compile(r"^(antal|n|täljare|nämnare|svarande)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    what: str   # Swedish description
    where: str  # page, table and row, or "löptext"
    text: str   # the match, masked where it could identify a person


def luhn_ok(nine_digits: str, check: str) -> bool:
    """Modulus-10 check digit over YYMMDDNNN (weights 2,1,2,...)."""
    return luhn_check_digit(nine_digits) == int(check)


def find_personnummer(text: str, where: str) -> list[Finding]:
    """Personnummer/samordningsnummer-shaped strings. Luhn-valid ones certainly; with a separator or a century
    also without Luhn; a bare 10-digit run only when Luhn-valid (phone numbers and ids are bare digit runs)."""
    found = []
    for m in _PNR.finditer(text):
        century, yy, mm, dd, sep, nnn, c = m.groups()
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
    return [Finding(f"litet antal i text (under {min_cell})", where, m.group(0))
            for m in _SMALL_N_TEXT.finditer(text) if _small(int(re.sub(r"\D", "", m.group(1))), min_cell)]


def _visible_text(soup: BeautifulSoup) -> str:
    for tag in soup(["style", "script"]):
        tag.decompose()
    alts = " ".join(img.get("alt", "") for img in soup.find_all("img"))
    return soup.get_text(" ") + " " + alts


def _table_name(table, index: int) -> str:
    return table.caption.get_text(" ", strip=True) if table.caption else f"tabell {index}"


def check_html(text: str, min_cell: int, source: str = "") -> list[Finding]:
    soup = BeautifulSoup(text, "html.parser")
    findings: list[Finding] = []
    for i, table in enumerate(soup.find_all("table"), start=1):
        name = _table_name(table, i)
        marked = table.has_attr("data-counts-marked") or table.find(attrs={"data-count": True}) is not None
        headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        count_idx = {j for j, h in enumerate(headers) if _COUNT_HEADER.match(h)}
        for r, tr in enumerate(table.select("tbody tr"), start=1):
            cells = tr.find_all(["td", "th"])
            label = cells[0].get_text(" ", strip=True) if cells else ""
            for j, cell in enumerate(cells):
                is_count = cell.has_attr("data-count") if marked else j in count_idx
                if is_count and _small(parse_number(cell.get_text()), min_cell):
                    col = headers[j] if j < len(headers) else str(j + 1)
                    findings.append(Finding(f"publicerat antal under {min_cell}",
                                            f"{name}, rad {r} ({label}), kolumn {col}", cell.get_text(strip=True)))
    body = _visible_text(soup)
    findings += find_personnummer(body, f"{source} löptext".strip())
    findings += _small_n_in_text(body, f"{source} löptext".strip(), min_cell)
    return findings


_TABLE_ROW = re.compile(r"^(?P<label>\D.*?)\s+(?P<nums>[\d X–%,\u00a0\u202f]+)$")
_NUMBER_TOKEN = re.compile(r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})*(?:,\d+)?)(\s*%)?")


def _whole_counts(nums: str) -> list[str]:
    """Whole numbers in a row's tail, leaving out percentages, decimals and years."""
    out = []
    nums = re.sub(r"\d+\s*[–-]\s*\d+", " ", nums)  # a range like "1–10" is a scale, not two counts
    for number, pct in _NUMBER_TOKEN.findall(nums):
        if pct or "," in number or re.fullmatch(r"(19|20)\d{2}", number):
            continue
        out.append(number)
    return out


def check_pdf_text(pages: list[str], min_cell: int) -> list[Finding]:
    """Heuristics for a PDF's text: personnummer anywhere; small counts in table rows of count tables
    (a row label followed only by whole numbers, after a 'Tabell N.' caption whose header names counts)."""
    findings: list[Finding] = []
    for p, page in enumerate(pages, start=1):
        where = f"sida {p}"
        findings += find_personnummer(page, where)
        findings += _small_n_in_text(page, where, min_cell)
        in_count_table = False
        for line in page.splitlines():
            s = line.strip()
            if re.match(r"^Tabell \d+\.", s):
                in_count_table = False
                continue
            if re.search(r"\b(Antal|Täljare|Nämnare)\b", s):
                in_count_table = True
                continue
            if not s or s.startswith(("Figur ", "X =")):
                in_count_table = False
                continue
            m = _TABLE_ROW.match(s)
            if m and len(m.group("label").split()) > 8:  # running prose wrapped onto a number, not a row label
                m = None
            if in_count_table and m:
                for token in _whole_counts(m.group("nums")):
                    if _small(parse_number(token), min_cell):
                        findings.append(Finding(f"publicerat antal under {min_cell} (trolig tabellrad)",
                                                f"{where}, rad \"{s[:60]}\"", token))
    return findings


def check_report(path: str | Path, min_cell: int = 5) -> list[Finding]:
    """Findings in a rendered report; an empty list means none were found."""
    p = Path(path)
    if p.suffix.lower() == ".pdf":
        from pypdf import PdfReader
        pages = [page.extract_text() or "" for page in PdfReader(p).pages]
        return check_pdf_text(pages, min_cell)
    return check_html(p.read_text(encoding="utf-8"), min_cell)


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
