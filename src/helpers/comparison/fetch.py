"""Fetching the configured KPIs from Kolada's API (v3) into a snapshot file the report reads offline.

Requests: ``{api}/data/kpi/<kpis>/municipality/<ids>/year/<years>?per_page=5000`` with at most 25 ids in a path
segment, following ``next_url`` (v3) or ``next_page`` (v2) to the last page; then ``{api}/municipality/<ids>``
and ``{api}/kpi/<ids>`` for names and titles. Each request has a timeout and is tried again up to three times with
a doubling pause when the network, a timeout, HTTP 429 or a 5xx answer fails it. The pages are written as one
API answer with a ``metadata`` object (see ``kolada``), through a temporary file.
"""
from __future__ import annotations

import datetime as dt
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

from ..atomic import write_text_atomic

API_URL = "https://api.kolada.se/v3"
CHUNK = 25  # Kolada answers at most 25 ids per path segment
PER_PAGE = 5000
MAX_PAGES = 1000


class KoladaUnavailable(RuntimeError):
    """Kolada could not be reached (offline, DNS, timeout, server errors after the retries); Swedish message."""


class KoladaResponseError(RuntimeError):
    """Kolada answered, but not with what was asked for; Swedish message."""


Opener = Callable[[str, float], bytes]


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _urlopen(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": "uppfoljning (kvalitetsredovisning)"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)] or [[]]


def _with_per_page(url: str) -> str:
    return url + ("&" if "?" in url else "?") + f"per_page={PER_PAGE}"


def _reason(exc: object, timeout: float) -> str:
    if isinstance(exc, socket.gaierror):
        return "adressen kunde inte slås upp"
    if isinstance(exc, ConnectionRefusedError):
        return "anslutningen nekades"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"inget svar inom {timeout:g} s"
    return f"ingen kontakt ({exc})"


class _Client:
    def __init__(self, opener: Opener, timeout: float, retries: int, backoff: float, sleep, say):
        self.opener, self.timeout, self.retries, self.backoff = opener, timeout, retries, backoff
        self.sleep, self.say = sleep, say

    def get(self, url: str) -> dict:
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1)
                self.say(f"  Försöker igen om {pause:g} s ({attempt} av {self.retries}): {last}")
                self.sleep(pause)
            try:
                body = self.opener(url, self.timeout)
            except urllib.error.HTTPError as exc:
                if exc.code == 429 or exc.code >= 500:
                    last = f"Kolada svarade HTTP {exc.code}"
                    continue
                raise KoladaResponseError(f"Kolada svarade HTTP {exc.code} på {url}. Kontrollera nyckeltalen och "
                                          "kommunkoderna i konfigurationen.") from None
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
                last = _reason(getattr(exc, "reason", exc), self.timeout)
                continue
            try:
                doc = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise KoladaResponseError(f"Kolada svarade inte med JSON på {url}.") from None
            if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
                raise KoladaResponseError(f"Svaret från {url} har inte Koladas form (listan \"values\" saknas).")
            return doc
        host = urllib.parse.urlsplit(url).netloc
        raise KoladaUnavailable(f"Kunde inte nå Kolada ({host}) efter {self.retries + 1} försök: {last}. "
                                "Datorn verkar sakna kontakt med internet. Rapporten kan ändå göras med den "
                                "Kolada-fil som redan finns; hämta en ny när datorn är ansluten.")

    def pages(self, url: str) -> list[dict]:
        out, seen, next_url = [], set(), _with_per_page(url)
        while next_url and next_url not in seen and len(out) < MAX_PAGES:
            seen.add(next_url)
            doc = self.get(next_url)
            out.append(doc)
            next_url = doc.get("next_url") or doc.get("next_page")
        return out


def fetch_snapshot(kpis: list[str], municipality_ids: list[str], years: list[str], *, api_url: str = API_URL,
                   timeout: float = 30.0, retries: int = 3, backoff: float = 1.0, opener: Opener | None = None,
                   sleep=None, say=lambda message: None, today: dt.date | None = None) -> dict:
    """The snapshot document: every value Kolada has for these KPIs, municipalities (the municipality, its group,
    Riket) and years. Raises KoladaUnavailable when Kolada cannot be reached, KoladaResponseError for a wrong
    answer."""
    client = _Client(opener or _urlopen, timeout, retries, backoff, sleep or _pause, say)
    base = api_url.rstrip("/")
    values: list[dict] = []
    n_pages = 0
    for k in _chunks(list(kpis)):
        for m in _chunks(list(municipality_ids)):
            for y in _chunks([str(y) for y in years]):
                url = f"{base}/data/kpi/{','.join(k)}/municipality/{','.join(m)}/year/{','.join(y)}"
                say(f"  Hämtar {url}")
                for page in client.pages(url):
                    values += page["values"]
                    n_pages += 1
    names, titles = {}, {}
    for m in _chunks(list(municipality_ids)):
        for page in client.pages(f"{base}/municipality/{','.join(m)}"):
            names.update({str(v["id"]): str(v["title"]) for v in page["values"]
                          if isinstance(v, dict) and "id" in v and "title" in v})
    for k in _chunks(list(kpis)):
        for page in client.pages(f"{base}/kpi/{','.join(k)}"):
            titles.update({str(v["id"]): str(v["title"]) for v in page["values"]
                           if isinstance(v, dict) and "id" in v and "title" in v})
    return {"metadata": {"kalla": "Kolada (RKA)", "api": base, "hamtad": (today or dt.date.today()).isoformat(),
                         "syntetisk": False, "sidor": n_pages, "kommuner": names, "nyckeltal": titles},
            "count": len(values), "values": values}


def write_snapshot(document: dict, path: str | Path) -> Path:
    """Write the snapshot through a temporary file beside it: an interrupted write leaves the old one."""
    text = json.dumps(document, ensure_ascii=False, indent=1)
    return write_text_atomic(path, text + "\n")
