"""A record's case file as one page shows it: the current version, its extracted mentions, its
decisions and versions, and (for roles that review access) who has consulted it. One
consultation through the gate covers the whole page, so the page is one read event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from candour.auth.capabilities import Capability, allowed
from candour.auth.gate import consult

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.store.access import Actor


@dataclass(frozen=True)
class Span:
    """A piece of the record's text; `kind` is set when an extractor found a mention there."""

    text: str
    kind: str | None = None
    label: str | None = None
    negated: bool = False


@dataclass(frozen=True)
class DecisionRow:
    kind: str
    outcome: str | None
    offence_code: str | None
    reason: str
    rank: str
    at: datetime


@dataclass(frozen=True)
class VersionRow:
    uid: str
    version: int
    received_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class Consultation:
    event: int
    at: datetime
    action: str
    rank: str | None
    purpose: str | None


@dataclass
class CaseFile:
    uid: str
    root_uid: str
    version: int
    kind: str
    received_at: datetime
    title: str | None
    fields: dict[str, Any]
    about_child: bool
    break_glass: bool
    spans: list[Span]
    mentions: list[tuple[str, str, str]]  # kind, text, role
    decisions: list[DecisionRow]
    versions: list[VersionRow]
    consultations: list[Consultation] | None = field(default=None)


def may_see_consultations(actor: Actor) -> bool:
    """Who may see who consulted a record: the roles that review or report, not officers."""
    return allowed(actor, Capability.REVIEW_ACCESS) or allowed(actor, Capability.VIEW_REPORTS)


class CaseFileService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def record(
        self, actor: Actor, uid: str, purpose: str, break_glass: str | None = None
    ) -> CaseFile:
        from sqlalchemy import select

        from candour.store.models import Mention
        from candour.store.records import history_of

        with self.app.store().transaction() as session:
            seen = consult(session, actor, [uid], purpose, break_glass=break_glass)
            (r,) = seen.load(session)
            h = history_of(session, r)
            mentions = list(
                session.scalars(
                    select(Mention).where(Mention.record_id == r.id).order_by(Mention.id)
                )
            )
            page = CaseFile(
                r.uid,
                r.root_uid,
                r.version,
                r.kind,
                r.received_at,
                r.title,
                dict(r.fields or {}),
                r.about_child,
                seen.break_glass,
                _spans(r.body or "", mentions),
                [(m.kind, m.text, m.role) for m in mentions],
                [
                    DecisionRow(
                        d.kind,
                        d.outcome,
                        d.offence_code,
                        d.reason,
                        d.rank_at_decision,
                        d.decided_at,
                    )
                    for d in h.decisions
                ],
                [VersionRow(v.uid, v.version, v.received_at, v.created_at) for v in h.versions],
            )
            if may_see_consultations(actor):
                page.consultations = [
                    Consultation(e.idx, e.ts, e.action, e.actor_rank, e.purpose) for e in h.events
                ]
            return page


def _spans(body: str, mentions: list[Any]) -> list[Span]:
    """The body cut at the extracted mentions' offsets (overlaps: the first one wins)."""
    found = sorted(
        (m for m in mentions if m.start is not None and m.end is not None and m.end > m.start),
        key=lambda m: (m.start, -m.end),
    )
    out: list[Span] = []
    at = 0
    for m in found:
        if m.start < at or m.end > len(body):
            continue
        if m.start > at:
            out.append(Span(body[at : m.start]))
        negated = bool((m.attributes or {}).get("negated"))
        out.append(Span(body[m.start : m.end], m.kind, m.label, negated))
        at = m.end
    if at < len(body):
        out.append(Span(body[at:]))
    return out
