"""user walls: a wall may hide a record from one user rather than from a whole agency

An officer named as a suspect in a record is walled from it at once, while colleagues who work
the case still see it. `wall.user_id` is that user; empty, the wall hides the record from every
user of `wall.agency_id`, as before.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 21:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wall") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_wall_user_id_app_user"), "app_user", ["user_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("wall") as batch:
        batch.drop_constraint(op.f("fk_wall_user_id_app_user"), type_="foreignkey")
        batch.drop_column("user_id")
