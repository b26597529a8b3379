"""As-of reconstruction: how a record or escalation stood at a past time, from the log alone."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import NotFoundError
from candour.ledger.log import OCCURRED_AT
from candour.store.models import LedgerEvent, Record
from candour.store.types import iso


@dataclass
class RecordAsOf:
    record: str
    at: str
    exists: bool
    version: int | None = None
    version_uid: str | None = None
    decisions: list[dict[str, Any]] = field(default_factory=list)
    escalations: dict[str, dict[str, Any]] = field(default_factory=dict)
    assigned: list[int] = field(default_factory=list)
    reads: int = 0


def occurred(ts: datetime, payload: dict[str, Any]) -> datetime:
    """When what an event records happened: its "occurred_at" if it has one (imported history,
    decisions taken elsewhere, retrospective rules runs), else when it was logged."""
    text = payload.get(OCCURRED_AT)
    if isinstance(text, str):
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return ts
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return ts


def record_as_of(session: Session, uid: str, at: datetime) -> RecordAsOf:
    """Replay the record's events up to `at`: version current then, decisions, escalation states.

    An event counts from when it happened (`occurred`), so imported history replays at its own
    time although the ledger logged it when it was imported."""
    root = session.execute(select(Record.root_uid).where(Record.uid == uid)).scalar_one_or_none()
    if root is None:
        raise NotFoundError(f"no record '{uid}'")
    ids = list(session.scalars(select(Record.id).where(Record.root_uid == root)))
    stmt = select(LedgerEvent).where(LedgerEvent.record_id.in_(ids)).order_by(LedgerEvent.idx)
    state = RecordAsOf(record=root, at=iso(at) or "", exists=False)
    events = []
    for ev in session.scalars(stmt):
        payload = json.loads(ev.payload)
        when = occurred(ev.ts, payload)
        if when <= at:
            events.append((when, ev, payload))
    events.sort(key=lambda e: (e[0], e[1].idx))
    for when, ev, payload in events:
        if ev.action in ("create", "amend") and ev.entity_type == "record":
            state.exists = True
            state.version = payload.get("version")
            state.version_uid = ev.entity_id
        elif ev.action == "decide":
            state.decisions.append(
                {
                    "event": ev.idx,
                    "by": ev.actor_id,
                    "rank": ev.actor_rank,
                    "time": iso(when),
                    "reason": ev.purpose,
                    **payload,
                }
            )
        elif ev.entity_type == "escalation" and ev.entity_id is not None:
            state.escalations[ev.entity_id] = {"event": ev.idx, "owner": ev.target_id, **payload}
        elif ev.action == "assign" and ev.target_id is not None:
            state.assigned.append(ev.target_id)
        elif ev.action == "read":
            state.reads += 1
    return state
