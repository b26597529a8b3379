"""link decisions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 02:07:42.905728
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "link_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("mention_a", sa.Integer(), nullable=False),
        sa.Column("mention_b", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("rank_at_decision", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["app_user.id"], name=op.f("fk_link_decision_decided_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["mention_a"], ["mention.id"], name=op.f("fk_link_decision_mention_a_mention")
        ),
        sa.ForeignKeyConstraint(
            ["mention_b"], ["mention.id"], name=op.f("fk_link_decision_mention_b_mention")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_decision")),
    )
    with op.batch_alter_table("link_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_decision_mention_a"), ["mention_a"], unique=False)
        batch_op.create_index(batch_op.f("ix_link_decision_mention_b"), ["mention_b"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("link_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_decision_mention_b"))
        batch_op.drop_index(batch_op.f("ix_link_decision_mention_a"))

    op.drop_table("link_decision")
