"""Records: bulk and single creation, corrections as new versions, history.

Nothing here updates or deletes a record row. Each write appends its ledger event in the same
transaction. Reading goes through `candour.auth.consult`, which logs every consultation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from candour.errors import NotFoundError, ValidationError
from candour.ledger.log import OCCURRED_AT, EventDraft, Formatted, append
from candour.ledger.log import lock as ledger_lock
from candour.store.access import Actor
from candour.store.bulk import driver_rows, insert_tuples
from candour.store.enums import EventAction, RecordKind
from candour.store.hashing import RECORD_COLUMNS, canonical_json, digest, record_hash
from candour.store.models import Assignment, Decision, Escalation, LedgerEvent, Record, table_of
from candour.store.types import iso, utcnow


@dataclass
class NewRecord:
    """A record as intake hands it over."""

    kind: str
    received_at: datetime
    body: str | None = None
    title: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    agency_id: int | None = None
    source_ref: str | None = None
    about_child: bool = False
    uid: str | None = None
    # For history imported from another system: who wrote it and when it happened there.
    author: Actor | None = None
    historical: bool = False


_KINDS = frozenset(k.value for k in RecordKind)


def record_uid(new: NewRecord, received_iso: str | None = None, fields: Any = None) -> str:
    """Deterministic id from the record's content, so the same report is never stored twice.

    `fields`, when given, is the fields' canonical text already made (an orjson.Fragment)."""
    basis = {
        "kind": new.kind,
        "received_at": received_iso or iso(new.received_at),
        "body": new.body,
        "title": new.title,
        "fields": dict(new.fields) if fields is None else fields,
        "source": new.source_ref,
    }
    return "R-" + digest(basis)[:20]


def record_row(
    new: NewRecord, actor: Actor, now: datetime, now_iso: str | None = None
) -> dict[str, Any]:
    """The row a new record is stored as, with its content hash (a pure function of its input,
    so intake can build rows in worker processes). Its "fields" are their canonical JSON, as
    an orjson.Fragment."""
    if new.kind not in _KINDS:
        raise ValidationError(f"unknown record kind '{new.kind}'", field="kind")
    if new.received_at.tzinfo is None:
        raise ValidationError("received_at needs a timezone", field="received_at")
    received_iso = iso(new.received_at)
    # The fields are most of a record's text: made canonical once, for the uid, the content
    # hash and the column alike (a fragment is embedded as it is, so the bytes are the same).
    fields = orjson.Fragment(canonical_json(dict(new.fields)))
    uid = new.uid or record_uid(new, received_iso, fields)
    row: dict[str, Any] = {
        "uid": uid,
        "root_uid": uid,
        "version": 1,
        "supersedes_id": None,
        "kind": new.kind,
        "agency_id": new.agency_id,
        "source_ref": new.source_ref,
        "received_at": new.received_at,
        "created_at": now,
        "created_by": new.author.id if new.author else actor.id,
        "title": new.title,
        "body": new.body,
        "fields": fields,
        "about_child": bool(new.about_child),
    }
    # Hash with the timestamps already in canonical text: identical bytes, computed once.
    row["content_hash"] = record_hash(
        {**row, "received_at": received_iso, "created_at": now_iso or iso(now)}
    )
    return row


def add_records(session: Session, records: Sequence[NewRecord], actor: Actor) -> list[int]:
    """Insert many records and their 'create' events in the caller's transaction."""
    if not records:
        return []
    now = utcnow()
    now_iso = iso(now)
    rows = [record_row(r, actor, now, now_iso) for r in records]
    events = [
        create_event(row, None, actor, new, now_iso) for row, new in zip(rows, records, strict=True)
    ]
    return insert_record_values(session, record_values(rows, _dialect(session)), events)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# Columns of a record row besides its id, in the order of `record_values` tuples.
RECORD_VALUE_COLUMNS = (*RECORD_COLUMNS, "content_hash")


def record_values(rows: Sequence[Mapping[str, Any]], dialect: str) -> list[tuple[Any, ...]]:
    """Rows from `record_row` as the driver takes them (no id yet): made where the rows are."""
    return driver_rows(table_of(Record), RECORD_VALUE_COLUMNS, rows, dialect)


def insert_record_values(
    session: Session,
    values: Sequence[tuple[Any, ...]],
    events: Sequence[EventDraft | Formatted],
) -> list[int]:
    """Insert records converted by `record_values` with their create events (from
    `create_event`, perhaps formatted already; their record ids are filled in here), in the
    caller's transaction."""
    if len(values) != len(events):
        raise ValueError("one create event per record is needed")
    if not values:
        return []
    ledger_lock(session)
    ids = allocate_ids(session, "record", len(values))
    try:
        insert_tuples(
            session,
            "record",
            ("id", *RECORD_VALUE_COLUMNS),
            [(rid, *v) for rid, v in zip(ids, values, strict=True)],
        )
    except IntegrityError:
        raise ValidationError(
            "a record with the same content is already stored (records are content-addressed)",
            field="uid",
        ) from None
    append(session, events, record_ids=ids)
    return ids


def allocate_ids(session: Session, table: str, n: int) -> list[int]:
    """Ids for n new rows: from the table's sequence on PostgreSQL, after the maximum on SQLite
    (safe there because writers hold the database lock for the whole transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        stmt = text(f"SELECT nextval('{table}_id_seq') FROM generate_series(1, :n)")
        return [int(i) for i in session.execute(stmt, {"n": n}).scalars()]
    first = session.execute(text(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")).scalar_one()
    return list(range(int(first), int(first) + n))


def create_event(
    row: Mapping[str, Any],
    record_id: int | None,
    actor: Actor,
    new: NewRecord | None = None,
    now_iso: str | None = None,
) -> EventDraft:
    """The record's 'create' event. Like every event it is timed by the server's clock when
    logged; imported history is attributed to its author, marked as imported by the actor, and
    says when it happened there ("occurred_at": the time it was received)."""
    payload: dict[str, Any] = {
        "kind": row["kind"],
        "version": row["version"],
        "root": row["root_uid"],
    }
    who = actor
    if new is not None and new.historical:
        who = new.author or actor
        received = row["received_at"]
        occurred = received if isinstance(received, str) else iso(received)
        payload.update({"imported": True, "by": actor.id, OCCURRED_AT: occurred})
    return EventDraft(
        EventAction.CREATE if row["version"] == 1 else EventAction.AMEND,
        "record",
        row["uid"],
        who.id,
        who.rank,
        record_id=record_id,
        subject_hash=row["content_hash"],
        payload=payload,
    )


def add_record(session: Session, record: NewRecord, actor: Actor) -> Record:
    (rid,) = add_records(session, [record], actor)
    return session.get_one(Record, rid)


def existing_uids(session: Session, uids: Sequence[str]) -> set[str]:
    """Which of these uids are stored: plain indexed look-ups, 900 at a time (intake asks this
    for every batch, where the ORM's statement building would cost more than the look-up)."""
    found: set[str] = set()
    conn = session.connection()
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    for start in range(0, len(uids), 900):
        chunk = tuple(uids[start : start + 900])
        sql = f"SELECT uid FROM record WHERE uid IN ({', '.join(mark for _ in chunk)})"
        found.update(uid for (uid,) in conn.exec_driver_sql(sql, chunk))
    return found


def current_version(session: Session, uid: str) -> Record:
    """The current version of the record that `uid` names (any of its versions' uids)."""
    rec = session.execute(select(Record).where(Record.uid == uid)).scalar_one_or_none()
    if rec is None:
        raise NotFoundError(f"no record '{uid}'")
    stmt = select(Record).where(Record.root_uid == rec.root_uid).order_by(Record.version.desc())
    return session.execute(stmt.limit(1)).scalar_one()


def amend_record(session: Session, uid: str, actor: Actor, reason: str, **changes: Any) -> Record:
    """A correction: a new version that supersedes the current one; the old one stays."""
    if not reason.strip():
        raise ValidationError("an amendment needs a reason", field="reason")
    allowed = {"title", "body", "fields", "about_child", "received_at", "kind"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"cannot amend {sorted(unknown)}", field=sorted(unknown)[0])
    current = current_version(session, uid)
    now = utcnow()
    row: dict[str, Any] = {
        c: getattr(current, c)
        for c in (
            "kind",
            "agency_id",
            "source_ref",
            "received_at",
            "title",
            "body",
            "fields",
            "about_child",
        )
    }
    row.update(changes)
    row.update(
        {
            "uid": f"{current.root_uid}.v{current.version + 1}",
            "root_uid": current.root_uid,
            "version": current.version + 1,
            "supersedes_id": current.id,
            "created_at": now,
            "created_by": actor.id,
        }
    )
    row["content_hash"] = record_hash(row)
    event = create_event(row, None, actor)
    event.purpose = reason
    (rid,) = insert_record_values(session, record_values([row], _dialect(session)), [event])
    return session.get_one(Record, rid)


@dataclass
class History:
    versions: list[Record]
    decisions: list[Decision]
    escalations: list[Escalation]
    assignments: list[Assignment]
    events: list[LedgerEvent]


def history_of(session: Session, current: Record) -> History:
    """Every version, decision, escalation, assignment and ledger event of one record.

    Returns personal data without logging: only the access layer calls it, after `consult`."""
    versions = list(
        session.scalars(
            select(Record).where(Record.root_uid == current.root_uid).order_by(Record.version)
        )
    )
    ids = [v.id for v in versions]
    return History(
        versions=versions,
        decisions=list(
            session.scalars(
                select(Decision).where(Decision.record_id.in_(ids)).order_by(Decision.decided_at)
            )
        ),
        escalations=list(
            session.scalars(
                select(Escalation).where(Escalation.record_id.in_(ids)).order_by(Escalation.id)
            )
        ),
        assignments=list(
            session.scalars(
                select(Assignment).where(Assignment.record_id.in_(ids)).order_by(Assignment.id)
            )
        ),
        events=list(
            session.scalars(
                select(LedgerEvent).where(LedgerEvent.record_id.in_(ids)).order_by(LedgerEvent.idx)
            )
        ),
    )
