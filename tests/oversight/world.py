"""A synthetic force, a watchdog with jurisdiction over it, and its staff (invented names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from candour.auth.walls import add_jurisdiction
from candour.store import Actor, NewUser, Store, actor_for, create_agency, create_user
from candour.store.people import get_agency

T0 = datetime(2023, 1, 9, 9, 0, tzinfo=UTC)

FIRST = [
    "Amara",
    "Bjorn",
    "Chen",
    "Dilnoza",
    "Eamon",
    "Farah",
    "Goran",
    "Hana",
    "Ifeoma",
    "Jovan",
    "Kemal",
    "Leilani",
    "Mateus",
    "Nadia",
    "Oskar",
    "Priya",
    "Quang",
    "Rhiannon",
    "Sione",
    "Tamsin",
    "Ugo",
    "Valentina",
    "Wiremu",
    "Ximena",
    "Yusuf",
    "Zofia",
]
LAST = [
    "Abernathy",
    "Balogun",
    "Castellanos",
    "Dvorak",
    "Eriksen",
    "Fonseca",
    "Ghosh",
    "Haddad",
    "Ishikawa",
    "Jablonski",
    "Kowalczyk",
    "Lindqvist",
    "Mwangi",
    "Nakamura",
    "Oyelaran",
]


@dataclass
class Oversight:
    force: str
    body: str
    investigator: Actor  # watchdog investigator (OV1), supervised by OV2
    lead: Actor  # watchdog lead investigator (OV2, chief-inspector grade)
    commissioner: Actor  # a commissioner's officer in the same body
    force_senior: Actor  # the force's chief constable: must never see the cases
    auditor: Actor
    admin: Actor


def name(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}"


def build(store: Store) -> Oversight:
    system = Actor.system()
    with store.transaction() as s:
        force = create_agency(s, "LFP", "Linden Force Police", "police", system)
        body = create_agency(s, "WDG", "Conduct Watchdog", "oversight", system)
        add_jurisdiction(s, "WDG", "LFP", system)
        lead = create_user(
            s, NewUser("OV2", "Imogen Achterberg", "ChInsp", "oversight", body.id), system
        )
        inv = create_user(
            s,
            NewUser(
                "OV1",
                "Tariq Ellingsen",
                "Investigator",
                "oversight",
                body.id,
                supervisor_id=lead.id,
            ),
            system,
        )
        comm = create_user(
            s, NewUser("PCC1", "Marisol Van Dyke", "Staff", "oversight", body.id), system
        )
        cc = create_user(s, NewUser("CC1", "Declan Oduya", "CC", "senior", force.id), system)
        aud = create_user(s, NewUser("AUD1", "Ines Kaczmarek", "Staff", "auditor"), system)
        actors = [actor_for(u) for u in (inv, lead, comm, cc, aud)]
    return Oversight(
        "LFP",
        "WDG",
        actors[0],
        actors[1],
        actors[2],
        actors[3],
        actors[4],
        Actor(1, "Staff", "admin", "admin"),
    )


def add_officers(store: Store, ranks: list[str]) -> list[str]:
    """Officers of the force under investigation, as users of Candour."""
    system = Actor.system()
    out = []
    with store.transaction() as s:
        force = get_agency(s, "LFP").id
        for i, rank in enumerate(ranks):
            ident = f"LF{1000 + i}"
            create_user(s, NewUser(ident, name(i), rank, "officer", force), system)
            out.append(ident)
    return out
