"""Index ledger events by entity only for events other than reads.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = sa.text("action <> 'read'")


def upgrade() -> None:
    op.drop_index("ix_ledger_event_entity", table_name="ledger_event")
    op.create_index(
        "ix_ledger_event_entity",
        "ledger_event",
        ["entity_type", "entity_id"],
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_event_entity", table_name="ledger_event")
    op.create_index("ix_ledger_event_entity", "ledger_event", ["entity_type", "entity_id"])
