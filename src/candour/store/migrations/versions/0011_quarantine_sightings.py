"""quarantine: the hash of the refused bytes and how often they were seen

The same bad input read again counts as a re-sighting on its open item, not a new item and a
new ledger event; only a bounded excerpt of the bytes need be kept, so the hash is what
identifies them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 18:20:00
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("raw_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("sightings", sa.Integer(), nullable=False, server_default="1"))
    table = sa.table(
        "quarantine",
        sa.column("id", sa.Integer()),
        sa.column("raw", sa.LargeBinary()),
        sa.column("raw_hash", sa.String()),
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(table.c.id, table.c.raw)).all():
        digest = hashlib.sha256(bytes(row.raw)).hexdigest()
        bind.execute(table.update().where(table.c.id == row.id).values(raw_hash=digest))
    op.create_index("ix_quarantine_raw_hash", "quarantine", ["raw_hash"])


def downgrade() -> None:
    op.drop_index("ix_quarantine_raw_hash", table_name="quarantine")
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_column("sightings")
        batch.drop_column("raw_hash")
