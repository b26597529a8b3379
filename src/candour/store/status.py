"""What is in the store: counts per table, for `candour status` and the web app."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from candour.store.models import Base


def table_counts(session: Session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, table in sorted(Base.metadata.tables.items()):
        counts[name] = int(session.execute(select(func.count()).select_from(table)).scalar_one())
    return counts
