"""disclosures and rules

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:11:27.593315
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "rule_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("loaded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["loaded_by"], ["app_user.id"], name=op.f("fk_rule_version_loaded_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_version")),
        sa.UniqueConstraint("rule_id", "version", name=op.f("uq_rule_version_rule_id")),
    )
    with op.batch_alter_table("rule_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_version_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "disclosure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("offence_code", sa.String(length=32), nullable=True),
        sa.Column("offence_group", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("detector", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_disclosure_record_id_record")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"], ["app_user.id"], name=op.f("fk_disclosure_responsible_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure")),
        sa.UniqueConstraint("record_id", "source", name=op.f("uq_disclosure_record_id")),
    )
    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosure_offence_group"), ["offence_group"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_disclosure_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_disclosure_record_id"), ["record_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_record_id"))
        batch_op.drop_index(batch_op.f("ix_disclosure_received_at"))
        batch_op.drop_index(batch_op.f("ix_disclosure_offence_group"))

    op.drop_table("disclosure")
    with op.batch_alter_table("rule_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_version_rule_id"))

    op.drop_table("rule_version")
