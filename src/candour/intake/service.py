"""Ingest: files and folders in, records (with mentions, decisions and ledger events) or
quarantine entries out. Idempotent: records are content-addressed, so re-ingesting the same
input creates nothing new and says how many were already present.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.intake.documents import Limits, date_from_name
from candour.intake.readers import READERS, Accepted, Item, Rejected, Unit, reader_for
from candour.intake.schema import RecordIn
from candour.ledger.log import EventDraft, append
from candour.store import (
    Actor,
    NewDecision,
    NewMention,
    NewRecord,
    Store,
    add_decisions,
    existing_uids,
)
from candour.store.bulk import insert_many
from candour.store.entities import insert_mention_values, mention_values
from candour.store.enums import RecordKind
from candour.store.hashing import canonical_json
from candour.store.models import Agency, Disclosure, QuarantineItem, User, table_of
from candour.store.records import (
    allocate_ids,
    create_event,
    insert_record_values,
    record_row,
    record_values,
)
from candour.store.types import iso, utcnow

EXTRACTOR = "intake/1"
_OWN_COLUMNS = frozenset({"text", "title", "received_at", "kind", "schema"})
BATCH = 2000
CHUNK_UNITS = 500
CHUNK_BYTES = 8 * 1024 * 1024
GC_THRESHOLD = 200_000
WORKER_NICENESS = 10
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
class Draft:
    """An accepted item turned into what the store takes, checked against users and agencies."""

    record: NewRecord
    mentions: list[NewMention]
    decisions: list[tuple[Actor, NewDecision]]
    disclosure: dict[str, Any] | None = None


class Prepared(NamedTuple):
    """A record ready to insert: values already as the database driver takes them.

    Made where the item is read (a worker process when intake runs in parallel) from plain
    values, which cross between processes several times faster than objects; the writer only
    adds ids, checks for duplicates and inserts.
    """

    uid: str
    record: tuple[Any, ...]  # store.records.record_values
    event: tuple[Any, ...]  # the create event's fields (EVENT_FIELDS), payload as JSON text
    mentions: list[tuple[Any, ...]]  # store.entities.mention_values
    decisions: list[tuple[Actor, NewDecision]]
    disclosure: dict[str, Any] | None


EVENT_FIELDS = tuple(f.name for f in dataclass_fields(EventDraft))
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
            {u.identifier: Actor(u.id, u.rank, u.role) for u in session.scalars(select(User))},
        )


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


def split_file(path: Path, options: Options) -> Iterator[Unit | Rejected]:
    """A file's units (lines, rows, the document), or one rejection for the whole file."""
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
        yield from reader.split(path, options.limits)
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


def prepare(item: Accepted, options: Options, directory: Directory, actor: Actor) -> Draft:
    """Map an accepted item to a record; raises ValueError(field, message) on unknown refs."""
    if item.record is not None:
        return _prepare_structured(item, item.record, directory, actor)
    return _prepare_document(item, options, directory)


class Unresolved(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _prepare_structured(item: Accepted, rec: RecordIn, directory: Directory, actor: Actor) -> Draft:
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
    return Draft(new, _structured_mentions(rec), decisions, disclosure)


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
    return Draft(new, [], [])


def _kind_from_path(source: str) -> str | None:
    for part in reversed(Path(source).parent.parts):
        if part.lower() in _KIND_BY_FOLDER:
            return _KIND_BY_FOLDER[part.lower()]
    return None


# -- preparing, in this process or in workers -------------------------------------------------
def prepare_units(
    units: Sequence[Unit | Rejected],
    options: Options,
    directory: Directory,
    actor: Actor,
    dialect: str,
) -> list[Result]:
    """Read, validate and prepare units; what fails becomes a rejection saying where and why."""
    now = utcnow()
    context = _Context(options, directory, actor, dialect, now, iso(now))
    out: list[Result] = []
    for unit in units:
        if isinstance(unit, Rejected):
            out.append(unit)
            continue
        item = READERS[unit.reader].reread(unit.source, unit.locator, unit.raw, options.limits)
        _settle(item, context, out)
    return out


@dataclass
class _Context:
    options: Options
    directory: Directory
    actor: Actor
    dialect: str
    now: datetime
    now_iso: str | None


def _settle(item: Item, c: _Context, out: list[Result]) -> None:
    if isinstance(item, Rejected):
        out.append(item)
        return
    try:
        draft = prepare(item, c.options, c.directory, c.actor)
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
    else:
        out.append(_wire(draft, c))
    if item.document is not None:
        for name, data in item.document.attachments:
            child = READERS["document"].reread(
                item.source, f"attachment:{name}", data, c.options.limits
            )
            _settle(child, c, out)


def _wire(draft: Draft, c: _Context) -> Prepared:
    row = record_row(draft.record, c.actor, c.now, c.now_iso)
    event = create_event(row, None, c.actor, draft.record)
    event.payload = canonical_json(event.payload)
    return Prepared(
        row["uid"],
        record_values([row], c.dialect)[0],
        tuple(getattr(event, f) for f in EVENT_FIELDS),
        mention_values(draft.mentions, c.now, c.dialect),
        draft.decisions,
        draft.disclosure,
    )


_WORKER: tuple[Options, Directory, Actor, str] | None = None


def _start_worker(options: Options, directory: Directory, actor: Actor, dialect: str) -> None:
    global _WORKER
    _WORKER = (options, directory, actor, dialect)
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    # The writer is the bottleneck: when the cores are contended, let it run first.
    with suppress(OSError):
        os.nice(WORKER_NICENESS)


def _work(units: list[Unit | Rejected]) -> list[Result]:
    assert _WORKER is not None
    return prepare_units(units, *_WORKER)


@dataclass
class Chunk:
    units: list[Unit | Rejected] = field(default_factory=list)
    size: int = 0
    done: list[Path] = field(default_factory=list)  # files whose last unit is in this chunk


def chunks(
    paths: Iterable[Path], options: Options, summary: Summary, max_units: int | None = None
) -> Iterator[Chunk]:
    """Units of every file in order, in chunks of `max_units` (CHUNK_UNITS) or CHUNK_BYTES."""
    max_units = max_units or CHUNK_UNITS
    chunk = Chunk()
    for path in files_under(paths):
        summary.files += 1
        for unit in split_file(path, options):
            chunk.units.append(unit)
            chunk.size += len(unit.raw)
            if len(chunk.units) >= max_units or chunk.size >= CHUNK_BYTES:
                yield chunk
                chunk = Chunk()
        chunk.done.append(path)
    if chunk.units or chunk.done:
        yield chunk


def prepared_chunks(
    source: Iterator[Chunk],
    options: Options,
    directory: Directory,
    actor: Actor,
    dialect: str,
    workers: int,
) -> Iterator[tuple[Chunk, list[Result]]]:
    """Each chunk with its results, in input order; in `workers` other processes (0: here).

    At most a few chunks per worker are in flight, so memory stays bounded on any input size.
    """
    first = next(source, None)
    if first is None:
        return
    second = next(source, None)
    if workers < 1 or second is None:
        for chunk in itertools.chain([first], [second] if second else [], source):
            yield chunk, prepare_units(chunk.units, options, directory, actor, dialect)
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_start_worker,
        initargs=(options, directory, actor, dialect),
    ) as pool:
        pending: deque[tuple[Chunk, Future[list[Result]]]] = deque()
        for chunk in itertools.chain([first, second], source):
            pending.append((chunk, pool.submit(_work, chunk.units)))
            if len(pending) > 3 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


# -- storing ---------------------------------------------------------------------------------
class Batch:
    """Prepared and rejected items stored together in one transaction."""

    def __init__(self, store: Store, actor: Actor, options: Options, summary: Summary) -> None:
        self.store, self.actor, self.options, self.summary = store, actor, options, summary
        self.prepared: list[Prepared] = []
        self.rejected: list[Rejected] = []

    def add(self, result: Result) -> None:
        self.summary.read += 1
        if isinstance(result, Prepared):
            self.prepared.append(result)
        else:
            self.rejected.append(result)
        if len(self.prepared) + len(self.rejected) >= BATCH:
            self.flush()

    def flush(self) -> list[str]:
        if not self.prepared and not self.rejected:
            return []
        with self.store.transaction() as session:
            uids = self._store_prepared(session)
            quarantine(session, self.rejected, self.options, self.actor, self.summary)
        self.prepared, self.rejected = [], []
        return uids

    def _store_prepared(self, session: Session) -> list[str]:
        present = existing_uids(session, [p.uid for p in self.prepared])
        fresh: list[Prepared] = []
        seen: set[str] = set()
        for p in self.prepared:
            if p.uid in present or p.uid in seen:
                self.summary.already_present += 1
            else:
                seen.add(p.uid)
                fresh.append(p)
        ids = insert_record_values(
            session, [p.record for p in fresh], [EventDraft(*p.event) for p in fresh]
        )
        mentions = [(rid, *m) for p, rid in zip(fresh, ids, strict=True) for m in p.mentions]
        self.summary.mentions += insert_mention_values(session, mentions)
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
            (rid, decision, user)
            for p, rid in zip(fresh, ids, strict=True)
            for user, decision in p.decisions
        ]
        self.summary.decisions += len(add_decisions(session, decisions))
        self.summary.ingested += len(fresh)
        return [p.uid for p in fresh]


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
    workers: int = 0,
) -> Summary:
    """Ingest files and folders; every row or file ends up stored or quarantined.

    Reading, validation and preparation run in `workers` other processes (when there is more
    than a chunk of input; 0: all here); this process only writes, in input order, so ids and
    the ledger come out the same for any number of workers.
    """
    options = options or Options()
    summary = Summary()
    with store.reading() as session:
        directory = Directory.load(session)
    batch = Batch(store, actor, options, summary)
    source = chunks(paths, options, summary)
    with fewer_collections():
        for chunk, results in prepared_chunks(
            source, options, directory, actor, store.dialect, workers
        ):
            for result in results:
                batch.add(result)
            if progress:
                for path in chunk.done:
                    progress(path)
        batch.flush()
    return summary


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Intake allocates millions of short-lived objects that hold no reference cycles; with the
    default thresholds the cyclic collector re-scans every live object many times a second and
    costs more than the work itself (measured: 3.5x on preparation). Collect rarely meanwhile."""
    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)
