"""oversight: complaints, investigations, allegations and recorded decisions (terms of
reference, scope, findings, outcomes, complainant labels, commissioner requests)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 05:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oversight_complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("force_id", sa.Integer(), nullable=False),
        sa.Column("complainant", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("record_uid", sa.String(length=64), nullable=True),
        sa.Column("investigation_set", sa.String(length=120), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["force_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    op.create_index("ix_oversight_complaint_force_id", "oversight_complaint", ["force_id"])
    op.create_index("ix_oversight_complaint_complainant", "oversight_complaint", ["complainant"])
    op.create_index(
        "ix_oversight_complaint_investigation_set", "oversight_complaint", ["investigation_set"]
    )
    op.create_table(
        "oversight_investigation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("investigator_id", sa.Integer(), nullable=True),
        sa.Column("investigation_set", sa.String(length=120), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["oversight_complaint.id"]),
        sa.ForeignKeyConstraint(["investigator_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    op.create_index(
        "ix_oversight_investigation_complaint_id", "oversight_investigation", ["complaint_id"]
    )
    op.create_index(
        "ix_oversight_investigation_investigation_set",
        "oversight_investigation",
        ["investigation_set"],
    )
    op.create_table(
        "oversight_allegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("investigation_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("rank_at_time", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=48), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["oversight_complaint.id"]),
        sa.ForeignKeyConstraint(["investigation_id"], ["oversight_investigation.id"]),
        sa.ForeignKeyConstraint(["subject_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    for col in ("complaint_id", "investigation_id", "subject_id"):
        op.create_index(f"ix_oversight_allegation_{col}", "oversight_allegation", [col])
    op.create_table(
        "oversight_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("investigation_id", sa.Integer(), nullable=True),
        sa.Column("allegation_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("rank_at_decision", sa.String(length=32), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["oversight_complaint.id"]),
        sa.ForeignKeyConstraint(["investigation_id"], ["oversight_investigation.id"]),
        sa.ForeignKeyConstraint(["allegation_id"], ["oversight_allegation.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["approved_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    op.create_index("ix_oversight_decision_kind", "oversight_decision", ["kind"])
    op.create_index("ix_oversight_decision_complaint_id", "oversight_decision", ["complaint_id"])


def downgrade() -> None:
    for name in (
        "oversight_decision",
        "oversight_allegation",
        "oversight_investigation",
        "oversight_complaint",
    ):
        op.drop_table(name)
