"""Mapping files: checked as a whole with Swedish messages naming the file, the key and what is expected;
`mapping suggest` writes a skeleton a new user can fill in, `mapping check` tells what would be rejected."""
import json
from pathlib import Path

import pytest
import yaml

from helpers.cli import main as cli_main
from helpers.collect.mapping import MappingError, load_mapping
from helpers.collect.suggest import suggest_mapping
from helpers.config import PROJECT_ROOT
from keyless_export import TEST_KEY

CORPUS = Path(__file__).parent / "corpus"
EXPORT = ("Personnummer;Enhet;Insats;Startdatum;Slutdatum;Avslutsorsak;Kostnad kr;Samtycke\r\n"
          "640823-3234;Barn och unga;HVB;2025-01-10;2025-06-30;avbrott;12 345,50;Ja\r\n"
          "850412-2287;Vuxenenheten;Familjehem;2025-02-01;;Avbruten;;Ja – muntligt\r\n"
          "850412-2287;Barn och unga;Simskola;2025-03-01;;;;Nej\r\n")


@pytest.fixture(autouse=True)
def a_test_key(monkeypatch):
    """Files written by a test are not the demo generator's: they are pseudonymised with a key of their own."""
    monkeypatch.setenv("UPPFOLJNING_NYCKEL", TEST_KEY)


def write_mapping(tmp_path, data, name="m.yml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True) if not isinstance(data, str) else data,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("data, expected", [
    ({"tabeller": {"interventions": {"rubrikrad": "två"}}},
     "tabeller → interventions → rubrikrad: ska vara radnumret för rubrikraden"),
    ({"tabeller": {"interventions": {"kolumner": ["Personnummer"]}}},
     "tabeller → interventions → kolumner: ska vara en tabell med nyckel: värde"),
    ({"tabeller": {"interventions": {"kolumn": {"A": "start"}}}},
     "tabeller → interventions → kolumn: okänd nyckel. Tillåtna nycklar här: fil, ark, rubrikrad, kolumner"),
    ({"tabeller": {"interventions": {"koder": {"type": {"Familjehem": True}}}}},
     "koder → type → Familjehem: läses som ja/nej-värdet true; skriv det inom citattecken"),
    ({"tabeller": {"insatser": {}}}, "tabeller → insatser: okänd tabell. Kända tabeller: clients"),
    ({"tabeller": {"interventions": {"kolumner": {"Start": "startdatum"}}}},
     "kolumner → Start: 'startdatum' är inte en kolumn i interventions"),
    ({"tabeller": {"interventions": {"nyckel": {"kolumner": "Personnummer", "id": "start"}}}},
     "nyckel → kolumner: ska vara en lista"),
    ({"tabeller": {"interventions": {"nyckel": {"kolumner": ["Personnummer"], "id": "start"}}}},
     "nyckel → id: 'start' är inte en id-kolumn i interventions"),
    ({"filformat": {"decimal": ";"}, "tabeller": {}}, "filformat → decimal: ska vara \",\""),
    ({"filformat": {"encoding": "ascii-ish"}, "tabeller": {}}, "filformat → encoding: ska vara en teckenkodning"),
    ({"tabeller": None}, "tabeller: ska vara en tabell med nyckel: värde"),
    ({"namn": "x"}, "tabeller: saknas"),
    ("- a\n- b\n", "ska vara en YAML-tabell"),
    ("tabeller: {a: [\n", "är inte giltig YAML (rad 2"),
])
def test_faulty_mappings_are_refused_naming_file_key_and_expectation(tmp_path, data, expected):
    path = write_mapping(tmp_path, data)
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert "Mappningsfilen m.yml" in str(info.value) and expected in str(info.value)
    assert info.value.file == str(path)


def test_several_faults_are_listed_together(tmp_path):
    path = write_mapping(tmp_path, {"tabeller": {"interventions": {"rubrikrad": 0, "ark": {"a": 1},
                                                                   "kolumner": {"A": None}}}})
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    lines = str(info.value).splitlines()
    assert lines[0] == "Mappningsfilen m.yml har 3 fel:"
    assert sorted(line.split(":")[0] for line in lines[1:]) == [
        "  - tabeller → interventions → ark", "  - tabeller → interventions → kolumner → A",
        "  - tabeller → interventions → rubrikrad"]


CODES = """\
namn: Kodtest
tabeller:
  interventions:
    kolumner: {Personnummer: personnummer, Typ: type, Start: start}
    koder:
      type:
        010: HVB
        0114: familjehem
        Öppen: 007
        1e3: jourhem
        1: kontaktfamilj
    fasta: {provider_type: 1_000}
"""


def line_of(path: Path, text: str) -> int:
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def mapping_error(path: Path) -> str:
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert info.value.file == str(path)
    return str(info.value)


def test_unquoted_codes_that_yaml_reads_as_other_numbers_are_refused_with_their_line(tmp_path):
    path = write_mapping(tmp_path, CODES)
    lines = mapping_error(path).splitlines()
    # 010 is octal 8, 0114 octal 76, 007 is 7 and 1_000 is 1000: four faults, in the order of the file.
    # 1e3 (not a number to YAML 1.1) and 1 (reads back as "1") are what the file says.
    assert lines == [
        "Mappningsfilen m.yml har 4 fel:",
        '  - tabeller → interventions → koder → type → 010: skriv nyckeln inom citattecken: "010": (utan '
        f"citattecken läser YAML 010 som talet 8) (rad {line_of(path, '010: HVB')})",
        '  - tabeller → interventions → koder → type → 0114: skriv nyckeln inom citattecken: "0114": (utan '
        f"citattecken läser YAML 0114 som talet 76) (rad {line_of(path, '0114:')})",
        '  - tabeller → interventions → koder → type → Öppen: skriv värdet inom citattecken: "007" (utan '
        f"citattecken läser YAML 007 som talet 7) (rad {line_of(path, 'Öppen:')})",
        '  - tabeller → interventions → fasta → provider_type: skriv värdet inom citattecken: "1_000" (utan '
        f"citattecken läser YAML 1_000 som talet 1000) (rad {line_of(path, 'fasta:')})"]
    quoted = write_mapping(tmp_path, CODES.replace("010:", '"010":').replace("0114:", '"0114":')
                           .replace("007", '"007"').replace("1_000", '"1_000"'), "quoted.yml")
    codes = load_mapping(quoted).for_table("interventions").codes["type"]
    assert codes == {"010": "HVB", "0114": "familjehem", "Öppen": "007", "1e3": "jourhem", "1": "kontaktfamilj"}


def test_a_header_row_written_with_a_leading_zero_is_still_a_row_number(tmp_path):
    path = write_mapping(tmp_path, "tabeller:\n  interventions:\n    rubrikrad: 02\n")
    assert load_mapping(path).for_table("interventions").header_row == 2


def test_a_key_written_twice_is_refused_naming_both_lines(tmp_path):
    path = write_mapping(tmp_path, "tabeller:\n  interventions:\n    kolumner: {Start: start}\n"
                                   "    koder: {type: {HVB: HVB}}\n    kolumner: {Typ: type}\n")
    assert mapping_error(path) == (
        "Mappningsfilen m.yml: nyckeln 'kolumner' står två gånger i avsnittet tabeller → interventions "
        "(rad 3 och rad 5). Ta bort den ena; annars gäller bara den sista.")
    codes = write_mapping(tmp_path, CODES.replace("1: kontaktfamilj", "Öppen: oppenvard"), "codes.yml")
    assert (f"nyckeln 'Öppen' står två gånger i avsnittet tabeller → interventions → koder → type "
            f"(rad {line_of(codes, 'Öppen: 007')} och rad {line_of(codes, 'Öppen: oppenvard')})") \
        in mapping_error(codes)


def test_every_fault_names_its_line(tmp_path):
    path = write_mapping(tmp_path, """\
namn: Radtest
filformat:
  decimal: ";"
tabeller:
  insatser: {}
  interventions:
    rubrikrad: två
    kolumner:
      Start: startdatum
    nyckel: {kolumner: Personnummer}
""")
    assert mapping_error(path).splitlines()[1:] == [
        "  - filformat → decimal: ska vara \",\" (decimalkomma) eller \".\" (decimalpunkt) (rad 3)",
        "  - tabeller → interventions → rubrikrad: ska vara radnumret för rubrikraden (ett heltal, 1 eller mer) "
        "eller auto (rad 7)",
        "  - tabeller → interventions → nyckel → kolumner: ska vara en lista, t.ex. [A, B] (nu 'Personnummer') "
        "(rad 10)"]
    # Table and column names are checked once the format is right; they name their lines too.
    fixed = write_mapping(tmp_path, path.read_text(encoding="utf-8").replace('";"', '","')
                          .replace("två", "2").replace("kolumner: Personnummer", "kolumner: [Personnummer]"), "f.yml")
    faults = mapping_error(fixed)
    assert "tabeller → insatser: okänd tabell. Kända tabeller: clients" in faults and "(rad 5)" in faults
    assert "kolumner → Start: 'startdatum' är inte en kolumn i interventions" in faults and "(rad 9)" in faults
    assert mapping_error(write_mapping(tmp_path, "\n- a\n- b\n", "list.yml")).endswith("(nu en lista, rad 2).")
    assert "är inte giltig YAML (rad 3, kolumn 1): ett avsnitt inom { } saknar" in \
        mapping_error(write_mapping(tmp_path, "tabeller:\n  a: {b: 1\n", "syntax.yml"))
    shipped = load_mapping(PROJECT_ROOT / "config" / "mappings" / "verksamhetssystem.yml")
    with pytest.raises(MappingError, match=r"beskriver inte tabellen 'incidents' \(tabellerna står under "
                       rf"'tabeller' på rad {line_of(shipped.path, 'tabeller:')}\)"):
        shipped.for_table("incidents")


def test_a_mapping_saved_in_windows_1252_is_read_with_a_note(tmp_path, capsys):
    path = tmp_path / "ansi.yml"
    path.write_bytes("namn: Åsele system\ntabeller:\n  interventions:\n    kolumner: {Typ: type, Start: start}\n"
                     "    koder: {type: {Öppenvård: oppenvard}}\n".encode("cp1252"))
    mapping = load_mapping(path)
    assert mapping.name == "Åsele system"
    assert mapping.for_table("interventions").codes == {"type": {"Öppenvård": "oppenvard"}}
    assert len(mapping.notes) == 1 and "Windows-1252" in mapping.notes[0] and "rad 1" in mapping.notes[0]
    load_mapping(path)
    err = capsys.readouterr().err
    assert err.count("Mappningsfilen ansi.yml är sparad som Windows-1252") == 1  # said once per process
    path.write_bytes("namn: x\ntabeller:\n  interventions:\n    koder: {type: {\x81\x8d: x}}\n".encode("latin-1"))
    assert "varken UTF-8 eller Windows-1252" in mapping_error(path) and "rad 4" in mapping_error(path)


def test_the_shipped_mappings_are_valid():
    for path in sorted((PROJECT_ROOT / "config" / "mappings").glob("*.yml")) + [CORPUS / "mappning.yml"]:
        assert load_mapping(path).tables


def test_wrong_value_types_give_exit_2_and_json_on_stdout(tmp_path, capsys):
    mapping = write_mapping(tmp_path, {"tabeller": {"interventions": {"rubrikrad": [1, 2]}}})
    code = cli_main(["import", "--table", "interventions", "--source", str(CORPUS / "insatser_fel.csv"),
                     "--period", "2025", "--data-dir", str(tmp_path), "--mapping", str(mapping), "--json"])
    captured = capsys.readouterr()
    assert code == 2
    out = json.loads(captured.out)
    assert out["ok"] is False and out["fil"] == str(mapping) and "rubrikrad" in out["error"]
    assert "Traceback" not in captured.err and "Fel: Mappningsfilen m.yml" in captured.err


def test_import_errors_are_json_too(tmp_path, capsys):
    code = cli_main(["import", "--table", "cases", "--source", str(CORPUS / "saknar_kolumn.csv"), "--period",
                     "2025", "--data-dir", str(tmp_path), "--mapping", str(CORPUS / "mappning.yml"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 2 and out["ok"] is False and out["fil"].endswith("saknar_kolumn.csv")
    assert "saknar den obligatoriska kolumnen 'Datum'" in out["error"]
    code = cli_main(["import", "--table", "cases", "--source", str(CORPUS / "arenden_cp1252.csv"), "--period",
                     "2025", "--data-dir", str(tmp_path), "--mapping", str(CORPUS / "mappning.yml"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["ok"] is True and out["accepted"] == 3


def test_suggest_writes_a_commented_skeleton_with_codes_and_a_key(tmp_path):
    src = tmp_path / "insatser.csv"
    src.write_bytes(EXPORT.encode("cp1252"))
    text = suggest_mapping(src, "interventions", {"barn_unga": "Barn och unga", "vuxna": "Vuxna"})
    data = yaml.safe_load(text)
    table = data["tabeller"]["interventions"]
    assert data["filformat"]["encoding"] == "cp1252" and data["filformat"]["delimiter"] == ";"
    assert table["kolumner"] == {"Personnummer": "personnummer", "Enhet": "unit", "Insats": "type",
                                 "Startdatum": "start", "Slutdatum": "end", "Avslutsorsak": "end_reason"}
    assert table["nyckel"] == {"kolumner": ["Personnummer", "Enhet", "Insats", "Startdatum"],
                               "id": "intervention_id"}
    # Values already codes (or their labels) are mapped; the rest are listed with the allowed codes.
    assert table["koder"]["type"] == {"HVB": "HVB", "Familjehem": "familjehem"}
    assert table["koder"]["unit"] == {"Barn och unga": "barn_unga"}
    assert "# \"Simskola\": ?" in text and "tillåtna koder: HVB, familjehem" in text
    assert "# \"Vuxenenheten\": ?" in text and "tillåtna koder: barn_unga, vuxna" in text
    assert "tillåtna koder: planerad, avbrott, annan" in text
    assert table["koder"]["end_reason"] == {"avbrott": "avbrott"}
    assert '# "Avbruten": ?   # ← välj en av koderna ovan (kanske avbrott)' in text
    assert "# \"Kostnad kr\": ?" in text and "# \"Samtycke\": ?" in text
    assert "640823" not in text


def test_suggest_and_check_from_the_command_line(tmp_path, capsys):
    src = tmp_path / "insatser.csv"
    src.write_bytes(EXPORT.encode("cp1252"))
    out = tmp_path / "ny.yml"
    assert cli_main(["mapping", "suggest", str(src), "--table", "interventions", "--output", str(out)]) == 0
    assert "mapping check" in capsys.readouterr().out
    assert cli_main(["mapping", "suggest", str(src), "--table", "interventions", "--output", str(out)]) == 2
    assert "finns redan" in capsys.readouterr().err
    # Vuxenenheten and Simskola are not mapped yet: two rows would be rejected, nothing is written.
    code = cli_main(["mapping", "check", str(out), str(src), "--period", "2025", "--data-dir", str(tmp_path)])
    text = capsys.readouterr().out
    assert code == 1
    assert "interventions: 3 rader in, 1 skulle godkännas, 2 skulle avvisas (67\u00a0%)." in text
    assert "1 × Okänd enhet" in text and "1 × Okänd kod" in text
    assert "rad 3: Okänd enhet – unit = Vuxenenheten" in text
    assert "rad 4: Okänd kod – type = Simskola" in text
    assert "Larm: " in text and "2 rader skulle avvisas" in text
    assert not (tmp_path / "processed").exists()
    # Fill in the codes the skeleton left open: nothing would be rejected.
    fixed = out.read_text(encoding="utf-8").replace('# "Vuxenenheten": ?', '"Vuxenenheten": vuxna_missbruk') \
        .replace('# "Simskola": ?', '"Simskola": oppenvard').replace('# "Avbruten": ?', '"Avbruten": avbrott')
    out.write_text(fixed, encoding="utf-8")
    assert cli_main(["mapping", "check", str(out), str(src), "--period", "2025", "--data-dir", str(tmp_path)]) == 0
    assert "inga rader skulle avvisas" in capsys.readouterr().out


def test_suggest_into_a_folder_it_cannot_write_names_the_output_file(tmp_path, capsys):
    src = tmp_path / "insatser.csv"
    src.write_bytes(EXPORT.encode("cp1252"))
    (tmp_path / "inte_en_mapp").write_text("en fil", encoding="utf-8")
    out = tmp_path / "inte_en_mapp" / "ny.yml"  # its "folder" is a file: nothing can be written there
    assert cli_main(["mapping", "suggest", str(src), "--table", "interventions", "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"Filen {out} kunde inte skrivas" in err and "insatser.csv" not in err


def test_check_without_a_matching_table_asks_for_one(tmp_path, capsys):
    code = cli_main(["mapping", "check", str(CORPUS / "mappning.yml"), str(CORPUS / "insatser_fel.csv")])
    assert code == 2 and "Ange tabellen med --table" in capsys.readouterr().err
    code = cli_main(["mapping", "check", str(CORPUS / "mappning.yml"), str(CORPUS / "insatser_fel.csv"),
                     "--table", "interventions", "--period", "2025", "--data-dir", str(tmp_path)])
    text = capsys.readouterr().out
    assert code == 1 and "interventions: 9 rader in, 2 skulle godkännas, 7 skulle avvisas" in text


def test_a_mapping_that_passed_is_given_again_without_checking_until_its_name_or_bytes_change(tmp_path, monkeypatch,
                                                                                            capsys):
    """Every process of a run loads the sources' mappings: a pass is remembered with the mapping it gave (by the
    file's name and bytes and the checking code), so later loads skip pydantic and give an equal mapping, notes
    included; a file with an error is checked and named every time."""
    from helpers import checked_files
    from helpers.collect import mapping_file

    monkeypatch.setattr(checked_files, "FOLDER", tmp_path / "godkanda")
    checks = []
    real = mapping_file.checked_mapping
    monkeypatch.setattr(mapping_file, "checked_mapping", lambda path, raw=None: checks.append(path.name)
                        or real(path, raw))
    text = ("tabeller:\n  interventions:\n    ark: [Blad 1, '2']\n    rubrikrad: 2\n"
            "    kolumner: {Typ: type, Start: start}\n    koder: {type: {Öppenvård: oppenvard}}\n"
            "    nyckel: {kolumner: [Typ, Start]}\nfilformat: {delimiter: tab, datumformat: ['%d/%m/%y']}\n")
    first_path = tmp_path / "ansi.yml"
    first_path.write_bytes(text.encode("cp1252"))
    fresh = load_mapping(first_path)
    again = load_mapping(first_path)
    assert checks == ["ansi.yml"] and again == fresh and again.path == first_path
    assert again.for_table("interventions").sheet == ("Blad 1", "2") and again.delimiter == "\t"
    assert len(again.notes) == 1 and "Windows-1252" in again.notes[0]
    other = tmp_path / "annat.yml"  # the same bytes under another name: its own name, checked on its own
    other.write_bytes(first_path.read_bytes())
    by_other_name = load_mapping(other)
    assert by_other_name.name == "annat" and fresh.name == "ansi" and checks == ["ansi.yml", "annat.yml"]
    first_path.write_bytes(text.replace("Start: start", "Start: begin").encode("cp1252"))  # changed: checked again
    for _ in range(2):
        with pytest.raises(MappingError, match="begin"):
            load_mapping(first_path)
    assert checks == ["ansi.yml", "annat.yml", "ansi.yml", "ansi.yml"]
    for remembered in (tmp_path / "godkanda").iterdir():
        remembered.write_bytes(b"not a mapping")  # spoilt: checked again, never trusted
    assert load_mapping(other) == by_other_name and len(checks) == 5


def test_the_spare_workers_preloading_imports_neither_pydantic_nor_scipy(tmp_path):
    """The spare worker imports what reading ahead and computing cells ahead need (work_ahead.preload) and loads
    the demo's config and mappings: pydantic (for files it has seen pass) and scipy (the protection engine) are left to the
    process that needs them, ~1 s of a core."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from pathlib import Path\n"
            "from helpers import checked_files\n"
            f"checked_files.FOLDER = Path({str(tmp_path)!r})\n"
            "from helpers.collect import importing\n"
            "from helpers.publication import publish\n"
            "print(0, 'pydantic' in sys.modules, 'scipy' in sys.modules)\n"
            "from helpers.config import load_config\n"
            "config = load_config(None)\n"
            "names = {source['mappning'] for source in config.get('kallor') if source.get('mappning')}\n"
            "[importing.load_mapping(name, config) for name in sorted(names)]\n"
            "print(len(names), 'pydantic' in sys.modules, 'scipy' in sys.modules)\n")
    first, again = (subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
                    .stdout.split("\n")[:2] for _ in range(2))
    assert first[0].split()[1:] == ["False", "False"]
    assert first[1].split()[1:] == ["True", "False"] and int(first[1].split()[0]) >= 2  # checked the first time
    assert again[1] == first[1].replace("True", "False")
