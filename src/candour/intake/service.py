"""Ingest: files and folders in, records (with mentions, decisions and ledger events) or
quarantine entries out. Idempotent: records are content-addressed, so re-ingesting the same
input creates nothing new and says how many were already present.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.intake.documents import Limits, date_from_name
from candour.intake.readers import Accepted, Item, Rejected, reader_for
from candour.intake.schema import RecordIn
from candour.ledger.log import EventDraft, append
from candour.store import (
    Actor,
    NewDecision,
    NewMention,
    NewRecord,
    Store,
    add_decisions,
    add_mentions,
    add_records,
    existing_uids,
)
from candour.store.bulk import insert_many
from candour.store.enums import RecordKind
from candour.store.models import Agency, Disclosure, QuarantineItem, User, table_of
from candour.store.records import allocate_ids
from candour.store.types import utcnow

EXTRACTOR = "intake/1"
_OWN_COLUMNS = frozenset({"text", "title", "received_at", "kind", "schema"})
BATCH = 2000
_KIND_BY_FOLDER = {k.value: k.value for k in RecordKind} | {
    "crime_reports": "crime_report",
    "referrals": "referral",
    "missing_episodes": "missing_episode",
    "complaints": "complaint",
    "disclosures": "disclosure",
    "email": "referral",
}


@dataclass
class Summary:
    files: int = 0
    read: int = 0
    ingested: int = 0
    already_present: int = 0
    quarantined: int = 0
    mentions: int = 0
    decisions: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class Options:
    kind: str | None = None
    agency: str | None = None
    limits: Limits = field(default_factory=Limits)


@dataclass
class Prepared:
    """An accepted item turned into what the store takes, checked against users and agencies."""

    item: Accepted
    record: NewRecord
    mentions: list[NewMention]
    decisions: list[tuple[User, NewDecision]]
    disclosure: dict[str, Any] | None = None


class Directory:
    """Agencies and users by code/identifier, cached for one run."""

    def __init__(self, session: Session) -> None:
        self.agencies = {a.code: a.id for a in session.scalars(select(Agency))}
        self.users = {u.identifier: u for u in session.scalars(select(User))}


# -- walking ---------------------------------------------------------------------------------
def files_under(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and not any(
                    part.startswith(".") for part in p.relative_to(path).parts
                ):
                    yield p
        else:
            yield path


def read_items(path: Path, options: Options) -> Iterator[Item]:
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield Rejected(source, None, f"cannot read file ({exc.strerror})", b"", reader="file")
        return
    reader = reader_for(path)
    if reader is None:
        yield Rejected(
            source,
            None,
            f"unsupported file type '{path.suffix or path.name}'",
            _head(path),
            reader="file",
        )
        return
    if size > options.limits.max_file_bytes:
        mib = options.limits.max_file_bytes // (1024 * 1024)
        yield Rejected(
            source,
            None,
            f"file is {size:,} bytes, over the {mib} MiB limit",
            _head(path),
            reader=reader.name,
        )
        return
    try:
        yield from reader.read(path, options.limits)
    except OSError as exc:
        yield Rejected(source, None, f"cannot read file ({exc.strerror})", b"", reader=reader.name)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(65536)
    except OSError:
        return b""


# -- conversion ------------------------------------------------------------------------------
def _is_child(person: Any, on: datetime) -> bool:
    if person.age is not None:
        return bool(person.age < 18)
    if person.dob is not None:
        d: date = person.dob
        return (on.date() - d).days < 18 * 365.25
    return False


def prepare(item: Accepted, options: Options, directory: Directory, actor: Actor) -> Prepared:
    """Map an accepted item to a record; raises ValueError(field, message) on unknown refs."""
    if item.record is not None:
        return _prepare_structured(item, item.record, directory, actor)
    return _prepare_document(item, options, directory)


class Unresolved(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _prepare_structured(
    item: Accepted, rec: RecordIn, directory: Directory, actor: Actor
) -> Prepared:
    agency_id = None
    if rec.agency is not None:
        agency_id = directory.agencies.get(rec.agency)
        if agency_id is None:
            raise Unresolved("agency", f"unknown agency '{rec.agency}' (import it first)")
    author = directory.users.get(rec.author) if rec.author else None
    decisions = []
    for i, d in enumerate(rec.decisions):
        user = directory.users.get(d.by)
        if user is None:
            raise Unresolved(f"decisions.{i}.by", f"unknown user '{d.by}' (import users first)")
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
        author=Actor(author.id, author.rank, author.role) if author else None,
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
    return Prepared(item, new, _structured_mentions(rec), decisions, disclosure)


def _structured_mentions(rec: RecordIn) -> list[NewMention]:
    out: list[NewMention] = []

    def add(kind: str, text: str, field_name: str, role: str = "unknown", **attrs: Any) -> None:
        out.append(
            NewMention(
                0,
                kind,
                text,
                "field",
                EXTRACTOR,
                role=role,
                field_name=field_name,
                attributes={k: v for k, v in attrs.items() if v is not None},
            )
        )

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


def _prepare_document(item: Accepted, options: Options, directory: Directory) -> Prepared:
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
            raise Unresolved("agency", f"unknown agency '{options.agency}' (import it first)")
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
    return Prepared(item, new, [], [])


def _kind_from_path(source: str) -> str | None:
    for part in reversed(Path(source).parent.parts):
        if part.lower() in _KIND_BY_FOLDER:
            return _KIND_BY_FOLDER[part.lower()]
    return None


# -- storing ---------------------------------------------------------------------------------
class Batch:
    """Accepted and rejected items stored together in one transaction."""

    def __init__(self, store: Store, actor: Actor, options: Options, summary: Summary) -> None:
        self.store, self.actor, self.options, self.summary = store, actor, options, summary
        self.accepted: list[Accepted] = []
        self.rejected: list[Rejected] = []

    def add(self, item: Item) -> None:
        self.summary.read += 1
        (self.accepted if isinstance(item, Accepted) else self.rejected).append(item)  # type: ignore[arg-type]
        if isinstance(item, Accepted) and item.document and item.document.attachments:
            self._attachments(item)
        if len(self.accepted) + len(self.rejected) >= BATCH:
            self.flush()

    def _attachments(self, parent: Accepted) -> None:
        from candour.intake.readers import READERS

        assert parent.document is not None
        for name, data in parent.document.attachments:
            child = READERS["document"].reread(
                parent.source, f"attachment:{name}", data, self.options.limits
            )
            self.add(child)

    def flush(self) -> list[str]:
        if not self.accepted and not self.rejected:
            return []
        with self.store.transaction() as session:
            uids = self._store_accepted(session)
            quarantine(session, self.rejected, self.options, self.actor, self.summary)
        self.accepted, self.rejected = [], []
        return uids

    def _store_accepted(self, session: Session) -> list[str]:
        directory = Directory(session)
        prepared: list[Prepared] = []
        for item in self.accepted:
            try:
                prepared.append(prepare(item, self.options, directory, self.actor))
            except Unresolved as exc:
                self.rejected.append(
                    Rejected(
                        item.source,
                        item.locator,
                        exc.message,
                        item.raw,
                        field=exc.field,
                        reader=_reader_name(item),
                    )
                )
        from candour.store.records import record_uid

        for p in prepared:
            p.record.uid = p.record.uid or record_uid(p.record)
        present = existing_uids(session, [p.record.uid or "" for p in prepared])
        fresh: list[Prepared] = []
        seen: set[str] = set()
        for p in prepared:
            uid = p.record.uid or ""
            if uid in present or uid in seen:
                self.summary.already_present += 1
            else:
                seen.add(uid)
                fresh.append(p)
        ids = add_records(session, [p.record for p in fresh], self.actor)
        mentions = []
        for p, rid in zip(fresh, ids, strict=True):
            for m in p.mentions:
                m.record_id = rid
                mentions.append(m)
        self.summary.mentions += add_mentions(session, mentions)
        now = utcnow()
        disclosures = [
            {**p.disclosure, "record_id": rid, "created_at": now}
            for p, rid in zip(fresh, ids, strict=True)
            if p.disclosure is not None
        ]
        if disclosures:
            for row, did in zip(
                disclosures, allocate_ids(session, "disclosure", len(disclosures)), strict=True
            ):
                row["id"] = did
            insert_many(session, table_of(Disclosure), disclosures)
        decisions = [
            (rid, decision, Actor(user.id, user.rank, user.role))
            for p, rid in zip(fresh, ids, strict=True)
            for user, decision in p.decisions
        ]
        self.summary.decisions += len(add_decisions(session, decisions))
        self.summary.ingested += len(fresh)
        return [p.record.uid or "" for p in fresh]


def _reader_name(item: Accepted) -> str:
    return (
        "document"
        if item.document is not None
        else ("csv" if item.source.endswith(".csv") else "jsonl")
    )


def quarantine(
    session: Session, rejected: list[Rejected], options: Options, actor: Actor, summary: Summary
) -> list[int]:
    """Keep every rejected row or file, with its reason and raw bytes, and log that we did."""
    if not rejected:
        return []
    now = utcnow()
    ids = allocate_ids(session, "quarantine", len(rejected))
    rows: list[dict[str, Any]] = []
    for qid, r in zip(ids, rejected, strict=True):
        rows.append(
            {
                "id": qid,
                "source": r.source[:1000],
                "locator": r.locator,
                "field": r.field,
                "message": r.message,
                "reader": r.reader or "file",
                "raw": r.raw,
                "raw_size": len(r.raw),
                "kind_hint": options.kind,
                "agency_hint": options.agency,
                "status": "open",
                "resolved_uid": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        key = r.message.split(":")[0].split("(")[0].strip()
        summary.reasons[key] = summary.reasons.get(key, 0) + 1
    insert_many(session, table_of(QuarantineItem), rows)
    append(
        session,
        [
            EventDraft(
                "quarantine",
                "quarantine",
                str(row["id"]),
                actor.id,
                actor.rank,
                subject_hash=hashlib.sha256(row["raw"]).hexdigest(),
                purpose=row["message"][:500],
                payload={"source": row["source"], "locator": row["locator"], "field": row["field"]},
            )
            for row in rows
        ],
    )
    summary.quarantined += len(rows)
    return ids


def ingest(
    store: Store,
    paths: Iterable[Path],
    actor: Actor,
    options: Options | None = None,
    progress: Callable[[Path], None] | None = None,
) -> Summary:
    """Ingest files and folders; every row or file ends up stored or quarantined."""
    options = options or Options()
    summary = Summary()
    batch = Batch(store, actor, options, summary)
    for path in files_under(paths):
        summary.files += 1
        for item in read_items(path, options):
            batch.add(item)
        if progress:
            progress(path)
    batch.flush()
    return summary
