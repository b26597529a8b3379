"""second factor: a TOTP enrolment per user, and whether a session passed it

The shared secret is kept sealed (libsodium secretbox) under a key in the data home, never in
the clear in the database: a copy of the store alone gives nobody the codes. Each enrolment is
a protected row (its hash is logged), so an enrolment slipped in with SQL fails verification.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_totp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sealed_secret", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_totp_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_user_totp_created_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_totp")),
    )
    op.create_index(op.f("ix_user_totp_user_id"), "user_totp", ["user_id"])
    with op.batch_alter_table("auth_session") as batch:
        batch.add_column(
            sa.Column("second_factor", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_session") as batch:
        batch.drop_column("second_factor")
    op.drop_index(op.f("ix_user_totp_user_id"), table_name="user_totp")
    op.drop_table("user_totp")
