"""The claims check: a text may not say what its numbers do not.

Run on each text after its live references are filled in (``live.render``), sentence by sentence:
- a number typed by hand next to a reference must be one of that cell's numbers (this year, last year, the
  change, n, the goal); a typed share or count with no reference in the sentence is listed as unverified;
- a direction word (ökade, minskade, högre, färre, oförändrad …) must agree with the change of the nearest
  reference; without a reference it is listed as unverified;
- a goal word (uppnått, inte uppnått, delvis) must agree with the referenced indicator's goal status;
- superlatives and sweeping claims ("de flesta", "samtliga enheter", "högst") need a reference in the sentence;
- an unknown reference is an error.
"Fel" contradicts the data; "obekräftad" cannot be checked. Both go into the run's check list; with the strict
option (config `rapport: {strikt: true}` or the environment variable UPPFOLJNING_STRIKT=1) a "fel" stops the run.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from .live import MARK, Reference, TextContext, strip

ERROR, UNVERIFIED = "fel", "obekräftad"
UP = r"ökade|ökat|ökar|ökning|högre|fler|steg|stigit|förbättrades|förbättrats|förbättrad|bättre"
DOWN = r"minskade|minskat|minskar|minskning|lägre|färre|sjönk|sjunkit|försämrades|försämrats|försämrad|sämre"
SAME = r"oförändrad\w*|samma nivå|ungefär lika"
DIRECTION = re.compile(rf"\b(?:(?P<up>{UP})|(?P<down>{DOWN})|(?P<same>{SAME}))\b", re.IGNORECASE)
GOAL_WORDS = re.compile(r"\b(?P<not>inte uppnått|inte uppnåtts|inte nåtts|nåddes inte)\b|\b(?P<partly>delvis uppnått)\b|"
                        r"\b(?P<yes>uppnåddes|uppnått|har nåtts|nåddes)\b", re.IGNORECASE)
SWEEPING = re.compile(r"\b(de flesta|majoriteten|samtliga enheter|alla (?:tre|fyra|fem|\d+) enheter|"
                      r"högst|lägst|högsta|lägsta|bäst|sämst)\b", re.IGNORECASE)
# A typed quantity: a number with a unit, or a bare number of persons/cases; not years, dates or legal references.
NUMBER = re.compile(r"(?<![\w§:/.-])(\d{1,3}(?:[ \u00a0]\d{3})*(?:,\d+)?)\s*(%|procentenheter|procent|dagar|"
                    r"månader|personer|klienter|barn|ärenden|insatser|svar)?(?![\w:/-])")
LEGAL = re.compile(r"\d+\s*(kap\.|§|a §)|SOSFS|HSLF-FS|SFS|\d{4}:\d+|\d+\s*–\s*\d+\s*år|\d+ och \d+ år")
# Words after which a number is not a measurement (a law, a step, an instrument's scale, a threshold rule).
NOT_A_MEASURE = re.compile(r"(steg|kapitel|punkt|fråga|skala|skalan|minst|mer än|färre än|under|över|"
                           r"högst|var|vart|inom|efter|till|från|av)\s*$", re.IGNORECASE)
# Polarity for "förbättr…/försämr…": which direction is better (default: higher is better).
LOWER_IS_BETTER = {"vantetid_ekonomiskt_bistand", "vantetid_ekonomiskt_bistand_medel", "utredningstid_median",
                   "utredningstid_medel", "langvarigt_forsorjningsstod", "forsorjningsstod_manader",
                   "synpunkter_klagomal", "lex_sarah", "ivo_tillsyn"}


@dataclass(frozen=True)
class Claim:
    level: str   # fel / obekräftad
    text: str    # the section's file
    sentence: str
    message: str

    def row(self) -> dict:
        return {"nivå": self.level, "text": self.text, "mening": self.sentence, "problem": self.message}


def strict(config) -> bool:
    return bool((config.get("rapport") or {}).get("strikt")) or os.environ.get("UPPFOLJNING_STRIKT") == "1"


def _sentences(text: str) -> list[str]:
    parts = []
    for block in re.split(r"\n\s*\n|\n(?=\s*[-*] )|\n(?=#)", text):
        parts += re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ\x00])", block.strip())
    return [p.replace("\n", " ").strip() for p in parts if p.strip()]


def _parse(number: str) -> float:
    return float(number.replace(" ", "").replace("\u00a0", "").replace(",", "."))


def _matches(typed: float, unit: str | None, ref: Reference) -> bool:
    """A typed number agrees with one of the cell's numbers as the report would round it."""
    for v in ref.allowed:
        shown = v * 100 if (ref.unit == "andel" and unit in ("%", "procent") and v <= 1) else v
        decimals = len(str(typed).split(".")[1]) if "." in str(typed) and not float(typed).is_integer() else 0
        if abs(round(shown, decimals) - typed) < 10 ** -decimals / 2 + 1e-9 or abs(shown - typed) < 0.5:
            return True
    return False


def _direction(ref: Reference, word: str, kind: str) -> bool | None:
    """Whether a direction word agrees with the reference's change (None: cannot be checked)."""
    change = ref.change
    if change is None:
        return None
    flat = abs(change) < (0.005 if ref.unit == "andel" else 0.05 * max(abs(ref.previous or 0), 1e-9))
    if kind == "same":
        return flat
    if flat:
        return False
    up = change > 0
    if word.lower().startswith(("förbättr", "bättre", "försämr", "sämre")):
        better = (not up) if ref.name in LOWER_IS_BETTER else up
        return better if word.lower().startswith(("förbättr", "bättre")) else not better
    return up if kind == "up" else not up


def check_text(rendered: str, ctx: TextContext, source: str) -> list[Claim]:
    """Every problem in one rendered text (with markers, see ``live.render``)."""
    claims = [Claim(ERROR, source, "", f"okänd hänvisning: {name}") for name in dict.fromkeys(ctx.unknown)]
    for sentence in _sentences(rendered):
        shown = strip(sentence)
        refs = [(m.start(), ctx.references[int(m.group(1))]) for m in MARK.finditer(sentence)]
        plain = MARK.sub(lambda m: " " * len(m.group(0)), sentence)
        claims += _check_numbers(plain, refs, shown, source)
        claims += _check_directions(plain, refs, shown, source)
        claims += _check_goals(plain, refs, shown, source)
        if SWEEPING.search(plain) and not refs:
            claims.append(Claim(UNVERIFIED, source, shown, f"påståendet \"{SWEEPING.search(plain).group(0)}\" "
                                "har ingen hänvisning till en siffra i publikationen"))
    return claims


def _nearest(refs: list[tuple[int, Reference]], position: int) -> Reference | None:
    return min(refs, key=lambda r: abs(r[0] - position))[1] if refs else None


def _check_numbers(plain: str, refs, shown: str, source: str) -> list[Claim]:
    out = []
    legal = [m.span() for m in LEGAL.finditer(plain)]
    for m in NUMBER.finditer(plain):
        number, unit = m.group(1), m.group(2)
        if any(a <= m.start() < b for a, b in legal) or re.fullmatch(r"(19|20)\d\d", number.replace(" ", "")):
            continue
        if unit is None or NOT_A_MEASURE.search(plain[:m.start()]):
            continue
        typed = _parse(number)
        near = [r for _, r in refs]
        if not near:
            out.append(Claim(UNVERIFIED, source, shown, f"siffran {m.group(0).strip()} är inskriven för hand: "
                             "skriv den som en hänvisning till publikationen"))
        elif not any(_matches(typed, unit, r) for r in near):
            names = ", ".join(sorted({r.name for r in near}))
            out.append(Claim(ERROR, source, shown, f"siffran {m.group(0).strip()} stämmer inte med {names}"))
    return out


def _check_directions(plain: str, refs, shown: str, source: str) -> list[Claim]:
    out = []
    for m in DIRECTION.finditer(plain):
        kind = next(k for k in ("up", "down", "same") if m.group(k))
        ref = _nearest([r for r in refs if r[1].change is not None] or refs, m.start())
        if ref is None:
            out.append(Claim(UNVERIFIED, source, shown, f"\"{m.group(0)}\" har ingen hänvisning till en siffra"))
            continue
        agrees = _direction(ref, m.group(0), kind)
        if agrees is False:
            out.append(Claim(ERROR, source, shown, f"\"{m.group(0)}\" stämmer inte med {ref.name}: "
                             f"{_describe_change(ref)}"))
        elif agrees is None:
            out.append(Claim(UNVERIFIED, source, shown, f"\"{m.group(0)}\" kan inte prövas: {ref.name} saknar "
                             "jämförbart värde för föregående år"))
    return out


def _describe_change(ref: Reference) -> str:
    if ref.change is None:
        return "ingen jämförelse finns"
    word = "ökade" if ref.change > 0 else ("minskade" if ref.change < 0 else "var oförändrad")
    return f"värdet {word}"


def _check_goals(plain: str, refs, shown: str, source: str) -> list[Claim]:
    out = []
    for m in GOAL_WORDS.finditer(plain):
        said = "inte uppnått" if m.group("not") else ("delvis uppnått" if m.group("partly") else "uppnått")
        with_goal = [r for r in refs if r[1].goal_status]
        ref = _nearest(with_goal, m.start())
        if ref is None:
            continue  # goal words about goals in general ("målen för perioden") are not a claim about a number
        if ref.goal_status != said:
            out.append(Claim(ERROR, source, shown, f"\"{m.group(0)}\" stämmer inte med målet för {ref.name}: "
                             f"{ref.goal_status}"))
    return out
