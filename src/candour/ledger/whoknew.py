"""Who knew: every user who created, read, was assigned, was escalated to or decided on the
records naming a person (or one record), with the rank they held at the time, provable from the log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import NotFoundError
from candour.store.enums import Rank
from candour.store.models import Entity, LedgerEvent, Mention, Record, User
from candour.store.types import iso

# How each event makes its actor (and target) "know" about the record.
_ACTOR_VERBS = {
    "create": "created",
    "amend": "amended",
    "read": "read",
    "disclose": "disclosed",
    "decide": "decided",
    "escalate": "escalated",
    "acknowledge": "acknowledged escalation",
    "action": "actioned escalation",
    "assign": "assigned",
}
_TARGET_VERBS = {
    "assign": "was assigned",
    "escalate": "was escalated to",
    "overdue": "was escalated to",
    "acknowledge": "owned escalation",
    "action": "owned escalation",
}


@dataclass(frozen=True)
class Knew:
    """One row of a who-knew answer, with the event index and leaf hash that prove it."""

    time: str
    user: str
    name: str
    rank: str | None
    action: str
    record: str
    event: int
    leaf_hash: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _record_ids_for(session: Session, target: str) -> tuple[str, list[int]]:
    rec = session.execute(select(Record.root_uid).where(Record.uid == target)).scalar_one_or_none()
    if rec is not None:
        ids = session.scalars(select(Record.id).where(Record.root_uid == rec))
        return "record", list(ids)
    entity = session.execute(select(Entity.id).where(Entity.uid == target)).scalar_one_or_none()
    if entity is None:
        raise NotFoundError(f"no person, entity or record '{target}'")
    ids = session.scalars(select(Mention.record_id).where(Mention.entity_id == entity).distinct())
    return "person", list(ids)


def who_knew(
    session: Session,
    target: str,
    *,
    before: datetime | None = None,
    min_rank: Rank | None = None,
) -> list[Knew]:
    """Rows in time order. `min_rank` keeps users whose rank at the time was at least that."""
    _, record_ids = _record_ids_for(session, target)
    if not record_ids:
        return []
    e = LedgerEvent
    stmt = (
        select(
            e.idx,
            e.ts,
            e.action,
            e.actor_id,
            e.actor_rank,
            e.target_id,
            e.target_rank,
            e.leaf_hash,
            Record.uid,
        )
        .join(Record, Record.id == e.record_id)
        .where(e.record_id.in_(record_ids))
        .order_by(e.idx)
    )
    if before is not None:
        stmt = stmt.where(e.ts < before)
    rows = session.execute(stmt).all()
    user_ids = {r.actor_id for r in rows} | {r.target_id for r in rows}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids - {None})))}
    floor = min_rank.seniority if min_rank else None
    out: list[Knew] = []
    for r in rows:
        for uid, rank, verb in (
            (r.actor_id, r.actor_rank, _ACTOR_VERBS.get(r.action)),
            (r.target_id, r.target_rank, _TARGET_VERBS.get(r.action)),
        ):
            if uid is None or verb is None or uid not in users:
                continue
            if floor is not None and _seniority(rank) < floor:
                continue
            u = users[uid]
            out.append(
                Knew(
                    iso(r.ts) or "",
                    u.identifier,
                    u.name,
                    rank,
                    verb,
                    r.uid,
                    r.idx,
                    bytes(r.leaf_hash).hex(),
                )
            )
    return out


def _seniority(rank: str | None) -> int:
    try:
        return Rank.parse(rank).seniority if rank else -1
    except ValueError:
        return -1
