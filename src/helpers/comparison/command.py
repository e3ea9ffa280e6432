"""`uppfoljning kolada hamta` (fetch the snapshot) and `uppfoljning kolada visa` (show the comparison)."""
from __future__ import annotations

import sys

from ..config import ConfigError, load_config
from ..console import say, setup_console
from ..atomic import FileWriteError
from .catalogue import load_catalogue
from .fetch import API_URL, KoladaResponseError, KoladaUnavailable, fetch_snapshot, write_snapshot
from .frame import KoladaFileError
from .kolada import snapshot_from_pages
from .section import kolada_settings
from .table import build_comparison

YEARS = 5  # the report's year and the four before it, so an older value can stand in for a missing year


def _period(args, config) -> str:
    period = str(args.period or config.get("default_period") or "")
    if not (period.isdigit() and len(period) == 4):
        raise ConfigError("Ange perioden som ett årtal, t.ex. --period 2025.")
    return period


def _fetch(args) -> int:
    config = load_config(args.config)
    settings = kolada_settings(config)
    if settings is None:
        raise ConfigError(f"Konfigurationsfilen {config.path} har inget avsnitt jamforelse.kolada.")
    if settings.synthetic and not args.output:
        raise ConfigError(f"{settings.file} är en syntetisk demofil (syntetisk: true i {config.path}) och skrivs "
                          "inte över. Ange --output för den hämtade filen, eller ändra fil och syntetisk i "
                          "konfigurationen.")
    period = _period(args, config)
    years = [str(int(period) - i) for i in range(YEARS - 1, -1, -1)]
    ids = list(dict.fromkeys([settings.municipality_id, *settings.group_ids, settings.country_id]))
    kpis = [k.kpi for k in settings.kpis]
    output = config.resolve(args.output) if args.output else settings.file
    say(f"Hämtar {len(kpis)} nyckeltal för {len(ids)} kommuner (inklusive riket) åren {years[0]}–{years[-1]} "
        "från Kolada …")
    document = fetch_snapshot(kpis, ids, years, api_url=args.api_url or API_URL, say=say)
    try:
        snapshot = snapshot_from_pages([document], output, load_catalogue(settings.catalogue))
    except KoladaFileError as exc:
        raise KoladaResponseError(f"Kolada svarade med data som inte gick att läsa: {exc}") from None
    write_snapshot(document, output)
    found = set(snapshot.frame["kpi"].dropna())
    say(f"Skrev {len(snapshot.frame)} värden till {output}.")
    for kpi in kpis:
        if kpi not in found:
            say(f"Obs: Kolada hade inga värden för {kpi} åren {years[0]}–{years[-1]}. Kontrollera att "
                "nyckeltalet finns kvar i Kolada.")
    if settings.synthetic:
        say("Obs: konfigurationen säger syntetisk: true. Peka fil på den hämtade filen och ändra till "
            "syntetisk: false för att rapporten ska använda de riktiga värdena.")
    return 0


def _show(args) -> int:
    config = load_config(args.config)
    comparison = build_comparison(config, _period(args, config))
    if comparison is None:
        raise ConfigError(f"Konfigurationsfilen {config.path} har inget avsnitt jamforelse.kolada.")
    for row in comparison.display.to_dict("records"):
        say(row.pop("Nyckeltal"))
        for key, value in row.items():
            if key != "Kommentar" or value:
                say(f"  {key}: {value}")
    for line in comparison.sources:
        say(line)
    return 0


def cli_kolada(args) -> int:
    setup_console()
    try:
        return _fetch(args) if args.kolada_command == "hamta" else _show(args)
    except KoladaUnavailable as exc:
        say(f"Fel: {exc}", file=sys.stderr)
        return 2
    except (KoladaResponseError, KoladaFileError, ConfigError, FileWriteError) as exc:
        say(f"Fel: {exc}", file=sys.stderr)
        return 2
