"""Actions (åtgärder) the analyst records in the config: decided in one report, followed up in the next.

config:
  atgarder:
    - id: A1
      beslutad: "2025"               # the period whose report decides it
      vad: Påminnelse om måluppföljning i verksamhetssystemet
      vem: Enhetschef Barn och unga
      senast: "2026-06-30"
      indikator: uppfoljning_6_manader   # optional: the indicator it should move
      status: planerad                   # planerad / pågår / genomförd / avbruten
      uppfoljning: ""                    # what happened, written when it is followed up
"""
from __future__ import annotations

from dataclasses import dataclass

from ..config import ConfigError
from ..indicators.registry import REGISTRY

STATUSES = {"planerad": "Planerad", "pågår": "Pågår", "genomförd": "Genomförd", "avbruten": "Avbruten"}


@dataclass(frozen=True)
class Action:
    id: str
    decided: str
    what: str
    who: str
    by: str
    indicator: str
    status: str
    follow_up: str


def actions(config) -> list[Action]:
    """The config's actions; a malformed one is a Swedish ConfigError naming it and the key."""
    raw = config.get("atgarder") or []
    if not isinstance(raw, list):
        raise ConfigError(f"{config.path.name}: 'atgarder' ska vara en lista med åtgärder.")
    out = []
    for i, item in enumerate(raw, start=1):
        where = f"{config.path.name}, åtgärd nr {i}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: en åtgärd har nycklarna id, beslutad, vad, vem, senast och status.")
        for key in ("vad", "vem", "beslutad"):
            if not str(item.get(key) or "").strip():
                raise ConfigError(f"{where}: nyckeln '{key}' saknas.")
        status = str(item.get("status") or "planerad")
        if status not in STATUSES:
            raise ConfigError(f"{where}: 'status' ska vara en av {', '.join(STATUSES)}, inte '{status}'.")
        indicator = str(item.get("indikator") or "")
        if indicator and indicator not in REGISTRY:
            raise ConfigError(f"{where}: okänd indikator '{indicator}'.")
        out.append(Action(str(item.get("id") or f"A{i}"), str(item["beslutad"]), str(item["vad"]).strip(),
                          str(item["vem"]).strip(), str(item.get("senast") or ""), indicator, status,
                          str(item.get("uppfoljning") or "").strip()))
    return out


def decided_in(config, period: str) -> list[Action]:
    return [a for a in actions(config) if a.decided == str(period)]


def followed_up_in(config, period: str) -> list[Action]:
    """Actions decided in earlier reports: this report says what became of them."""
    return [a for a in actions(config) if a.decided < str(period)]
