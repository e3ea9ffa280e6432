"""Synthetic persons for the demo municipality: personnummer with valid check digits, names, sex."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from ..personnummer import luhn_check_digit

FEMALE_NAMES = ("Anna", "Eva", "Maria", "Karin", "Sara", "Emma", "Lena", "Elin", "Ida", "Johanna", "Sofia",
                "Linnea", "Maja", "Ebba", "Alva", "Astrid", "Wilma", "Selma", "Agnes", "Hanna", "Åsa",
                "Märta", "Inger", "Birgitta", "Ulla", "Kerstin", "Amira", "Fatima", "Leila", "Nour")
MALE_NAMES = ("Lars", "Anders", "Johan", "Erik", "Per", "Karl", "Mikael", "Peter", "Oskar", "Lucas", "William",
              "Hugo", "Elias", "Liam", "Noah", "Viktor", "Björn", "Göran", "Åke", "Örjan", "Jörgen", "Mats",
              "Stefan", "Ali", "Omar", "Yusuf", "Ahmed", "Emil", "Axel", "Olle")
SURNAMES = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
            "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson",
            "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson", "Lindqvist", "Lindgren", "Berg",
            "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Mattsson", "Berglund", "Fredriksson",
            "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Danielsson", "Håkansson",
            "Åberg", "Öberg", "Ali", "Mohammed", "Hassan", "Nyström", "Holm", "Sundberg", "Ström", "Söderberg")


def luhn_ok(number: str) -> bool:
    """True when a formatted personnummer/samordningsnummer (10 or 12 digits, '-' or '+') has a valid check."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) == 12:
        digits = digits[2:]
    return len(digits) == 10 and luhn_check_digit(digits[:9]) == int(digits[9])


@dataclass(frozen=True)
class Person:
    index: int
    birth: dt.date
    sex: str          # "kvinna" | "man"
    digits: str       # 12 digits, samordningsnummer with day + 60
    id_type: str      # "personnummer" | "samordningsnummer"
    name: str         # "Efternamn, Förnamn"
    style: str        # how the case system prints it: "12" (ÅÅÅÅMMDD-NNNC) or "10" (ÅÅMMDD-NNNC)

    def formatted(self, style: str | None = None) -> str:
        """The number as an export prints it: '12' ÅÅÅÅMMDD-NNNC, '10' ÅÅMMDD-NNNC, 'plain' 12 digits."""
        style = style or self.style
        d = self.digits
        if style == "plain":
            return d
        if style == "10":
            return f"{d[2:8]}-{d[8:]}"
        return f"{d[:8]}-{d[8:]}"

    def age_on(self, day: dt.date) -> int:
        return day.year - self.birth.year - ((day.month, day.day) < (self.birth.month, self.birth.day))


def _digits(birth: dt.date, serial: int, coordination: bool) -> str:
    day = birth.day + (60 if coordination else 0)
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
    return f"{birth.year // 100:02d}{nine}{luhn_check_digit(nine)}"


def make_pool(rng: np.random.Generator, n: int, first_birth: dt.date, last_birth: dt.date, share_men: float,
              start_index: int, taken: set[str]) -> list[Person]:
    """`n` persons with birth dates uniform in [first_birth, last_birth]; numbers unique across `taken`."""
    span = (last_birth - first_birth).days
    offsets = rng.integers(0, span + 1, size=n)
    men = rng.random(n) < share_men
    coordination = rng.random(n) < 0.03
    short_style = rng.random(n) < 0.15
    firsts_f = rng.integers(0, len(FEMALE_NAMES), size=n)
    firsts_m = rng.integers(0, len(MALE_NAMES), size=n)
    lasts = rng.integers(0, len(SURNAMES), size=n)
    persons = []
    for i in range(n):
        birth = first_birth + dt.timedelta(days=int(offsets[i]))
        sex = "man" if men[i] else "kvinna"
        while True:
            # födelsenummer 001-999, its last digit odd for men and even for women
            serial = int(rng.integers(0, 500)) * 2 + (1 if men[i] else 0)
            if 1 <= serial <= 999:
                digits = _digits(birth, serial, bool(coordination[i]))
                if digits not in taken:
                    break
        taken.add(digits)
        first = MALE_NAMES[firsts_m[i]] if men[i] else FEMALE_NAMES[firsts_f[i]]
        persons.append(Person(start_index + i, birth, sex, digits,
                              "samordningsnummer" if coordination[i] else "personnummer",
                              f"{SURNAMES[lasts[i]]}, {first}", "10" if short_style[i] else "12"))
    return persons
