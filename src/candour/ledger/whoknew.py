"""Who knew: every user who created, read, was assigned, was escalated to or decided on the
records naming a person (or one record), with the rank they held at the time, the purpose they
gave and whether they broke glass; each row is one ledger event, provable on its own.

Rows are in the order things happened: an imported event's `occurred_at` (when it happened in
the system it came from), else the time Candour logged it. The caller passes record ids the
access gate has already consulted.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    purpose: str | None = None
    break_glass: bool = False
    logged: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def records_named(session: Session, target: str) -> tuple[str, list[str]]:
    """('record', [its uid]) or ('person', uids of the records naming them); ([]) if unknown.

    Returns ids only: the gate decides what of them may be seen."""
    rec = session.execute(select(Record.uid).where(Record.uid == target)).scalar_one_or_none()
    if rec is not None:
        return "record", [rec]
    entity = session.execute(select(Entity.id).where(Entity.uid == target)).scalar_one_or_none()
    if entity is None:
        return "unknown", []
    uids = session.scalars(
        select(Record.uid)
        .join(Mention, Mention.record_id == Record.id)
        .where(Mention.entity_id == entity)
        .distinct()
    )
    return "person", sorted(uids)


def who_knew(
    session: Session,
    root_uids: list[str],
    *,
    before: datetime | None = None,
    min_rank: Rank | None = None,
    record_ids: list[int] | None = None,
) -> list[Knew]:
    """Rows for these records (all versions), in time order. `min_rank` keeps users whose
    rank at the time was at least that. `record_ids`, when the caller has them, are the ids
    of every version of those records."""
    if not root_uids:
        return []
    ids = record_ids
    if ids is None:
        ids = list(session.scalars(select(Record.id).where(Record.root_uid.in_(root_uids))))
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
            e.purpose,
            e.payload,
            Record.uid,
        )
        .join(Record, Record.id == e.record_id)
        .where(e.record_id.in_(ids))
    )
    # Core rows on the session's connection: the ORM's per-row work doubled the cost here.
    rows = session.connection().execute(stmt).all()
    user_ids = {r.actor_id for r in rows} | {r.target_id for r in rows}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids - {None})))}
    floor = min_rank.seniority if min_rank else None
    out: list[Knew] = []
    for r in rows:
        # Most events are plain reads: their payload is parsed only if it says something here.
        text = r.payload or ""
        payload = _payload(text) if ("occurred_at" in text or '"break_glass":true' in text) else {}
        logged = iso(r.ts) or ""
        when = str(payload.get("occurred_at") or logged)
        if before is not None and when >= (iso(before) or ""):
            continue
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
                    when,
                    u.identifier,
                    u.name,
                    rank,
                    verb,
                    r.uid,
                    r.idx,
                    bytes(r.leaf_hash).hex(),
                    r.purpose,
                    bool(payload.get("break_glass")),
                    logged,
                )
            )
    out.sort(key=lambda k: (k.time, k.event))
    return out


def _payload(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _seniority(rank: str | None) -> int:
    try:
        return Rank.parse(rank).seniority if rank else -1
    except ValueError:
        return -1
