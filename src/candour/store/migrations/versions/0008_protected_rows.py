"""protected rows: content hashes on disclosures, rule versions, link decisions and quarantine
items; running digests of the tables that change in bulk

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 04:30:00

Rows already stored when a store is upgraded are hashed as they stand and logged once each
(aggregate tables once as a whole): the upgrade trusts the data it finds, and protects it from
then on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HASHED = ("disclosure", "rule_version", "link_decision", "quarantine")
_PURPOSE = "protected from schema 0008 on (hashed as stored at the upgrade)"
_ENTITY_TYPE = {
    "disclosure": "disclosure",
    "rule_version": "rule",
    "link_decision": "link_decision",
    "quarantine": "quarantine",
}


def upgrade() -> None:
    for table in _HASHED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "table_digest",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("lanes", sa.LargeBinary(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_table_digest")),
    )
    op.create_index(
        "ix_ledger_event_table",
        "ledger_event",
        ["entity_id", "idx"],
        unique=False,
        sqlite_where=sa.text("entity_type = 'table'"),
        postgresql_where=sa.text("entity_type = 'table'"),
    )
    _protect_existing()
    for table in _HASHED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "content_hash", existing_type=sa.String(length=64), nullable=False
            )


def _protect_existing() -> None:
    """Hash and log what is stored already (nothing on a new store)."""
    from sqlalchemy.orm import Session

    from candour.ledger.log import EventDraft, append
    from candour.ledger.scan import CLOCK_MARK, protected_rows
    from candour.store.digests import AGGREGATES, rebaseline, table_state
    from candour.store.hashing import PROTECTED

    bind = op.get_bind()
    head = bind.exec_driver_sql("SELECT size FROM ledger_head WHERE id = 1").first()
    session = Session(bind=bind)
    mark = "?" if bind.dialect.name == "sqlite" else "%s"
    for table in _HASHED:
        entity_type = _ENTITY_TYPE[table]
        _, key, hasher, columns = PROTECTED[entity_type]
        rows = list(protected_rows(bind, table, "id", columns))
        if not rows:
            continue
        if head is None:
            raise RuntimeError(f"table {table} has rows but the ledger is not initialised")
        updates = [(hasher(content), int(rid)) for rid, _, content in rows]
        bind.exec_driver_sql(f"UPDATE {table} SET content_hash = {mark} WHERE id = {mark}", updates)
        keys: dict[int, str] = dict(
            bind.exec_driver_sql(f"SELECT id, {key} FROM {table}").fetchall()
        )
        drafts = [
            EventDraft(
                "system",
                entity_type,
                str(keys[int(rid)]) if entity_type == "rule" else str(rid),
                subject_hash=h,
                purpose=_PURPOSE,
            )
            for h, rid in updates
        ]
        for start in range(0, len(drafts), 20_000):
            append(session, drafts[start : start + 20_000])
    if head is None or not int(head[0]):
        return
    for name, aggregate in AGGREGATES.items():
        if table_state(bind, aggregate).count:
            rebaseline(session, name, purpose=_PURPOSE)
    # Event times come from the server's clock from here on; imported history logged before
    # may run backwards, and verification checks the order only after this event.
    append(session, [EventDraft("system", *CLOCK_MARK, purpose=_PURPOSE)])
    session.flush()


def downgrade() -> None:
    op.drop_index("ix_ledger_event_table", table_name="ledger_event")
    op.drop_table("table_digest")
    for table in reversed(_HASHED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("content_hash")
