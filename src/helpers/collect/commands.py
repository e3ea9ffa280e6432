"""The command-line side of the collect step: `import`, `mapping suggest` and `mapping check`.

Exit codes: 0 done (for `mapping check`: nothing would be rejected), 1 `mapping check` found rows that
would be rejected, 2 the file, mapping, config or parameters cannot be used (a Swedish message, and with
`import --json` the same as JSON on stdout).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .. import personnummer as pnr
from ..config import ConfigError, load_config
from ..console import say
from ..params import ParameterError, as_period
from ..atomic import FileWriteError, write_text_atomic
from .decoding import ENCODING_NAMES
from .importing import ImportFileError, ImportResult, import_file
from .mapping import MappingError
from .sources import DELIMITER_NAMES, SourceError

USAGE_ERRORS = (ImportFileError, MappingError, ConfigError, ParameterError, pnr.PseudonymKeyError, SourceError,
                FileWriteError)


def _failure(exc: Exception, file, as_json: bool) -> int:
    message = exc.args[0] if isinstance(exc, KeyError) else (
        f"filen {file} kunde inte läsas eller skrivas: {exc.strerror or exc}" if isinstance(exc, OSError)
        and not isinstance(exc, FileWriteError) else str(exc))
    where = getattr(exc, "file", None) or (str(file) if file else None)
    if as_json:
        say(json.dumps({"ok": False, "exit_code": 2, "error": message, "fil": where}, ensure_ascii=False))
    say(f"Fel: {message}", file=sys.stderr)
    return 2


def _print_summary(r: ImportResult) -> None:
    enc = ENCODING_NAMES.get(r.encoding, r.encoding) if r.encoding else f"Excel, blad {r.sheet}"
    delim = f", avgränsare {DELIMITER_NAMES.get(r.delimiter, r.delimiter)}" if r.delimiter else ""
    say(f"{r.source} → {r.table} ({enc}{delim}, rubrikrad {r.header_row})")
    say(f"Rader in: {r.rows_in}. Godkända: {r.accepted_rows} (varav sammanslagna {r.merged}). "
        f"Avvisade: {len(r.rejected)}. Poster i tabellen: {len(r.accepted)}.")
    say("Summan stämmer." if r.reconciled else "VARNING: summan stämmer inte.")
    for reason, n in sorted(r.reasons.items(), key=lambda kv: -kv[1]):
        say(f"  {n} × {reason}")
    for note in r.notes:
        say(f"  {note}")


def cli_import(args) -> int:
    try:
        result = import_file(args.table, args.source, args.period, mapping=args.mapping,
                             config=getattr(args, "config", None), data_dir=args.data_dir or "data", write=True)
    except (KeyError, OSError, *USAGE_ERRORS) as exc:
        return _failure(exc, args.source, args.json)
    if args.json:
        say(json.dumps({"ok": True, "exit_code": 0, **result.as_dict()}, ensure_ascii=False))
    else:
        _print_summary(result)
    return 0


def cli_mapping_suggest(args) -> int:
    from .suggest import suggest_mapping

    try:
        cfg = load_config(args.config)
        text = suggest_mapping(args.file, args.table, cfg.units)
        if args.output:
            out = Path(args.output)
            if out.exists():
                raise ImportFileError(f"Filen {out} finns redan; välj ett annat namn eller ta bort den först.",
                                      str(out))
            write_text_atomic(out, text)  # a folder it cannot write to is named, in Swedish
            say(f"Mappningsförslaget är skrivet till {out}. Prova det med: uppfoljning mapping check {out} "
                f"{args.file}")
        else:
            sys.stdout.write(text)
    except (KeyError, OSError, *USAGE_ERRORS) as exc:
        return _failure(exc, args.file, False)
    return 0


def cli_mapping_check(args) -> int:
    from .mapcheck import check, report

    try:
        cfg = load_config(args.config)
        period = as_period(args.period or cfg.get("default_period"))
        results = check(args.mapping, args.file, period, cfg, args.data_dir or "data", args.table)
    except (KeyError, OSError, *USAGE_ERRORS) as exc:
        return _failure(exc, args.file, False)
    say(f"Kontroll av mappningen {Path(args.mapping).name} mot {Path(args.file).name}, period {period} "
        "(inget importeras):")
    for line in report(results, cfg):
        say(line)
    rejected = sum(len(r.rejected) for r in results)
    if rejected:
        say(f"Resultat: {rejected} rader skulle avvisas. Rätta mappningen eller filen och kontrollera igen.")
        return 1
    say("Resultat: inga rader skulle avvisas.")
    return 0
