"""extractions and findings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 01:21:44.906650
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "extraction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("extractor", sa.String(length=200), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_extraction_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extraction")),
    )
    with op.batch_alter_table("extraction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extraction_current"), ["current"], unique=False)
        batch_op.create_index(batch_op.f("ix_extraction_record_id"), ["record_id"], unique=False)

    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extraction_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("negated", sa.Boolean(), nullable=False),
        sa.Column("hypothetical", sa.Boolean(), nullable=False),
        sa.Column("suggestion", sa.String(length=300), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["extraction_id"], ["extraction.id"], name=op.f("fk_finding_extraction_id_extraction")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_finding_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding")),
    )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_extraction_id"), ["extraction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_finding_record_id"), ["record_id"], unique=False)

    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extraction_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_mention_extraction_id"), ["extraction_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_mention_extraction_id_extraction"),
            "extraction",
            ["extraction_id"],
            ["id"],
        )


def downgrade() -> None:

    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_mention_extraction_id_extraction"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_mention_extraction_id"))
        batch_op.drop_column("extraction_id")

    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_record_id"))
        batch_op.drop_index(batch_op.f("ix_finding_extraction_id"))

    op.drop_table("finding")
    with op.batch_alter_table("extraction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extraction_record_id"))
        batch_op.drop_index(batch_op.f("ix_extraction_current"))

    op.drop_table("extraction")
