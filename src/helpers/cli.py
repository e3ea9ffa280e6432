"""The `uppfoljning` command. Each subcommand is a thin call into the module that owns the work.

Everything the user reads is Swedish, argparse's own texts included. Output never crashes on a console that
cannot show every character (cp1252). A command run with --json answers on stdout in JSON, errors included.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys

from .argparse_sv import SwedishParser, UsageError, swedish
from .console import say, setup_console

DEBUG_VARIABLE = "UPPFOLJNING_FELSOK"


def _add_common(p: argparse.ArgumentParser, period_required: bool = True) -> None:
    p.add_argument("--period", required=period_required, metavar="ÅR", help="År, t.ex. 2025")
    p.add_argument("--config", default=None, metavar="FIL", help="Kommunens konfiguration (YAML). Standard: exempelkommun")
    p.add_argument("--data-dir", default="data", metavar="MAPP", help="Datamapp (standard: data)")


def build_parser() -> argparse.ArgumentParser:
    with swedish():
        return _build_parser()


def _build_parser() -> argparse.ArgumentParser:
    parser = SwedishParser(
        prog="uppfoljning",
        description="Systematisk uppföljning och kvalitetsredovisning för socialtjänsten.",
        epilog="Hjälp för ett kommando: uppfoljning KOMMANDO --help")
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    p = sub.add_parser("demo", help="Skapa syntetiska demodata (Exempelkommun)")
    p.add_argument("--periods", nargs="+", default=["2024", "2025"], metavar="ÅR", help="Perioder (år)")
    p.add_argument("--clients", type=int, default=5000, metavar="ANTAL", help="Ungefärligt antal klienter per år")
    p.add_argument("--seed", type=int, default=20251, metavar="TAL", help="Slumpfrö")
    p.add_argument("--data-dir", default="data", metavar="MAPP", help="Datamapp (standard: data)")
    p.add_argument("--force", action="store_true", help="Skriv över befintliga filer")
    p.add_argument("--municipality", default=None, help="En annan kommuns namn (med --seed och --code)")
    p.add_argument("--code", default=None, help="Dess kommunkod, fyra siffror (standard 9998)")
    p.add_argument("--write-config", default=None, metavar="FIL", help="Skriv en konfiguration för kommunen")

    p = sub.add_parser("import", help="Importera och validera en källfil")
    p.add_argument("--table", required=True, metavar="TABELL", help="Kanonisk tabell, t.ex. interventions")
    p.add_argument("--source", required=True, metavar="FIL", help="Källfil (.csv, .txt, .xlsx)")
    p.add_argument("--mapping", default=None, metavar="FIL", help="Mappningsfil (YAML) under config/mappings/")
    p.add_argument("--json", action="store_true", help="Skriv en sammanfattning som JSON på stdout")
    _add_common(p)

    p = sub.add_parser("mapping", help="Skapa eller kontrollera en mappningsfil")
    msub = p.add_subparsers(dest="mapping_command", required=True, metavar="DELKOMMANDO")
    m = msub.add_parser("suggest", help="Skriv ett kommenterat mappningsförslag utifrån filens rubriker")
    m.add_argument("file", metavar="FIL", help="Källfil (.csv, .txt, .xlsx)")
    m.add_argument("--table", required=True, help="Kanonisk tabell, t.ex. interventions")
    m.add_argument("--output", default=None, help="Skriv förslaget hit (standard: skärmen)")
    m.add_argument("--config", default=None, help="Kommunens konfiguration (för enheternas koder)")
    m = msub.add_parser("check", help="Visa vad som skulle avvisas, och varför, utan att importera")
    m.add_argument("mapping", metavar="MAPPNING", help="Mappningsfil (YAML)")
    m.add_argument("file", metavar="FIL", help="Källfil (.csv, .txt, .xlsx)")
    m.add_argument("--table", action="append", default=None, help="Tabell att kontrollera (kan upprepas)")
    _add_common(m, period_required=False)

    p = sub.add_parser("sample", help="Dra ett urval och skriv registreringsmallar")
    p.add_argument("--plan", required=True, metavar="FIL", help="Uppföljningsplan (YAML)")
    p.add_argument("--method", default=None, metavar="METOD", help="Urvalsmetod (åsidosätter planen)")
    p.add_argument("--seed", type=int, default=None, metavar="TAL", help="Slumpfrö (åsidosätter planen)")
    p.add_argument("--output-dir", default=None, metavar="MAPP", help="Mapp för planeringens sammanställningar "
                   "(standard: data/processed/<period>, internt)")
    _add_common(p)

    p = sub.add_parser("run", help="Kör hela kedjan och skriv kvalitetsredovisningen")
    _add_common(p, period_required=False)
    p.add_argument("--unit", action="append", default=None, metavar="ENHET", help="Enhet (kan upprepas)")
    p.add_argument("--all-units", action="store_true", help="En rapport per enhet utöver helheten")
    p.add_argument("--workers", type=int, default=2, metavar="ANTAL",
                   help="Parallella processer (enhetsrapporter; med en enda rapport renderar den andra bilagan)")
    p.add_argument("--formats", default="html,pdf", metavar="FORMAT", help="Format: html,pdf")
    p.add_argument("--output-dir", default=None, metavar="MAPP", help="Utdatamapp (standard: reports/<period>)")
    p.add_argument("--notebooks-dir", default=None, metavar="MAPP", help="Mapp med notebooks (standard: notebooks)")
    p.add_argument("--force", action="store_true", help="Kör alla steg, även de vars indata inte ändrats")
    p.add_argument("--cell-timeout", type=float, default=None, metavar="SEKUNDER",
                   help="Längsta tid för en cell (standard: korning.cell_timeout_s eller 600; 0 = ingen gräns)")

    p = sub.add_parser("audit", help="Granska en publicerad period som en utomstående angripare skulle")
    p.add_argument("--period", default=None, metavar="ÅR", help="År, t.ex. 2025 (standard: konfigurationens)")
    p.add_argument("--config", default=None, metavar="FIL", help="Kommunens konfiguration (YAML). Standard: exempelkommun")
    p.add_argument("--data-dir", default="data", metavar="MAPP", help="Datamapp (standard: data)")
    p.add_argument("--reports-dir", default=None, metavar="MAPP", help="Rapportmappen (standard: reports)")
    p.add_argument("--output", default=None, metavar="MAPP", help="Var resultatet skrivs (standard: "
                   "data/processed/<period>/granskning/utifran, internt)")

    p = sub.add_parser("batch", help="Kör kvalitetsredovisningen för flera kommuner (Dask)")
    p.add_argument("configs", nargs="+", metavar="CONFIG", help="Kommunernas konfigurationer (YAML)")
    p.add_argument("--period", default=None, metavar="ÅR", help="År, t.ex. 2025 (standard: konfigurationens default_period)")
    p.add_argument("--root", default="kommuner", metavar="MAPP", help="En mapp per kommun: <kommun>/data och <kommun>/reports")
    p.add_argument("--scheduler", default=None, metavar="ADRESS", help="Befintligt Dask-kluster (standard: lokalt)")
    p.add_argument("--workers", type=int, default=None, metavar="ANTAL", help="Processer i det lokala klustret (standard: kärnor)")
    p.add_argument("--all-units", action="store_true", help="En rapport per enhet utöver helheten")
    p.add_argument("--formats", default="html,pdf", metavar="FORMAT", help="Format: html,pdf")
    p.add_argument("--notebooks-dir", default=None, metavar="MAPP", help="Mapp med notebooks (standard: notebooks)")
    p.add_argument("--force", action="store_true", help="Kör alla steg, även de vars indata inte ändrats")
    p.add_argument("--cell-timeout", type=float, default=None, metavar="SEKUNDER", help="Längsta tid för en cell")

    p = sub.add_parser("check-report", help="Granska en renderad rapport (HTML/PDF) för integritetsläckor")
    p.add_argument("path", metavar="RAPPORT", help="Rapportens sökväg (HTML eller PDF)")
    p.add_argument("--min-cell", type=int, default=5, metavar="ANTAL", help="Minsta publicerade antal (standard 5)")

    p = sub.add_parser("kolada", help="Jämförelse med andra kommuner och riket (Kolada)")
    ksub = p.add_subparsers(dest="kolada_command", required=True, metavar="ÅTGÄRD")
    for name, text in (("hamta", "Hämta de konfigurerade nyckeltalen från Koladas API till Kolada-filen"),
                       ("visa", "Visa jämförelsen för en period ur Kolada-filen")):
        k = ksub.add_parser(name, help=text)
        k.add_argument("--config", default=None, help="Kommunens konfiguration (YAML). Standard: exempelkommun")
        k.add_argument("--period", default=None, help="År, t.ex. 2025 (standard: konfigurationens default_period)")
    k = ksub.choices["hamta"]
    k.add_argument("--output", default=None, help="Fil att skriva (standard: jamforelse.kolada.fil)")
    k.add_argument("--api-url", default=None, help="Koladas API-adress (standard: https://api.kolada.se/v3)")
    return parser


def _unexpected(exc: BaseException) -> str:
    """A Swedish line for an error no command caught (the traceback only on request)."""
    if os.environ.get(DEBUG_VARIABLE):
        import traceback
        traceback.print_exc()
    known = exc.__class__.__module__.startswith("helpers.") and isinstance(exc, (ValueError, OSError, RuntimeError))
    if known:
        return str(exc)
    return (f"oväntat fel: {type(exc).__name__}: {exc} (sätt miljövariabeln {DEBUG_VARIABLE}=1 för att se "
            "hela felet)")


def _json_error(message: str, code: int) -> None:
    lines = [line.removeprefix("Fel: ").removeprefix("FEL: ") for line in message.strip().splitlines()]
    print(json.dumps({"ok": False, "error": "\n".join(lines) or "okänt fel", "exit_code": code},
                     ensure_ascii=False), flush=True)


class _Watched(io.TextIOBase):
    """Passes writes through to a stream, keeping a copy (stderr) or remembering that there were any (stdout)."""

    def __init__(self, stream, keep: bool):
        self.stream, self.keep, self.text = stream, keep, []

    def write(self, text):
        self.text.append(text if self.keep else "x")
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()

    @property
    def encoding(self):
        return getattr(self.stream, "encoding", "utf-8")


def _run(handler, args, as_json: bool) -> int:
    if not as_json:
        try:
            return int(handler(args) or 0)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            say(f"Fel: {_unexpected(exc)}", file=sys.stderr)
            return 1
    out, err = _Watched(sys.stdout, keep=False), _Watched(sys.stderr, keep=True)
    message = ""
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = int(handler(args) or 0)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            code, message = 1, _unexpected(exc)
            say(f"Fel: {message}", file=sys.stderr)
    if code != 0 and not out.text:  # the command said nothing on stdout: its error goes there as JSON
        _json_error(message or "".join(err.text), code)
    return code


def _parse(argv: list[str]) -> argparse.Namespace | None:
    """The parsed command line, or None after reporting a usage error (JSON on stdout with --json)."""
    try:
        with swedish():
            return build_parser().parse_args(argv)
    except UsageError as exc:
        if "--json" in argv:
            _json_error(f"{exc.prog}: {exc.message}", 2)
        else:
            sys.stderr.write(exc.usage)
            say(f"{exc.prog}: fel: {exc.message}", file=sys.stderr)
        return None


def main(argv: list[str] | None = None) -> int:
    setup_console()
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    if args is None:
        return 2
    try:
        if args.command == "demo":
            from .demo import cli_demo as handler
        elif args.command == "import":
            from .collect.commands import cli_import as handler
        elif args.command == "mapping":
            from .collect import commands
            handler = commands.cli_mapping_suggest if args.mapping_command == "suggest" else \
                commands.cli_mapping_check
        elif args.command == "sample":
            from .plan.command import cli_sample as handler
        elif args.command == "kolada":
            from .comparison.command import cli_kolada as handler
        elif args.command == "audit":
            from .publication.command import cli_audit as handler
        elif args.command == "run":
            from .run.workers import start_server
            start_server()  # its imports overlap the run's preparation
            from .run.pipeline import cli_run as handler
        elif args.command == "batch":
            from .run.batch import cli_batch as handler
        else:
            from .report.checks import cli_check_report as handler
        return _run(handler, args, as_json=bool(getattr(args, "json", False)))
    except KeyboardInterrupt:
        say("Avbrutet.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
