"""Faults planted in the exports the way real exports have them, and the list of what was planted.

Each kind goes into one file, in rows nothing else depends on, so that an import rejects exactly the planted
rows: a bad check digit in a payment, an impossible date in a goal follow-up, a score out of range, a visit
after the period's end, a missing first-contact date, an unknown review code, a repeated case row and an
evaluation of an unknown intervention. The list (`_planterade_fel.json`) stays beside the files, never in them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ..schema import INSTRUMENTS
from . import labels as L
from .exports import SourceFile

RATE = 0.015          # share of a file's rows that carry its fault
FAULT_COLUMN = "_fel"  # marks planted rows until the file is written
IMPOSSIBLE_DAYS = ("02-30", "02-31", "04-31", "06-31", "09-31", "11-31")


@dataclass(frozen=True)
class Fault:
    kind: str
    file: str
    sheet: str
    column: str
    table: str
    change: Callable[[np.random.Generator, pd.Series, int], object]   # (rng, row, period) -> new value


def _bad_check_digit(rng, row, period):
    text = row["Personnummer"]
    wrong = (int(text[-1]) + int(rng.integers(1, 10))) % 10
    return text[:-1] + str(wrong)


def _out_of_range(rng, row, period):
    code = L.reverse(L.INSTRUMENT)[row["Instrument"]]
    return int(INSTRUMENTS[code]["max"] + rng.integers(1, 16))


FAULTS = (
    Fault("felaktig_kontrollsiffra", "ekb_utbetalningar.csv", "", "Personnummer", "support_months",
          _bad_check_digit),
    Fault("omojligt_datum", "uppfoljningsregister.xlsx", "Måluppföljning", "Uppföljningsdatum", "goal_followups",
          lambda rng, row, period: f"{period}-{IMPOSSIBLE_DAYS[int(rng.integers(0, len(IMPOSSIBLE_DAYS)))]}"),
    Fault("varde_utanfor_intervall", "uppfoljningsregister.xlsx", "Mätningar", "Poäng", "measurements",
          _out_of_range),
    Fault("datum_efter_periodens_slut", "placeringsbesok.csv", "", "Besöksdatum", "placement_visits",
          lambda rng, row, period: (dt.date(period, 12, 31) + dt.timedelta(days=int(rng.integers(1, 61))))
          .isoformat()),
    Fault("saknat_obligatoriskt_varde", "ekb_ansokningar.csv", "", "Första kontakt", "support_applications",
          lambda rng, row, period: ""),
    Fault("okand_kod", "overvaganden.csv", "", "Typ", "placement_reviews", lambda rng, row, period: "Uppföljningsmöte"),
    Fault("dubblettrad", "arenden.csv", "", "", "cases", lambda rng, row, period: None),
    Fault("okand_referens", "uppfoljningsregister.xlsx", "Utvärderingar", "Insats-id", "evaluations",
          lambda rng, row, period: f"I-{period}-9{int(rng.integers(0, 100000)):05d}"),
)


def plant(rng: np.random.Generator, files: list[SourceFile], period: int) -> dict[str, dict]:
    """Change the files' frames in place; returns kind -> {fil, ark, kolumn, tabell, antal, rader}, where
    `rader` are the row numbers a user sees in the file (the header row counts, CSV line 1 is the header)."""
    by_name = {f.name: f for f in files}
    planted = {}
    for fault in FAULTS:
        sheet = by_name[fault.file].sheets[fault.sheet]
        df = sheet.frame
        if FAULT_COLUMN not in df:
            df[FAULT_COLUMN] = None
        free = np.flatnonzero(df[FAULT_COLUMN].isna().to_numpy())
        n = min(len(free), max(1, round(len(df) * RATE))) if len(df) else 0
        chosen = sorted(rng.choice(free, size=n, replace=False).tolist()) if n else []
        if fault.kind == "dubblettrad":
            copies = df.iloc[chosen].copy()
            copies[FAULT_COLUMN] = fault.kind
            copies.index = [i + .5 for i in chosen]          # right after the original
            df = pd.concat([df, copies]).sort_index(kind="stable").reset_index(drop=True)
        else:
            col = df.columns.get_loc(fault.column)
            if df[fault.column].dtype != object:
                df[fault.column] = df[fault.column].astype(object)
            for i in chosen:
                df.iat[i, col] = fault.change(rng, df.iloc[i], period)
                df.iat[i, df.columns.get_loc(FAULT_COLUMN)] = fault.kind
        sheet.frame = df
        planted[fault.kind] = {"fil": fault.file, "ark": fault.sheet or None, "kolumn": fault.column or None,
                               "tabell": fault.table, "antal": n}
    for f in files:
        for name, sheet in f.sheets.items():
            if FAULT_COLUMN not in sheet.frame:
                continue
            first_data_row = 3 if sheet.title else 2
            marks = sheet.frame[FAULT_COLUMN]
            for kind in marks.dropna().unique():
                planted[kind]["rader"] = [int(i) + first_data_row for i in np.flatnonzero((marks == kind).to_numpy())]
    for info in planted.values():
        info.setdefault("rader", [])
    return planted
