"""The core model of DESIGN.md as SQLAlchemy 2 tables.

Records, decisions and mentions are append-only: a correction is a new row that points at the one
it supersedes. Escalations and assignments change status, and every change is a ledger event, so
their state at any past time is reconstructed from the log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from candour.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Agency(Base):
    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class User(Base):
    """Someone who uses Candour: an officer or a partner-agency professional."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identifier: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    unit: Mapped[str | None] = mapped_column(String(120))
    rank: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # Who the user is as the ledger knows them (identifier, name, agency, unit, rank, role,
    # supervisor, active): an edit made with SQL no longer matches its last user event.
    content_hash: Mapped[str | None] = mapped_column(String(64))


class Record(Base):
    """Anything that came in. Immutable: a correction is a new version (`supersedes_id`)."""

    __tablename__ = "record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    root_uid: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    source_ref: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    title: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str | None] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    about_child: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64))


class Entity(Base):
    """What mentions resolve to: a person (nominal), vehicle, phone, location or organisation."""

    __tablename__ = "entity"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    display: Mapped[str] = mapped_column(String(300))
    key: Mapped[str | None] = mapped_column(String(120), index=True)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class PersonAlias(Base):
    __tablename__ = "person_alias"
    __table_args__ = (UniqueConstraint("entity_id", "alias"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    alias: Mapped[str] = mapped_column(String(300))


class Mention(Base):
    """A reference inside a record to a person or other entity, with provenance."""

    __tablename__ = "mention"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(500))
    normalised: Mapped[str | None] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(32), default="unknown")
    source: Mapped[str] = mapped_column(String(16))
    field_name: Mapped[str | None] = mapped_column(String(120))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    extractor: Mapped[str] = mapped_column(String(64))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"), index=True)
    extraction_id: Mapped[int | None] = mapped_column(ForeignKey("extraction.id"), index=True)
    created_at: Mapped[datetime]


class Extraction(Base):
    """One run of the extractor over one record's text. Re-runs keep the old one as history."""

    __tablename__ = "extraction"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    extractor: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str] = mapped_column(String(64))
    words: Mapped[int] = mapped_column(Integer)
    current: Mapped[bool] = mapped_column(Boolean, index=True)
    created_at: Mapped[datetime]


class Finding(Base):
    """What extraction flags in a text: an indicator, victim-blaming language, a disclosure cue
    or an age gap; negated and hypothetical ones are kept and marked."""

    __tablename__ = "finding"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extraction.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    negated: Mapped[bool] = mapped_column(Boolean, default=False)
    hypothetical: Mapped[bool] = mapped_column(Boolean, default=False)
    suggestion: Mapped[str | None] = mapped_column(String(300))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LinkDecision(Base):
    """An analyst's judgement on whether mentions are the same person. Later runs obey it."""

    __tablename__ = "link_decision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # pair | merge | split | confirm
    verdict: Mapped[str] = mapped_column(String(16))  # same | different | unsure
    mention_a: Mapped[int] = mapped_column(ForeignKey("mention.id"), index=True)
    mention_b: Mapped[int] = mapped_column(ForeignKey("mention.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    rank_at_decision: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))


class Decision(Base):
    """A named user's decision on a record, with time, rank at the time and rationale."""

    __tablename__ = "decision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(32))
    offence_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    rank_at_decision: Mapped[str] = mapped_column(String(32))
    decided_at: Mapped[datetime]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    content_hash: Mapped[str] = mapped_column(String(64))


class Escalation(Base):
    """Raised by a rule or a person; climbs when overdue."""

    __tablename__ = "escalation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"), index=True)
    rule_id: Mapped[str | None] = mapped_column(String(120))
    rule_version: Mapped[str | None] = mapped_column(String(64))
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    raised_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    target_rank: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(32), index=True)
    deadline: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))


class Assignment(Base):
    __tablename__ = "assignment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    assigned_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    content_hash: Mapped[str] = mapped_column(String(64))


class LedgerEvent(Base):
    """One leaf of the Merkle log. `idx` is the 0-based leaf index and the event's id."""

    __tablename__ = "ledger_event"
    # Reads are most events and are found through record_id; indexing their entity as well would
    # cost a third of the append rate for nothing.
    __table_args__ = (
        Index(
            "ix_ledger_event_entity",
            "entity_type",
            "entity_id",
            sqlite_where=text("action <> 'read'"),
            postgresql_where=text("action <> 'read'"),
        ),
        # The last digest logged for a table (store/digests.py): one probe per bulk write.
        Index(
            "ix_ledger_event_table",
            "entity_id",
            "idx",
            sqlite_where=text("entity_type = 'table'"),
            postgresql_where=text("entity_type = 'table'"),
        ),
    )
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    ts: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_rank: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    target_rank: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[int | None] = mapped_column(Integer, index=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    subject_hash: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerNode(Base):
    """Hash of a perfect subtree: key = level * 2**40 + index (levels >= 1)."""

    __tablename__ = "ledger_node"
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerHead(Base):
    """The single row that serialises appends: size, and the right edge of the tree."""

    __tablename__ = "ledger_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[bytes] = mapped_column(LargeBinary)


class LedgerCheckpoint(Base):
    """Signed checkpoints made so far (copies; the authoritative ones are held outside)."""

    __tablename__ = "ledger_checkpoint"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text)


class TableDigest(Base):
    """The running aggregate digest of a table that changes in bulk (store/digests.py): a
    writer's cache, checked against the digest the ledger logged last before every use."""

    __tablename__ = "table_digest"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    lanes: Mapped[bytes] = mapped_column(LargeBinary)
    row_count: Mapped[int] = mapped_column(BigInteger)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, for plain executemany inserts on hot paths."""
    return Base.metadata.tables[model.__tablename__]


class QuarantineItem(Base):
    """A row or file intake could not take in: kept with its reason and raw bytes, never lost."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(1000))
    locator: Mapped[str | None] = mapped_column(String(100))
    field: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    reader: Mapped[str] = mapped_column(String(32))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    raw_size: Mapped[int] = mapped_column(BigInteger)
    kind_hint: Mapped[str | None] = mapped_column(String(32))
    agency_hint: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    resolved_uid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    # The whole refused input's SHA-256 (`raw` may be only an excerpt of it), and how many
    # times intake has been given it while the item is open.
    raw_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    sightings: Mapped[int] = mapped_column(Integer, server_default="1")


class Disclosure(Base):
    """A record's disclosure of a notifiable offence: from its structured fields or its text.

    What starts the crime-recording clock; `responsible_id` is the reporting user, whose
    supervisor a missed deadline escalates to.
    """

    __tablename__ = "disclosure"
    __table_args__ = (UniqueConstraint("record_id", "source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    offence_code: Mapped[str | None] = mapped_column(String(32))
    offence_group: Mapped[str | None] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    detector: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))


class RuleVersion(Base):
    """A loaded version of a declarative rule (YAML). Loading one is a ledger event."""

    __tablename__ = "rule_version"
    __table_args__ = (UniqueConstraint("rule_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime]
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    content_hash: Mapped[str] = mapped_column(String(64))


class AuthSession(Base):
    """A signed-in session: only the SHA-256 of its random token is stored, never the token."""

    __tablename__ = "auth_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # cli | web | api | service
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    idle_seconds: Mapped[int] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(64))
    # Opened with a second factor (a TOTP code), so roles that require one may use it.
    second_factor: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )


class UserTotp(Base):
    """A user's TOTP enrolment. The secret is sealed under the data home's TOTP key; the row is
    protected (its hash is logged when it is created, confirmed and ended). `last_step` is the
    last time step accepted, so a code is never accepted twice."""

    __tablename__ = "user_totp"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    sealed_secret: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    confirmed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    last_step: Mapped[int | None] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64))


class Wall(Base):
    """An ethical wall: a record (or case) hidden from every user of one agency, or, with
    `user_id`, from that one user of it (an officer named as a suspect in the record)."""

    __tablename__ = "wall"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(64), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    lifted_at: Mapped[datetime | None]
    content_hash: Mapped[str] = mapped_column(String(64))


class WallGrant(Base):
    """The wall's owner lets one user of the walled agency through."""

    __tablename__ = "wall_grant"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wall_id: Mapped[int] = mapped_column(ForeignKey("wall.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    granted_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    content_hash: Mapped[str] = mapped_column(String(64))


class Jurisdiction(Base):
    """An oversight body's jurisdiction over an agency (its staff may consult its records)."""

    __tablename__ = "jurisdiction"
    __table_args__ = (UniqueConstraint("body_id", "agency_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    created_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))


class BreakGlass(Base):
    """A break-glass read awaiting (or after) review by an auditor or data-protection officer.

    The read itself is the ledger event `event_idx`; the review is a ledger event too, so the
    queue can be rebuilt from the log alone."""

    __tablename__ = "break_glass"
    event_idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32), index=True)
    note: Mapped[str | None] = mapped_column(Text)


class PublicationDraft(Base):
    """A report redacted for publication, awaiting review: the unredacted source and the
    identifiers searched for stay here; files are written only once `approval_event` is set."""

    __tablename__ = "publication_draft"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    checkpoint_size: Mapped[int] = mapped_column(BigInteger)
    checkpoint_root: Mapped[str] = mapped_column(String(64))
    source_document: Mapped[dict[str, Any]] = mapped_column(JSON)
    redacted_document: Mapped[dict[str, Any]] = mapped_column(JSON)
    redaction_log: Mapped[dict[str, Any]] = mapped_column(JSON)
    known: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[datetime | None]
    approval_event: Mapped[int | None] = mapped_column(BigInteger)


class OversightComplaint(Base):
    """A complaint about the police, and the oversight case built on it (`uid` is the case).

    `force_id` is the force complained about: its users are walled from the case."""

    __tablename__ = "oversight_complaint"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    complainant: Mapped[str] = mapped_column(String(200), index=True)
    received_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(32))
    record_uid: Mapped[str | None] = mapped_column(String(64))
    investigation_set: Mapped[str | None] = mapped_column(String(120), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))


class OversightInvestigation(Base):
    """A misconduct investigation into (some of) a complaint's allegations."""

    __tablename__ = "oversight_investigation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("oversight_complaint.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))
    investigator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    investigation_set: Mapped[str | None] = mapped_column(String(120), index=True)
    opened_at: Mapped[datetime]
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))


class OversightAllegation(Base):
    """One allegation against one officer, with the rank the officer held at the time."""

    __tablename__ = "oversight_allegation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("oversight_complaint.id"), index=True)
    investigation_id: Mapped[int | None] = mapped_column(
        ForeignKey("oversight_investigation.id"), index=True
    )
    subject_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    rank_at_time: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(48))
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))


class OversightDecision(Base):
    """A recorded decision on a case: terms of reference (versioned), a narrowing of scope, a
    finding or an outcome on an allegation, a complainant label, a commissioner's request and
    its answer. Each has an author, a reason and, where the rules ask, an approver."""

    __tablename__ = "oversight_decision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("oversight_complaint.id"), index=True)
    investigation_id: Mapped[int | None] = mapped_column(ForeignKey("oversight_investigation.id"))
    allegation_id: Mapped[int | None] = mapped_column(ForeignKey("oversight_allegation.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    value: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decided_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    rank_at_decision: Mapped[str | None] = mapped_column(String(32))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
