"""Progress lines on the terminal, printed by one process only, and copied with timestamps to korning.log.

While one chain runs, a step gets a line when it starts and one when it ends. While several scopes run at
once, only the end of each step and of each scope is printed: every line names its scope, so lines from
parallel units never mix.
"""
from __future__ import annotations

import logging

from ..console import say

LOG = logging.getLogger("uppfoljning.korning")


def seconds(value: float) -> str:
    """Seconds with one decimal and a decimal comma: "12,3 s" (no pandas import for the coordinator)."""
    return f"{value:.1f}".replace(".", ",") + " s"


class Progress:
    def __init__(self, parallel: bool = False, echo: bool = True):
        self.parallel = parallel
        self.echo = echo

    def line(self, text: str) -> None:
        LOG.info("%s", text)
        if self.echo:
            say(text)

    def __call__(self, job, event: dict) -> None:
        text = self.format(event)
        if text:
            self.line(text)

    def format(self, event: dict) -> str | None:
        kind = event.get("typ")
        if kind == "text":
            return event["text"]
        if kind == "steg":
            head = f"[{event['nr']}/{event['totalt']}] {event['steg']} ({event['scope']})"
            status = event["status"]
            if status == "start":
                return None if self.parallel else f"{head} …"
            if status == "klar":
                return f"{head}: klar på {seconds(event['sekunder'])}"
            if status == "oförändrad":
                return f"{head}: oförändrad sedan förra körningen, hoppas över"
            return f"{head}: fel efter {seconds(event.get('sekunder', 0))}"
        if kind == "rendering":
            status = event["status"]
            if status == "start":
                formats = ", ".join(event["format"])
                return None if self.parallel else f"Renderar rapporten ({event['scope']}): {formats} …"
            if status == "oförändrad":
                return f"Rapporten ({event['scope']}): oförändrad, renderas inte om"
            return f"Rapporten ({event['scope']}) renderad på {seconds(event['sekunder'])}"
        if kind == "bilaga":
            status = event["status"]
            if status == "klar":
                return f"Bilagan ({event['scope']}) renderad på {seconds(event['sekunder'])}"
            return f"Bilagan ({event['scope']}) kunde inte renderas" if status == "fel" else None
        if kind == "resultat" and self.parallel:
            result = event["resultat"]
            if result.status == "klar":
                return f"Klar: {result.label} på {seconds(result.seconds)}"
            if result.status == "fel":
                return f"Misslyckades: {result.label}"
        return None
