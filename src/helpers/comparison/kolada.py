"""Reading an offline snapshot of Kolada key figures (the API's JSON or a CSV) into one tidy, validated frame.

The format, as found in public sources (no live call was made):

* Kolada's data endpoint, v2 and v3 alike:
  ``/v3/data/kpi/<KPI,...>/municipality/<ID,...>/year/<YEAR,...>`` answers
  ``{"count": n, "values": [{"kpi": "U31402", "municipality": "0180", "period": 2024,
  "values": [{"gender": "T", "count": 1, "status": "", "value": 12.3}, ...]}, ...], "next_url": ...}``.
  ``gender`` is T (totalt), K (kvinnor) or M (män); ``value`` may be null; ``count`` is the number of members
  behind a group's value (an unweighted mean), 1 otherwise. v3 adds ``isdeleted`` per value and pages with
  ``next_url`` (v2: ``next_page``); at most 5000 rows a page and 25 ids per path segment.
  Sources: https://github.com/Hypergene/kolada (README.rst, the v2 reference, and
  examples/kommun_i_korthet.rst); https://github.com/LCHansson/rKolada (R/data.R and
  tests/testthat/test-api-mocked.R, v3 with next_url and per_page/page); public v3 client tests recorded in the
  code search (``"isdeleted": false``, ``{"id": "0000", "title": "Riket", "type": "L"}``).
* Municipality ids are SCB's four-digit kommunkoder as strings ("0180"); ``"0000"`` is Riket; Kolada's own
  municipality groups have ids starting with "G" (their values are unweighted means of the members).
* Kolada says v3 was released 2025-04-04 and v2 is kept about six months after (kolada.se/om-oss/api).
* A CSV layout of Kolada's own web export was not found, so the CSV this module reads is the API's data
  flattened, one row per kpi, municipality, period and gender (as rKolada's ``get_values`` returns it): see
  ``csvfile``.

A snapshot file is one API answer, a JSON list of answers (pages), or several answers written one after the
other. An optional top-level ``"metadata"`` object (ignored by anything that reads the API's shape) carries
``syntetisk``, ``hamtad`` (ÅÅÅÅ-MM-DD), ``kommuner`` (id -> name) and ``nyckeltal`` (id -> title).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from .catalogue import KpiInfo
from .csvfile import read_csv
from .frame import GENDERS, KoladaFileError, KoladaSnapshot, read_text, tidy_frame


def _pages(text: str, path: Path) -> list[object]:
    """The JSON documents in the file, in order: one, a list of pages, or several written one after another."""
    decoder = json.JSONDecoder()
    docs, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        try:
            doc, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise KoladaFileError(f"Kolada-filen {path} är inte giltig JSON: rad {exc.lineno}, tecken {exc.colno}: "
                                  f"{_json_reason(exc.msg)}.") from None
        docs.extend(doc if isinstance(doc, list) else [doc])
    if not docs:
        raise KoladaFileError(f"Kolada-filen {path} är tom.")
    return docs


def _json_reason(msg: str) -> str:
    for en, sv in (("Expecting value", "ett värde väntades"), ("Expecting ',' delimiter", "ett kommatecken saknas"),
                   ("Expecting property name", "ett nyckelnamn inom citattecken väntades"),
                   ("Unterminated string", "en text saknar avslutande citattecken"),
                   ("Expecting ':' delimiter", "ett kolon saknas")):
        if msg.startswith(en):
            return sv
    return msg


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not (isinstance(v, float) and math.isinf(v))


def _rows_from_page(page: object, where: str, path: Path) -> list[tuple]:
    def fail(place: str, what: str):
        raise KoladaFileError(f"Kolada-filen {path}: {where}{place}: {what}.")

    if not isinstance(page, dict) or not isinstance(page.get("values"), list):
        fail("", "är inget svar från Koladas data-API (ett objekt med listan \"values\" väntades)")
    rows = []
    for i, item in enumerate(page["values"]):
        at = f"values[{i}]"
        if not isinstance(item, dict):
            fail(at, "ska vara ett objekt med kpi, municipality, period och values")
        for key in ("kpi", "municipality", "period", "values"):
            if key not in item:
                fail(at, f"nyckeln \"{key}\" saknas")
        kpi, mun, period = item["kpi"], item["municipality"], item["period"]
        if not isinstance(kpi, str) or not kpi.strip():
            fail(f"{at}.kpi", "ska vara ett nyckeltals-id som text, t.ex. \"U31402\"")
        if not isinstance(mun, str) or not mun.strip():
            fail(f"{at}.municipality", f"ska vara en kommunkod som text, t.ex. \"0180\" (fick {json.dumps(mun)})")
        if isinstance(period, bool) or not (isinstance(period, int) or (isinstance(period, str) and
                                                                         period.isdigit())) or len(str(period)) != 4:
            fail(f"{at}.period", f"ska vara ett årtal, t.ex. 2024 (fick {json.dumps(period)})")
        if not isinstance(item["values"], list):
            fail(f"{at}.values", "ska vara en lista med ett värde per kön")
        for j, v in enumerate(item["values"]):
            vat = f"{at}.values[{j}]"
            if not isinstance(v, dict):
                fail(vat, "ska vara ett objekt med gender och value")
            if v.get("isdeleted") is True:
                continue
            if v.get("gender") not in GENDERS:
                fail(f"{vat}.gender", f"ska vara T, K eller M (fick {json.dumps(v.get('gender'))})")
            if "value" not in v:
                fail(vat, "nyckeln \"value\" saknas")
            if v["value"] is not None and not _number(v["value"]):
                fail(f"{vat}.value", f"ska vara ett tal eller null (fick {json.dumps(v['value'])})")
            count = v.get("count")
            if count is not None and (not _number(count) or count != int(count)):
                fail(f"{vat}.count", f"ska vara ett heltal (fick {json.dumps(count)})")
            status = v.get("status")
            if status is not None and not isinstance(status, str):
                fail(f"{vat}.status", "ska vara text")
            rows.append((kpi.strip(), mun.strip(), str(period), v["gender"],
                         None if v["value"] is None else float(v["value"]),
                         None if count is None else int(count), status or "", f"{where}{vat}"))
    return rows


def _metadata(pages: list[object]) -> dict:
    meta: dict = {}
    for page in pages:
        if isinstance(page, dict) and isinstance(page.get("metadata"), dict):
            for key, value in page["metadata"].items():
                if isinstance(value, dict) and isinstance(meta.get(key), dict):
                    meta[key] = {**meta[key], **value}
                else:
                    meta[key] = value
    return meta


def snapshot_from_pages(pages: list[object], path: Path,
                        catalogue: dict[str, KpiInfo] | None = None) -> KoladaSnapshot:
    """A snapshot from API answers already parsed (a fetch checks its pages with this before writing them)."""
    rows = []
    for n, page in enumerate(pages, start=1):
        rows += _rows_from_page(page, f"sida {n}, " if len(pages) > 1 else "", path)
    meta = _metadata(pages)
    names = meta.get("kommuner") if isinstance(meta.get("kommuner"), dict) else {}
    titles = meta.get("nyckeltal") if isinstance(meta.get("nyckeltal"), dict) else {}
    return KoladaSnapshot(tidy_frame(rows, path, names, titles, catalogue), path,
                          synthetic=bool(meta.get("syntetisk", False)),
                          fetched=str(meta["hamtad"]) if meta.get("hamtad") else None, names=dict(names),
                          kpi_titles=dict(titles))


def read_json(path: Path, catalogue: dict[str, KpiInfo] | None = None) -> KoladaSnapshot:
    return snapshot_from_pages(_pages(read_text(path), path), path, catalogue)


def read_snapshot(path: str | Path, catalogue: dict[str, KpiInfo] | None = None) -> KoladaSnapshot:
    """A Kolada snapshot (.json as the API answers, or .csv/.txt as the flattened data), validated.
    Raises KoladaFileError with a Swedish message naming the file and the place (JSON path or CSV line)."""
    p = Path(path)
    if p.suffix.lower() in (".csv", ".txt"):
        return read_csv(p, catalogue)
    return read_json(p, catalogue)
