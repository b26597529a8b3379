"""Entities (persons, vehicles, phones, places, organisations) and the mentions that name them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import NotFoundError, ValidationError
from candour.store.bulk import insert_many
from candour.store.enums import EntityKind, MentionSource, PersonRole
from candour.store.models import Entity, Mention, table_of
from candour.store.types import utcnow


def ensure_entity(
    session: Session, kind: str, uid: str, display: str, key: str | None = None
) -> Entity:
    """Get or create the entity with this uid."""
    try:
        EntityKind(kind)
    except ValueError:
        raise ValidationError(f"unknown entity kind '{kind}'", field="kind") from None
    found = session.execute(select(Entity).where(Entity.uid == uid)).scalar_one_or_none()
    if found is not None:
        return found
    entity = Entity(
        uid=uid,
        kind=kind,
        display=display,
        key=key,
        confidence=1.0,
        attributes={},
        created_at=utcnow(),
    )
    session.add(entity)
    session.flush()
    return entity


def get_entity(session: Session, uid: str) -> Entity:
    found = session.execute(select(Entity).where(Entity.uid == uid)).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"no person or entity '{uid}'")
    return found


@dataclass
class NewMention:
    record_id: int
    kind: str
    text: str
    source: str
    extractor: str
    role: str = PersonRole.UNKNOWN.value
    normalised: str | None = None
    field_name: str | None = None
    start: int | None = None
    end: int | None = None
    label: str | None = None
    confidence: float = 1.0
    entity_id: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    extraction_id: int | None = None


def add_mentions(session: Session, mentions: Sequence[NewMention]) -> int:
    """Store mentions (derived data: re-creatable by re-running the stage that made them)."""
    if not mentions:
        return 0
    now = utcnow()
    rows = []
    for m in mentions:
        EntityKind(m.kind)
        MentionSource(m.source)
        PersonRole(m.role)
        rows.append({**m.__dict__, "created_at": now})
    insert_many(session, table_of(Mention), rows)
    return len(rows)
