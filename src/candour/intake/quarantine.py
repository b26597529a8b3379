"""Looking at and retrying what intake could not take in."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import NotFoundError, ValidationError
from candour.intake.prepare import Directory, Options, prepare_units
from candour.intake.readers import READERS, Rejected, Unit
from candour.intake.service import Batch, Summary
from candour.ledger.log import EventDraft, append
from candour.store import Actor, Store
from candour.store.enums import EventAction
from candour.store.hashing import QUARANTINE_COLUMNS, quarantine_hash
from candour.store.models import QuarantineItem
from candour.store.types import utcnow


def list_items(
    session: Session, *, status: str | None = "open", limit: int = 200
) -> list[QuarantineItem]:
    stmt = select(QuarantineItem).order_by(QuarantineItem.id).limit(limit)
    if status:
        stmt = stmt.where(QuarantineItem.status == status)
    return list(session.scalars(stmt))


def get_item(session: Session, item_id: int) -> QuarantineItem:
    item = session.get(QuarantineItem, item_id)
    if item is None:
        raise NotFoundError(f"no quarantine item {item_id}")
    return item


def _current_bytes(item: QuarantineItem, replacement: Path | None) -> bytes:
    """What to retry: a corrected file if given, else the source as it is now, else the copy."""
    if replacement is not None:
        return replacement.read_bytes()
    source = Path(item.source)
    if source.is_symlink() or not source.is_file():  # never follow a link, never open a FIFO
        return _kept(item)
    if item.reader == "document" and item.locator is None:
        return source.read_bytes()
    if item.reader == "jsonl" and item.locator and item.locator.startswith("line "):
        n = int(item.locator.split()[1])
        with source.open("rb") as fh:
            for i, line in enumerate(fh, 1):
                if i == n:
                    return line.rstrip(b"\r\n")
    if item.reader == "csv" and item.locator and item.locator.startswith("row "):
        n = int(item.locator.split()[1])
        text = source.read_text("utf-8-sig", errors="surrogateescape")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        if len(rows) > n:
            out = io.StringIO()
            csv.writer(out).writerows([rows[0], rows[n]])
            return out.getvalue().encode("utf-8", errors="surrogateescape")
    return _kept(item)


def _kept(item: QuarantineItem) -> bytes:
    """The bytes quarantine kept, if they are the whole input: an excerpt is never retried."""
    if len(item.raw) < item.raw_size:
        raise ValidationError(
            f"quarantine item {item.id} keeps only an excerpt and its source is gone; "
            "retry it with --from and a corrected copy"
        )
    return item.raw


def retry(
    store: Store, item_id: int, actor: Actor, replacement: Path | None = None
) -> tuple[bool, str]:
    """Re-read one quarantined item; on success ingest it and mark the item resolved."""
    with store.reading() as session:
        item = get_item(session, item_id)
        if item.status != "open":
            raise ValidationError(f"quarantine item {item_id} is already {item.status}")
        reader = READERS.get(item.reader)
        if reader is None:
            raise ValidationError(
                f"quarantine item {item_id} came from an unsupported file; "
                "convert it and ingest the new file"
            )
        raw = _current_bytes(item, replacement)
        options = Options(kind=item.kind_hint, agency=item.agency_hint)
        unit = Unit(reader.name, item.source, item.locator, raw)
        results = prepare_units([unit], options, Directory.load(session), actor, store.dialect)
    first = results[0]
    if isinstance(first, Rejected):
        _update(store, item_id, actor, first.message, first.field)
        return False, first.message
    batch = Batch(store, actor, options, Summary())
    for result in results:  # the record, then any attachments it carries
        batch.add(result)
    uids = batch.flush()
    _resolve(store, item_id, actor, uids[0] if uids else None)
    return True, (f"ingested as {uids[0]}" if uids else "already present")


def _rehash(item: QuarantineItem) -> str:
    item.content_hash = quarantine_hash({c: getattr(item, c) for c in QUARANTINE_COLUMNS})
    return item.content_hash


def _update(store: Store, item_id: int, actor: Actor, message: str, field: str | None) -> None:
    """A retry that failed again: the item keeps its new reason, and that change is logged."""
    with store.transaction() as session:
        item = get_item(session, item_id)
        item.message, item.field, item.updated_at = message, field, utcnow()
        append(
            session,
            [
                EventDraft(
                    EventAction.AMEND,
                    "quarantine",
                    str(item_id),
                    actor.id,
                    actor.rank,
                    subject_hash=_rehash(item),
                    purpose=message[:500],
                    payload={"status": item.status, "field": field},
                )
            ],
        )


def _resolve(store: Store, item_id: int, actor: Actor, uid: str | None) -> None:
    with store.transaction() as session:
        item = get_item(session, item_id)
        item.status, item.resolved_uid, item.updated_at = "resolved", uid, utcnow()
        append(
            session,
            [
                EventDraft(
                    EventAction.RESOLVE,
                    "quarantine",
                    str(item_id),
                    actor.id,
                    actor.rank,
                    subject_hash=_rehash(item),
                    payload={"record": uid},
                )
            ],
        )
