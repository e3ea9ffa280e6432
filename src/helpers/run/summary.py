"""The summary of a batch: one row per municipality and scope, printed as a table and written as JSON for a
monitoring system (``sammanfattning-<period>.json``)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .progress import seconds


@dataclass
class Row:
    municipality: str
    code: str
    config: str
    unit: str | None
    unit_name: str
    status: str
    seconds: float | None = None
    reports: dict = field(default_factory=dict)
    failure: dict | None = None

    def as_json(self) -> dict:
        f = self.failure or {}
        return {"kommun": self.municipality, "kommunkod": self.code, "config": self.config, "enhet": self.unit,
                "enhet_namn": self.unit_name, "status": self.status,
                "sekunder": None if self.seconds is None else round(self.seconds, 1), "rapporter": self.reports,
                "fel": None if not self.failure else {"notebook": f.get("notebook"), "cell": f.get("cell"),
                                                      "meddelande": f.get("meddelande")}}


def table(rows: list[Row]) -> list[str]:
    """The summary as an aligned text table (Swedish headings and number format)."""
    head = ("Kommun", "Omfattning", "Status", "Tid", "Rapport eller fel")
    body = []
    for r in rows:
        f = r.failure or {}
        where = (f"{f['notebook']}.ipynb cell {f['cell']}" if f.get("notebook") and f.get("cell")
                 else (f.get("meddelande") or "").splitlines()[0][:80] if f else "")
        body.append((r.municipality, r.unit_name, r.status, seconds(r.seconds) if r.seconds is not None else "–",
                     r.reports.get("html") or r.reports.get("pdf") or where))
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    fmt = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return [fmt(head), fmt(["-" * w for w in widths]), *(fmt(b) for b in body)]


def write_summary(path: Path, summary: dict) -> None:
    from ..atomic import write_text_atomic
    text = json.dumps(summary, ensure_ascii=False, indent=1)
    write_text_atomic(path, text)
