"""Officers and partner-agency staff, in units with a chain of supervision."""

from __future__ import annotations

import random

from candour.synth.world import Builder, Officer, draw_name

AGENCIES: list[tuple[str, str, str]] = [
    ("SDP", "South District Police", "police"),
    ("CSC", "District Children's Social Care", "social_care"),
    ("DHT", "District Health Trust", "health"),
    ("EDU", "District Education Services", "education"),
    ("YTH", "District Youth Service", "youth"),
    ("OPC", "Police Conduct Office (synthetic)", "oversight"),
]

_CHAIN = ("CC", "DCC", "ACC", "ChSupt", "Supt", "ChInsp")
_UNITS = (("Public Protection Unit", "D"), ("CID", "D"), ("Response", ""), ("Neighbourhood", ""))


def build_workforce(b: Builder, size: int) -> list[Officer]:
    """A command team, then per unit an inspector, sergeants and constables; partner staff."""
    rng = b.rng
    officers: list[Officer] = []
    collar = iter(range(1001, 99999))

    def add(rank: str, unit: str, role: str, sup: str | None, agency: str = "SDP") -> Officer:
        o = Officer(f"{agency}{next(collar)}", draw_name(rng), rank, unit, agency, role, sup)
        officers.append(o)
        return o

    top: Officer | None = None
    for rank in _CHAIN:
        top = add(rank, "Command", "senior", top.identifier if top else None)
    assert top is not None
    per_unit = max(3, size // len(_UNITS))
    for unit, det in _UNITS:
        insp = add(f"{det}I" if det else "Insp", unit, "supervisor", top.identifier)
        for _ in range(max(1, per_unit // 5)):
            ps = add(f"{det}S" if det else "PS", unit, "supervisor", insp.identifier)
            for _ in range(4):
                add(f"{det}C" if det else "PC", unit, "officer", ps.identifier)
    for agency, senior, staff, unit in (
        ("CSC", "TeamManager", "SocialWorker", "Children's Services"),
        ("DHT", "Nurse", "Nurse", "Sexual Health"),
        ("EDU", "Teacher", "Teacher", "Schools"),
        ("YTH", "YouthWorker", "YouthWorker", "Youth Service"),
    ):
        lead = add(senior, unit, "supervisor", None, agency)
        for _ in range(max(2, size // 10)):
            add(staff, unit, "officer", lead.identifier, agency)
    add("Investigator", "Conduct", "oversight", None, "OPC")
    add("Analyst", "Intelligence", "analyst", top.identifier)
    return officers


def pick(
    rng: random.Random, officers: list[Officer], *, agency: str, ranks: tuple[str, ...]
) -> Officer:
    pool = [o for o in officers if o.agency == agency and o.rank in ranks]
    return rng.choice(pool)
