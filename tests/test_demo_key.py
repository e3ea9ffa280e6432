"""The documented demo key is public: the import uses it only for the files the demo generator made, unchanged."""
import hashlib
import json
import shutil

import pytest

from helpers import personnummer as pnr
from helpers.collect.importing import import_file
from helpers.demo import FILES, generate
from helpers.manifest import MANIFEST_NAME


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = tmp_path_factory.mktemp("nyckel") / "data"
    generate(data, periods=("2025",), clients=20)
    return data


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch):
    monkeypatch.delenv("UPPFOLJNING_NYCKEL", raising=False)


def test_generator_lists_every_export_with_its_sha256(demo):
    raw = demo / "raw" / "2025"
    listed = json.loads((raw / MANIFEST_NAME).read_text(encoding="utf-8"))["filer"]
    assert sorted(listed) == sorted(FILES)
    for name, digest in listed.items():
        assert hashlib.sha256((raw / name).read_bytes()).hexdigest() == digest


def test_a_generated_file_is_imported_with_the_demo_key(demo):
    result = import_file("clients", demo / "raw" / "2025" / "arenden.csv", "2025", mapping="verksamhetssystem.yml",
                         data_dir=demo, write=False)
    assert result.accepted_rows > 0 and result.accepted["client_id"].notna().all()


def test_an_edited_or_copied_file_is_refused_and_nothing_is_written(demo, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo / "raw", data / "raw")
    source = data / "raw" / "2025" / "arenden.csv"
    with open(source, "ab") as f:
        f.write(b"196408233234;Riktig Person;1;Barn och unga\r\n")
    with pytest.raises(pnr.PseudonymKeyError, match="arenden.csv har ändrats sedan demogeneratorn skapade den"):
        import_file("clients", source, "2025", mapping="verksamhetssystem.yml", data_dir=data)
    elsewhere = tmp_path / "export" / "arenden.csv"
    elsewhere.parent.mkdir()
    shutil.copy(demo / "raw" / "2025" / "arenden.csv", elsewhere)
    with pytest.raises(pnr.PseudonymKeyError, match="ingen förteckning över demofiler"):
        import_file("clients", elsewhere, "2025", mapping="verksamhetssystem.yml", data_dir=data)
    assert not (data / "processed").exists()


def test_regenerating_restores_a_missing_manifest(tmp_path):
    data = tmp_path / "data"
    generate(data, periods=("2025",), clients=20)
    (data / "raw" / "2025" / MANIFEST_NAME).unlink()
    generate(data, periods=("2025",), clients=20)  # files there but no manifest: made again
    assert (data / "raw" / "2025" / MANIFEST_NAME).is_file()
