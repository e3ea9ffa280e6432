"""Step 1: the sampling methods a plan can name, and how a margin of error is written."""
from __future__ import annotations

from dataclasses import dataclass

from ..formatting import number


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    description: str
    random: bool


METHODS: dict[str, Method] = {m.key: m for m in [
    Method("alla", "Alla klienter",
           "Alla klienter som aktualiserats under perioden följs upp. Det bästa när det är möjligt.", False),
    Method("fodelsedagar", "Födelsedagar (5, 15 och 25)",
           "Klienter födda vissa dagar i månaden (standard den 5, 15 och 25: 36 av 365 dagar, ungefär 10 %). "
           "Födelsedagen har inget samband med problem eller insatser, så urvalet blir slumpmässigt.", False),
    Method("veckor", "Jämna (eller udda) veckor",
           "Klienter som aktualiserats under jämna (eller udda) ISO-veckor, ungefär hälften. Vecka 53 räknas som "
           "udda och hör till det år veckan tillhör enligt ISO 8601.", False),
    Method("tidsperiod", "Ett kvartal eller en följd av månader",
           "Alla klienter som aktualiserats under ett visst kvartal eller vissa månader. Se upp för "
           "säsongsvariation: vilka som aktualiseras och vilka insatser som finns kan skilja mellan årstider.",
           False),
    Method("slumpmassigt", "Obundet slumpmässigt urval",
           "n ärenden dras slumpmässigt bland alla aktualiseringar; samma slumpfrö ger samma urval.", True),
    Method("stratifierat", "Stratifierat slumpmässigt urval",
           "Populationen delas i strata (enhet och/eller målgrupp) och ett slumpmässigt urval dras i varje "
           "stratum, proportionellt mot stratumets storlek eller med ett minsta antal per stratum.", True),
]}


def margin_text(margin: float) -> str:
    """0.05 -> '±5 procentenheter' (a margin of error on a share is in percentage points)."""
    points = margin * 100
    return f"±{number(points, 0 if float(points).is_integer() else 1)} procentenheter"
