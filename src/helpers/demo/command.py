"""Generating the demo municipality's raw exports for some periods, and the `uppfoljning demo` command."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from ..config import DEFAULT_CONFIG, period_paths
from ..manifest import MANIFEST_NAME, write_manifest
from .exports import build
from .faults import plant
from .world import stream_rng
from .writers import write

FAULT_LIST = "_planterade_fel.json"
FILES = ("arenden.csv", "utredningar.csv", "insatser.csv", "placeringar.csv", "placeringsbesok.csv",
         "overvaganden.csv", "ekb_ansokningar.csv", "ekb_utbetalningar.csv", "uppfoljningsregister.xlsx",
         "brukarenkat.csv", "synpunkter.xlsx")
MIN_CLIENTS = 20


def _check(periods, clients: int) -> list[str]:
    out = []
    for p in periods:
        text = str(p).strip()
        if not (len(text) == 4 and text.isdigit() and 2000 <= int(text) <= 2099):
            raise ValueError(f"Perioden '{p}' går inte att använda: ange ett årtal med fyra siffror, t.ex. 2025.")
        out.append(text)
    if int(clients) < MIN_CLIENTS:
        raise ValueError(f"Antalet klienter ({clients}) är för litet: ange minst {MIN_CLIENTS}.")
    return out


def raw_folder(data_dir: str | Path, period: str) -> Path:
    return period_paths(period, data_dir).raw


def _complete(folder: Path) -> bool:
    """Every export is there, and the manifest that lets the demo key be used on them."""
    return all((folder / name).exists() for name in FILES + (MANIFEST_NAME,))


def generate_period(folder: Path, period: str, clients: int = 5000, seed: int = 20251) -> tuple[list[tuple[Path, int]], dict]:
    """Write one period's exports and the list of planted faults; returns (path, data rows) per file and it."""
    folder.mkdir(parents=True, exist_ok=True)
    files = build(seed, clients, period)
    planted = plant(stream_rng(seed, int(period), 5), files, int(period))
    written = [write(f, folder, period) for f in files]
    write_manifest(folder, [path for path, _ in written])  # the demo key is accepted only for these files
    (folder / FAULT_LIST).write_text(json.dumps(planted, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                     encoding="utf-8")
    return written, planted


def generate(data_dir: str | Path, periods=("2024", "2025"), clients: int = 5000, seed: int = 20251,
             force: bool = False) -> dict[str, list[Path]]:
    """Synthetic raw exports of Exempelkommun in <data_dir>/raw/<period>/ (relative data_dir: from the project
    root). A period whose files all exist is left as it is unless `force`."""
    result = {}
    for period in _check(periods, clients):
        folder = raw_folder(data_dir, period)
        if not force and _complete(folder):
            result[period] = [folder / name for name in FILES]
            continue
        written, _ = generate_period(folder, period, int(clients), int(seed))
        result[period] = [path for path, _ in written]
    return result


def write_config(path: str | Path, municipality: str, code: str) -> Path:
    """A config for another synthetic municipality, made from Exempelkommun's: its name and code, and its own
    copies of the texts and the plan (with the name replaced) beside the new config. Comments are kept; the
    mappings are found under the project's config/mappings/."""
    path = Path(path)
    if not str(code).isdigit() or len(str(code)) != 4:
        raise ValueError(f"Kommunkoden '{code}' går inte att använda: ange fyra siffror, t.ex. 9998.")
    folder = re.sub(r"[^a-z0-9]+", "-", municipality.lower().translate(str.maketrans("åäöé", "aaoe"))).strip("-")
    source_dir = DEFAULT_CONFIG.parent
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^kommun: .*$", f"kommun: {municipality}", text)
    text = re.sub(r"(?m)^kommunkod: \"\d+\"", f'kommunkod: "{code}"', text)
    text = text.replace("texter: texter/exempelkommun", f"texter: texter/{folder}")
    text = text.replace("plan: planer/exempelkommun.yml", f"plan: planer/{folder}.yml")
    text = text.replace("# Exempelkommun:", f"# {municipality}:", 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    for src in sorted((source_dir / "texter" / "exempelkommun").rglob("*.md")):
        dest = path.parent / "texter" / folder / src.relative_to(source_dir / "texter" / "exempelkommun")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(src.read_text(encoding="utf-8").replace("Exempelkommun", municipality), encoding="utf-8")
    plan = path.parent / "planer" / f"{folder}.yml"
    plan.parent.mkdir(parents=True, exist_ok=True)
    plan.write_text((source_dir / "planer" / "exempelkommun.yml").read_text(encoding="utf-8")
                    .replace("Exempelkommun", municipality), encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    return path


def cli_demo(args) -> int:
    """`uppfoljning demo`: generate and print a Swedish summary of files and rows."""
    name = getattr(args, "municipality", None) or "Exempelkommun"
    try:
        if getattr(args, "write_config", None):
            written = write_config(args.write_config, name, getattr(args, "code", None) or "9998")
            print(f"Konfiguration för {name}: {written}")
        periods = _check(args.periods, args.clients)
        for period in periods:
            folder = raw_folder(args.data_dir, period)
            if not args.force and _complete(folder):
                print(f"{period}: demodata finns redan i {folder} (använd --force för att skapa dem på nytt).")
                continue
            written, planted = generate_period(folder, period, int(args.clients), int(args.seed))
            print(f"{period}: syntetiska källfiler för {name} i {folder}")
            for path, rows in written:
                print(f"  {path.name:<28} {rows:>8} rader".replace(",", " "))
            faults = sum(info["antal"] for info in planted.values())
            print(f"  Planterade fel att hitta vid import: {faults} rader (se {FAULT_LIST}).")
    except (ValueError, OSError) as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1
    return 0
