"""Entities (persons, vehicles, phones, places, organisations) and the mentions that name them.

Entities and the mention-to-entity links are evidence (who-knew for a person follows them), so
every write here updates their tables' aggregate digests (store/digests.py) in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import NotFoundError, ValidationError
from candour.store.bulk import db_converter, insert_tuples
from candour.store.digests import AGGREGATES, Change, record_changes
from candour.store.enums import EntityKind, MentionSource, PersonRole
from candour.store.models import Entity, Mention, table_of
from candour.store.records import allocate_ids
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
    row = {c: getattr(entity, c) for c in AGGREGATES["entity"].columns}
    record_changes(session, {"entity": Change(added=[row])}, None, None, action="create",
                   purpose="entity created")  # fmt: skip
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


_KINDS = frozenset(k.value for k in EntityKind)
_SOURCES = frozenset(k.value for k in MentionSource)
_ROLES = frozenset(k.value for k in PersonRole)


def _invalid(m: NewMention) -> None:
    for name, allowed in (("kind", _KINDS), ("source", _SOURCES), ("role", _ROLES)):
        value = getattr(m, name)
        if value not in allowed:
            raise ValidationError(f"unknown mention {name} '{value}'", field=name)


# Columns of a mention row besides its id and record id, in the order of `mention_values`.
MENTION_VALUE_COLUMNS = tuple(
    c.name for c in table_of(Mention).columns if c.name not in ("id", "record_id")
)
_CREATED_AT = MENTION_VALUE_COLUMNS.index("created_at")
_ATTRIBUTES = MENTION_VALUE_COLUMNS.index("attributes")
# A mention's own fields in column order ("created_at" is the batch's time, put in afterwards).
_FIELDS = itemgetter(*("kind" if c == "created_at" else c for c in MENTION_VALUE_COLUMNS))


def mention_values(
    mentions: Sequence[NewMention], now: datetime, dialect: str
) -> list[tuple[Any, ...]]:
    """Mentions checked and converted as the driver takes them, less their record id: a pure
    function, so intake's worker processes make them and the writer only adds the id."""
    table = table_of(Mention)
    created = db_converter(table.c.created_at.type, dialect)(now)
    to_json = db_converter(table.c.attributes.type, dialect)
    out: list[tuple[Any, ...]] = []
    for m in mentions:
        if m.kind not in _KINDS or m.source not in _SOURCES or m.role not in _ROLES:
            _invalid(m)
        values = list(_FIELDS(m.__dict__))
        values[_CREATED_AT] = created
        values[_ATTRIBUTES] = to_json(values[_ATTRIBUTES])
        out.append(tuple(values))
    return out


class MentionValues:
    """Makes `mention_values` tuples straight from a mention's few varying fields, for a stage
    that makes many mentions of one source and extractor (intake: 2-3 per record) and would
    otherwise build each as a NewMention only to convert it."""

    def __init__(self, source: str, extractor: str, now: datetime, dialect: str) -> None:
        template = NewMention(0, "person", "", source, extractor)
        (self.base,) = mention_values([template], now, dialect)
        self.source = source
        self.to_json = db_converter(table_of(Mention).c.attributes.type, dialect)
        at = {c: i for i, c in enumerate(MENTION_VALUE_COLUMNS)}
        self.kind, self.text, self.role = at["kind"], at["text"], at["role"]
        self.field_name, self.attributes = at["field_name"], at["attributes"]

    def __call__(
        self, kind: str, text: str, field_name: str, role: str, attributes: dict[str, Any]
    ) -> tuple[Any, ...]:
        if kind not in _KINDS or role not in _ROLES:
            _invalid(NewMention(0, kind, text, self.source, "", role=role))
        values = list(self.base)
        values[self.kind], values[self.text], values[self.role] = kind, text, role
        values[self.field_name] = field_name
        values[self.attributes] = self.to_json(attributes)
        return tuple(values)


_ENTITY_AT = 1 + MENTION_VALUE_COLUMNS.index("entity_id")  # in a tuple with its record id first


def insert_mention_values(session: Session, values: Sequence[tuple[Any, ...]]) -> int:
    """Store mentions from `mention_values`, each with its record id put first.

    Mentions that already name their entity change the mention-link digest, so they get their
    ids here (others take theirs from the database)."""
    linked = [v for v in values if v[_ENTITY_AT] is not None]
    if not linked:
        insert_tuples(session, "mention", ("record_id", *MENTION_VALUE_COLUMNS), values)
        return len(values)
    ids = allocate_ids(session, "mention", len(values))
    insert_tuples(
        session,
        "mention",
        ("id", "record_id", *MENTION_VALUE_COLUMNS),
        [(mid, *v) for mid, v in zip(ids, values, strict=True)],
    )
    links = [
        {"id": mid, "entity_id": v[_ENTITY_AT]}
        for mid, v in zip(ids, values, strict=True)
        if v[_ENTITY_AT] is not None
    ]
    record_changes(session, {"mention_link": Change(added=links)}, None, None, action="mention",
                   purpose="mentions stored with their entity")  # fmt: skip
    return len(values)


def add_mentions(session: Session, mentions: Sequence[NewMention]) -> int:
    """Store mentions (derived data: re-creatable by re-running the stage that made them)."""
    if not mentions:
        return 0
    dialect = session.get_bind().dialect.name
    values = mention_values(mentions, utcnow(), dialect)
    return insert_mention_values(
        session, [(m.record_id, *v) for m, v in zip(mentions, values, strict=True)]
    )
