"""Alarms after an import: a source that loses too many rows, a source without rows, a unit without rows.

The municipality config sets the limit: `import: {max_bortfall: 0.05, fortsatt_vid_larm: false}`. By default
an alarm stops the step (and so the run) with a Swedish message naming the file, the reason and the counts.
With `fortsatt_vid_larm: true` the step goes on and the alarms are kept in
data/processed/<period>/larm.json (a list of {fil, orsak, rader_in, avvisade, meddelande, rapporttext}, plus
tabell and steg) for the report's first page, which prints only ``rapporttext``: the alarm without its counts
(rows of a file can be few, and the report prints no count that is not an audited cell). Each step replaces
its own alarms in that file.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..config import Config, ConfigError, Paths
from ..formatting import integer, percent
from ..schema import table as table_spec
from ..atomic import write_text_atomic
from .validation import R_UNIT

FILE_NAME = "larm.json"
DEFAULT_MAX_SHARE = 0.05
O_SHARE = "Stor andel avvisade rader"
O_NO_ROWS = "Inga rader i filen"
O_NONE_ACCEPTED = "Inga godkända rader"
O_UNIT = "Enhet utan rader"
EXAMPLES = 3


class ImportAlarm(RuntimeError):
    """The import lost more than the config allows (Swedish message listing every alarm)."""

    def __init__(self, message: str, alarms: list["Alarm"]):
        super().__init__(message)
        self.alarms = alarms


@dataclass(frozen=True)
class Alarm:
    fil: str
    tabell: str
    orsak: str
    rader_in: int
    avvisade: int
    meddelande: str
    steg: int | None = None
    rapporttext: str = ""


@dataclass(frozen=True)
class Settings:
    max_share: float = DEFAULT_MAX_SHARE
    go_on: bool = False


def settings(config: Config) -> Settings:
    """The config's `import` section, checked (ConfigError in Swedish naming the key)."""
    section = config.get("import") or {}
    where = f"Konfigurationsfilen {config.path.name}: import"
    if not isinstance(section, dict):
        raise ConfigError(f"{where} ska vara en tabell, t.ex. {{max_bortfall: 0.05, fortsatt_vid_larm: false}}.")
    unknown = sorted(set(section) - {"max_bortfall", "fortsatt_vid_larm"})
    if unknown:
        raise ConfigError(f"{where}: okänd nyckel {', '.join(unknown)}. Tillåtna: max_bortfall, fortsatt_vid_larm.")
    share = section.get("max_bortfall", DEFAULT_MAX_SHARE)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise ConfigError(f"{where} → max_bortfall ska vara en andel mellan 0 och 1, t.ex. 0.05 för 5 %, "
                          f"inte {share!r}.")
    go_on = section.get("fortsatt_vid_larm", False)
    if not isinstance(go_on, bool):
        raise ConfigError(f"{where} → fortsatt_vid_larm ska vara true eller false, inte {go_on!r}.")
    return Settings(float(share), go_on)


def _share(share: float) -> str:
    return percent(share, 0 if float(share * 100).is_integer() else 1)


def _top_reasons(r) -> str:
    top = sorted(r.reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:EXAMPLES]
    return "; ".join(f"{reason} ({integer(n)})" for reason, n in top)


def _unit_values(r) -> list[str]:
    if not len(r.rejected):
        return []
    rej = r.rejected[r.rejected["Orsak"] == R_UNIT]
    return [str(x) for x in rej["Värde"].dropna().astype(str).value_counts().index[:EXAMPLES]]


def source_alarms(results, max_share: float) -> list[Alarm]:
    """Per source and table: no data rows, no accepted rows, or a rejected share above `max_share`."""
    alarms = []
    for r in results:
        rejected = len(r.rejected)
        where = f"{r.source} → {r.table}"
        if r.rows_in == 0:
            text = f"{where}: filen innehåller inga datarader, så tabellen får inga rader från den."
            alarms.append(Alarm(r.source, r.table, O_NO_ROWS, 0, 0, text, rapporttext=text))
            continue
        if r.accepted_rows == 0:
            kind, text = O_NONE_ACCEPTED, f"{where}: alla {integer(r.rows_in)} rader avvisades."
        elif rejected / r.rows_in > max_share:
            kind, text = O_SHARE, (f"{where}: {integer(rejected)} av {integer(r.rows_in)} rader avvisades "
                                   f"({percent(rejected / r.rows_in)}), mer än gränsen {_share(max_share)}.")
        else:
            continue
        text += f" Orsaker: {_top_reasons(r)}."
        values = _unit_values(r)
        if values:
            text += (f" Okända enheter i filen: {', '.join(repr(x) for x in values)}; mappningens koder för unit "
                     "ska ge enheternas koder i konfigurationen.")
        alarms.append(Alarm(r.source, r.table, kind, r.rows_in, rejected, text,
                            rapporttext=f"{where}: {kind.lower()}."))
    return alarms


def unit_alarms(results, units: dict[str, str]) -> list[Alarm]:
    """A configured unit that gets no accepted row in any table of the import that has a unit column."""
    with_unit = [r for r in results if "unit" in table_spec(r.table).names]
    if not with_unit or not units:
        return []
    seen = set()
    for r in with_unit:
        if "unit" in r.accepted:
            seen |= set(r.accepted["unit"].dropna().astype(str).tolist())
    alarms = []
    for code, name in units.items():
        if code in seen:
            continue
        rows_in = sum(r.rows_in for r in with_unit)
        rejected = sum(len(r.rejected) for r in with_unit)
        unknown = sorted({v for r in with_unit for v in _unit_values(r)})[:EXAMPLES]
        hint = (f" Rader avvisades för okänd enhet ({', '.join(repr(v) for v in unknown)}): mappningens koder för "
                "unit stämmer troligen inte med enheterna i konfigurationen.") if unknown else ""
        files = ", ".join(dict.fromkeys(f"{r.source} → {r.table}" for r in with_unit))
        text = f"Enheten {name} ({code}) fick inga godkända rader i {files}."
        alarms.append(Alarm(", ".join(dict.fromkeys(r.source for r in with_unit)), ", ".join(
            dict.fromkeys(r.table for r in with_unit)), O_UNIT, rows_in, rejected, text + hint, rapporttext=text))
    return alarms


def find_alarms(results, config: Config) -> list[Alarm]:
    return source_alarms(results, settings(config).max_share) + unit_alarms(results, config.units)


def _write(path: Path, step: int | None, alarms: list[Alarm]) -> None:
    kept = []
    if path.exists():
        try:
            kept = [a for a in json.loads(path.read_text(encoding="utf-8")) if a.get("steg") != step]
        except (ValueError, AttributeError):
            kept = []
    entries = kept + [asdict(a) for a in alarms]
    if not entries and not path.exists():
        return
    text = json.dumps(entries, ensure_ascii=False, indent=2)
    write_text_atomic(path, text)


def check_alarms(results, config: Config, paths: Paths, step: int | None = None) -> list[Alarm]:
    """Find the alarms of an import; keep them in larm.json; stop (ImportAlarm) unless the config says go on."""
    conf = settings(config)
    alarms = [replace(a, steg=step) for a in source_alarms(results, conf.max_share) + unit_alarms(results, config.units)]
    if paths.processed.is_dir():
        _write(paths.processed / FILE_NAME, step, alarms)
    if alarms and not conf.go_on:
        lines = "\n".join(f"  - {a.meddelande}" for a in alarms)
        raise ImportAlarm(
            f"Importen stoppades: {len(alarms)} larm.\n{lines}\nRätta mappningen eller filerna och kör steget "
            "igen. Karantänfilerna visar varje avvisad rad. Vill du gå vidare ändå, sätt "
            f"import: {{fortsatt_vid_larm: true}} i {config.path.name}; larmen står då i rapporten.", alarms)
    return alarms


def alarms_table(alarms: list[Alarm]):
    import pandas as pd
    return pd.DataFrame([{"Fil": a.fil, "Tabell": a.tabell, "Larm": a.orsak, "Rader in": a.rader_in,
                          "Avvisade": a.avvisade, "Meddelande": a.meddelande} for a in alarms],
                        columns=["Fil", "Tabell", "Larm", "Rader in", "Avvisade", "Meddelande"])
