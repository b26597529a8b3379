"""A tiny, hand-made casework world for store and ledger tests (synthetic names only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from candour.store import (
    Actor,
    NewDecision,
    NewMention,
    NewRecord,
    NewUser,
    Store,
    actor_for,
    add_decision,
    add_mentions,
    add_records,
    assign,
    create_agency,
    create_user,
    ensure_entity,
)
from candour.store.models import User

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class World:
    pc: User
    ps: User
    insp: User
    supt: User
    analyst: User
    record_uids: list[str]
    person_uid: str


def build(store: Store) -> World:
    system = Actor.system()
    with store.transaction() as s:
        agency = create_agency(s, "SYP", "South District Police", "police", system)
        supt = create_user(s, NewUser("S100", "Avery Quinn", "Supt", "senior", agency.id), system)
        insp = create_user(
            s,
            NewUser(
                "I200", "Rowan Adeyemi", "Insp", "supervisor", agency.id, supervisor_id=supt.id
            ),
            system,
        )
        ps = create_user(
            s,
            NewUser("PS300", "Kai Nowak", "PS", "supervisor", agency.id, supervisor_id=insp.id),
            system,
        )
        pc = create_user(
            s,
            NewUser("PC400", "Sam Okafor", "PC", "officer", agency.id, supervisor_id=ps.id),
            system,
        )
        analyst = create_user(
            s, NewUser("A500", "Jo Harris", "Analyst", "analyst", agency.id), system
        )
        records = [
            NewRecord(
                "crime_report",
                T0,
                body="Child A disclosed an assault by a man in a car.",
                fields={"offence": "sexual_assault"},
                agency_id=agency.id,
                source_ref="test:1",
                about_child=True,
            ),
            NewRecord(
                "minutes",
                T0.replace(day=2),
                body="Meeting discussed Child A and a man.",
                agency_id=agency.id,
                source_ref="test:2",
                about_child=True,
            ),
            NewRecord(
                "intelligence",
                T0.replace(day=3),
                body="Vehicle seen outside school.",
                agency_id=agency.id,
                source_ref="test:3",
            ),
        ]
        ids = add_records(s, records, actor_for(pc))
        person = ensure_entity(s, "person", "P-0001", "Adult One")
        add_mentions(
            s,
            [
                NewMention(
                    ids[i],
                    "person",
                    "Adult One",
                    "field",
                    "test",
                    role="suspect",
                    entity_id=person.id,
                )
                for i in (0, 1)
            ],
        )
        from candour.store.models import Record

        uids = [s.get_one(Record, i).uid for i in ids]
        assign(s, uids[0], pc, actor_for(ps))
        add_decision(
            s,
            uids[0],
            NewDecision("crime_recording", "Disclosure of sexual assault", "recorded", "19/1"),
            actor_for(ps),
        )
    return World(pc, ps, insp, supt, analyst, uids, "P-0001")


def read_record(s, uid: str, actor: Actor, purpose: str, *, break_glass: bool = False):  # type: ignore[no-untyped-def]
    """Read one record through the gate, as every interface does."""
    from candour.auth.gate import consult

    reason = "urgent safeguarding need" if break_glass else None
    return consult(s, actor, [uid], purpose, break_glass=reason).records[0]


def record_history(s, uid: str):  # type: ignore[no-untyped-def]
    """A record's whole history, read directly (tests only: no consultation)."""
    from candour.store.records import current_version, history_of

    return history_of(s, current_version(s, uid))


def who_knew(s, target: str, **kw):  # type: ignore[no-untyped-def]
    """Who-knew over every record naming a target (tests only: no consultation)."""
    from sqlalchemy import select

    from candour.ledger.whoknew import records_named
    from candour.ledger.whoknew import who_knew as rows
    from candour.store.models import Record

    _, uids = records_named(s, target)
    roots = sorted(set(s.scalars(select(Record.root_uid).where(Record.uid.in_(uids)))))
    return rows(s, roots, **kw)
