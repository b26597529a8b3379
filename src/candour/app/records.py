"""Reading records: the current version, its history and how it stood at a past time, each
only through the gate, which logs the consultation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from candour.auth.gate import consult

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.store.access import Actor
    from candour.store.records import History


@dataclass(frozen=True)
class RecordView:
    uid: str
    root_uid: str
    version: int
    kind: str
    received_at: datetime
    title: str | None
    body: str | None
    fields: dict[str, Any]
    about_child: bool
    break_glass: bool

    @classmethod
    def of(cls, r: Any, break_glass: bool) -> RecordView:
        """The view of a consulted record (an ORM row that must not leave the service)."""
        return cls(r.uid, r.root_uid, r.version, r.kind, r.received_at, r.title, r.body,
                   dict(r.fields or {}), r.about_child, break_glass)  # fmt: skip


class RecordService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def show(
        self, actor: Actor, uid: str, purpose: str, break_glass: str | None = None
    ) -> RecordView:
        with self.app.store().transaction() as session:
            seen = consult(session, actor, [uid], purpose, break_glass=break_glass)
            (r,) = seen.load(session)
            return RecordView.of(r, seen.break_glass)

    def history(
        self, actor: Actor, uid: str, purpose: str, break_glass: str | None = None
    ) -> History:
        from candour.store.records import history_of

        with self.app.store().transaction() as session:
            seen = consult(session, actor, [uid], purpose, break_glass=break_glass)
            return history_of(session, seen.load(session)[0])

    def as_of(
        self, actor: Actor, uid: str, at: datetime, purpose: str, break_glass: str | None = None
    ) -> Any:
        from candour.ledger.asof import record_as_of

        with self.app.store().transaction() as session:
            seen = consult(session, actor, [uid], purpose, break_glass=break_glass)
            return record_as_of(session, seen.records[0].uid, at)

    def bulk(self, actor: Actor, uids: list[str], purpose: str) -> list[RecordView]:
        """Many records at once (exports, search results): one event per record."""
        with self.app.store().transaction() as session:
            seen = consult(session, actor, uids, purpose, partial=True)
            return [RecordView.of(r, seen.break_glass) for r in seen.load(session)]
