"""The `uppfoljning` command: Swedish help and usage errors, JSON errors with --json, and output that never
crashes on a console in Windows-1252."""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import cli
from helpers.demo import generate

ENGLISH = ("usage:", "options:", "positional arguments", "show this help message", "required", "error:",
           "invalid choice", "expected one argument")


def command_paths(parser, prefix=()):
    """Every command and subcommand the parser knows, e.g. ("import",), ("mapping", "check")."""
    found = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += command_paths(sub, prefix + (name,))
    return found


COMMANDS = command_paths(cli.build_parser())
EXE = Path(sys.executable).with_name("uppfoljning.exe" if os.name == "nt" else "uppfoljning")


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli") / "data"
    generate(data, periods=("2025",), clients=20)
    return data


def help_text(args, capsys) -> str:
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    assert done.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "uppfoljning")
def test_help_is_swedish(command, capsys):
    text = help_text(list(command) + ["--help"], capsys)
    assert text.startswith("användning: uppfoljning") and "flaggor:" in text
    assert "visa den här hjälpen och avsluta" in text
    for word in ENGLISH:
        assert word not in text, word


def test_usage_errors_are_swedish_and_exit_2(capsys):
    assert cli.main(["import"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("användning: uppfoljning import")
    assert "uppfoljning import: fel: följande argument krävs: --table, --source, --period" in err
    assert cli.main(["demo", "--clients", "många"]) == 2
    assert "argumentet --clients: ogiltigt värde: 'många' (ska vara ett heltal)" in capsys.readouterr().err
    assert cli.main(["rapport"]) == 2
    assert "ogiltigt val: 'rapport' (välj bland 'demo', 'import'" in capsys.readouterr().err
    assert cli.main(["run", "--period"]) == 2
    err = capsys.readouterr().err
    assert "argumentet --period: ett värde saknas" in err
    assert not any(word in err for word in ENGLISH)


def test_usage_error_with_json_is_json_on_stdout(capsys):
    assert cli.main(["import", "--json", "--table", "clients"]) == 2
    captured = capsys.readouterr()
    answer = json.loads(captured.out)
    assert answer == {"ok": False, "exit_code": 2,
                      "error": "uppfoljning import: följande argument krävs: --source, --period"}


def test_command_error_with_json_is_json_on_stdout(demo_data, capsys, monkeypatch):
    monkeypatch.delenv("UPPFOLJNING_NYCKEL", raising=False)
    missing = ["import", "--json", "--table", "clients", "--source", str(demo_data / "saknas.csv"),
               "--period", "2025", "--data-dir", str(demo_data), "--mapping", "verksamhetssystem.yml"]
    assert cli.main(missing) == 2
    captured = capsys.readouterr()
    answer = json.loads(captured.out)
    assert answer["ok"] is False and answer["exit_code"] == 2 and "saknas.csv" in answer["error"]
    assert not answer["error"].startswith("Fel:")
    assert "saknas.csv" in captured.err  # the text is on stderr as well, for a person watching


def test_unexpected_error_is_one_swedish_line_or_json(demo_data, capsys, monkeypatch):
    def broken(args):
        raise ZeroDivisionError("division med noll")

    monkeypatch.setattr("helpers.collect.commands.cli_import", broken)
    monkeypatch.delenv(cli.DEBUG_VARIABLE, raising=False)
    args = ["import", "--table", "clients", "--source", "x.csv", "--period", "2025"]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("Fel: oväntat fel: ZeroDivisionError: division med noll") and "Traceback" not in err
    assert cli.main(args + ["--json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["exit_code"] == 1 and "ZeroDivisionError" in answer["error"]


def test_cp1252_console_does_not_crash_on_arrows(demo_data, tmp_path):
    """Redirected output on Windows is cp1252: the import prints "→" after writing the data."""
    assert EXE.is_file(), EXE
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    env.pop("UPPFOLJNING_NYCKEL", None)
    proc = subprocess.run([str(EXE), "import", "--table", "clients", "--source",
                           str(demo_data / "raw" / "2025" / "arenden.csv"), "--period", "2025",
                           "--data-dir", str(demo_data), "--mapping", "verksamhetssystem.yml"],
                          capture_output=True, env=env, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("cp1252", errors="replace")
    out = proc.stdout.decode("cp1252")
    assert out.startswith("arenden.csv ? clients") and "avgränsare semikolon" in out  # å survives, → does not
    assert (demo_data / "processed" / "2025" / "clients.parquet").exists()
