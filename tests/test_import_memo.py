"""Imports repeated within one process (steps 01-04 in one warm kernel) are not read and checked again, but only
when nothing they depend on changed: the file, the tables their references are checked against, the key."""
import pytest

from helpers.collect import canonical, importing, memo
from helpers.collect import validation as v
from helpers.collect.importing import import_file
from helpers.manifest import write_manifest

from corpus_files import CORPUS, raw_period

MAPPING = CORPUS / "mappning.yml"


@pytest.fixture(autouse=True)
def counted(monkeypatch):
    """Counts the reads and checks actually done; starts and ends with nothing remembered."""
    monkeypatch.delenv("UPPFOLJNING_NYCKEL", raising=False)
    memo.forget()
    calls = []
    real = importing.check_rows

    def check_rows(table, *args, **kwargs):
        calls.append(table)
        return real(table, *args, **kwargs)

    monkeypatch.setattr(importing, "check_rows", check_rows)
    yield calls
    memo.forget()


@pytest.fixture
def raw(tmp_path):
    return raw_period(tmp_path, "arenden_cp1252.csv", "insatser_fel.csv")


def imp(table, raw, name="arenden_cp1252.csv", write=True):
    return import_file(table, raw / name, "2025", mapping=MAPPING, data_dir=raw.parents[1], write=write)


def test_the_same_import_again_is_remembered_and_equal(raw, counted):
    first = imp("clients", raw)
    again = imp("clients", raw)
    assert counted == ["clients"]
    assert again.as_dict() == first.as_dict()
    assert again.accepted.equals(first.accepted) and again.rejected.equals(first.rejected)


def test_a_changed_file_is_read_and_checked_again(raw, counted):
    before = imp("clients", raw)
    lines = (raw / "arenden_cp1252.csv").read_bytes().splitlines(keepends=True)
    (raw / "arenden_cp1252.csv").write_bytes(b"".join(lines[:-1]))  # the last row removed
    write_manifest(raw, list(raw.iterdir()))
    after = imp("clients", raw)
    assert counted == ["clients", "clients"]
    assert after.rows_in == before.rows_in - 1


def test_a_changed_referenced_table_checks_the_references_again(raw, counted):
    imp("clients", raw)
    imp("cases", raw)
    first = imp("interventions", raw, "insatser_fel.csv")
    assert first.reasons[v.R_REF] == 1  # case Ä9 is unknown
    # Without the cases table the references cannot be checked: a different result, not the remembered one.
    (raw.parents[1] / "processed" / "2025" / "cases.parquet").unlink()
    second = imp("interventions", raw, "insatser_fel.csv")
    assert counted.count("interventions") == 2
    assert v.R_REF not in second.reasons
    assert any("kunde inte kontrolleras mot cases" in n for n in second.notes)


def test_another_key_is_another_import(raw, counted, monkeypatch):
    first = imp("clients", raw, write=False)
    monkeypatch.setenv("UPPFOLJNING_NYCKEL", "a" * 64)
    second = imp("clients", raw, write=False)
    assert counted == ["clients", "clients"]
    assert set(first.accepted["client_id"]).isdisjoint(second.accepted["client_id"])


def test_changing_a_result_does_not_change_what_is_remembered(raw, counted):
    first = imp("clients", raw, write=False)
    first.accepted.loc[0, "sex"] = "okänt"
    first.notes.append("ändrad")
    again = imp("clients", raw, write=False)
    assert counted == ["clients"]
    assert "okänt" not in set(again.accepted["sex"]) and "ändrad" not in again.notes


def test_a_failed_import_is_not_remembered(raw, counted, monkeypatch):
    def broken(*args, **kwargs):
        raise canonical.ImportFileError("trasig", "x")

    real = importing.check_rows
    monkeypatch.setattr(importing, "check_rows", broken)
    with pytest.raises(canonical.ImportFileError):
        imp("clients", raw)
    monkeypatch.setattr(importing, "check_rows", real)
    assert imp("clients", raw).accepted_rows == 3



def _files(raw, table):
    processed = raw.parents[1] / "processed" / "2025"
    return processed / f"{table}.parquet", processed / "karantan" / f"{table}.csv"


def _interventions(raw, name="insatser_fel.csv"):
    """Interventions (some rows rejected) after the clients and cases they refer to."""
    imp("clients", raw)
    imp("cases", raw)
    return imp("interventions", raw, name)


def test_a_table_given_again_as_it_is_on_disk_is_not_written_again(raw, counted):
    """Steps 02-04 import again the tables theirs refer to: the same result leaves the files as they are (a file
    written again gets a new inode: the atomic write renames a new file into place)."""
    from helpers.tables import load_table

    first = _interventions(raw)
    table, quarantine = _files(raw, "interventions")
    assert len(first.rejected) and quarantine.exists()
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in (table, quarantine)}
    again = imp("interventions", raw, "insatser_fel.csv")
    assert counted.count("interventions") == 1 and again.as_dict() == first.as_dict()
    assert {p: (p.stat().st_ino, p.read_bytes()) for p in (table, quarantine)} == before
    assert len(load_table(table.parent, "interventions")) == len(first.accepted)


def test_a_table_changed_on_disk_is_written_again(raw, counted):
    from helpers.tables import load_table, write_table

    first = _interventions(raw)
    table, _ = _files(raw, "interventions")
    write_table(table.parent, "interventions", load_table(table.parent, "interventions").iloc[:0])
    imp("interventions", raw, "insatser_fel.csv")
    assert counted.count("interventions") == 1  # the result is remembered; the table is merged and written from it
    assert len(load_table(table.parent, "interventions")) == len(first.accepted) == 1


def test_a_quarantine_changed_on_disk_is_written_again(raw, counted):
    first = _interventions(raw)
    _, quarantine = _files(raw, "interventions")
    text = quarantine.read_text(encoding="utf-8-sig")
    quarantine.unlink()
    imp("interventions", raw, "insatser_fel.csv")
    assert quarantine.read_text(encoding="utf-8-sig") == text and len(first.rejected)


def test_a_table_from_two_sources_is_merged_as_before(raw, counted):
    """Only a table whose every row came from the one result given again is left as it is."""
    from helpers.tables import load_table

    header = (raw / "insatser_fel.csv").read_bytes().splitlines()[0]
    (raw / "insatser_b.csv").write_bytes(header + b"\r\n640823-3234;I20;\xc41;barn_unga;HVB;2025-03-01;;\r\n")
    write_manifest(raw, list(raw.iterdir()))
    first = _interventions(raw)
    second = imp("interventions", raw, "insatser_b.csv")
    table, _ = _files(raw, "interventions")
    merged = load_table(table.parent, "interventions")
    assert set(merged["import_source"]) == {"insatser_fel.csv", "insatser_b.csv"}
    assert len(merged) == len(first.accepted) + len(second.accepted) == len(first.accepted) + 1
    imp("interventions", raw, "insatser_fel.csv")  # the first source again: the other source's row stays
    assert load_table(table.parent, "interventions").equals(merged)


def test_a_table_whose_rows_all_came_from_the_source_imported_is_not_read(raw, counted, monkeypatch):
    """Its source column tells: the source's new rows replace all of it (the same table as when it was read)."""
    from helpers.collect import batch
    from helpers.tables import load_table

    _interventions(raw)
    table, _ = _files(raw, "interventions")
    written = load_table(table.parent, "interventions")
    monkeypatch.setattr(batch, "_ON_DISK", {})  # another process: it knows nothing of the files
    memo.forget()
    loads = []
    monkeypatch.setattr(batch, "load_table", lambda folder, name: loads.append(name) or load_table(folder, name))
    imp("interventions", raw, "insatser_fel.csv")
    assert "interventions" not in loads and "cases" in loads  # cases: the references are checked against it
    assert load_table(table.parent, "interventions").equals(written)


def test_a_table_one_result_gave_is_fingerprinted_by_that_result_in_every_batch(raw, counted, monkeypatch):
    """Added in this batch or found on disk as this process wrote it: the same digest, from the result's memo
    key, without hashing the rows; a table changed on disk is hashed."""
    from helpers.collect import batch
    from helpers.config import period_paths
    from helpers.tables import load_table, write_table

    result = imp("clients", raw)
    paths = period_paths("2025", raw.parents[1])
    monkeypatch.setattr(batch, "frame_digest", lambda df: 1 / 0)
    on_disk = batch.Batch(paths).fingerprint("clients")
    added = batch.Batch(paths)
    monkeypatch.setattr(batch, "_ON_DISK", {})  # another process: it adds the result instead
    added.add(result)
    assert added.fingerprint("clients") == on_disk
    write_table(paths.processed, "clients", load_table(paths.processed, "clients").iloc[:1])
    monkeypatch.setattr(batch, "frame_digest", lambda df: "hashed")
    assert batch.Batch(paths).fingerprint("clients") == "hashed"


def test_a_result_added_again_to_a_batch_leaves_it_as_once_and_another_result_replaces_it(raw, counted, monkeypatch):
    """Work ahead imports a table's references into a step's batch again for every source it checks: the same
    result is not merged and sorted again, and the batch is what one adding gave."""
    from helpers.collect import batch

    result = imp("clients", raw, write=False)
    paths = importing.period_paths("2025", raw.parents[1])
    once, twice = batch.Batch(paths), batch.Batch(paths)
    once.add(result)
    twice.add(result)
    sort = batch.sorted_rows
    monkeypatch.setattr(batch, "sorted_rows", lambda *a: 1 / 0)  # not merged and sorted again
    twice.add(result)
    assert twice.tables["clients"].equals(once.tables["clients"]) and len(twice.results) == 2
    assert twice.quarantine["clients"].equals(once.quarantine["clients"])
    monkeypatch.setattr(batch, "sorted_rows", sort)
    other = imp("clients", raw, write=False)
    other.memo_key, other.accepted = "en annan", other.accepted.iloc[:1]
    twice.add(other)
    assert len(twice.tables["clients"]) == 1


@pytest.mark.parametrize("sources, groups, statistics", [
    (["a.csv"] * 6, 1, True),                            # one source: known from the statistics alone
    (["a.csv"] * 3 + ["b.xlsx"] * 3, 1, True),           # two: the statistics say so
    (["a.csv"] * 3 + ["b.xlsx"] * 3, 3, True),           # in groups of two rows, one of them mixed
    (["a.csv", None, None, None, "a.csv", "a.csv"], 3, True),  # a group without a value
    (["a.csv"] * 3 + ["b.xlsx"] * 3, 1, False),          # no statistics: read from the column
])
def test_which_sources_a_processed_table_came_from(tmp_path, sources, groups, statistics):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from helpers.collect.batch import SOURCE_COLUMN, _sources_in
    path = tmp_path / "cases.parquet"
    table = pa.table({"case_id": [str(i) for i in range(6)], SOURCE_COLUMN: pa.array(sources, pa.string())})
    pq.write_table(table, path, row_group_size=6 // groups, write_statistics=statistics)
    names, found = _sources_in(path)
    assert names == ["case_id", SOURCE_COLUMN]
    truth = {s for s in sources if s is not None}
    assert found == truth  # at most two sources here: the statistics give them all
