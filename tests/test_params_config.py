"""Parameters and configuration: periods and codes stay strings, bad values give Swedish messages."""
from pathlib import Path

import pytest

from helpers import params
from helpers.config import ConfigError, load_config, period_paths, PROJECT_ROOT


@pytest.mark.parametrize("value", ["2025", 2025, 2025.0, " 2025 "])
def test_period_is_a_four_digit_string(value):
    assert params.as_period(value) == "2025"


@pytest.mark.parametrize("value", [None, True, "25", "0114", 114, "år 2025", "2025-01"])
def test_bad_period_is_refused_in_swedish(value):
    with pytest.raises(params.ParameterError, match="Ogiltig period"):
        params.as_period(value)


def test_unknown_unit_names_the_known_ones():
    cfg = load_config()
    with pytest.raises(params.ParameterError, match="barn_unga"):
        params.as_unit("socialpsykiatri", cfg)
    assert params.as_unit(None, cfg) is None
    assert params.as_unit("None", cfg) is None  # papermill may pass None as a string
    assert params.as_unit("vuxna_missbruk", cfg) == "vuxna_missbruk"


def test_validate_resolves_paths_relative_to_project_root():
    run = params.validate(2025, None, "data", None, "barn_unga")
    assert run.period == "2025"
    assert run.paths.raw == PROJECT_ROOT / "data" / "raw" / "2025"
    assert run.paths.processed == PROJECT_ROOT / "data" / "processed" / "2025"
    assert run.paths.output_dir == PROJECT_ROOT / "reports" / "2025" / "enheter" / "barn_unga"
    assert run.unit_name == "Barn och unga"


def test_absolute_output_dir_is_kept(tmp_path):
    paths = period_paths("2024", tmp_path / "d", tmp_path / "ut")
    assert paths.output_dir == tmp_path / "ut"
    assert paths.publication == tmp_path / "ut" / "publikation"
    assert paths.quarantine == tmp_path / "d" / "processed" / "2024" / "karantan"


def test_demo_config_codes_stay_strings():
    cfg = load_config()
    assert cfg["kommunkod"] == "9999" and isinstance(cfg["kommunkod"], str)
    assert cfg.min_cell == 5
    assert list(cfg.units) == ["barn_unga", "vuxna_missbruk", "ekonomiskt_bistand"]
    assert cfg.period_info("2025")["diarienummer"].startswith("SN ")


def test_missing_or_broken_config_is_named(tmp_path):
    with pytest.raises(ConfigError, match="finns inte"):
        load_config(tmp_path / "saknas.yml")
    bad = tmp_path / "trasig.yml"
    bad.write_text("kommun: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="trasig.yml"):
        load_config(bad)
    incomplete = tmp_path / "ofullstandig.yml"
    incomplete.write_text("kommun: Testby\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="enheter"):
        load_config(incomplete)


# --- the municipality config is checked against its schema ---------------------------------------------

DEMO_TEXT = (PROJECT_ROOT / "config" / "exempelkommun.yml").read_text(encoding="utf-8")


def variant(tmp_path: Path, old: str, new: str, name: str = "kommun.yml", encoding: str = "utf-8") -> Path:
    """The demo config with one change, written to tmp_path."""
    assert old in DEMO_TEXT, old
    path = tmp_path / name
    path.write_bytes(DEMO_TEXT.replace(old, new, 1).encode(encoding))
    return path


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as err:
        load_config(path)
    return str(err.value)


def test_unquoted_municipality_code_is_named_with_its_line_and_what_yaml_made_of_it(tmp_path):
    path = variant(tmp_path, 'kommunkod: "9999"', "kommunkod: 0114")
    message = config_error(path)
    assert f"rad {line_of(path, 'kommunkod: 0114')}: kommunkod" in message
    assert '"0114"' in message and "talet 76" in message  # YAML 1.1 reads 0114 as octal
    assert str(path) in message


def test_unquoted_period_key_is_refused_instead_of_losing_the_title_page_facts(tmp_path):
    path = variant(tmp_path, '  "2025":\n    diarienummer', "  2025:\n    diarienummer")
    message = config_error(path)
    assert f"rad {line_of(path, '  2025:')}: perioder" in message
    assert 'nyckeln 2025 ska vara text' in message and '"2025":' in message
    assert "diarienummer" in message  # says what would have gone missing


@pytest.mark.parametrize("value", ["nej", '"false"', "0", '"ja"'])
def test_demo_must_be_a_yaml_boolean(tmp_path, value):
    path = variant(tmp_path, "demo: true ", f"demo: {value} ")
    message = config_error(path)
    assert f"rad {line_of(path, 'demo:')}: demo: ska vara true eller false" in message


@pytest.mark.parametrize("value, expected", [("false", False), ("no", False), ("true", True)])
def test_demo_booleans_are_read(tmp_path, value, expected):
    assert load_config(variant(tmp_path, "demo: true ", f"demo: {value} ")).is_demo is expected


@pytest.mark.parametrize("value, words", [("fem", "ska vara ett heltal, inte 'fem'"), ("1", "ska vara minst 2"),
                                          ("5.5", "ska vara ett heltal"), ('"5"', "ska vara ett heltal")])
def test_min_cell_is_an_integer_of_at_least_two(tmp_path, value, words):
    path = variant(tmp_path, "min_cell: 5 ", f"min_cell: {value} ")
    message = config_error(path)
    assert f"rad {line_of(path, 'min_cell:')}: rojandekontroll → min_cell: {words}" in message


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    path = variant(tmp_path, "    namn: Barn och unga", "    name: Barn och unga")
    message = config_error(path)
    assert f"rad {line_of(path, 'name: Barn')}: enheter → nr 1 → name: okänd nyckel 'name'. Menade du 'namn'?" \
        in message
    assert "nyckeln saknas" not in message  # the misspelt key is reported once, not also as a missing 'namn'
    top = variant(tmp_path, "kommun: Exempelkommun", "kommun: Exempelkommun\nperiods: {}")
    assert "okänd nyckel 'periods'. Menade du 'perioder'?" in config_error(top)


def test_every_problem_is_listed_in_file_order(tmp_path):
    path = tmp_path / "kommun.yml"
    path.write_text(DEMO_TEXT.replace('kommunkod: "9999"', "kommunkod: 180").replace("min_cell: 5 ", "min_cell: x ")
                    .replace("tabeller: [clients, cases]", "tabeller: [clients, kases]"), encoding="utf-8")
    message = config_error(path)
    assert message.splitlines()[0].endswith("har 3 fel:")
    lines = [int(line.split(":")[0].removeprefix("- rad ")) for line in message.splitlines()[1:]]
    assert lines == sorted(lines) and len(lines) == 3
    assert "okänd tabell 'kases'" in message


def test_sections_checked_where_they_are_read_are_open(tmp_path):
    extra = "\nkorning:\n  batch: [2025]\n"
    path = variant(tmp_path, "jamforelse:", "jamforelse_ersatt:")
    text = path.read_text(encoding="utf-8").replace("jamforelse_ersatt:", "jamforelse:\n  kolada_ny: true\nx_gammal:")
    path.write_text(text + extra, encoding="utf-8")
    with pytest.raises(ConfigError, match="x_gammal"):  # everything but the open sections is strict
        load_config(path)
    path.write_text(text.replace("x_gammal:", "x_gammal_bort:").replace("\nx_gammal_bort:", "\n# ") + extra,
                    encoding="utf-8")
    cfg = load_config(path)
    assert cfg["korning"] == {"batch": [2025]} and cfg["jamforelse"]["kolada_ny"] is True


def test_areas_actions_and_report_settings_are_checked(tmp_path):
    path = variant(tmp_path, "    omraden: [barn_unga]", "    omraden: [placeringar]")
    assert "omraden" in config_error(path) and "barn_unga" in config_error(path)
    path = variant(tmp_path, "    status: genomförd\n    uppfoljning: Påminnelsen",
                   "    status: klar\n    uppfoljning: Påminnelsen")
    assert "status" in config_error(path)


def test_goal_problems_name_the_goal_and_line(tmp_path):
    path = variant(tmp_path, "mal: {typ: minst, varde: 0.60}", "mal: {typ: ungefar, varde: mycket}")
    message = config_error(path)
    assert f"rad {line_of(path, 'typ: ungefar')}: mal → nr 3 → mal → typ" in message
    assert "mal → nr 3 → mal → varde: ska vara ett tal" in message


def test_config_saved_in_windows_1252_is_read_with_a_note(tmp_path, capsys):
    path = variant(tmp_path, "kommun: Exempelkommun", "kommun: Åsele", encoding="cp1252")
    cfg = load_config(path)
    assert cfg.municipality == "Åsele" and cfg.units["vuxna_missbruk"] == "Vuxna – missbruk och beroende"
    assert any("Windows-1252" in note for note in cfg.notes)
    load_config(path)
    err = capsys.readouterr().err
    assert err.count("Windows-1252") == 1 and "spara den som UTF-8" in err  # said once per process


def test_config_in_an_unknown_encoding_is_refused_clearly(tmp_path):
    path = tmp_path / "kommun.yml"
    path.write_bytes(DEMO_TEXT.encode("utf-8").replace("Socialnämnden".encode(), b"Social\x81\x8dnden"))
    message = config_error(path)
    assert "varken UTF-8 eller Windows-1252" in message and f"rad {line_of(path, 'namnd:')}" in message


def test_yaml_mistakes_are_named_with_their_line(tmp_path):
    tab = variant(tmp_path, "  min_cell: 5", "\tmin_cell: 5")
    assert f"YAML-fel på rad {line_of(tab, 'min_cell')}" in config_error(tab) and "mellanslag" in config_error(tab)
    colon = variant(tmp_path, "namnd: Socialnämnden", "namnd: Social: nämnden")
    assert "kolon" in config_error(colon)
    twice = variant(tmp_path, "forvaltning: Socialförvaltningen", "forvaltning: A\nforvaltning: B")
    assert "'forvaltning' står två gånger" in config_error(twice)


def test_impossible_unquoted_date_is_a_config_error(tmp_path):
    path = variant(tmp_path, 'rapportdatum: "2026-03-13"', "rapportdatum: 2026-13-13")
    assert "rapportdatum: ska vara ett datum som ÅÅÅÅ-MM-DD" in config_error(path)
    fine = variant(tmp_path, 'rapportdatum: "2026-03-13"', "rapportdatum: 2026-03-13", name="ok.yml")
    assert str(load_config(fine).period_info("2025")["rapportdatum"]) == "2026-03-13"


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "config").glob("*.yml")), ids=lambda p: p.name)
def test_shipped_configs_pass_the_schema(path):
    load_config(path)


def test_shipped_plans_pass_the_schema():
    from helpers.plan.spec import check_plan, load_plan

    for path in sorted((PROJECT_ROOT / "config" / "planer").glob("*.yml")):
        assert check_plan(load_plan(path), load_config()) == []


def test_plan_with_a_misspelt_key_is_refused_with_its_line(tmp_path):
    from helpers.plan.spec import PlanError, load_plan

    text = (PROJECT_ROOT / "config" / "planer" / "exempelkommun.yml").read_text(encoding="utf-8")
    path = tmp_path / "plan.yml"
    path.write_text(text.replace("  metod: fodelsedagar", "  method: fodelsedagar"), encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(path)
    assert f"rad {line_of(path, 'method:')}: urval → method: okänd nyckel 'method'. Menade du 'metod'?" \
        in str(err.value)


def test_a_plan_that_passed_is_read_again_without_pydantic_until_its_bytes_change(tmp_path):
    """Step 01 reads the plan in the run's kernel: a pass is remembered like a config's (by the file's bytes and
    the checking code), so a later process reads it without importing pydantic; an error is named every time."""
    import subprocess
    import sys

    plan = tmp_path / "plan.yml"
    plan.write_bytes((PROJECT_ROOT / "config" / "planer" / "exempelkommun.yml").read_bytes())
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from helpers import checked_files\n"
            f"checked_files.FOLDER = Path({str(tmp_path / 'godkanda')!r})\n"
            "from helpers.plan.spec import PlanError, load_plan\n"
            "try:\n"
            f"    print(sorted(load_plan({str(plan)!r}).data) == sorted(load_plan({str(plan)!r}).data), end=' ')\n"
            "except PlanError as exc:\n"
            "    print(str(exc).splitlines()[1], end=' ')\n"
            "print('pydantic' in sys.modules)\n")

    def run() -> str:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()

    assert [run(), run()] == ["True True", "True False"]  # checked the first time only
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("  metod: fodelsedagar", "  method: fodelsedagar"), encoding="utf-8")
    error = f"- rad {line_of(plan, 'method:')}: urval → method: okänd nyckel 'method'. Menade du 'metod'?"
    assert run().startswith(error) and run().startswith(error)
    plan.write_text(text + "\n", encoding="utf-8")  # other bytes: checked again
    assert run() == "True True"


def test_a_config_that_passed_is_not_checked_again_until_its_bytes_or_the_checking_code_change(tmp_path, monkeypatch):
    """Every process of a run reads the config: a pass is remembered (by the file's bytes, the checking modules and
    pydantic's release), so later processes skip pydantic; an error is checked and named every time."""
    from helpers import checked_files, schema_messages

    monkeypatch.setattr(checked_files, "FOLDER", tmp_path / "godkanda")
    checks = []
    real = schema_messages.check_file
    monkeypatch.setattr(schema_messages, "check_file", lambda *a, **k: checks.append(a[0]) or real(*a, **k))
    good = variant(tmp_path, "kommun: Exempelkommun", "kommun: Exempelkommun", encoding="cp1252")
    first, second = load_config(good), load_config(good)
    assert checks == [good] and first.data == second.data and first.notes == second.notes != ()
    assert len(list((tmp_path / "godkanda").iterdir())) == 1
    good.write_bytes(good.read_bytes() + b"\n")  # other bytes: checked again
    load_config(good)
    assert len(checks) == 2
    monkeypatch.setattr("helpers.config.CHECKED_BY", ("config.py", "yamldoc.py"))  # other checking code
    load_config(good)
    assert len(checks) == 3
    bad = variant(tmp_path, 'kommunkod: "9999"', "kommunkod: 9999", name="fel.yml")
    for _ in range(2):
        with pytest.raises(ConfigError, match="kommunkod"):
            load_config(bad)
    assert len(checks) == 5 and len(list((tmp_path / "godkanda").iterdir())) == 3
