"""Search over the records a user may read.

Matches are cut to readable records (the gate's `permitted`) before anything is counted, so a
count never reveals a record the user may not see; the page of results shown is consulted
through the gate (one read event per record shown, purpose "search: ..."). Break-glass never
widens a search. Matching is a case-insensitive substring match on each current version's title
and text; a full-text index (SQLite FTS5, PostgreSQL tsvector) is the next step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from candour.auth.gate import consult, permitted
from candour.errors import ValidationError

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.store.access import Actor

_SCAN = 5000  # matches considered per query, newest first
_SNIPPET = 80


@dataclass(frozen=True)
class Hit:
    uid: str
    kind: str
    received_at: datetime
    title: str | None
    snippet: str


@dataclass(frozen=True)
class Results:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]


class SearchService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def records(
        self,
        actor: Actor,
        query: str,
        *,
        kind: str | None = None,
        page: int = 1,
        per_page: int = 20,
    ) -> Results:
        from sqlalchemy import func, or_, select

        from candour.store.models import Record

        text = query.strip()
        if len(text) < 2:
            raise ValidationError("search for at least two characters", field="q")
        if page < 1 or not 1 <= per_page <= 100:
            raise ValidationError("page must be 1 or more, per_page 1 to 100", field="page")
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_"
        ) + "%"  # fmt: skip
        newest = (
            select(Record.root_uid, func.max(Record.version).label("v"))
            .group_by(Record.root_uid)
            .subquery()
        )
        stmt = (
            select(Record.uid, Record.root_uid)
            .join(newest, (newest.c.root_uid == Record.root_uid) & (newest.c.v == Record.version))
            .where(
                or_(
                    func.lower(Record.body).like(pattern, escape="\\"),
                    func.lower(Record.title).like(pattern, escape="\\"),
                )
            )
            .order_by(Record.received_at.desc(), Record.id.desc())
            .limit(_SCAN)
        )
        if kind:
            stmt = stmt.where(Record.kind == kind)
        with self.app.store().transaction() as session:
            rows = session.execute(stmt).all()
            verdicts = permitted(session, actor, sorted({root for _, root in rows}))
            readable = [
                uid
                for uid, root in rows
                if root in verdicts and verdicts[root].allowed and not verdicts[root].break_glass
            ]
            shown = readable[(page - 1) * per_page : page * per_page]
            hits: list[Hit] = []
            if shown:
                seen = consult(session, actor, shown, f"search: {text}"[:200], partial=True)
                for r in seen.load(session):
                    hits.append(
                        Hit(r.uid, r.kind, r.received_at, r.title, _snippet(r.body or "", text))
                    )
            return Results(text, len(readable), page, per_page, hits)


def _snippet(body: str, text: str) -> str:
    at = body.lower().find(text.lower())
    if at < 0:
        return body[: _SNIPPET * 2]
    start = max(0, at - _SNIPPET)
    end = min(len(body), at + len(text) + _SNIPPET)
    return ("…" if start else "") + body[start:end] + ("…" if end < len(body) else "")
