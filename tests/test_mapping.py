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


def test_check_without_a_matching_table_asks_for_one(tmp_path, capsys):
    code = cli_main(["mapping", "check", str(CORPUS / "mappning.yml"), str(CORPUS / "insatser_fel.csv")])
    assert code == 2 and "Ange tabellen med --table" in capsys.readouterr().err
    code = cli_main(["mapping", "check", str(CORPUS / "mappning.yml"), str(CORPUS / "insatser_fel.csv"),
                     "--table", "interventions", "--period", "2025", "--data-dir", str(tmp_path)])
    text = capsys.readouterr().out
    assert code == 1 and "interventions: 9 rader in, 2 skulle godkännas, 7 skulle avvisas" in text
