"""The `uppfoljning` command. Each subcommand is a thin call into the module that owns the work."""
from __future__ import annotations

import argparse
import sys


def _add_common(p: argparse.ArgumentParser, period_required: bool = True) -> None:
    p.add_argument("--period", required=period_required, help="År, t.ex. 2025")
    p.add_argument("--config", default=None, help="Kommunens konfiguration (YAML). Standard: exempelkommun")
    p.add_argument("--data-dir", default="data", help="Datamapp (standard: data)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="uppfoljning",
        description="Systematisk uppföljning och kvalitetsredovisning för socialtjänsten.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    p = sub.add_parser("demo", help="Skapa syntetiska demodata (Exempelkommun)")
    p.add_argument("--periods", nargs="+", default=["2024", "2025"], help="Perioder (år)")
    p.add_argument("--clients", type=int, default=5000, help="Ungefärligt antal klienter per år")
    p.add_argument("--seed", type=int, default=20251, help="Slumpfrö")
    p.add_argument("--data-dir", default="data")
    p.add_argument("--force", action="store_true", help="Skriv över befintliga filer")
    p.add_argument("--municipality", default=None, help="En annan kommuns namn (med --seed och --code)")
    p.add_argument("--code", default=None, help="Dess kommunkod, fyra siffror (standard 9998)")
    p.add_argument("--write-config", default=None, metavar="FIL", help="Skriv en konfiguration för kommunen")

    p = sub.add_parser("import", help="Importera och validera en källfil")
    p.add_argument("--table", required=True, help="Kanonisk tabell, t.ex. interventions")
    p.add_argument("--source", required=True, help="Källfil (.csv, .txt, .xlsx)")
    p.add_argument("--mapping", default=None, help="Mappningsfil (YAML) under config/mappings/")
    p.add_argument("--json", action="store_true", help="Skriv en sammanfattning som JSON på stdout")
    _add_common(p)

    p = sub.add_parser("sample", help="Dra ett urval och skriv registreringsmallar")
    p.add_argument("--plan", required=True, help="Uppföljningsplan (YAML)")
    p.add_argument("--method", default=None, help="Urvalsmetod (åsidosätter planen)")
    p.add_argument("--seed", type=int, default=None, help="Slumpfrö (åsidosätter planen)")
    p.add_argument("--output-dir", default=None, help="Mapp för planeringens sammanställningar "
                   "(standard: reports/<period>)")
    _add_common(p)

    p = sub.add_parser("run", help="Kör hela kedjan och skriv kvalitetsredovisningen")
    _add_common(p, period_required=False)
    p.add_argument("--unit", action="append", default=None, help="Enhet (kan upprepas)")
    p.add_argument("--all-units", action="store_true", help="En rapport per enhet utöver helheten")
    p.add_argument("--workers", type=int, default=2, help="Parallella processer för enhetsrapporter")
    p.add_argument("--formats", default="html,pdf", help="Format: html,pdf")
    p.add_argument("--output-dir", default=None, help="Utdatamapp (standard: reports/<period>)")
    p.add_argument("--notebooks-dir", default=None, help="Mapp med notebooks (standard: notebooks)")
    p.add_argument("--force", action="store_true", help="Kör alla steg, även de vars indata inte ändrats")
    p.add_argument("--cell-timeout", type=float, default=None, metavar="SEKUNDER",
                   help="Längsta tid för en cell (standard: korning.cell_timeout_s eller 600; 0 = ingen gräns)")

    p = sub.add_parser("batch", help="Kör kvalitetsredovisningen för flera kommuner (Dask)")
    p.add_argument("configs", nargs="+", metavar="CONFIG", help="Kommunernas konfigurationer (YAML)")
    p.add_argument("--period", default=None, help="År, t.ex. 2025 (standard: konfigurationens default_period)")
    p.add_argument("--root", default="kommuner", help="En mapp per kommun: <kommun>/data och <kommun>/reports")
    p.add_argument("--scheduler", default=None, metavar="ADRESS", help="Befintligt Dask-kluster (standard: lokalt)")
    p.add_argument("--workers", type=int, default=None, help="Processer i det lokala klustret (standard: kärnor)")
    p.add_argument("--all-units", action="store_true", help="En rapport per enhet utöver helheten")
    p.add_argument("--formats", default="html,pdf", help="Format: html,pdf")
    p.add_argument("--notebooks-dir", default=None, help="Mapp med notebooks (standard: notebooks)")
    p.add_argument("--force", action="store_true", help="Kör alla steg, även de vars indata inte ändrats")
    p.add_argument("--cell-timeout", type=float, default=None, metavar="SEKUNDER", help="Längsta tid för en cell")

    p = sub.add_parser("check-report", help="Granska en renderad rapport (HTML/PDF) för integritetsläckor")
    p.add_argument("path", help="Rapportens sökväg")
    p.add_argument("--min-cell", type=int, default=5, help="Minsta publicerade antal (standard 5)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            from .demo import cli_demo as handler
        elif args.command == "import":
            from .collect.importing import cli_import as handler
        elif args.command == "sample":
            from .plan.command import cli_sample as handler
        elif args.command == "run":
            from .run.pipeline import cli_run as handler
        elif args.command == "batch":
            from .run.batch import cli_batch as handler
        else:
            from .report.checks import cli_check_report as handler
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("Avbrutet.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
