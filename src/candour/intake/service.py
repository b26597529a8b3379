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
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from candour.errors import CandourError
from candour.intake.paths import walk
from candour.intake.prepare import Directory, Options, Prepared, Result, prepare_units
from candour.intake.readers import Lines, Rejected, Rows, Unit, reader_for
from candour.ledger.log import EventDraft, append
from candour.store import Actor, Store, existing_uids
from candour.store.bulk import insert_many
from candour.store.casework import insert_decisions
from candour.store.disclosures import add_disclosures
from candour.store.entities import insert_mention_values
from candour.store.enums import EventAction
from candour.store.hashing import quarantine_hash
from candour.store.models import QuarantineItem, table_of
from candour.store.records import allocate_ids, insert_record_values
from candour.store.types import utcnow

BATCH = 2000
CHUNK_UNITS = 500
CHUNK_BYTES = 8 * 1024 * 1024
GC_THRESHOLD = 200_000
WORKER_NICENESS = 10


@dataclass
class Summary:
    files: int = 0
    read: int = 0
    ingested: int = 0
    already_present: int = 0
    quarantined: int = 0
    seen_again: int = 0  # of those quarantined, already open in quarantine from an earlier run
    mentions: int = 0
    decisions: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


# -- walking ---------------------------------------------------------------------------------
def files_under(paths: Iterable[Path], refuse_under: Sequence[str] = ()) -> Iterator[Path]:
    """The files intake may read under `paths` (refusals left out: see `intake.paths.walk`)."""
    for item in walk(paths, refuse_under):
        if isinstance(item, Path):
            yield item


def split_file(path: Path, options: Options) -> Iterator[Unit | Lines | Rows | Rejected]:
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


_WORKER: tuple[Options, Directory, Actor, str] | None = None


def _start_worker(options: Options, directory: Directory, actor: Actor, dialect: str) -> None:
    global _WORKER
    _WORKER = (options, directory, actor, dialect)
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    # The writer is the bottleneck: when the cores are contended, let it run first.
    with suppress(OSError):
        os.nice(WORKER_NICENESS)


def _ready() -> bool:
    return True


def _context() -> multiprocessing.context.BaseContext:
    """Workers forked from a server that has imported intake once (spawn imports it in every
    worker, which costs a worker's CPU for a second on a 2-core machine); spawn where there
    is no fork."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ctx


def _work(units: list[Unit | Lines | Rows | Rejected]) -> list[Result]:
    assert _WORKER is not None
    return prepare_units(units, *_WORKER)


@dataclass
class Chunk:
    units: list[Unit | Lines | Rows | Rejected] = field(default_factory=list)
    count: int = 0  # how many rows, lines or documents
    size: int = 0
    done: list[Path] = field(default_factory=list)  # files whose last unit is in this chunk


def chunks(
    paths: Iterable[Path], options: Options, summary: Summary, max_units: int | None = None
) -> Iterator[Chunk]:
    """Units of every file in order, in chunks of `max_units` (CHUNK_UNITS) or CHUNK_BYTES."""
    max_units = max_units or CHUNK_UNITS
    chunk = Chunk()
    for item in walk(paths, options.refuse_under):
        summary.files += 1
        if isinstance(item, Rejected):
            chunk.units.append(item)
            chunk.count += 1
            continue
        path = item
        for unit in split_file(path, options):
            chunk.units.append(unit)
            chunk.count += unit.count if isinstance(unit, Lines | Rows) else 1
            chunk.size += len(unit.raw)
            if chunk.count >= max_units or chunk.size >= CHUNK_BYTES:
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
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(options, directory, actor, dialect),
    ) as pool:
        pending: deque[tuple[Chunk, Future[list[Result]]]] = deque()
        stream = itertools.chain([first, second], source)
        # Starting the first worker takes most of a second (the fork server imports intake)
        # and would block this thread: start it from another and prepare here meanwhile.
        starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-start")
        try:
            started = starter.submit(lambda: pool.submit(_ready).result())
            for chunk in stream:
                if started.done():
                    started.result()
                    pending.append((chunk, pool.submit(_work, chunk.units)))
                    break
                yield chunk, prepare_units(chunk.units, options, directory, actor, dialect)
            for chunk in stream:
                pending.append((chunk, pool.submit(_work, chunk.units)))
                if len(pending) > 3 * workers:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        except BrokenProcessPool:
            raise CandourError(
                "an intake worker process stopped (out of memory?); what was stored so far "
                "stays, and ingesting again skips it",
                hint="CANDOUR_INTAKE_WORKERS=0 reads in one process",
            ) from None
        finally:
            starter.shutdown(wait=True)


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
        ids = insert_record_values(session, [p.record for p in fresh], [p.event for p in fresh])
        mentions = [(rid, *m) for p, rid in zip(fresh, ids, strict=True) for m in p.mentions]
        self.summary.mentions += insert_mention_values(session, mentions)
        disclosures = [
            {**p.disclosure, "record_id": rid}
            for p, rid in zip(fresh, ids, strict=True)
            if p.disclosure is not None
        ]
        add_disclosures(
            session, disclosures, self.actor, purpose="disclosure in the record's fields"
        )
        decisions = [(rid, d) for p, rid in zip(fresh, ids, strict=True) for d in p.decisions]
        self.summary.decisions += len(insert_decisions(session, decisions))
        self.summary.ingested += len(fresh)
        return [p.uid for p in fresh]


def quarantine(
    session: Session, rejected: list[Rejected], options: Options, actor: Actor, summary: Summary
) -> list[int]:
    """Keep every rejected row or file, with its reason and (a bounded excerpt of) its bytes,
    and log that we did. Input already open in quarantine (same source, place and bytes) is a
    re-sighting: counted on its item, with no new item and no new event."""
    if not rejected:
        return []
    summary.quarantined += len(rejected)
    for r in rejected:
        key = r.message.split(":")[0].split("(")[0].strip()
        summary.reasons[key] = summary.reasons.get(key, 0) + 1
    fresh, seen_again = _new_sightings(session, rejected)
    for item_id, times in seen_again.items():
        session.execute(
            update(QuarantineItem)
            .where(QuarantineItem.id == item_id)
            .values(sightings=QuarantineItem.sightings + times)
        )
    summary.seen_again += sum(seen_again.values())
    if not fresh:
        return list(seen_again)
    rows = _quarantine_rows(session, fresh, options)
    insert_many(session, table_of(QuarantineItem), rows)
    append(session, [_quarantine_event(row, actor) for row in rows])
    return [row["id"] for row in rows]


def _sighting_key(r: Rejected, digest: str) -> tuple[str, str | None, str, str]:
    return r.source[:1000], r.locator, r.reader or "file", digest


def _new_sightings(
    session: Session, rejected: list[Rejected]
) -> tuple[list[tuple[Rejected, str]], dict[int, int]]:
    """Split rejections into new ones (with their bytes' hash) and re-sightings of open items
    (item id: times seen in this batch)."""
    hashed = [(r, hashlib.sha256(r.raw).hexdigest()) for r in rejected]
    open_items = session.execute(
        select(
            QuarantineItem.id,
            QuarantineItem.source,
            QuarantineItem.locator,
            QuarantineItem.reader,
            QuarantineItem.raw_hash,
        ).where(
            QuarantineItem.status == "open",
            QuarantineItem.raw_hash.in_({d for _, d in hashed}),
        )
    ).all()
    known: dict[tuple[str, str | None, str, str], int | None] = {
        (row.source, row.locator, row.reader, row.raw_hash): row.id for row in open_items
    }
    fresh: list[tuple[Rejected, str]] = []
    again: dict[int, int] = {}
    for r, digest in hashed:
        key = _sighting_key(r, digest)
        if key not in known:
            known[key] = None  # new in this batch: later copies in it are not new
            fresh.append((r, digest))
            continue
        item_id = known[key]
        if item_id is not None:
            again[item_id] = again.get(item_id, 0) + 1
    return fresh, again


def _quarantine_rows(
    session: Session, fresh: list[tuple[Rejected, str]], options: Options
) -> list[dict[str, Any]]:
    now = utcnow()
    ids = allocate_ids(session, "quarantine", len(fresh))
    rows: list[dict[str, Any]] = []
    for qid, (r, digest) in zip(ids, fresh, strict=True):
        row = {
            "id": qid,
            "source": r.source[:1000],
            "locator": r.locator,
            "field": r.field,
            "message": r.message,
            "reader": r.reader or "file",
            # Input larger than the setting is kept as an excerpt; its hash still names it.
            "raw": r.raw[: options.keep_bytes],
            "raw_size": len(r.raw),
            "raw_hash": digest,
            "sightings": 1,
            "kind_hint": options.kind,
            "agency_hint": options.agency,
            "status": "open",
            "resolved_uid": None,
            "created_at": now,
            "updated_at": now,
        }
        row["content_hash"] = quarantine_hash(row)
        rows.append(row)
    return rows


def _quarantine_event(row: dict[str, Any], actor: Actor) -> EventDraft:
    return EventDraft(
        EventAction.QUARANTINE,
        "quarantine",
        str(row["id"]),
        actor.id,
        actor.rank,
        subject_hash=row["content_hash"],
        purpose=row["message"][:500],
        payload={
            "source": row["source"],
            "locator": row["locator"],
            "field": row["field"],
            "raw_sha256": row["raw_hash"],
            "raw_size": row["raw_size"],
        },
    )


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
    can cost more than the work itself (3.5x on preparation beside a large live heap, measured).
    Collect rarely meanwhile."""
    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)
