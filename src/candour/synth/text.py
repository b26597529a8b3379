"""Free text with ground truth: every entity written into a sentence keeps its character offsets.

Sentences are composed from interchangeable clauses (time, place, action, detail, indicator with
or without negation), so the same situation is written in many different ways rather than from a
handful of fixed templates. Names are written the way real records write them: nicknames,
transliterations, initials, surnames in capitals, swapped order and typos.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime

from candour.synth.names import VARIANTS
from candour.synth.world import Person, Vehicle


@dataclass
class Span:
    start: int
    end: int
    text: str
    kind: str
    entity: str
    role: str | None = None


@dataclass
class Text:
    parts: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    length: int = 0

    def add(self, s: str) -> Text:
        self.parts.append(s)
        self.length += len(s)
        return self

    def entity(self, s: str, kind: str, entity: str, role: str | None = None) -> Text:
        self.spans.append(Span(self.length, self.length + len(s), s, kind, entity, role))
        return self.add(s)

    def value(self) -> str:
        return "".join(self.parts)


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 4:
        return s
    i = rng.randint(1, len(s) - 2)
    op = rng.random()
    if op < 0.4:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    if op < 0.7:
        return s[:i] + s[i + 1 :]
    return s[:i] + s[i] + s[i:]


def name_variant(rng: random.Random, person: Person, *, police_style: bool = False) -> str:
    """How one record writes this person's name."""
    given, family = person.name.given, person.name.family
    if rng.random() < 0.35:
        given = rng.choice(VARIANTS.get(given, (given,)))
    if rng.random() < 0.15:
        family = rng.choice(VARIANTS.get(family, (family,)))
    r = rng.random()
    if r < 0.06:
        given = _typo(rng, given)
    elif r < 0.12:
        family = _typo(rng, family)
    style = rng.random()
    if police_style and style < 0.45:
        return f"{given} {family.upper()}"
    if police_style and style < 0.55:
        return f"{family.upper()}, {given}"
    if style < 0.62:
        return f"{given[0]}. {family}"
    if style < 0.67:
        return f"{family} {given}"  # given and family swapped
    if style < 0.72:
        return given
    return f"{given} {family}"


def plate_variant(rng: random.Random, v: Vehicle) -> str:
    r = rng.random()
    if r < 0.15:
        return v.registration[:4]  # partial: only the first half was noted
    if r < 0.3:
        return v.registration.replace(" ", "")
    if r < 0.4:
        return v.registration.lower()
    return v.registration


def phone_variant(rng: random.Random, number: str) -> str:
    digits = number.replace(" ", "")
    r = rng.random()
    if r < 0.25:
        return digits
    if r < 0.4:
        return "+44 " + digits[1:5] + " " + digits[5:]
    if r < 0.55:
        return f"{digits[:5]}-{digits[5:]}"
    return number


def when_phrase(rng: random.Random, at: datetime) -> str:
    hhmm = at.strftime("%H%M")
    return rng.choice(
        (
            f"At {hhmm}hrs on {at:%d/%m/%Y}",
            f"On {at:%A %d %B %Y} at about {at:%H:%M}",
            f"At approximately {hhmm} hours",
            f"{at:%d/%m/%y} {hhmm}hrs:",
            f"Shortly after {hhmm}hrs",
            f"During the evening of {at:%d %B}",
            f"In the early hours of {at:%d/%m/%Y}",
        )
    )


def age_phrase(rng: random.Random, age: int, *, end: bool = False) -> str:
    """An age written beside a name; `end` when a full stop follows."""
    if end:
        options = (
            f" ({age})",
            f", aged {age}",
            f", a {age}-year-old",
            f" (age {age})",
            f", {age} yrs",
            "",
        )
    else:
        options = (
            f" ({age})",
            f", aged {age},",
            f", a {age}-year-old,",
            f" (age {age})",
            f", {age} yrs,",
            "",
        )
    return rng.choice(options)


def dob_phrase(d: date, rng: random.Random) -> str:
    return rng.choice((f" DOB {d:%d/%m/%Y}", f" (dob {d:%d.%m.%y})", f" born {d:%d %B %Y}"))


SEEN_WITH = (
    "was seen getting into",
    "was observed leaving in",
    "got out of",
    "was dropped off by",
    "was picked up in",
    "was sitting in the back of",
    "was found in",
)
PLACES = (
    "outside {school}",
    "near the bus station",
    "at the rear of {business}",
    "in the car park of {business}",
    "on {street}",
    "near the precinct",
    "outside a house on {street}",
)

# (present, absent) phrasings for each indicator: negations and hypotheticals are common in
# real notes and must not be read as the indicator being present.
INDICATORS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "alcohol": (
        (
            "She smelt strongly of alcohol.",
            "{c} appeared intoxicated.",
            "Empty vodka bottles were found in the vehicle.",
            "{c} said she had been drinking.",
        ),
        (
            "There was no evidence of alcohol.",
            "{c} did not appear to have been drinking.",
            "No smell of intoxicants noted.",
        ),
    ),
    "drugs": (
        ("Cannabis was found in her bag.", "{c} said the men gave her 'weed'."),
        ("No drugs were found.", "{c} denied taking any drugs."),
    ),
    "gifts": (
        (
            "{c} had a new mobile phone she could not explain.",
            "{c} has been given money and takeaway food.",
            "She had new clothes and cash.",
        ),
        ("No unexplained gifts were noted.", "Mother says she has not had any new items."),
    ),
    "older_boyfriend": (
        ("{c} refers to an older 'boyfriend'.", "{c} says her boyfriend is 24."),
        ("{c} denies having a boyfriend.",),
    ),
    "missing": (
        (
            "{c} has been reported missing three times this month.",
            "{c} returned home at 0400hrs after being missing overnight.",
        ),
        ("{c} has not been missing before.",),
    ),
    "hotel": (
        (
            "She was seen going into a hotel with two adult males.",
            "{c} described a party at a hotel room.",
        ),
        ("There is nothing to suggest she has been to any hotels.",),
    ),
    "sexual_health": (
        (
            "{c} attended the sexual health clinic twice this month.",
            "A school nurse raised concerns about her sexual health.",
        ),
        ("No sexual health concerns were raised.",),
    ),
    "truancy": (
        ("Attendance at school has dropped to 40%.", "{c} is regularly absent from school."),
        ("School report her attendance is good.",),
    ),
    "self_harm": (
        ("Fresh self-harm marks were seen on her arms.", "{c} has disclosed self-harming."),
        ("No self-harm concerns.",),
    ),
}
