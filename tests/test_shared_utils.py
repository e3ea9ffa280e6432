"""Shared utilities: console output that survives cp1252, Excel-friendly CSV, locked files, notebook tables."""
from __future__ import annotations

import io
import os

import pandas as pd
import pytest

from helpers.console import say
from helpers.formatting import display_table
from helpers.atomic import FileWriteError
from helpers.tables import write_atomic, write_excel_csv


def test_say_replaces_what_cp1252_cannot_show():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252")
    say("karantän → 3 rader ≥ 5", file=stream)
    stream.flush()
    assert raw.getvalue().decode("cp1252") == "karantän ? 3 rader ? 5\n"


def test_excel_csv_has_bom_semicolon_and_decimal_comma(tmp_path):
    path = write_excel_csv(pd.DataFrame({"Område": ["Åre", "Öland"], "Andel": [0.5, 0.25]}), tmp_path / "x.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["Område;Andel", "Åre;0,5", "Öland;0,25"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_folder_gives_swedish_message_naming_the_file(tmp_path):
    folder = tmp_path / "ut"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(FileWriteError, match=r"ut/t\.parquet kunde inte skrivas"):
            write_atomic(pd.DataFrame({"a": [1]}), folder / "t.parquet")
    finally:
        folder.chmod(0o700)


def test_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "t.parquet"
    write_atomic(pd.DataFrame({"a": [1]}), target)

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(FileWriteError, match="öppen i ett annat program"):
        write_atomic(pd.DataFrame({"a": [2]}), target)
    monkeypatch.undo()
    assert pd.read_parquet(target)["a"].tolist() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_display_table_uses_swedish_formats_and_no_index():
    df = pd.DataFrame({"Grupp": ["a", None], "Andel (%)": [0.759537, None], "Antal": [5793.0, 3.0]})
    html = display_table(df, shares=["Andel (%)"]).to_html()
    for shown in ("76\u00a0%", "5\u00a0793", ">–<", ">3<"):
        assert shown in html
    for hidden in ("0.759537", "5793.0", "nan", "NaN", "row_heading"):
        assert hidden not in html


def test_a_file_is_hashed_once_per_version_and_again_whenever_it_changes(tmp_path, monkeypatch):
    import hashlib

    from helpers import filehash
    from helpers.atomic import write_text_atomic

    opened = []
    real = hashlib.sha256
    monkeypatch.setattr(filehash.hashlib, "sha256", lambda *a: opened.append(1) or real(*a))
    path = tmp_path / "arenden.csv"
    path.write_bytes(b"aaaa")
    assert filehash.file_hash(path) == real(b"aaaa").hexdigest()
    assert filehash.file_hash(path) == real(b"aaaa").hexdigest() and len(opened) == 1  # the same version
    # Changed in place with the same size and its modification time put back: the change time still differs.
    before = os.stat(path)
    with open(path, "r+b") as fh:
        fh.write(b"bbbb")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert filehash.file_hash(path) == real(b"bbbb").hexdigest()
    write_text_atomic(path, "cccc")  # replaced, as every write here does
    assert filehash.file_hash(path) == real(b"cccc").hexdigest() and len(opened) == 3


def test_the_processes_of_a_run_share_a_files_hash_and_a_changed_file_is_hashed_again(tmp_path, monkeypatch):
    import hashlib
    import multiprocessing

    from helpers import filehash
    from helpers.atomic import write_text_atomic
    from helpers.sharing import SHARED_ENV

    folder = tmp_path / "delat"
    folder.mkdir()
    monkeypatch.setenv(SHARED_ENV, str(folder))
    path = tmp_path / "insatser.csv"
    path.write_bytes(b"aaaa")
    with multiprocessing.get_context("fork").Pool(1) as pool:  # another process of the run hashes it first
        assert pool.apply(filehash.file_hash, (path,)) == hashlib.sha256(b"aaaa").hexdigest()
    monkeypatch.setattr(filehash, "_hash", lambda fh: pytest.fail("hashed again"))
    assert filehash.file_hash(path) == hashlib.sha256(b"aaaa").hexdigest()  # read from the run's folder
    monkeypatch.undo()
    monkeypatch.setenv(SHARED_ENV, str(folder))
    write_text_atomic(path, "bbbb")
    assert filehash.file_hash(path) == hashlib.sha256(b"bbbb").hexdigest()
    for shared in folder.iterdir():  # a spoilt entry is not taken for a hash
        shared.write_text("x")
    filehash._known.clear()
    assert filehash.file_hash(path) == hashlib.sha256(b"bbbb").hexdigest()
    monkeypatch.delenv(SHARED_ENV)
    filehash._known.clear()
    assert filehash.file_hash(path) == hashlib.sha256(b"bbbb").hexdigest()  # without a run: hashed here
