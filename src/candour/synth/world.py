"""The district's people, places, businesses, vehicles, phones, networks and workforce."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from candour.synth.names import (
    AREAS,
    BUSINESS_KINDS,
    BUSINESS_STEMS,
    ORIGIN_WEIGHTS,
    ORIGINS,
    SCHOOLS,
    STREET_TYPES,
    STREETS,
    Name,
)

_ORIGIN_NAMES = list(ORIGIN_WEIGHTS)
_ORIGIN_W = [ORIGIN_WEIGHTS[o] for o in _ORIGIN_NAMES]
_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"  # no I, Q or Z inside plates, as on real ones
_MAKES = (
    "Vauxhall Astra",
    "Ford Focus",
    "Toyota Prius",
    "Skoda Octavia",
    "VW Golf",
    "BMW 3 Series",
    "Nissan Qashqai",
    "Ford Galaxy",
    "Peugeot 308",
    "Honda Civic",
)
_COLOURS = ("silver", "black", "white", "grey", "blue", "red", "dark green")

# Ofcom ranges reserved for drama: numbers that can never reach a real person.
_DRAMA_PREFIXES = (
    "07700 900",
    "0113 496 0",
    "0114 496 0",
    "0115 496 0",
    "0116 496 0",
    "0117 496 0",
    "0118 496 0",
    "0121 496 0",
    "0131 496 0",
    "0141 496 0",
    "0151 496 0",
    "0161 496 0",
    "020 7946 0",
    "0191 498 0",
    "029 2018 0",
    "01632 960",
)


@dataclass
class Place:
    pid: str
    address: str
    postcode: str
    area: str


@dataclass
class Vehicle:
    vid: str
    registration: str
    make: str
    colour: str


@dataclass
class Business:
    bid: str
    name: str
    kind: str
    place: Place


@dataclass
class Person:
    pid: str
    name: Name
    dob: date
    is_child: bool
    home: Place
    phone: str | None = None
    email: str | None = None
    school: str | None = None
    vehicle: Vehicle | None = None
    business: Business | None = None
    network: str | None = None
    badge: str | None = None

    def age_on(self, day: date) -> int:
        years = day.year - self.dob.year
        return years - ((day.month, day.day) < (self.dob.month, self.dob.day))


@dataclass
class Officer:
    identifier: str
    name: Name
    rank: str
    unit: str
    agency: str
    role: str
    supervisor: str | None = None


@dataclass
class Network:
    nid: str
    adults: list[Person]
    children: list[Person]
    businesses: list[Business]
    vehicles: list[Vehicle]
    start: date
    first_disclosure: date | None = None


@dataclass
class District:
    start: date
    end: date
    people: list[Person] = field(default_factory=list)
    children: list[Person] = field(default_factory=list)
    adults: list[Person] = field(default_factory=list)
    businesses: list[Business] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)
    officers: list[Officer] = field(default_factory=list)
    agencies: list[tuple[str, str, str]] = field(default_factory=list)


class Ids:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        n = self.counts.get(prefix, 0) + 1
        self.counts[prefix] = n
        return f"{prefix}-{n:06d}"


def draw_name(rng: random.Random, sex: str | None = None) -> Name:
    """One name; the origin is drawn from the same weights whatever the person's role."""
    origin = rng.choices(_ORIGIN_NAMES, _ORIGIN_W)[0]
    sex = sex or rng.choice(("female", "male"))
    pool = ORIGINS[origin]
    return Name(origin, rng.choice(pool[sex]), rng.choice(pool["family"]), sex)


class Builder:
    """Draws everything from one seeded RNG so the same seed gives the same district."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids = Ids()
        self._phones: set[str] = set()
        self._plates: set[str] = set()

    def place(self) -> Place:
        r = self.rng
        area = r.choice(AREAS)
        address = f"{r.randint(1, 180)} {r.choice(STREETS)} {r.choice(STREET_TYPES)}, {area}"
        # ZZ is not a real postcode area: well-formed, never a real address.
        postcode = f"ZZ{r.randint(1, 99)} {r.randint(1, 9)}{r.choice(_LETTERS)}{r.choice(_LETTERS)}"
        return Place(self.ids.next("L"), address, postcode, area)

    def phone(self) -> str | None:
        for _ in range(20):
            prefix = self.rng.choice(_DRAMA_PREFIXES)
            digits = 10 - len(prefix.replace(" ", "")) + 1
            number = prefix + "".join(str(self.rng.randint(0, 9)) for _ in range(digits))
            if len(number.replace(" ", "")) != 11 or number in self._phones:
                continue
            self._phones.add(number)
            return number
        return None

    def vehicle(self) -> Vehicle:
        r = self.rng
        while True:
            # A 'Q' memory tag is never issued in the current format: well-formed but fictional.
            age = r.randint(51, 73) if r.random() < 0.5 else r.randint(2, 23)
            tail = "".join(r.choice(_LETTERS) for _ in range(3))
            plate = f"Q{r.choice(_LETTERS)}{age:02d} {tail}"
            if plate not in self._plates:
                self._plates.add(plate)
                return Vehicle(self.ids.next("V"), plate, r.choice(_MAKES), r.choice(_COLOURS))

    def business(self, kind: str) -> Business:
        r = self.rng
        name = f"{r.choice(BUSINESS_STEMS)} {r.choice(BUSINESS_KINDS[kind])}"
        return Business(self.ids.next("B"), name, kind, self.place())

    def person(self, is_child: bool, on: date, sex: str | None = None) -> Person:
        r = self.rng
        age = r.randint(11, 16) if is_child else r.randint(19, 55)
        dob = on - timedelta(days=age * 365 + r.randint(0, 364))
        name = draw_name(r, sex)
        p = Person(self.ids.next("P"), name, dob, is_child, self.place())
        if r.random() < (0.6 if is_child else 0.8):
            p.phone = self.phone()
        if r.random() < 0.3:
            handle = f"{name.given}.{name.family}".lower().replace("'", "").replace(" ", "")
            domain = r.choice(("example.org", "example.com", "example.net"))
            p.email = f"{handle}{r.randint(1, 99)}@{domain}"
        if is_child:
            p.school = r.choice(SCHOOLS)
        elif r.random() < 0.35:
            p.vehicle = self.vehicle()
        return p
