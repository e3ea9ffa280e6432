"""Content hashes and the decision to skip a step, without running anything."""
from pathlib import Path

from helpers.config import load_config
from helpers.run import fingerprint as fp
from helpers.run.settings import DEFAULT_CELL_TIMEOUT_S, run_settings
from runner_fakes import config_copy

ORDER = ["01", "02", "03"]


def _tree(root: Path, files: dict[str, str]) -> dict[str, Path]:
    roots = {"raw": root / "raw", "ut": root / "ut"}
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return roots


def _record(before: fp.Manifest, after: fp.Manifest, static="s") -> dict:
    return {"status": "klar", "statiskt": static, "start": before.hashes, "skrivna": after.changed_since(before)}


def test_manifest_leaves_out_hidden_files_and_named_top_level_entries(tmp_path):
    roots = _tree(tmp_path, {"raw/2025/a.csv": "1", "ut/x.txt": "2", "ut/.tmp": "3", "ut/notebooks/k.json": "4",
                             "ut/sub/.hidden/y": "5"})
    m = fp.manifest(roots, frozenset({"notebooks"}))
    assert set(m.hashes) == {"raw/2025/a.csv", "ut/x.txt"}
    assert m.hashes["ut/x.txt"] == fp.file_hash(tmp_path / "ut" / "x.txt")


def test_a_walk_takes_links_to_files_but_not_into_folders_sorted_by_path_and_opens_known_files_once(tmp_path,
                                                                                                    monkeypatch):
    """As Path.rglob with is_file: a link to a file counts, a link to a folder is not entered; the files come sorted
    by path (a folder "a" before a file "a.txt"); a file this process has hashed is not opened again unchanged."""
    import hashlib

    from helpers import filehash

    roots = _tree(tmp_path, {"raw/a/2.csv": "2", "raw/a.txt": "1", "raw/b/c/3.csv": "3", "raw/__pycache__/x": "4",
                             "elsewhere/4.csv": "4", "elsewhere/d/5.csv": "5"})
    (roots["raw"] / "länk.csv").symlink_to(tmp_path / "elsewhere" / "4.csv")
    (roots["raw"] / "mapp").symlink_to(tmp_path / "elsewhere" / "d", target_is_directory=True)
    expected = [p.relative_to(roots["raw"]).as_posix() for p in sorted(roots["raw"].rglob("*")) if p.is_file()]
    assert [key[4:] for key in fp.manifest(roots).hashes] == expected == [
        "__pycache__/x", "a/2.csv", "a.txt", "b/c/3.csv", "länk.csv"]
    assert [rel for rel, _ in fp.tree(roots["raw"])] == [rel for rel in expected if not rel.startswith("__")]
    assert fp.manifest(roots).hashes["raw/länk.csv"] == fp.file_hash(tmp_path / "elsewhere" / "4.csv")

    opened = []
    real_open = open
    monkeypatch.setattr(filehash, "open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k), raising=False)
    fp.manifest(roots)
    assert opened == []
    (roots["raw"] / "a.txt").write_text("ändrad", encoding="utf-8")
    assert fp.manifest(roots).hashes["raw/a.txt"] == hashlib.sha256("ändrad".encode("utf-8")).hexdigest()
    assert [Path(p).name for p in opened] == ["a.txt"]


def test_a_step_is_skipped_only_when_its_inputs_and_outputs_are_as_they_were(tmp_path):
    roots = _tree(tmp_path, {"raw/2025/a.csv": "rådata"})
    executed = tmp_path / "01.ipynb"
    executed.write_text("{}")
    before = fp.manifest(roots)
    _tree(tmp_path, {"ut/steg1.txt": "resultat"})  # what step 01 wrote
    after = fp.manifest(roots)
    records = {"01": _record(before, after)}
    assert after.changed_since(before) == {"ut/steg1.txt": after.hashes["ut/steg1.txt"]}

    # Rerun: the file the step itself wrote is not an input, so its presence now does not count.
    now = fp.manifest(roots)
    assert fp.why_not_skip("01", ORDER, records, "s", now, executed) is None
    assert "ändrats" in fp.why_not_skip("01", ORDER, records, "annat", now, executed)
    assert "saknas" in fp.why_not_skip("01", ORDER, records, "s", now, tmp_path / "borta.ipynb")
    assert fp.why_not_skip("02", ORDER, records, "s", now, executed) == "ingen lyckad körning att jämföra med"

    _tree(tmp_path, {"ut/steg1.txt": "ändrat för hand"})
    assert "utdata har ändrats" in fp.why_not_skip("01", ORDER, records, "s", fp.manifest(roots), executed)
    _tree(tmp_path, {"ut/steg1.txt": "resultat", "raw/2025/a.csv": "nya rådata"})
    reason = fp.why_not_skip("01", ORDER, records, "s", fp.manifest(roots), executed)
    assert reason.startswith("indata har ändrats: raw/2025/a.csv")


def test_files_a_later_step_writes_are_not_inputs_of_an_earlier_one(tmp_path):
    roots = _tree(tmp_path, {"raw/x": "1"})
    executed = tmp_path / "n.ipynb"
    executed.write_text("{}")
    start1 = fp.manifest(roots)
    records = {"01": _record(start1, start1)}
    _tree(tmp_path, {"ut/steg3.txt": "3"})
    records["03"] = _record(start1, fp.manifest(roots))
    assert fp.why_not_skip("01", ORDER, records, "s", fp.manifest(roots), executed) is None


def test_same_outputs_compares_the_files_left_behind(tmp_path):
    roots = _tree(tmp_path, {"ut/a": "1"})
    before = fp.manifest(roots)
    _tree(tmp_path, {"ut/a": "2"})
    after = fp.manifest(roots)
    rec = _record(before, after)
    _tree(tmp_path, {"ut/a": "2"})  # rewritten with the same content
    again = fp.manifest(roots)
    assert fp.same_outputs(again.changed_since(after), again, rec)
    _tree(tmp_path, {"ut/a": "3"})
    changed = fp.manifest(roots)
    assert not fp.same_outputs(changed.changed_since(after), changed, rec)
    assert not fp.same_outputs({}, again, None)


def test_config_digest_ignores_the_korning_section_but_not_texts(tmp_path):
    plain = load_config(config_copy(tmp_path / "a"))
    with_korning = load_config(config_copy(tmp_path / "b", "korning:\n  cell_timeout_s: 5\n"))
    assert fp.config_digest(plain) == fp.config_digest(with_korning)
    text = tmp_path / "a" / "texter" / "exempelkommun" / "2025" / "inledning.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nEn ny mening.", encoding="utf-8")
    assert fp.config_digest(load_config(plain.path)) != fp.config_digest(with_korning)


def test_korning_settings_are_read_defensively():
    assert run_settings({}).cell_timeout_s == DEFAULT_CELL_TIMEOUT_S
    assert run_settings({"korning": {"cell_timeout_s": 30}}).cell_timeout_s == 30
    assert run_settings({"korning": {"cell_timeout_s": "1,5"}}).cell_timeout_s == 1.5
    assert run_settings({"korning": {"cell_timeout_s": 0}}).cell_timeout_s is None
    assert run_settings({"korning": {"cell_timeout_s": 30}}, cell_timeout=7).cell_timeout_s == 7
    bad = run_settings({"korning": {"cell_timeout_s": "länge"}})
    assert bad.cell_timeout_s == DEFAULT_CELL_TIMEOUT_S and "korning.cell_timeout_s" in bad.warnings[0]
    assert "tabell" in run_settings({"korning": "ja"}).warnings[0]


def test_an_annex_depends_on_every_published_file_but_the_workbook(tmp_path):
    from helpers.config import DEFAULT_CONFIG
    from helpers.run.annex_job import static_digest
    from helpers.run.index_page import WORKBOOK

    publication = tmp_path / WORKBOOK[0]
    (publication / "indikatorer").mkdir(parents=True)
    (publication / "celler.parquet").write_bytes(b"celler")
    (publication / "indikatorer" / "a.parquet").write_bytes(b"a")
    params = {"config": str(DEFAULT_CONFIG), "unit": None}
    before = static_digest(params, ["html", "pdf"], publication)
    (publication / WORKBOOK[1]).write_bytes(b"written while the annex is rendered")
    assert static_digest(params, ["html", "pdf"], publication) == before
    # the workbook's temporary file while it is being written (it may be gone before it could be read)
    (publication / ".indikatorer.k3j9x.tmp").write_bytes(b"half a workbook")
    assert static_digest(params, ["html", "pdf"], publication) == before
    (publication / "indikatorer" / "a.parquet").write_bytes(b"b")
    assert static_digest(params, ["html", "pdf"], publication) != before
