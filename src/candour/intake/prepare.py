"""Preparing what intake reads: a validated item becomes a record ready to insert, checked
against the agencies and users it names, or a rejection saying where and why.

Everything here is a pure function of the input and a snapshot of the directory (no database),
so it runs in intake's worker processes as well as in the calling one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import ValidationError
from candour.intake.documents import Limits, date_from_name
from candour.intake.readers import READERS, Accepted, Item, Lines, Rejected, Rows, Unit
from candour.intake.schema import RecordIn
from candour.ledger.log import Formatted, Formatter
from candour.store import Actor, NewDecision, NewRecord, actor_for
from candour.store.casework import DecisionParts, decision_parts
from candour.store.entities import MentionValues
from candour.store.enums import RecordKind
from candour.store.models import Agency, User
from candour.store.records import create_event, record_row, record_values
from candour.store.types import iso, utcnow

EXTRACTOR = "intake/1"
_OWN_COLUMNS = frozenset({"text", "title", "received_at", "kind", "schema"})
_KIND_BY_FOLDER = {k.value: k.value for k in RecordKind} | {
    "crime_reports": "crime_report",
    "referrals": "referral",
    "missing_episodes": "missing_episode",
    "complaints": "complaint",
    "disclosures": "disclosure",
    "email": "referral",
}


@dataclass
class Options:
    kind: str | None = None
    agency: str | None = None
    limits: Limits = field(default_factory=Limits)
    # Folders intake never reads from (the data home: its key and database).
    refuse_under: tuple[str, ...] = ()
    # Bytes of a refused input kept in quarantine (the rest is named by its hash).
    keep_bytes: int = 64 * 1024


@dataclass
class Draft:
    """An accepted item turned into what the store takes, checked against users and agencies."""

    record: NewRecord
    mentions: list[tuple[Any, ...]]  # store.entities.MentionValues, less the record id
    decisions: list[tuple[Actor, NewDecision]]
    disclosure: dict[str, Any] | None = None
    parts: list[DecisionParts] = field(default_factory=list)  # the decisions, converted


class Prepared(NamedTuple):
    """A record ready to insert: values already as the database driver takes them.

    Made where the item is read (a worker process when intake runs in parallel) from plain
    values, which cross between processes several times faster than objects; the writer only
    adds ids, checks for duplicates and inserts.
    """

    uid: str
    record: tuple[Any, ...]  # store.records.record_values
    event: Formatted  # the create event, less its index and record id
    mentions: list[tuple[Any, ...]]  # store.entities.mention_values
    decisions: list[DecisionParts]  # store.casework.decision_parts
    disclosure: dict[str, Any] | None


Result = Prepared | Rejected


@dataclass
class Directory:
    """Agencies (code -> id) and users (identifier -> who they are), read once per run."""

    agencies: dict[str, int]
    users: dict[str, Actor]

    @classmethod
    def load(cls, session: Session) -> Directory:
        return cls(
            {a.code: a.id for a in session.scalars(select(Agency))},
            {u.identifier: actor_for(u) for u in session.scalars(select(User))},
        )


# -- conversion ------------------------------------------------------------------------------
def _is_child(person: Any, on: datetime) -> bool:
    if person.age is not None:
        return bool(person.age < 18)
    if person.dob is not None:
        d: date = person.dob
        return (on.date() - d).days < 18 * 365.25
    return False


def prepare(
    item: Accepted, options: Options, directory: Directory, actor: Actor, make: MentionValues
) -> Draft:
    """Map an accepted item to a record; raises Unresolved(field, message) on unknown refs."""
    if item.record is not None:
        return _prepare_structured(item, item.record, directory, actor, make)
    return _prepare_document(item, options, directory)


class Unresolved(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _prepare_structured(
    item: Accepted, rec: RecordIn, directory: Directory, actor: Actor, make_mention: MentionValues
) -> Draft:
    agency_id = None
    if rec.agency is not None:
        agency_id = directory.agencies.get(rec.agency)
        if agency_id is None:
            raise Unresolved("agency", "unknown agency (import it first)")
    author = directory.users.get(rec.author) if rec.author else None
    if rec.author and author is None:
        # Never credit a record to whoever runs the import: it waits until its author exists.
        raise Unresolved("author", "unknown author (import users first)")
    decisions = []
    for i, d in enumerate(rec.decisions):
        user = directory.users.get(d.by)
        if user is None:
            raise Unresolved(f"decisions.{i}.by", "unknown user (import users first)")
        decisions.append(
            (user, NewDecision(d.kind.value, d.reason, d.outcome, d.offence_code, decided_at=d.at))
        )
    # Keep the fields as the source wrote them (validated above), less what has its own column.
    source = item.data or rec.model_dump(mode="json", by_alias=True)
    fields = {k: v for k, v in source.items() if k not in _OWN_COLUMNS and v not in (None, [], {})}
    about_child = rec.kind.value in ("missing_episode", "referral") or any(
        p.role.value == "victim" and _is_child(p, rec.received_at) for p in rec.people
    )
    new = NewRecord(
        kind=rec.kind.value,
        received_at=rec.received_at,
        body=rec.text,
        title=rec.title,
        fields=fields,
        agency_id=agency_id,
        source_ref=f"{item.source}:{item.locator}",
        about_child=about_child,
        historical=True,
        author=author,
    )
    disclosure = None
    if rec.disclosure:
        disclosure = {
            "source": "field",
            "offence_code": rec.offence.code if rec.offence else None,
            "offence_group": rec.offence.group if rec.offence else None,
            "received_at": rec.received_at,
            "responsible_id": author.id if author else None,
            "detector": EXTRACTOR,
        }
    return Draft(new, _structured_mentions(rec, make_mention), decisions, disclosure)


def _structured_mentions(rec: RecordIn, make: MentionValues) -> list[tuple[Any, ...]]:
    """The record's people, phones, vehicles and places as mention rows (less record id)."""
    out: list[tuple[Any, ...]] = []

    def add(kind: str, text: str, field_name: str, role: str = "unknown", **attrs: Any) -> None:
        known = {k: v for k, v in attrs.items() if v is not None}
        out.append(make(kind, text, field_name, role, known))

    for i, p in enumerate(rec.people):
        add(
            "person",
            p.name,
            f"people[{i}].name",
            p.role.value,
            dob=p.dob.isoformat() if p.dob else None,
            age=p.age,
            phone=p.phone,
            address=p.address,
            email=p.email,
        )
        if p.phone:
            add("phone", p.phone, f"people[{i}].phone")
        if p.address:
            add("location", p.address, f"people[{i}].address")
    for i, v in enumerate(rec.vehicles):
        add("vehicle", v.registration, f"vehicles[{i}].registration", make=v.make, colour=v.colour)
    for i, ph in enumerate(rec.phones):
        add("phone", ph, f"phones[{i}]")
    for i, loc in enumerate(rec.locations):
        text = " ".join(x for x in (loc.address, loc.postcode) if x)
        if text:
            add("location", text, f"locations[{i}]", postcode=loc.postcode)
    return out


def _prepare_document(item: Accepted, options: Options, directory: Directory) -> Draft:
    doc = item.document
    assert doc is not None
    name = item.locator or item.source
    kind = options.kind or _kind_from_path(item.source)
    if kind is None:
        raise Unresolved("kind", "cannot tell the record kind from the path: use --kind")
    received = doc.received_at or date_from_name(Path(name).name)
    if received is None:
        received = datetime.fromtimestamp(os.stat(item.source).st_mtime, UTC)
    agency_id = None
    if options.agency:
        agency_id = directory.agencies.get(options.agency)
        if agency_id is None:
            raise Unresolved("agency", "unknown agency (import it first)")
    digest = hashlib.sha256(item.raw).hexdigest()
    fields: dict[str, Any] = {
        "source_name": Path(name).name,
        "sha256": digest,
        "bytes": len(item.raw),
        **doc.meta,
    }
    new = NewRecord(
        kind=kind,
        received_at=received,
        body=doc.text,
        title=doc.title,
        fields=fields,
        agency_id=agency_id,
        source_ref=f"{item.source}",
        uid="R-" + digest[:20],
        historical=True,
    )
    return Draft(new, [], [])


def _kind_from_path(source: str) -> str | None:
    for part in reversed(Path(source).parent.parts):
        if part.lower() in _KIND_BY_FOLDER:
            return _KIND_BY_FOLDER[part.lower()]
    return None


# -- preparing, in this process or in workers -------------------------------------------------
def prepare_units(
    units: Sequence[Unit | Lines | Rows | Rejected],
    options: Options,
    directory: Directory,
    actor: Actor,
    dialect: str,
) -> list[Result]:
    """Read, validate and prepare units; what fails becomes a rejection saying where and why."""
    now = utcnow()
    context = _Context(
        options,
        directory,
        actor,
        dialect,
        now,
        iso(now),
        Formatter(dialect, now),
        MentionValues("field", EXTRACTOR, now, dialect),
    )
    settled: list[Draft | Rejected] = []
    for unit in units:
        if isinstance(unit, Rejected):
            settled.append(unit)
            continue
        if isinstance(unit, Lines | Rows):
            for item in unit.items(options.limits):
                _settle(item, context, settled)
        else:
            item = READERS[unit.reader].reread(unit.source, unit.locator, unit.raw, options.limits)
            _settle(item, context, settled)
    return _wire(settled, context)


@dataclass
class _Context:
    options: Options
    directory: Directory
    actor: Actor
    dialect: str
    now: datetime
    now_iso: str | None
    format_event: Formatter
    make_mention: MentionValues


MAX_ATTACHMENT_DEPTH = 8  # mail forwarded inside mail, attachments of attachments


def _settle(item: Item, c: _Context, out: list[Draft | Rejected], depth: int = 0) -> None:
    if isinstance(item, Rejected):
        out.append(item)
        return
    try:
        draft = prepare(item, c.options, c.directory, c.actor, c.make_mention)
        draft.parts = _decision_parts(draft, c)
        out.append(draft)
    except Unresolved as exc:
        out.append(
            Rejected(
                item.source,
                item.locator,
                exc.message,
                item.raw,
                field=exc.field,
                reader=_reader_name(item),
            )
        )
    if item.document is not None:
        for name, data in item.document.attachments:
            locator = f"attachment:{name}"
            if depth >= MAX_ATTACHMENT_DEPTH:
                message = f"attachments nested deeper than {MAX_ATTACHMENT_DEPTH} levels"
                out.append(Rejected(item.source, locator, message, data, reader="document"))
                continue
            child = READERS["document"].reread(item.source, locator, data, c.options.limits)
            _settle(child, c, out, depth + 1)


def _decision_parts(draft: Draft, c: _Context) -> list[DecisionParts]:
    parts = []
    for i, (user, new) in enumerate(draft.decisions):
        try:
            parts.append(decision_parts(new, user, c.now, c.format_event))
        except ValidationError as exc:
            reason = exc.message.split(": ", 1)[-1] if exc.field else exc.message
            raise Unresolved(f"decisions.{i}.{exc.field}", reason) from None
    return parts


def _wire(settled: list[Draft | Rejected], c: _Context) -> list[Result]:
    """Drafts as plain, driver-ready values (converted a chunk at a time), in input order."""
    drafts = [d for d in settled if isinstance(d, Draft)]
    rows = [record_row(d.record, c.actor, c.now, c.now_iso) for d in drafts]
    values = record_values(rows, c.dialect)
    prepared = []
    for d, row, value in zip(drafts, rows, values, strict=True):
        prepared.append(
            Prepared(
                row["uid"],
                value,
                c.format_event(create_event(row, None, c.actor, d.record, c.now_iso)),
                d.mentions,
                d.parts,
                d.disclosure,
            )
        )
    made = iter(prepared)
    return [next(made) if isinstance(s, Draft) else s for s in settled]


def _reader_name(item: Accepted) -> str:
    return (
        "document"
        if item.document is not None
        else ("csv" if item.source.endswith(".csv") else "jsonl")
    )
