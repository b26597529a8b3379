"""Ethical walls, oversight jurisdiction and the break-glass review queue.

Each change is a protected row whose content hash is on the ledger, so a wall quietly removed
with SQL, or a review marked done without an event, fails verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import NotFoundError, ValidationError
from candour.ledger.log import EventDraft, append
from candour.store.access import Actor
from candour.store.enums import EventAction
from candour.store.hashing import digest
from candour.store.models import (
    BreakGlass,
    Jurisdiction,
    LedgerEvent,
    Record,
    User,
    Wall,
    WallGrant,
)
from candour.store.people import get_agency, get_user
from candour.store.types import utcnow

OUTCOMES = ("justified", "not_justified", "referred")


def _log(
    session: Session,
    action: EventAction,
    etype: str,
    key: str,
    actor: Actor,
    subject: str | None,
    payload: dict[str, object],
    record_id: int | None = None,
    purpose: str | None = None,
) -> None:
    append(
        session,
        [
            EventDraft(
                action.value,
                etype,
                key,
                actor.id,
                actor.rank,
                record_id=record_id,
                subject_hash=subject,
                purpose=purpose,
                payload=payload,
            )
        ],
    )


def _wall_hash(w: Wall) -> str:
    fields = {
        c: getattr(w, c)
        for c in (
            "resource_type",
            "resource_id",
            "agency_id",
            "owner_id",
            "reason",
            "created_at",
            "lifted_at",
        )
    }
    if w.user_id is not None:  # agency walls keep the hashes they were logged with
        fields["user_id"] = w.user_id
    return digest(fields)


def _grant_hash(g: WallGrant) -> str:
    return digest(
        {
            c: getattr(g, c)
            for c in ("wall_id", "user_id", "granted_by", "reason", "created_at", "revoked_at")
        }
    )


def add_wall(
    session: Session, record_uid: str, agency_code: str, reason: str, actor: Actor
) -> Wall:
    """Hide a record (all its versions) from every user of an agency, whatever their rank."""
    if not reason.strip():
        raise ValidationError("a wall needs a reason", field="reason")
    root = session.execute(
        select(Record.root_uid, Record.id).where(Record.uid == record_uid)
    ).first()
    if root is None:
        raise NotFoundError("no such record")
    agency = get_agency(session, agency_code)
    assert actor.id is not None
    wall = Wall(
        resource_type="record",
        resource_id=root[0],
        agency_id=agency.id,
        owner_id=actor.id,
        reason=reason,
        created_at=utcnow(),
        content_hash="",
    )
    session.add(wall)
    session.flush()
    wall.content_hash = _wall_hash(wall)
    _log(
        session,
        EventAction.WALL,
        "wall",
        str(wall.id),
        actor,
        wall.content_hash,
        {"agency": agency.code, "state": "raised"},
        record_id=root[1],
        purpose=reason,
    )
    return wall


def wall_user(session: Session, record_uid: str, user: User, reason: str, actor: Actor) -> Wall:
    """Hide a record (all its versions) from one user, whatever their rank or role, and from
    break-glass: the rest of their agency still sees it. Idempotent: a user already walled
    from the record keeps the wall they have."""
    if not reason.strip():
        raise ValidationError("a wall needs a reason", field="reason")
    root = session.execute(
        select(Record.root_uid, Record.id).where(Record.uid == record_uid)
    ).first()
    if root is None:
        raise NotFoundError("no such record")
    if user.agency_id is None:
        raise ValidationError("only a user of an agency can be walled", field="user")
    found = session.execute(
        select(Wall).where(
            Wall.resource_type == "record",
            Wall.resource_id == root[0],
            Wall.user_id == user.id,
            Wall.lifted_at.is_(None),
        )
    ).scalar_one_or_none()
    if found is not None:
        return found
    assert actor.id is not None
    wall = Wall(
        resource_type="record",
        resource_id=root[0],
        agency_id=user.agency_id,
        user_id=user.id,
        owner_id=actor.id,
        reason=reason,
        created_at=utcnow(),
        content_hash="",
    )
    session.add(wall)
    session.flush()
    wall.content_hash = _wall_hash(wall)
    _log(
        session,
        EventAction.WALL,
        "wall",
        str(wall.id),
        actor,
        wall.content_hash,
        {"user": user.id, "state": "raised"},
        record_id=root[1],
        purpose=reason,
    )
    return wall


def lift_wall(session: Session, wall_id: int, reason: str, actor: Actor) -> None:
    wall = _own_wall(session, wall_id, actor)
    wall.lifted_at = utcnow()
    wall.content_hash = _wall_hash(wall)
    _log(
        session,
        EventAction.WALL,
        "wall",
        str(wall.id),
        actor,
        wall.content_hash,
        {"state": "lifted"},
        purpose=reason,
    )


def grant(session: Session, wall_id: int, identifier: str, reason: str, actor: Actor) -> WallGrant:
    """The wall's owner lets one user of the walled agency through (e.g. a liaison officer)."""
    if not reason.strip():
        raise ValidationError("a grant needs a reason", field="reason")
    wall = _own_wall(session, wall_id, actor)
    user = get_user(session, identifier)
    assert actor.id is not None
    g = WallGrant(
        wall_id=wall.id,
        user_id=user.id,
        granted_by=actor.id,
        reason=reason,
        created_at=utcnow(),
        content_hash="",
    )
    session.add(g)
    session.flush()
    g.content_hash = _grant_hash(g)
    _log(
        session,
        EventAction.WALL_GRANT,
        "wall_grant",
        str(g.id),
        actor,
        g.content_hash,
        {"wall": wall.id, "user": user.id},
        purpose=reason,
    )
    return g


def _own_wall(session: Session, wall_id: int, actor: Actor) -> Wall:
    wall = session.get(Wall, wall_id)
    if wall is None or wall.lifted_at is not None:
        raise NotFoundError(f"no standing wall {wall_id}")
    if wall.owner_id != actor.id:
        raise ValidationError("only the wall's owner may change it", field="wall")
    return wall


def list_walls(session: Session) -> list[Wall]:
    return list(session.scalars(select(Wall).order_by(Wall.id)))


def add_jurisdiction(session: Session, body_code: str, agency_code: str, actor: Actor) -> bool:
    body, agency = get_agency(session, body_code), get_agency(session, agency_code)
    if body.kind != "oversight":
        raise ValidationError(f"agency '{body_code}' is not an oversight body", field="body")
    found = session.execute(
        select(Jurisdiction.id).where(
            Jurisdiction.body_id == body.id, Jurisdiction.agency_id == agency.id
        )
    ).first()
    if found:
        return False
    now = utcnow()
    row = Jurisdiction(
        body_id=body.id,
        agency_id=agency.id,
        created_at=now,
        content_hash=digest({"body": body.code, "agency": agency.code, "at": now}),
    )
    session.add(row)
    session.flush()
    _log(
        session,
        EventAction.JURISDICTION,
        "jurisdiction",
        str(row.id),
        actor,
        row.content_hash,
        {"body": body.code, "agency": agency.code},
    )
    return True


@dataclass(frozen=True)
class Review:
    event: int
    record: str | None
    user: str
    rank: str | None
    reason: str
    at: datetime
    outcome: str | None
    reviewed_by: str | None


def reviews(session: Session, *, pending_only: bool = True) -> list[Review]:
    """Break-glass reads, oldest first: what an auditor or data-protection officer reviews.

    Built from the ledger, not from the `break_glass` table, so a row deleted or marked
    reviewed with SQL changes nothing here: a read is reviewed when a review event names it."""
    import json

    e = LedgerEvent
    reads = session.execute(
        select(e.idx, e.ts, e.actor_id, e.actor_rank, e.payload, Record.uid)
        .outerjoin(Record, Record.id == e.record_id)
        .where(e.action == EventAction.READ.value, e.payload.like('%"break_glass":true%'))
        .order_by(e.idx)
    ).all()
    done: dict[str, tuple[str, int | None]] = {}
    for key, payload, by in session.execute(
        select(e.entity_id, e.payload, e.actor_id).where(
            e.action == EventAction.ACCESS_REVIEW.value, e.entity_type == "break_glass"
        )
    ):
        done[str(key)] = (str(json.loads(payload).get("outcome")), by)
    names = dict(session.execute(select(User.id, User.identifier)).all())
    out = []
    for idx, ts, actor_id, rank, payload, uid in reads:
        outcome, by = done.get(str(idx), (None, None))
        if pending_only and outcome is not None:
            continue
        reason = str(json.loads(payload).get("reason") or "")
        who = names.get(actor_id, "?") if actor_id is not None else "?"
        out.append(Review(idx, uid, who, rank, reason, ts, outcome,
                          names.get(by) if by else None))  # fmt: skip
    return out


def review(session: Session, event: int, outcome: str, note: str, actor: Actor) -> None:
    if outcome not in OUTCOMES:
        raise ValidationError(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    if not note.strip():
        raise ValidationError("a review needs a note", field="note")
    found = {r.event: r for r in reviews(session, pending_only=False)}.get(event)
    if found is None:
        raise NotFoundError(f"no break-glass read at event {event}")
    if found.outcome is not None:
        raise ValidationError(f"the read at event {event} was already reviewed", field="event")
    row = session.get(BreakGlass, event)
    if found.user == actor.identifier:
        raise ValidationError("nobody reviews their own break-glass read", field="event")
    if row is not None:
        row.reviewed_by, row.reviewed_at, row.outcome, row.note = actor.id, utcnow(), outcome, note
    _log(
        session,
        EventAction.ACCESS_REVIEW,
        "break_glass",
        str(event),
        actor,
        None,
        {"outcome": outcome},
        record_id=row.record_id if row is not None else None,
        purpose=note,
    )
