"""Decisions, escalations and assignments: each names a user, a time and a reason, and is logged."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import NotFoundError, ValidationError
from candour.ledger.log import OCCURRED_AT, EventDraft, Formatted, Formatter, append
from candour.ledger.log import lock as ledger_lock
from candour.store.access import Actor
from candour.store.bulk import insert_many, insert_tuples, update_many
from candour.store.enums import DecisionKind, EscalationStatus, EventAction, Rank, RecordingOutcome
from candour.store.hashing import (
    DECISION_COLUMNS,
    ESCALATION_COLUMNS,
    assignment_hash,
    decision_text,
    escalation_hash,
)
from candour.store.models import Assignment, Decision, Escalation, User, table_of
from candour.store.records import allocate_ids, current_version
from candour.store.types import iso, utcnow


@dataclass(frozen=True)
class NewDecision:
    kind: str
    reason: str
    outcome: str | None = None
    offence_code: str | None = None
    decided_at: datetime | None = None


def _validate_decision(d: NewDecision) -> None:
    try:
        DecisionKind(d.kind)
    except ValueError:
        raise ValidationError(f"unknown decision kind '{d.kind}'", field="kind") from None
    if not d.reason.strip():
        raise ValidationError("every decision needs a reason", field="reason")
    if d.kind != DecisionKind.CRIME_RECORDING:
        return
    try:
        outcome = RecordingOutcome(d.outcome or "")
    except ValueError:
        raise ValidationError(
            "a crime-recording decision needs an outcome: recorded, not_recorded or transferred",
            field="outcome",
        ) from None
    if outcome is RecordingOutcome.RECORDED and not d.offence_code:
        raise ValidationError("a recorded crime needs an offence code", field="offence_code")


def add_decision(session: Session, record_uid: str, new: NewDecision, actor: Actor) -> Decision:
    """A named, timed decision with its rationale; the rank held at the time is kept."""
    record = current_version(session, record_uid)
    (decision_id,) = add_decisions(session, [(record.id, new, actor)])
    return session.get_one(Decision, decision_id)


def add_decisions(
    session: Session, decisions: Sequence[tuple[int, NewDecision, Actor]]
) -> list[int]:
    """Many decisions (record id, decision, who decided) and their events, in one go."""
    if not decisions:
        return []
    now = utcnow()
    fmt = Formatter(session.get_bind().dialect.name, now)
    return insert_decisions(
        session, [(rid, decision_parts(new, actor, now, fmt)) for rid, new, actor in decisions]
    )


# A decision row's columns besides its id, record id and content hash, in `DecisionParts` order.
DECISION_VALUE_COLUMNS = DECISION_COLUMNS[1:]
assert DECISION_COLUMNS[0] == "record_id"
_RECORD_ID_KEY = '"record_id":'


class DecisionParts(NamedTuple):
    """A checked decision as plain values before it has a record id or an id of its own: made
    where the record is read (an intake worker), so the writer only fills in the ids.

    The content hash covers the record id, so its canonical text comes in two halves that the
    writer joins around the id (`hash_text`)."""

    values: tuple[Any, ...]  # DECISION_VALUE_COLUMNS, as the driver takes them
    before: str
    after: str
    event: Formatted  # its entity id and subject hash are filled in with the ids

    def hash_text(self, record_id: int) -> str:
        return f"{self.before}{int(record_id)}{self.after}"


def decision_parts(new: NewDecision, actor: Actor, now: datetime, fmt: Formatter) -> DecisionParts:
    """Check a decision and convert it for `insert_decisions` (a pure function)."""
    if actor.id is None or actor.rank is None:
        raise ValidationError("a decision must be made by a named user", field="decided_by")
    _validate_decision(new)
    decided_at = new.decided_at or now
    row: dict[str, Any] = {
        "record_id": 0,
        "kind": new.kind,
        "outcome": new.outcome,
        "offence_code": new.offence_code,
        "reason": new.reason,
        "decided_by": actor.id,
        "rank_at_decision": actor.rank,
        "decided_at": decided_at,
        "supersedes_id": None,
    }
    # Keys are sorted and a key's quotes are never escaped, so this finds the key itself.
    before, found, after = decision_text(row).partition(_RECORD_ID_KEY + "0")
    assert found, "the canonical text of a decision names its record"
    payload: dict[str, Any] = {
        "kind": new.kind,
        "outcome": new.outcome,
        "offence_code": new.offence_code,
    }
    if new.decided_at is not None:  # taken outside Candour (imported): when, as it says
        payload[OCCURRED_AT] = iso(new.decided_at)
    event = fmt(
        EventDraft(
            EventAction.DECIDE,
            "decision",
            "",
            actor.id,
            actor.rank,
            subject_hash="",
            purpose=new.reason,
            payload=payload,
        )
    )
    stored = {**row, "decided_at": fmt.to_db(decided_at)}
    values = tuple(stored[c] for c in DECISION_VALUE_COLUMNS)
    return DecisionParts(values, before + _RECORD_ID_KEY, after, event)


def insert_decisions(session: Session, decisions: Sequence[tuple[int, DecisionParts]]) -> list[int]:
    """Store decisions from `decision_parts` (record id first) with their 'decide' events."""
    if not decisions:
        return []
    ledger_lock(session)
    ids = allocate_ids(session, "decision", len(decisions))
    rows: list[tuple[Any, ...]] = []
    events: list[Formatted] = []
    sha = hashlib.sha256
    for did, (rid, parts) in zip(ids, decisions, strict=True):
        content_hash = sha(parts.hash_text(rid).encode()).hexdigest()
        rows.append((did, rid, *parts.values, content_hash))
        events.append(parts.event.naming(rid, str(did), content_hash))
    insert_tuples(
        session, "decision", ("id", "record_id", *DECISION_VALUE_COLUMNS, "content_hash"), rows
    )
    append(session, events)
    return ids


@dataclass(frozen=True)
class NewEscalation:
    reason: str
    target_rank: str
    deadline: datetime
    record_uid: str | None = None
    owner_id: int | None = None
    rule_id: str | None = None
    rule_version: str | None = None
    dedup_key: str | None = None
    evidence: Mapping[str, Any] | None = None


def escalation_event(
    action: str,
    esc: Mapping[str, Any],
    actor: Actor,
    owner_rank: str | None,
    occurred_at: datetime | None = None,
) -> EventDraft:
    """An escalation's event from its row (with id and content hash): whom it reached (the
    owner, else the rank it targets), its state, and the rule behind it. `occurred_at`: the
    time a retrospective rules run evaluated as of."""
    owner = esc["owner_id"]
    payload: dict[str, Any] = {
        "status": esc["status"],
        "target_rank": esc["target_rank"],
        "rule": esc["rule_id"],
        "rule_version": esc["rule_version"],
        "deadline": iso(esc["deadline"]),
    }
    if occurred_at is not None:
        payload[OCCURRED_AT] = iso(occurred_at)
    return EventDraft(
        action,
        "escalation",
        str(esc["id"]),
        actor.id,
        actor.rank,
        target_id=owner,
        target_rank=owner_rank if owner else esc["target_rank"],
        record_id=esc["record_id"],
        subject_hash=esc["content_hash"],
        purpose=_purpose(esc),
        payload=payload,
    )


def _purpose(esc: Mapping[str, Any]) -> str:
    """The event's purpose names the rule, never the escalation's reason: a reason can quote a
    phone, a plate or a name, and the ledger is exported to outside bodies. The reason is read
    from the escalation itself, through the gate."""
    if esc["rule_id"]:
        return f"escalation under rule {esc['rule_id']}@{esc['rule_version']}"
    return "escalation raised by a person"


def raise_escalations(
    session: Session,
    rows: Sequence[dict[str, Any]],
    actor: Actor,
    ranks: Mapping[int, str],
    occurred_at: datetime | None = None,
) -> list[int]:
    """The one way escalations are stored: rows (every escalation column but the id and the
    content hash, which are set here) inserted with their 'escalate' events in one go.

    `ranks` gives each owner's rank for the events; the caller has checked dedup keys."""
    if not rows:
        return []
    ledger_lock(session)
    ids = allocate_ids(session, "escalation", len(rows))
    for eid, esc in zip(ids, rows, strict=True):
        esc["id"] = eid
        esc["content_hash"] = escalation_hash(esc)
    insert_many(session, table_of(Escalation), rows)
    append(
        session,
        [
            escalation_event("escalate", e, actor, ranks.get(e["owner_id"]), occurred_at)
            for e in rows
        ],
    )
    return ids


_UPDATED = ("status", "target_rank", "owner_id", "deadline", "updated_at", "content_hash")


def update_escalations(
    session: Session, changed: Sequence[tuple[dict[str, Any], Sequence[EventDraft]]]
) -> None:
    """The one way escalations change: each new state (a full row with its id; the content hash
    is set here) with the events of its steps, of which only the last names the new hash."""
    if not changed:
        return
    ledger_lock(session)
    events: list[EventDraft] = []
    updates = []
    for state, steps in changed:
        state["content_hash"] = escalation_hash(state)
        steps[-1].subject_hash = state["content_hash"]
        events.extend(steps)
        updates.append({**{k: state[k] for k in _UPDATED}, "id": state["id"]})
    update_many(session, table_of(Escalation), "id", updates)
    append(session, events)


def raise_escalation(session: Session, new: NewEscalation, actor: Actor) -> Escalation:
    """Raise an escalation (by a rule or a person); idempotent on `dedup_key`."""
    try:
        Rank.parse(new.target_rank)
    except ValueError:
        raise ValidationError(f"unknown rank '{new.target_rank}'", field="target_rank") from None
    if new.dedup_key:
        found = session.execute(
            select(Escalation).where(Escalation.dedup_key == new.dedup_key)
        ).scalar_one_or_none()
        if found is not None:
            return found
    record = current_version(session, new.record_uid) if new.record_uid else None
    owner = session.get(User, new.owner_id) if new.owner_id else None
    now = utcnow()
    row: dict[str, Any] = {
        "record_id": record.id if record else None,
        "rule_id": new.rule_id,
        "rule_version": new.rule_version,
        "dedup_key": new.dedup_key,
        "raised_by": actor.id,
        "owner_id": owner.id if owner else None,
        "target_rank": new.target_rank,
        "reason": new.reason,
        "evidence": dict(new.evidence or {}),
        "status": EscalationStatus.OPEN.value,
        "deadline": new.deadline,
        "created_at": now,
        "updated_at": now,
    }
    ranks = {owner.id: owner.rank} if owner else {}
    (eid,) = raise_escalations(session, [row], actor, ranks)
    return session.get_one(Escalation, eid)


_ACTION_FOR = {
    EscalationStatus.ACKNOWLEDGED: "acknowledge",
    EscalationStatus.ACTIONED: "action",
    EscalationStatus.OVERDUE: "overdue",
    EscalationStatus.OPEN: "escalate",
}


def update_escalation(
    session: Session,
    escalation_id: int,
    status: str,
    actor: Actor,
    *,
    owner_id: int | None = None,
    target_rank: str | None = None,
    deadline: datetime | None = None,
) -> Escalation:
    """Move an escalation on (acknowledge, action, overdue/climb); each step is an event."""
    esc = session.get(Escalation, escalation_id)
    if esc is None:
        raise NotFoundError(f"no escalation {escalation_id}")
    try:
        new_status = EscalationStatus(status)
    except ValueError:
        raise ValidationError(f"unknown escalation status '{status}'", field="status") from None
    state: dict[str, Any] = {"id": esc.id, **{c: getattr(esc, c) for c in ESCALATION_COLUMNS}}
    state["status"] = new_status.value
    if owner_id is not None:
        state["owner_id"] = owner_id
    if target_rank is not None:
        state["target_rank"] = target_rank
    if deadline is not None:
        state["deadline"] = deadline
    state["updated_at"] = utcnow()
    owner = session.get(User, state["owner_id"]) if state["owner_id"] else None
    step = escalation_event(
        _ACTION_FOR[new_status],
        {**state, "content_hash": None},
        actor,
        owner.rank if owner else None,
    )
    update_escalations(session, [(state, [step])])
    session.expire(esc)
    return esc


def assign(session: Session, record_uid: str, user: User, actor: Actor) -> Assignment:
    record = current_version(session, record_uid)
    row: dict[str, Any] = {
        "record_id": record.id,
        "user_id": user.id,
        "assigned_by": actor.id,
        "assigned_at": utcnow(),
        "ended_at": None,
    }
    a = Assignment(**row, content_hash=assignment_hash(row))
    session.add(a)
    session.flush()
    append(
        session,
        [
            EventDraft(
                EventAction.ASSIGN,
                "assignment",
                str(a.id),
                actor.id,
                actor.rank,
                target_id=user.id,
                target_rank=user.rank,
                record_id=record.id,
                subject_hash=a.content_hash,
            )
        ],
    )
    return a
