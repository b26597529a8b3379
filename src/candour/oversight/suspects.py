"""Officers as suspects: a user of Candour named as a suspect in a record is walled from it.

A person mention with the role of suspect matches a user when the names agree (the same words,
in any order and case: "HALE, Dominic" is Dominic Hale) and the same record carries the user's
collar number (their identifier, or its digits as an extracted collar number). A name alone is
never enough: namesakes are common. Users carry no date of birth in Candour, so the date of
birth cannot corroborate a match here.

For each match, in one transaction: the user is walled from the record (`walls.wall_user`,
also against break-glass), and the force's professional-standards staff (its users with the
oversight role) and the oversight bodies with jurisdiction over the force are alerted with an
escalation in their work queue (a ledger event); then, for a caller who may read them (the
records consulted through the gate, as who-knew does), every read that user made before of the
records about the children in those records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.auth.capabilities import Capability, allowed
from candour.auth.walls import wall_user
from candour.errors import PermissionDeniedError
from candour.store.access import Actor
from candour.store.casework import NewEscalation, raise_escalation
from candour.store.enums import EventAction, Role
from candour.store.models import Jurisdiction, LedgerEvent, Mention, Record, User
from candour.store.types import utcnow

REASON = "named as a suspect in this record"
ALERT = "a user of Candour is named as a suspect in this record and is walled from it"
RULE = "officer-named-as-suspect"
READS_PURPOSE = "who knew: earlier reads by a user named as a suspect"
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class SuspectOfficer:
    """One user found named as a suspect: the records (root uids) they are now walled from,
    the users alerted, and the children's records (root uids) those records are about."""

    user: str
    records: list[str] = field(default_factory=list)
    alerted: list[str] = field(default_factory=list)
    children_records: list[str] = field(default_factory=list)
    #: Every earlier read by the user of the children's records: (event, time, record, purpose).
    reads: list[Read] = field(default_factory=list)


@dataclass(frozen=True)
class Read:
    event: int
    at: datetime
    record: str
    purpose: str | None


def _name_key(name: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(name) if len(w) > 1)


def _digits(identifier: str) -> str:
    return "".join(ch for ch in identifier if ch.isdigit())


def _corroborated(user: User, record: Record, mentions: Iterable[Mention]) -> bool:
    """The record carries the user's collar number: their identifier as a word in the text,
    or its digits as the collar number of an officer mention."""
    digits = _digits(user.identifier)
    for m in mentions:
        attrs = m.attributes or {}
        collar, name = attrs.get("collar"), attrs.get("name")
        same_name = name is None or _name_key(str(name)) <= _name_key(user.name)
        if digits and collar is not None and str(collar) == digits and same_name:
            return True
    text = " ".join([record.body or "", *(str(v) for v in (record.fields or {}).values())])
    return re.search(rf"\b{re.escape(user.identifier)}\b", text, re.I) is not None


def find(session: Session) -> dict[int, set[str]]:
    """user id -> root uids of the records naming them as a suspect (matched and corroborated)."""
    users: dict[frozenset[str], list[User]] = {}
    for u in session.scalars(select(User).where(User.agency_id.is_not(None))):
        users.setdefault(_name_key(u.name), []).append(u)
    found: dict[int, set[str]] = {}
    suspects = session.execute(
        select(Mention.text, Mention.record_id).where(
            Mention.kind == "person", Mention.role == "suspect"
        )
    )
    for text, record_id in suspects.all():
        for user in users.get(_name_key(text), []):  # a record is loaded only on a name match
            record = session.get_one(Record, record_id)
            others = session.scalars(select(Mention).where(Mention.record_id == record_id))
            if _corroborated(user, record, others):
                found.setdefault(user.id, set()).add(record.root_uid)
    return found


def _standards(session: Session, user: User) -> list[User]:
    """Whom to alert: the force's own oversight-role users and those of the bodies with
    jurisdiction over it (never the suspect)."""
    bodies = set(
        session.scalars(
            select(Jurisdiction.body_id).where(Jurisdiction.agency_id == user.agency_id)
        )
    )
    stmt = select(User).where(
        User.role == Role.OVERSIGHT.value,
        User.active.is_(True),
        User.agency_id.in_([user.agency_id, *bodies]),
        User.id != user.id,
    )
    return list(session.scalars(stmt.order_by(User.id)))


def act(session: Session, actor: Actor, now: datetime | None = None) -> list[SuspectOfficer]:
    """Wall every user found named as a suspect from those records and alert the standards
    staff and oversight bodies. Safe to run again: walls and alerts are not duplicated."""
    if not (allowed(actor, Capability.RUN_PIPELINE) or allowed(actor, Capability.RUN_OVERSIGHT)):
        raise PermissionDeniedError("your role may not check for officers named as suspects")
    when = now or utcnow()
    out = []
    for user_id, roots in sorted(find(session).items()):
        user = session.get_one(User, user_id)
        hit = SuspectOfficer(user.identifier, sorted(roots))
        recipients = _standards(session, user)
        for root in hit.records:
            wall_user(session, root, user, REASON, actor)
            for r in recipients:
                raise_escalation(
                    session,
                    NewEscalation(
                        ALERT,
                        r.rank,
                        when + timedelta(days=1),
                        record_uid=root,
                        owner_id=r.id,
                        rule_id=RULE,
                        dedup_key=f"{RULE}:{user.id}:{root}:{r.id}",
                        evidence={"user": user.identifier},
                    ),
                    actor,
                )
        hit.alerted = [r.identifier for r in recipients]
        hit.children_records = children_records(session, hit.records)
        hit.reads = _consulted_reads(session, actor, user.id, hit.children_records)
        out.append(hit)
    return out


def children_records(session: Session, roots: list[str]) -> list[str]:
    """Root uids of every record about the children (victims) named in these records."""
    ids = select(Record.id).where(Record.root_uid.in_(roots))
    children = set(
        session.scalars(
            select(Mention.entity_id).where(
                Mention.record_id.in_(ids),
                Mention.role == "victim",
                Mention.entity_id.is_not(None),
            )
        )
    )
    if not children:
        return sorted(roots)
    about = session.scalars(
        select(Record.root_uid)
        .join(Mention, Mention.record_id == Record.id)
        .where(Mention.entity_id.in_(children))
    )
    return sorted({*about, *roots})


def _consulted_reads(session: Session, actor: Actor, user_id: int, roots: list[str]) -> list[Read]:
    """The user's earlier reads of those records the actor may read, each consulted through
    the gate as who-knew is (a logged read). A pipeline run, which reads nothing, gets none."""
    from candour.auth.gate import consult

    if actor.id is None or actor.role is Role.SERVICE or not roots:
        return []
    try:
        seen = consult(session, actor, roots, READS_PURPOSE, partial=True)
    except PermissionDeniedError:
        return []
    return earlier_reads(session, user_id, sorted({r.root_uid for r in seen.records}))


def earlier_reads(session: Session, user_id: int, roots: list[str]) -> list[Read]:
    """Every read the user made of these records (any version), oldest first."""
    stmt = (
        select(LedgerEvent.idx, LedgerEvent.ts, Record.uid, LedgerEvent.purpose)
        .join(Record, Record.id == LedgerEvent.record_id)
        .where(
            LedgerEvent.actor_id == user_id,
            LedgerEvent.action == EventAction.READ.value,
            Record.root_uid.in_(roots),
        )
        .order_by(LedgerEvent.idx)
    )
    return [Read(int(i), ts, uid, purpose) for i, ts, uid, purpose in session.execute(stmt)]


def report(session: Session, actor: Actor) -> list[SuspectOfficer]:
    """Every user walled as a suspect in a force the actor oversees (or belongs to, for its
    standards staff), with the records, who was alerted and, from the records the actor may
    read, the user's earlier reads. Changes nothing but the log of what was consulted."""
    from candour.auth.capabilities import require
    from candour.store.models import Escalation, Wall

    require(actor, Capability.VIEW_OVERSIGHT)
    forces = set(
        session.scalars(
            select(Jurisdiction.agency_id).where(Jurisdiction.body_id == actor.agency_id)
        )
    )
    if actor.agency_id is not None:
        forces.add(actor.agency_id)
    walls = session.execute(
        select(Wall.user_id, Wall.resource_id).where(
            Wall.resource_type == "record",
            Wall.user_id.is_not(None),
            Wall.lifted_at.is_(None),
            Wall.agency_id.in_(forces),
        )
    ).all()
    by_user: dict[int, set[str]] = {}
    for user_id, root in walls:
        if user_id is not None:
            by_user.setdefault(user_id, set()).add(root)
    out = []
    for user_id, roots in sorted(by_user.items()):
        user = session.get_one(User, user_id)
        hit = SuspectOfficer(user.identifier, sorted(roots))
        alerted = session.scalars(
            select(User.identifier)
            .join(Escalation, Escalation.owner_id == User.id)
            .where(Escalation.dedup_key.like(f"{RULE}:{user.id}:%"))
            .distinct()
        )
        hit.alerted = sorted(alerted)
        hit.children_records = children_records(session, hit.records)
        hit.reads = _consulted_reads(session, actor, user.id, hit.children_records)
        out.append(hit)
    return out
