"""Swedish personnummer and samordningsnummer: validation, derived facts and keyed pseudonyms.

A personnummer is YYMMDD-NNNC (10 digits, `+` instead of `-` from the year the person turns 100) or
YYYYMMDDNNNC (12 digits). C is a Luhn (mod 10, weights 2-1) check digit over the ten-digit form; the third
digit of NNN is odd for men and even for women. A samordningsnummer has the day of birth plus 60.

Pseudonyms are HMAC-SHA-256 of the normalised 12-digit number under a secret key kept outside the
repository: the same person gets the same pseudonym in every file and period under the same key, and the
pseudonym cannot be reversed or recomputed without the key.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .manifest import demo_file_problem
from .tables import factorize

# The demo key is public on purpose: it is only accepted for the demo generator's own files (see manifest.py).
DEMO_KEY = b"exempelkommun-demonyckel-endast-for-syntetiska-data"
MIN_KEY_BYTES = 32  # a real key: at least 256 bits
PSEUDONYM_LENGTH = 20  # hex characters (80 bits): collisions are negligible at any municipal scale

_PNR_RE = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$")
# A personnummer-like token inside free text (checked further with the date and Luhn rules).
_SHAPE_IN_TEXT = re.compile(r"\d{6}[-+]?\d{4}")  # in every text `_PNR_IN_TEXT` finds something in
_ASCII_SHAPE_IN_TEXT = r"[0-9]{6}[-+]?[0-9]{4}"  # the same for ASCII text, in Arrow's regular expressions
_PNR_IN_TEXT = re.compile(r"(?<!\d)((?:18|19|20)?\d{6}[-+]?\d{4})(?!\d)")

# Swedish reasons, one per kind of failure (used as reason categories in the quarantine).
R_FORMAT = "Ogiltigt personnummer: fel format"
R_CHECK = "Ogiltigt personnummer: fel kontrollsiffra"
R_DATE = "Ogiltigt personnummer: omöjligt datum"
R_FUTURE = "Ogiltigt personnummer: födelsedatum efter periodens slut"


class PseudonymKeyError(RuntimeError):
    """No pseudonymisation key for real data (Swedish message)."""


@dataclass(frozen=True)
class Personnummer:
    number: str  # normalised 12 digits, no separator
    birth_date: dt.date
    sex: str  # "kvinna" | "man"
    id_type: str  # "personnummer" | "samordningsnummer"

    @property
    def birth_year(self) -> int:
        return self.birth_date.year

    @property
    def birth_day(self) -> int:
        return self.birth_date.day


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # the digit sum of 2 × d


def luhn_check_digit(nine_digits: str) -> int:
    """Check digit for YYMMDDNNN: weights 2,1,2,...; digits of products summed; (10 - sum % 10) % 10."""
    total = sum(_DOUBLED[int(ch)] for ch in nine_digits[0::2]) + sum(int(ch) for ch in nine_digits[1::2])
    return (10 - total % 10) % 10


def parse(value, reference: dt.date | None = None) -> Personnummer | str:
    """A valid `Personnummer`, or the Swedish reason why `value` is not one.

    `reference` decides the century of a ten-digit number (the person is under 100 on that date with `-`,
    100 or older with `+`) and is the latest possible birth date; default today.
    """
    ref = reference or dt.date.today()
    text = "" if value is None else str(value).strip().replace(" ", "")
    m = _PNR_RE.match(text)
    if not m:
        return R_FORMAT
    century, yymmdd, sep, tail = m.groups()
    if century is not None and sep == "+":
        return R_FORMAT  # a 12-digit number carries its century; '+' only belongs to the 10-digit form
    if luhn_check_digit(yymmdd + tail[:3]) != int(tail[3]):
        return R_CHECK
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    id_type = "personnummer"
    if dd > 60:
        dd -= 60
        id_type = "samordningsnummer"
    if century is not None:
        year = int(century) * 100 + yy
    else:
        year = (ref.year // 100) * 100 + yy
        if year > ref.year:
            year -= 100
        if sep == "+":
            year -= 100
    try:
        born = dt.date(year, mm, dd)
    except ValueError:
        return R_DATE
    if century is None and sep != "+" and born > ref:
        born = born.replace(year=year - 100)  # same year as the reference but a later day: a century earlier
    if born > ref:
        return R_FUTURE
    sex = "man" if int(tail[2]) % 2 == 1 else "kvinna"
    # in ASCII digits whatever digits the value was written in (the same person, the same pseudonym)
    return Personnummer(f"{born.year:04d}{int(yymmdd[2:]):04d}{int(tail):04d}", born, sex, id_type)


def is_valid(value, reference: dt.date | None = None) -> bool:
    return isinstance(parse(value, reference), Personnummer)


def keyed_hash(key: bytes, data: bytes) -> str:
    """HMAC-SHA-256 of ``data`` under ``key``, as hex."""
    return keyed_hashes(key, [data])[0]


def keyed_hashes(key: bytes, items) -> list[str]:
    """HMAC-SHA-256 (RFC 2104) of each of ``items`` under ``key``, as hex: the hash states of the padded key are
    set up once per key and copied for each value (half the time of the hmac module's copies, for the hundreds of
    thousands of an import)."""
    inner, outer = _pads(key)
    out = []
    for data in items:
        h = inner.copy()
        h.update(data)
        o = outer.copy()
        o.update(h.digest())
        out.append(o.hexdigest())
    return out


@lru_cache(maxsize=8)
def _pads(key: bytes):
    """The inner and outer SHA-256 states after the key's block (only ever copied)."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


_BLOCK = 64  # SHA-256's block size in bytes


def pseudonym(number: str, key: bytes) -> str:
    """Keyed pseudonym of a normalised 12-digit number."""
    return keyed_hash(key, number.encode("ascii"))[:PSEUDONYM_LENGTH]


def _configured_key(config) -> tuple[bytes | None, str, str]:
    """(key or None, where it came from, the environment variable's name) from the config's `pseudonym`."""
    section = (config.get("pseudonym") or {}) if config is not None else {}
    env_name = section.get("nyckel_miljovariabel", "UPPFOLJNING_NYCKEL")
    value = os.environ.get(env_name, "").strip()
    if value:
        return value.encode("utf-8"), f"miljövariabeln {env_name}", env_name
    key_file = section.get("nyckelfil")
    if key_file:
        path = config.resolve(key_file) if config is not None else Path(key_file).expanduser()
        if path.is_file():
            text = path.read_text(encoding="utf-8-sig").strip()  # Notepad may add a BOM
            if text:
                return text.encode("utf-8"), f"nyckelfilen {path}", env_name
    return None, "", env_name


def key_fingerprint(config) -> str:
    """A one-way fingerprint of the configured key (empty without one): tells whether the key changed."""
    key = _configured_key(config)[0]
    return hashlib.blake2b(key, digest_size=16, person=b"nyckelbyte").hexdigest() if key else ""


def load_key(config, source: str | Path | None = None) -> bytes:
    """The pseudonymisation key for importing ``source`` under the config's `pseudonym` section.

    Order: the environment variable, then the key file. A real key must be at least MIN_KEY_BYTES long. The
    documented demo key is used only with a demo config (or when it is given as the key), and only for a file
    the demo generator made and listed in its manifest; anything else is refused with a Swedish message.
    """
    key, origin, env_name = _configured_key(config)
    if key is not None and key != DEMO_KEY:
        if len(key) < MIN_KEY_BYTES:
            raise PseudonymKeyError(
                f"Nyckeln i {origin} är för kort ({len(key)} byte). En nyckel för pseudonymisering ska vara minst "
                f"{MIN_KEY_BYTES} byte, till exempel 64 slumpmässiga hextecken från kommandot "
                "python -c \"import secrets; print(secrets.token_hex(32))\". Byt inte nyckel mitt i en "
                "uppföljning: samma person får då en ny pseudonym.")
        return key
    if key is None and not (config is None or config.is_demo):
        key_file = ((config.get("pseudonym") or {}).get("nyckelfil")) if config is not None else None
        where = f" eller i nyckelfilen {key_file}" if key_file else ""
        raise PseudonymKeyError(
            f"Ingen nyckel för pseudonymisering hittades (miljövariabeln {env_name}{where}). "
            "Med riktiga uppgifter importeras inga personnummer utan nyckel. Lägg nyckeln utanför projektmappen "
            "och ange den i konfigurationens avsnitt 'pseudonym'.")
    problem = "källfilen är inte angiven" if source is None else demo_file_problem(source)
    if problem:
        raise PseudonymKeyError(
            f"Demonyckeln får bara användas på demodata som kommandot uppfoljning demo har skapat, men {problem}. "
            f"Riktiga uppgifter kräver en egen nyckel: sätt demo: false i konfigurationen och lägg en nyckel på "
            f"minst {MIN_KEY_BYTES} byte i miljövariabeln {env_name} eller i nyckelfilen (avsnittet 'pseudonym').")
    return DEMO_KEY


def _pseudonyms(numbers: list, key: bytes) -> list:
    """`pseudonym` of each number (None stays None), kept for the process: an import's files, and the import steps
    run in one kernel, name the same persons again and again. The new ones are hashed in one batch."""
    with _KNOWN_LOCK:
        known = _PSEUDONYMS.setdefault(key, {})
        fresh = [n for n in dict.fromkeys(numbers) if n is not None and n not in known]
        if fresh:
            if len(known) + len(fresh) > _KNOWN_LIMIT:
                known.clear()
            hashes = keyed_hashes(key, [n.encode("ascii") for n in fresh])
            known.update(zip(fresh, (h[:PSEUDONYM_LENGTH] for h in hashes)))
        return [None if n is None else known[n] for n in numbers]


_PSEUDONYMS: dict[bytes, dict[str, str]] = {}  # key -> number -> pseudonym


# length -> where the century, the six-digit date, the separator and the last four digits start
_SHAPES = {10: (None, 0, None, 6), 11: (None, 0, 6, 7), 12: (0, 2, None, 8), 13: (0, 2, 8, 9)}
_LUHN_WEIGHTS = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_SHAPE_COLUMNS = ["number", "birth_year", "birth_day", "sex", "id_type", "reason"]


def _digit_block(codes: np.ndarray, start: int, width: int) -> np.ndarray:
    return codes[:, start:start + width] - ord("0")


def _as_int(digits: np.ndarray) -> np.ndarray:
    return digits @ (10 ** np.arange(digits.shape[1] - 1, -1, -1))


def _parse_shape(texts: list[str], length: int, ref: dt.date) -> tuple[np.ndarray, dict]:
    """`parse` for values of one length made of ASCII digits and a separator where `_SHAPES` puts it.
    Returns which values it decided (the others: not that shape, or a case left to `parse`) and their fields."""
    century_at, body_at, sep_at, tail_at = _SHAPES[length]
    codes = np.array(texts, dtype=f"U{length}").view(np.uint32).reshape(len(texts), length).astype(np.int64)
    digit = (codes >= ord("0")) & (codes <= ord("9"))
    sep = codes[:, sep_at] if sep_at is not None else np.zeros(len(texts), np.int64)
    if sep_at is not None:
        digit[:, sep_at] = (sep == ord("-")) | (sep == ord("+"))
    shaped = digit.all(axis=1)
    plus = sep == ord("+")
    body, tail = _digit_block(codes, body_at, 6), _digit_block(codes, tail_at, 4)
    nine = np.concatenate([body, tail[:, :3]], axis=1) * _LUHN_WEIGHTS
    check_ok = (10 - (nine // 10 + nine % 10).sum(axis=1) % 10) % 10 == tail[:, 3]
    yy, mm, dd = _as_int(body[:, :2]), _as_int(body[:, 2:4]), _as_int(body[:, 4:])
    coordination = dd > 60
    dd = np.where(coordination, dd - 60, dd)
    if century_at is not None:
        year = _as_int(_digit_block(codes, century_at, 2)) * 100 + yy
    else:
        year = (ref.year // 100) * 100 + yy
        year = np.where(year > ref.year, year - 100, year) - np.where(plus, 100, 0)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _DAYS[np.clip(mm, 0, 12)] + ((mm == 2) & leap)
    date_ok = (year >= 1) & (year <= 9999) & (mm >= 1) & (mm <= 12) & (dd >= 1) & (dd <= month_days)
    ref_day = ref.year * 10000 + ref.month * 100 + ref.day
    later = year * 10000 + mm * 100 + dd > ref_day
    # a ten-digit number with '-' born later in the reference year: `parse` moves it a century back
    moved = later & (century_at is None) & ~plus
    decided = shaped & ~(check_ok & date_ok & moved)
    reason = np.full(len(texts), None, dtype=object)
    for failed, why in ((later, R_FUTURE), (~date_ok, R_DATE), (~check_ok, R_CHECK)):  # the first failure wins
        reason[failed] = why
    if century_at is not None:
        reason[plus] = R_FORMAT  # a 12-digit number carries its century; '+' only belongs to the 10-digit form
    return decided, {"reason": reason, "year": year, "day": dd, "coordination": coordination,
                     "male": tail[:, 2] % 2 == 1}


def parse_many(values, reference: dt.date | None = None) -> pd.DataFrame:
    """`parse` for many values at once: a frame with one row per value (in order) and the columns number,
    birth_year, birth_day, sex, id_type (NA when invalid) and reason (NA when valid). A value this process has
    parsed for the same reference date is not parsed again (`_Parsed`): an import's tables name the same persons
    again and again."""
    ref = reference or dt.date.today()
    texts = ["" if v is None else str(v).strip().replace(" ", "") for v in values]
    with _KNOWN_LOCK:  # a row number is only right for the columns it was added with
        known = _parsed_for(ref)
        rows = known.rows(texts)
        if len(rows) and rows.min() < 0:
            fresh = list(dict.fromkeys(t for t, r in zip(texts, rows.tolist()) if r < 0))
            known.add(fresh, _parse_fresh(fresh, ref))
            rows = known.rows(texts)
        columns = {c: known.column(c)[rows] for c in _SHAPE_COLUMNS}
    return pd.DataFrame(columns, dtype=object)


class _Parsed:
    """What `_parse_fresh` gave for each text parsed in this process (for one reference date): a row per text."""

    def __init__(self):
        self.row: dict[str, int] = {}
        self._columns = {c: [] for c in _SHAPE_COLUMNS}
        self._arrays: dict[str, np.ndarray] = {}

    def rows(self, texts: list[str]) -> np.ndarray:
        """Each text's row, -1 for one not parsed yet."""
        get = self.row.get
        return np.fromiter((get(t, -1) for t in texts), dtype=np.int64, count=len(texts))

    def add(self, texts: list[str], parsed: dict[str, np.ndarray]) -> None:
        for t in texts:
            self.row[t] = len(self.row)
        for c in _SHAPE_COLUMNS:
            self._columns[c].extend(parsed[c].tolist())
        self._arrays.clear()

    def column(self, name: str) -> np.ndarray:
        if name not in self._arrays:
            self._arrays[name] = np.empty(len(self.row), dtype=object)
            self._arrays[name][:] = self._columns[name]
        return self._arrays[name]


_KNOWN_LIMIT = 500_000  # texts kept per reference date (some 370 bytes each: 18 MB at 50 000 clients); more: afresh


def _parsed_for(ref: dt.date) -> _Parsed:
    known = _KNOWN.get(ref)
    if known is None or len(known.row) > _KNOWN_LIMIT:
        _KNOWN.pop(ref, None)
        while len(_KNOWN) >= 2:  # the reference dates of a run: its period's end (and the previous period's)
            _KNOWN.pop(next(iter(_KNOWN)))
        known = _KNOWN[ref] = _Parsed()
    return known


_KNOWN: dict[dt.date, _Parsed] = {}
_KNOWN_LOCK = threading.Lock()


def _parse_fresh(texts: list[str], ref: dt.date) -> dict[str, np.ndarray]:
    """The columns of `parse_many` for normalised texts: the common shapes are checked with numpy; any other
    value (a format error, non-ASCII digits) goes through `parse` itself."""
    out = {c: np.full(len(texts), None, dtype=object) for c in _SHAPE_COLUMNS}
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    left = np.ones(len(texts), dtype=bool)
    for length in _SHAPES:
        at = np.flatnonzero(lengths == length)
        if not len(at):
            continue
        decided, f = _parse_shape([texts[i] for i in at], length, ref)
        at, valid = at[decided], decided & pd.isna(f["reason"])
        left[at] = False
        out["reason"][at] = f["reason"][decided]
        ok = at[valid[decided]]
        year, mmdd_tail = f["year"][valid], [texts[i].replace("-", "").replace("+", "")[-8:] for i in ok]
        out["number"][ok] = [f"{y:04d}{rest}" for y, rest in zip(year.tolist(), mmdd_tail)]
        out["birth_year"][ok] = year.tolist()
        out["birth_day"][ok] = f["day"][valid].tolist()
        out["sex"][ok] = np.where(f["male"][valid], "man", "kvinna")
        out["id_type"][ok] = np.where(f["coordination"][valid], "samordningsnummer", "personnummer")
    for i in np.flatnonzero(left):
        p = parse(texts[i], ref)
        fields = ([p.number, p.birth_year, p.birth_day, p.sex, p.id_type, None] if isinstance(p, Personnummer)
                  else [None] * 5 + [p])
        for c, x in zip(_SHAPE_COLUMNS, fields):
            out[c][i] = x
    return out


def parse_series(values: pd.Series, key: bytes, reference: dt.date | None = None) -> pd.DataFrame:
    """Validate and pseudonymise a column of personnummer; the work is done once per unique value, and a value is
    parsed once per process (`parse_many`): the clients and the cases are checked from the same column of the
    case export, the interventions and their sessions from another, and the register's sheets name the same
    persons again.

    Returns a frame on the same index with: client_id (pseudonym, NA when invalid), birth_year, birth_day,
    sex, id_type and reason (NA when valid). No column holds the number itself.
    """
    out = _parse_series(values.astype("string"), key, reference or dt.date.today())
    out.index = values.index
    return out


def _parse_series(values: pd.Series, key: bytes, reference: dt.date) -> pd.DataFrame:
    codes, uniques = factorize(values)
    parsed = parse_many(uniques.tolist(), reference)
    parsed["number"] = _pseudonyms(parsed["number"].tolist(), key)
    # typed once per distinct value, then spread over the rows (a missing value's code, -1, gives NA)
    return pd.DataFrame({name: pd.array(parsed[column].to_numpy(), dtype=dtype).take(codes, allow_fill=True)
                         for name, column, dtype in _SERIES_COLUMNS})


_SERIES_COLUMNS = [("client_id", "number", "string"), ("birth_year", "birth_year", "Int64"),
                   ("birth_day", "birth_day", "Int64"), ("sex", "sex", "string"), ("id_type", "id_type", "string"),
                   ("reason", "reason", "string")]


def texts_with_personnummer(texts, reference: dt.date | None = None) -> set[str]:
    """Those of the distinct ``texts`` (no missing values) that hold a personnummer (`contains_personnummer`).
    Only a text with ten digits in a row (a separator allowed) can hold one: Arrow sieves the ASCII texts for
    them at once, Python's own regular expression the others (any Unicode digit is a digit to it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.asarray(texts, dtype=object)
    try:
        arrow = pa.array(values, type=pa.string())
        shaped = pc.match_substring_regex(arrow, _ASCII_SHAPE_IN_TEXT).to_numpy(zero_copy_only=False)
        other = ~pc.string_is_ascii(arrow).to_numpy(zero_copy_only=False)
    except (pa.ArrowException, UnicodeError):  # text Arrow cannot hold (a lone surrogate)
        shaped, other = np.zeros(len(values), dtype=bool), np.ones(len(values), dtype=bool)
    candidates = values[shaped].tolist() + [t for t in values[other].tolist() if _SHAPE_IN_TEXT.search(t)]
    return {t for t in candidates if contains_personnummer(t, reference)}


def contains_personnummer(text: str, reference: dt.date | None = None) -> bool:
    """Whether free text holds something that validates as a personnummer or samordningsnummer."""
    return any(is_valid(m, reference) for m in _PNR_IN_TEXT.findall(str(text)))


def looks_like_personnummer(text) -> bool:
    """Shape only (10 or 12 digits, optional separator): used to hide values in quarantine listings."""
    return bool(_PNR_RE.match(str(text).strip().replace(" ", ""))) if text is not None else False
