"""Writes the corpus of faulty source files used by tests/test_importing.py and tests/test_sources.py.

The files are committed; run this again only to change them:  .venv/bin/python tests/corpus/make_corpus.py
All personnummer are synthetic (check digits computed here); the expected outcome of each file is
asserted in the tests.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from helpers.manifest import write_manifest

HERE = Path(__file__).parent


def luhn(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        p = int(ch) * (2 if i % 2 == 0 else 1)
        total += p // 10 + p % 10
    return nine + str((10 - total % 10) % 10)


P1 = "640823-3234"  # man, 1964
P2 = luhn("850412228")[:6] + "-" + luhn("850412228")[6:]  # kvinna, 1985
SAMORDNING = "701063-2391"  # samordningsnummer, man, 1970
IMPOSSIBLE = luhn("640231123")[:6] + "-" + luhn("640231123")[6:]  # 31 February, valid check digit

CASES_HEADER = ["Personnummer", "Namn", "Ärende", "Enhet", "Datum"]
CASES_ROWS = [
    [P1, "Åsa Öberg", "Ä1", "Barn och unga", "2025-02-03"],
    [P1, "Åsa Öberg", "Ä2", "BoU", "20250304"],
    [P2, "Örjan Ek", "Ä3", "Vuxna – missbruk och beroende", "03.04.2025"],
]


def text(rows, sep=";") -> str:
    return "\r\n".join(sep.join(r) for r in rows) + "\r\n"


def write(name: str, content: str, encoding: str) -> None:
    (HERE / name).write_bytes(content.encode(encoding))


def main() -> None:
    write("arenden_cp1252.csv", text([CASES_HEADER] + CASES_ROWS), "cp1252")
    write("arenden_utf8bom.txt", text([CASES_HEADER] + CASES_ROWS, "\t"), "utf-8-sig")
    write("arenden_komma.csv", text([CASES_HEADER] + CASES_ROWS, ","), "utf-8")
    write("arenden_titelrad.csv", text([["Export från verksamhetssystemet 2025-12-31"], [""], CASES_HEADER]
                                        + CASES_ROWS), "cp1252")
    write("saknar_kolumn.csv", text([["Personnummer", "Ärende", "Enhet"], [P1, "Ä1", "barn_unga"]]), "utf-8")
    write("extra_kolumn.csv", text([CASES_HEADER + ["Handläggare"]] + [r + ["Kim"] for r in CASES_ROWS]), "utf-8")
    write("tom.csv", "", "utf-8")
    write("bara_rubrik.csv", text([CASES_HEADER]), "utf-8")
    (HERE / "binar.csv").write_bytes(bytes(range(256)) * 4)
    write("fel_antal_falt.csv", text([CASES_HEADER, CASES_ROWS[0], CASES_ROWS[1] + ["extra", "fält"],
                                      CASES_ROWS[2]]), "utf-8")
    write("personnummer.csv", text([["Personnummer", "Namn"], [P1, "A"], ["196408233234", "A"],
                                    ["640823-3235", "B"], [IMPOSSIBLE, "C"], [SAMORDNING, "D"], ["abc", "E"],
                                    ["", "F"], ["640823+3234", "G"]]), "utf-8")
    write("anledning_med_personnummer.csv", text([CASES_HEADER + ["Anledning"],
                                                  CASES_ROWS[0] + [f"Oro för barnet, mamma {P2}"],
                                                  CASES_ROWS[1] + ["Ekonomi"]]), "utf-8")
    head = ["Personnummer", "Insats", "Ärende", "Enhet", "Typ", "Start", "Slut", "Dos"]
    write("insatser_fel.csv", text([head,
        [P1, "I1", "Ä1", "barn_unga", "HVB", "2025-01-10", "2025-06-30", "12,5"],
        [P1, "I2", "Ä1", "barn_unga", "familjehem", "2025-02-30", "", ""],
        [P1, "I3", "Ä1", "barn_unga", "familjehem", "2026-01-05", "", ""],
        [P1, "I4", "Ä1", "barn_unga", "Öppenvård", "2025-05-01", "2025-04-01", ""],
        [P1, "I5", "Ä1", "barn_unga", "HVB", "2025-01-10", "", "-3"],
        [P1, "I6", "Ä1", "barn_unga", "simskola", "2025-01-10", "", ""],
        [P1, "I1", "Ä1", "barn_unga", "HVB", "2025-01-10", "2025-06-30", "12,5"],
        [P1, "I1", "Ä1", "barn_unga", "HVB", "2025-01-11", "2025-06-30", "12,5"],
        [P2, "I9", "Ä9", "barn_unga", "HVB", "2025-01-10", "", ""],
    ]), "cp1252")
    write("matningar_fel.csv", text([["Personnummer", "Mätning", "Instrument", "Tillfälle", "Datum", "Poäng"],
        [P1, "M1", "AUDIT", "Före insats", "2025-01-10", "12"],
        [P1, "M2", "AUDIT", "efter", "2025-06-10", "41"],
        [P1, "M3", "DUDIT", "fore", "2025-01-10", "44"],
        [P1, "M4", "KASAM13", "fore", "2025-01-10", "12"],
        [P1, "M5", "egen_skala", "fore", "2025-01-10", "7,5"],
        [P1, "M6", "AUDIT", "fore", "2025-01-10", "abc"],
    ]), "utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Uppföljning"
    ws["A1"] = "Måluppföljning 2025 – Exempelkommun"
    ws.merge_cells("A1:C1")
    ws.append(["Mål-id", "Uppföljningsdatum", "Måluppfyllelse"])
    ws.append(["G1", dt.datetime(2025, 3, 1), "Positiv förändring och målet uppfyllt"])
    ws.append(["G2", "2025-04-01", "ingen_forandring"])
    ws.append(["G3", dt.datetime(2026, 1, 2), "negativ"])
    ws.append(["G4", None, "okänd"])
    other = wb.create_sheet("Info")
    other.append(["Detta blad används inte"])
    wb.save(HERE / "uppfoljning_sammanslagen_rubrik.xlsx")
    # Synthetic files: listed so that the import accepts the demo key for them.
    write_manifest(HERE, [p for p in HERE.iterdir() if p.suffix in (".csv", ".txt", ".xlsx")], "make_corpus.py")


if __name__ == "__main__":
    main()
