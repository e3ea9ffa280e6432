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
    hostile()


HOSTILE_HEADER = CASES_HEADER + ["Anledning"]


def case_row(k: int, date: str = "", name: str = "Kim Ek") -> list[str]:
    return [P1 if k % 2 else P2, name, f"Ä{k}", "Barn och unga", date or f"2025-01-{k % 28 + 1:02d}", "Oro"]


def hostile() -> None:
    """Files that used to lose rows silently or crash: each case's outcome is asserted in test_hostile.py."""
    # 50 cases. Ä4's reason holds a line break (lines 5-6), so Ä(k) for k >= 5 starts on line k + 2.
    # Ä11 (line 13) opens a quote that never closes; Ä20 (line 22) has an impossible date.
    rows = [case_row(k, "2025-02-30" if k == 20 else "") for k in range(1, 51)]
    rows[3][5] = '"Oro för barnet;\r\nskolan har anmält"'
    rows[10][1] = '"Kim Ek'
    write("citat_oavslutat.csv", text([HOSTILE_HEADER] + rows), "utf-8")
    # UTF-8 with one Windows-1252 line (line 4), and Windows-1252 with one UTF-8 line (line 3).
    mixed = [CASES_HEADER] + CASES_ROWS
    body = [text([r]).encode("utf-8") for r in mixed]
    body[3] = text([mixed[3]]).encode("cp1252")
    (HERE / "blandad_utf8.csv").write_bytes(b"".join(body))
    body = [text([r]).encode("cp1252") for r in mixed]
    body[2] = text([mixed[2]]).encode("utf-8")
    (HERE / "blandad_cp1252.csv").write_bytes(b"".join(body))
    # Windows-1252 with a byte that is neither Windows-1252 nor UTF-8 on line 4.
    body = [text([r]).encode("cp1252") for r in mixed]
    body[3] = body[3].replace(b"\xd6rjan", b"\x81rjan")
    (HERE / "olasbar_rad.csv").write_bytes(b"".join(body))
    # Dates pandas cannot hold or that are not dates: 9999-12-31, 0001-01-01, 250131.
    write("datum_utanfor.csv", text([HOSTILE_HEADER] + [
        case_row(1, "9999-12-31"), case_row(2, "0001-01-01"), case_row(3, "250131"), case_row(4, "2025-01-31"),
        case_row(5, "31.01.2025")]), "utf-8")
    # A field over the csv module's limit (131 072 characters) on line 3.
    long_rows = [case_row(1), case_row(2), case_row(3)]
    long_rows[1][5] = "x" * 140_000
    write("langt_falt.csv", text([HOSTILE_HEADER] + long_rows), "utf-8")
    # Formulas without stored values (openpyxl writes none): G2's date (mapped) and a comment (not mapped).
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Uppföljning"
    ws.append(["Mål-id", "Uppföljningsdatum", "Måluppfyllelse", "Kommentar"])
    ws.append(["G1", dt.datetime(2025, 3, 1), "ingen_forandring", None])
    ws.append(["G2", "=DATE(2025,4,1)", "negativ", None])
    ws.append(["G3", dt.datetime(2025, 5, 1), "negativ", '=A4&" klar"'])
    ws.append(["G4", dt.datetime(2025, 6, 1), "positiv_uppfyllt", None])
    wb.save(HERE / "formler.xlsx")
    # Data on two sheets after an info sheet; Februari row 3 has an unknown code.
    wb = openpyxl.Workbook()
    wb.active.title = "Info"
    wb.active.append(["Måluppföljningar per månad"])
    for name, rows in [("Januari", [["G1", "2025-01-10", "negativ"], ["G2", "2025-01-20", "ingen_forandring"]]),
                       ("Februari", [["G3", "2025-02-10", "negativ"], ["G4", "2025-02-20", "okänd"]])]:
        ws = wb.create_sheet(name)
        ws.append(["Mål-id", "Uppföljningsdatum", "Måluppfyllelse"])
        for r in rows:
            ws.append(r)
    wb.save(HERE / "flera_blad.xlsx")
    # Synthetic files: listed so that the import accepts the demo key for them.
    write_manifest(HERE, [p for p in HERE.iterdir() if p.suffix in (".csv", ".txt", ".xlsx")], "make_corpus.py")


if __name__ == "__main__":
    main()
