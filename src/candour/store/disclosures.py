"""Disclosures: the one way they are stored, each with its content hash and 'create' event.

A disclosure starts the crime-recording clock, so deleting or altering one would silently
remove a deadline and its escalation: each is a protected row (see `hashing.PROTECTED`), logged
in the transaction that stores it, whichever stage found it (intake's structured fields,
extraction's reading of the text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from candour.ledger.log import OCCURRED_AT, EventDraft, append
from candour.ledger.log import lock as ledger_lock
from candour.store.access import Actor
from candour.store.bulk import insert_many
from candour.store.enums import EventAction
from candour.store.hashing import disclosure_hash
from candour.store.models import Disclosure, table_of
from candour.store.records import allocate_ids
from candour.store.types import iso, utcnow

#: What a new disclosure row needs (its id, creation time and content hash are set here).
FIELDS = (
    "record_id",
    "source",
    "offence_code",
    "offence_group",
    "received_at",
    "responsible_id",
    "detector",
)


def add_disclosures(
    session: Session,
    disclosures: Sequence[Mapping[str, Any]],
    actor: Actor,
    *,
    purpose: str,
    payloads: Sequence[Mapping[str, Any]] | None = None,
) -> list[int]:
    """Store disclosures (dicts of FIELDS) and one 'create' event each, in the caller's
    transaction; returns their ids. `payloads` adds what the finding stage knows (a cue, a
    lexicon) to each event; every event says when the disclosure was received
    ("occurred_at")."""
    if not disclosures:
        return []
    if payloads is not None and len(payloads) != len(disclosures):
        raise ValueError("one payload per disclosure is needed")
    ledger_lock(session)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    drafts: list[EventDraft] = []
    ids = allocate_ids(session, "disclosure", len(disclosures))
    for i, (did, given) in enumerate(zip(ids, disclosures, strict=True)):
        row = {c: given[c] for c in FIELDS}
        row.update(id=did, created_at=now)
        row["content_hash"] = disclosure_hash(row)
        rows.append(row)
        payload = {
            "source": row["source"],
            "offence_group": row["offence_group"],
            OCCURRED_AT: iso(row["received_at"]),
            **(payloads[i] if payloads is not None else {}),
        }
        drafts.append(
            EventDraft(
                EventAction.CREATE,
                "disclosure",
                str(did),
                actor.id,
                actor.rank,
                record_id=row["record_id"],
                subject_hash=row["content_hash"],
                purpose=purpose,
                payload=payload,
            )
        )
    insert_many(session, table_of(Disclosure), rows)
    append(session, drafts)
    return ids
