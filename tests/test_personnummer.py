"""Personnummer: check digit, century, samordningsnummer, sex, pseudonyms and the key rules."""
import datetime as dt
import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from helpers import personnummer as pnr
from helpers.config import Config
from helpers.manifest import write_manifest

REF = dt.date(2025, 12, 31)


def with_check(nine: str) -> str:
    return nine + str(pnr.luhn_check_digit(nine))


def test_worked_examples_from_skatteverket():
    # DOMAIN.md 5.3: 640823-323 -> check digit 4; 701063-239 (samordningsnummer) -> 1.
    assert pnr.luhn_check_digit("640823323") == 4
    p = pnr.parse("640823-3234", REF)
    assert (p.number, p.birth_date, p.sex, p.id_type) == ("196408233234", dt.date(1964, 8, 23), "man",
                                                           "personnummer")
    s = pnr.parse("701063-2391", REF)
    assert (s.birth_date, s.sex, s.id_type) == (dt.date(1970, 10, 3), "man", "samordningsnummer")


@pytest.mark.parametrize("text", ["6408233234", "640823-3234", "19640823-3234", "196408233234", " 640823 3234 "])
def test_all_written_forms_give_the_same_number(text):
    assert pnr.parse(text, REF).number == "196408233234"


def test_century_from_separator_and_reference():
    # "+" = 100 years or older; a ten-digit number is never in the future relative to the reference date.
    assert pnr.parse("640823+3234", REF).birth_year == 1864
    born_2010 = with_check("100101123")
    assert pnr.parse(born_2010, REF).birth_year == 2010
    # 25-12-31 is not after the reference, so 2025; with reference 2025-06-30 it lies ahead, so 1925.
    dec = with_check("251231123")
    assert pnr.parse(dec, REF).birth_year == 2025
    assert pnr.parse(dec, dt.date(2025, 6, 30)).birth_year == 1925


def test_invalid_numbers_give_swedish_reasons():
    assert pnr.parse("640823-3235", REF) == pnr.R_CHECK
    assert pnr.parse(with_check("640231123"), REF) == pnr.R_DATE  # 31 February
    assert pnr.parse(with_check("640245123"), REF) == pnr.R_DATE  # day 45: neither a day nor day + 60
    assert pnr.parse("64082-3234", REF) == pnr.R_FORMAT
    assert pnr.parse("19640823+3234", REF) == pnr.R_FORMAT
    assert pnr.parse(None, REF) == pnr.R_FORMAT
    assert pnr.parse("20" + with_check("260101123"), REF) == pnr.R_FUTURE


def test_sex_from_the_ninth_digit():
    assert pnr.parse(with_check("800101122"), REF).sex == "kvinna"  # 2 even
    assert pnr.parse(with_check("800101127"), REF).sex == "man"  # 7 odd


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=REF)


@settings(max_examples=200, deadline=None)
@given(born=dates, serial=st.integers(1, 999), coordination=st.booleans())
def test_generated_numbers_validate_and_round_trip(born, serial, coordination):
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    full = f"{born.year // 100}{with_check(nine)}"
    p = pnr.parse(full, REF)
    assert p.birth_date == born
    assert p.id_type == ("samordningsnummer" if coordination else "personnummer")
    assert p.sex == ("man" if serial % 2 else "kvinna")
    # Changing the check digit always makes it invalid.
    wrong = full[:-1] + str((int(full[-1]) + 1) % 10)
    assert pnr.parse(wrong, REF) == pnr.R_CHECK


@settings(max_examples=100, deadline=None)
@given(born=dates, serial=st.integers(1, 999), key=st.binary(min_size=16, max_size=64),
       other=st.binary(min_size=16, max_size=64))
def test_pseudonym_is_stable_keyed_and_hides_the_number(born, serial, key, other):
    number = f"{born:%Y%m%d}{serial:03d}"
    number += str(pnr.luhn_check_digit(number[2:]))
    a = pnr.pseudonym(number, key)
    assert a == hmac.new(key, number.encode("ascii"), hashlib.sha256).hexdigest()[:pnr.PSEUDONYM_LENGTH]
    assert a == pnr.pseudonym(number, key)  # same person, same key -> same pseudonym
    assert len(a) == pnr.PSEUDONYM_LENGTH and all(c in "0123456789abcdef" for c in a)
    assert number not in a and number[2:8] not in a
    if other != key:
        assert pnr.pseudonym(number, other) != a  # another key gives another pseudonym


def test_pseudonym_is_the_same_for_all_written_forms():
    s = pd.Series(["640823-3234", "196408233234", "6408233234", "701063-2391", "640823-3235", None])
    out = pnr.parse_series(s, b"k" * 32, REF)
    assert out.loc[0, "client_id"] == out.loc[1, "client_id"] == out.loc[2, "client_id"]
    assert out.loc[3, "client_id"] != out.loc[0, "client_id"]
    assert out.loc[3, "id_type"] == "samordningsnummer" and out.loc[3, "birth_day"] == 3
    assert out.loc[4, "reason"] == pnr.R_CHECK and pd.isna(out.loc[4, "client_id"])
    assert pd.isna(out.loc[5, "client_id"]) and pd.isna(out.loc[5, "reason"])
    assert not out.astype(str).apply(lambda c: c.str.contains("3234")).any().any()


EDGE_CASES = [
    "640823-3234", "6408233234", "19640823-3234", "196408233234", "640823+3234", "19640823+3234",  # '+' on 12
    "640823-3235", "640832-3236", "640230-3230", "000229-0005", "010229-0004", "20000229-0005", "19000229-0005",
    "240229-0001", "20240229-0001", "260101-0003", "20260101-0003", "701063-2391", "701060-2394", "701092-2390",
    " 640823-3234\t", "640823 3234", "6408 23-3234", "640823--3234", "640823-323", "64O823-3234", "abc", "", " ",
    "٦٤٠٨٢٣-٣٢٣٤", "640823-3234\n", "18640823-3234", "00000101-0000", "640823\x003234", "640823\u20093234",
]


def _fields(p) -> list:
    if isinstance(p, pnr.Personnummer):
        return [p.number, p.birth_year, p.birth_day, p.sex, p.id_type, None]
    return [None] * 5 + [p]


@pytest.mark.parametrize("ref", [REF, dt.date(2024, 2, 28), dt.date(2025, 6, 15)])
def test_parse_many_gives_what_parse_gives(ref):
    import random
    rng = random.Random(7)

    def generated() -> str:
        nine = f"{rng.randint(0, 99):02d}{rng.randint(0, 13):02d}{rng.choice([rng.randint(0, 32), rng.randint(59, 92)]):02d}"
        nine += f"{rng.randint(0, 999):03d}"
        check = pnr.luhn_check_digit(nine) if rng.random() < 0.8 else rng.randint(0, 9)
        ten = nine + str(check)
        return rng.choice(["", "", "19", "20", "18", "00"]) + ten[:6] + rng.choice(["", "-", "+"]) + ten[6:]
    values = EDGE_CASES + [generated() for _ in range(20_000)]
    many = pnr.parse_many(values, ref)
    assert [list(r) for r in many.itertuples(index=False)] == [_fields(pnr.parse(v, ref)) for v in values]


def test_parse_series_reasons_for_every_kind_of_invalid_number():
    def dashed(nine: str, century: str = "", sep: str = "-") -> str:
        ten = with_check(nine)
        return f"{century}{ten[:6]}{sep}{ten[6:]}"
    wrong_check = dashed("640823323")[:-1] + "5"
    cases = {wrong_check: pnr.R_CHECK, dashed("640823323", sep="+"): None,
             dashed("640823323", "19", "+"): pnr.R_FORMAT, dashed("640230323"): pnr.R_DATE,
             dashed("250229000"): pnr.R_DATE, dashed("240229000"): None, dashed("260101000", "20"): pnr.R_FUTURE,
             dashed("260101000"): None, dashed("701063239"): None, " 640823 3234 ": None, "12345": pnr.R_FORMAT}
    s = pd.Series(list(cases) + [pd.NA], dtype="string")
    out = pnr.parse_series(s, b"k" * 32, REF)
    assert out["reason"].fillna("").tolist() == [r or "" for r in cases.values()] + [""]
    assert out.loc[1, "birth_year"] == 1864 and out.loc[7, "birth_year"] == 1926
    assert out.loc[8, "id_type"] == "samordningsnummer" and out.loc[8, "birth_day"] == 3
    assert out.loc[9, "client_id"] == pnr.pseudonym("196408233234", b"k" * 32)
    assert out.loc[11].isna().all()


def _config(tmp_path: Path, demo: bool, key_file: str | None = None) -> Config:
    section = {"nyckel_miljovariabel": "TEST_UPPF_NYCKEL"}
    if key_file:
        section["nyckelfil"] = key_file
    return Config(tmp_path / "kommun.yml", {"kommun": "K", "enheter": [], "demo": demo, "pseudonym": section})


FILE_KEY = "f" * 40
ENV_KEY = "e" * 32


def demo_file(folder: Path, name: str = "arenden.csv", content: str = "Personnummer;Namn\r\n") -> Path:
    """A file listed in the folder's demo manifest, as the demo generator leaves it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(content, encoding="utf-8")
    write_manifest(folder, [path])
    return path


def test_key_from_environment_then_file_then_demo(tmp_path, monkeypatch):
    monkeypatch.delenv("TEST_UPPF_NYCKEL", raising=False)
    (tmp_path / "nyckel").write_text(FILE_KEY + "\n", encoding="utf-8")
    assert pnr.load_key(_config(tmp_path, demo=False, key_file="nyckel")) == FILE_KEY.encode()
    monkeypatch.setenv("TEST_UPPF_NYCKEL", ENV_KEY)
    assert pnr.load_key(_config(tmp_path, demo=False, key_file="nyckel")) == ENV_KEY.encode()
    monkeypatch.delenv("TEST_UPPF_NYCKEL")
    source = demo_file(tmp_path / "raw")
    assert pnr.load_key(_config(tmp_path, demo=True), source=source) == pnr.DEMO_KEY


def test_key_file_saved_by_notepad_with_a_bom_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("TEST_UPPF_NYCKEL", raising=False)
    (tmp_path / "nyckel").write_text(FILE_KEY + "\r\n", encoding="utf-8-sig")
    assert pnr.load_key(_config(tmp_path, demo=False, key_file="nyckel")) == FILE_KEY.encode()


def test_real_data_without_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("TEST_UPPF_NYCKEL", raising=False)
    with pytest.raises(pnr.PseudonymKeyError, match="TEST_UPPF_NYCKEL"):
        pnr.load_key(_config(tmp_path, demo=False, key_file="finns_inte"))


@pytest.mark.parametrize("where", ["miljö", "fil"])
def test_short_real_key_is_refused_with_the_minimum(tmp_path, monkeypatch, where):
    monkeypatch.delenv("TEST_UPPF_NYCKEL", raising=False)
    short = "k" * (pnr.MIN_KEY_BYTES - 1)
    if where == "miljö":
        monkeypatch.setenv("TEST_UPPF_NYCKEL", short)
    else:
        (tmp_path / "nyckel").write_text(short, encoding="utf-8")
    with pytest.raises(pnr.PseudonymKeyError) as err:
        pnr.load_key(_config(tmp_path, demo=False, key_file="nyckel"))
    message = str(err.value)
    assert f"för kort ({pnr.MIN_KEY_BYTES - 1} byte)" in message and f"minst {pnr.MIN_KEY_BYTES} byte" in message
    assert ("TEST_UPPF_NYCKEL" if where == "miljö" else "nyckelfilen") in message
    assert "secrets.token_hex(32)" in message


def test_key_of_exactly_the_minimum_length_is_accepted(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_UPPF_NYCKEL", "å" * (pnr.MIN_KEY_BYTES // 2))  # counted in bytes (UTF-8), not characters
    assert len(pnr.load_key(_config(tmp_path, demo=False))) == pnr.MIN_KEY_BYTES


def test_demo_key_only_for_the_demo_generators_unchanged_files(tmp_path, monkeypatch):
    monkeypatch.delenv("TEST_UPPF_NYCKEL", raising=False)
    cfg = _config(tmp_path, demo=True)
    listed = demo_file(tmp_path / "demo")
    assert pnr.load_key(cfg, source=listed) == pnr.DEMO_KEY

    other = listed.parent / "riktig_export.csv"
    other.write_text("Personnummer\r\n640823-3234\r\n", encoding="utf-8")
    with pytest.raises(pnr.PseudonymKeyError, match="riktig_export.csv finns inte i förteckningen _demofiler.json"):
        pnr.load_key(cfg, source=other)

    listed.write_text(listed.read_text(encoding="utf-8") + "640823-3234;Åsa\r\n", encoding="utf-8")
    with pytest.raises(pnr.PseudonymKeyError, match="har ändrats sedan demogeneratorn skapade den"):
        pnr.load_key(cfg, source=listed)

    elsewhere = tmp_path / "ingen_lista" / "arenden.csv"
    elsewhere.parent.mkdir()
    elsewhere.write_text("Personnummer\r\n", encoding="utf-8")
    with pytest.raises(pnr.PseudonymKeyError, match="ingen förteckning över demofiler") as err:
        pnr.load_key(cfg, source=elsewhere)
    assert "demo: false" in str(err.value) and "TEST_UPPF_NYCKEL" in str(err.value)
    with pytest.raises(pnr.PseudonymKeyError, match="källfilen är inte angiven"):
        pnr.load_key(cfg)


def test_demo_key_given_as_the_real_key_is_still_only_for_demo_files(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_UPPF_NYCKEL", pnr.DEMO_KEY.decode())
    real = tmp_path / "export.csv"
    real.write_text("Personnummer\r\n", encoding="utf-8")
    with pytest.raises(pnr.PseudonymKeyError, match="Demonyckeln får bara användas"):
        pnr.load_key(_config(tmp_path, demo=False), source=real)


def test_personnummer_in_free_text_is_found():
    assert pnr.contains_personnummer("Ring 640823-3234 om detta", REF)
    assert not pnr.contains_personnummer("Ärende 2025000123", REF)  # month 50: not a date
    assert not pnr.contains_personnummer("640823-3235", REF)  # wrong check digit


def test_the_texts_holding_a_personnummer_are_found_among_many_in_any_digits():
    """Arrow sieves the ASCII texts, Python's regular expression the others (Unicode digits, a lone surrogate
    Arrow cannot hold): the texts found are those `contains_personnummer` finds, worked out by hand here."""
    arabic = "\u0666\u0664\u0660\u0668\u0662\u0663-\u0663\u0662\u0663\u0664"
    full_width = "\uff16\uff14\uff10\uff18\uff12\uff13\uff13\uff12\uff13\uff14"
    holding = ["Ring 640823-3234 om detta", "196408233234", f"se {arabic} här", full_width,
               "två: 640823-3235 och 701063-2391", "6408233234 5"]
    not_holding = ["640823-3235", "Ärende 2025000123", "tel 070-1234567", "1964082332345", "x19640823+3234y",
                   "abc", "", "ÅÄÖ utan siffror", f"{arabic}5"]  # '+' belongs to the ten-digit form only
    assert pnr.texts_with_personnummer(holding + not_holding, REF) == set(holding)
    assert pnr.texts_with_personnummer(["\ud800 640823-3234", "\ud800 nej"], REF) == {"\ud800 640823-3234"}
    assert pnr.texts_with_personnummer([], REF) == set()


def test_pseudonyms_are_hashed_once_per_process_in_one_batch(monkeypatch):
    key = b"p" * 32
    numbers = ["196408233234", None, "197010632391", "196408233234"]
    first, second = pnr.pseudonym("196408233234", key), pnr.pseudonym("197010632391", key)
    calls = []
    real = pnr.keyed_hashes
    monkeypatch.setattr(pnr, "keyed_hashes", lambda k, items: calls.append(list(items)) or real(k, items))
    out = pnr._pseudonyms(numbers, key)
    assert out == [first, None, second, first]
    assert calls == [[b"196408233234", b"197010632391"]]  # each new number once, in one call
    assert pnr._pseudonyms(["197010632391", "191212121212"], key)[0] == out[2]
    assert calls[1:] == [[b"191212121212"]]  # only the new one
    assert pnr._pseudonyms(["196408233234"], b"q" * 32) != [out[0]]  # another key, another pseudonym


def test_parse_series_types_its_columns_and_keeps_the_index():
    s = pd.Series(["640823-3234", None, "640823-3235", "640823-3234"], dtype="string", index=[5, 6, 7, 8])
    out = pnr.parse_series(s, b"k" * 32, REF)
    assert list(out.index) == [5, 6, 7, 8]
    assert {c: str(t) for c, t in out.dtypes.items()} == {
        "client_id": "string", "birth_year": "Int64", "birth_day": "Int64", "sex": "string", "id_type": "string",
        "reason": "string"}
    assert out["birth_year"].tolist()[::3] == [1964, 1964] and out["sex"].tolist()[::3] == ["man", "man"]
    assert out.loc[6].isna().all() and out.loc[7, "reason"] == pnr.R_CHECK and pd.isna(out.loc[7, "client_id"])


def test_a_value_parsed_once_in_the_process_is_not_parsed_again_and_the_results_stay_right(monkeypatch):
    s = pd.Series(["640823-3234", "701063-2391", None, "640823-3235"], dtype="string", index=[10, 11, 12, 13])
    first = pnr.parse_series(s, b"k" * 32, REF)
    fresh = []
    real = pnr._parse_fresh
    monkeypatch.setattr(pnr, "_parse_fresh", lambda texts, ref: fresh.append(list(texts)) or real(texts, ref))
    again = pnr.parse_series(s.set_axis([0, 1, 2, 3]), b"k" * 32, REF)  # the same column of another table
    assert fresh == [] and list(again.index) == [0, 1, 2, 3]
    pd.testing.assert_frame_equal(again.set_axis(first.index), first)
    again.loc[0, "client_id"] = "ändrad"  # the caller's copy: the next one is as parsed
    assert pnr.parse_series(s, b"k" * 32, REF).loc[10, "client_id"] == first.loc[10, "client_id"]
    mixed = pd.Series(["701063-2391", " 6408 23-3234 ", "19640823-3234", "121212-1212"], dtype="string")
    out = pnr.parse_series(mixed, b"k" * 32, REF)
    assert fresh == [["19640823-3234", "121212-1212"]]  # only what was not parsed before (spaces do not count)
    assert out.loc[1, "client_id"] == out.loc[2, "client_id"] == first.loc[10, "client_id"]
    assert list(out["reason"].isna()) == [True, True, True, True]
    assert pnr.parse_series(s, b"n" * 32, REF).loc[10, "client_id"] != first.loc[10, "client_id"]  # another key
    assert first.loc[10, "birth_year"] == 1964  # another reference date: born a century earlier
    assert pnr.parse_series(s, b"k" * 32, dt.date(1964, 1, 1)).loc[10, "birth_year"] == 1864
    assert pnr.parse_series(s, b"k" * 32, REF).loc[10, "birth_year"] == 1964


def test_a_number_written_in_other_digits_is_the_same_person():
    """Unicode digits (Arabic-Indic, full-width) are digits to the format rule: the number, and so the pseudonym,
    is the one the ASCII digits give (such a value used to stop the import when it was pseudonymised)."""
    s = pd.Series(["640823-3234", "\u0666\u0664\u0660\u0668\u0662\u0663-\u0663\u0662\u0663\u0664",
                   "\uff16\uff14\uff10\uff18\uff12\uff13\uff13\uff12\uff13\uff14"], dtype="string")
    out = pnr.parse_series(s, b"k" * 32, REF)
    assert out["reason"].isna().all() and out["client_id"].nunique() == 1
    assert pnr.parse(s[1], REF).number == pnr.parse(s[2], REF).number == "196408233234"


def test_keyed_hashes_are_hmac_sha256_for_every_length_of_key_and_value():
    import random
    rng = random.Random(3)
    for length in (0, 1, 32, 63, 64, 65, 200):
        key = bytes(rng.randrange(256) for _ in range(length))
        values = [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 150))) for _ in range(50)]
        expected = [hmac.new(key, v, hashlib.sha256).hexdigest() for v in values]
        assert pnr.keyed_hashes(key, values) == expected
        assert pnr.keyed_hash(key, values[0]) == expected[0]


def test_values_parsed_in_several_threads_at_once_get_their_own_results(monkeypatch):
    """The process's parsed values are shared by its threads: each call still gets the fields of its own values."""
    import sys
    import threading
    monkeypatch.setattr(pnr, "_KNOWN", {})
    ref = dt.date(2025, 12, 31)
    batches = [[f"19{y:02d}0{m}1{d}-00{t}{pnr.luhn_check_digit(f'{y:02d}0{m}1{d}00{t}')}" for d in range(10)
                for t in range(10)] for y in range(40, 80) for m in range(1, 4)]
    results = [None] * len(batches)

    def work(i):
        results[i] = pnr.parse_many(batches[i], ref)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(batches))]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # let the threads take turns often
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    for batch, out in zip(batches, results):
        assert [list(r) for r in out.itertuples(index=False)] == [_fields(pnr.parse(v, ref)) for v in batch]
