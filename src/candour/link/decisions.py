"""Analyst decisions on links: they win over the model, every run, and each is a ledger event.

A decision is about two mentions: the same person, different people, or unsure (recorded, no
effect). Merge, split and confirm on persons are written as such pair decisions, so all of
them apply the same way: "same" pairs join transitively before any model link is considered,
and "different" pairs are never put in one person, whatever the model says.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import NotFoundError, ValidationError
from candour.ledger.log import EventDraft, append
from candour.store.access import Actor
from candour.store.enums import EventAction
from candour.store.hashing import link_decision_hash
from candour.store.models import Entity, LinkDecision, Mention
from candour.store.types import utcnow

VERDICTS = ("same", "different", "unsure")


@dataclass
class Constraints:
    """What the clustering must respect: pairs that must and must not be one person."""

    same: list[tuple[int, int]] = field(default_factory=list)
    different: list[tuple[int, int]] = field(default_factory=list)

    def mentions(self) -> set[int]:
        """Every mention a decision names."""
        return {m for pair in (*self.same, *self.different) for m in pair}


def constraints(session: Session) -> Constraints:
    """Every decision in force: the latest verdict on each pair of mentions."""
    latest: dict[tuple[int, int], str] = {}
    rows = session.execute(
        select(LinkDecision.mention_a, LinkDecision.mention_b, LinkDecision.verdict).order_by(
            LinkDecision.id
        )
    )
    for a, b, verdict in rows:
        latest[(min(a, b), max(a, b))] = verdict
    out = Constraints()
    for pair, verdict in latest.items():
        if verdict == "same":
            out.same.append(pair)
        elif verdict == "different":
            out.different.append(pair)
    return out


def _mention(session: Session, mention_id: int) -> Mention:
    m = session.get(Mention, mention_id)
    if m is None or m.kind != "person":
        raise NotFoundError(f"no person mention {mention_id}")
    return m


def _members(session: Session, person: str) -> list[int]:
    entity = session.execute(select(Entity).where(Entity.uid == person)).scalar_one_or_none()
    if entity is None or entity.kind != "person":
        raise NotFoundError(f"no person '{person}'")
    ids = sorted(session.scalars(select(Mention.id).where(Mention.entity_id == entity.id)))
    if not ids:
        raise NotFoundError(f"person '{person}' has no mentions (run 'candour link')")
    return ids


def decide(
    session: Session,
    actor: Actor,
    pairs: list[tuple[int, int]],
    verdict: str,
    kind: str,
    reason: str,
) -> int:
    """Record decisions on pairs of mentions, each with a ledger event."""
    if verdict not in VERDICTS:
        raise ValidationError(f"verdict must be one of {', '.join(VERDICTS)}", field="verdict")
    if not reason.strip():
        raise ValidationError("a link decision needs a reason", field="reason")
    now = utcnow()
    drafts = []
    for a, b in pairs:
        if a == b:
            raise ValidationError("a mention is always the same as itself", field="mention")
        ma, mb = _mention(session, a), _mention(session, b)
        values = {
            "kind": kind,
            "verdict": verdict,
            "mention_a": ma.id,
            "mention_b": mb.id,
            "reason": reason,
            "decided_by": actor.id,
            "rank_at_decision": actor.rank,
            "decided_at": now,
        }
        row = LinkDecision(**values, content_hash=link_decision_hash(values))
        session.add(row)
        session.flush()
        drafts.append(
            EventDraft(
                EventAction.RESOLVE,
                "link_decision",
                str(row.id),
                actor.id,
                actor.rank,
                subject_hash=row.content_hash,
                purpose=reason,
                payload={
                    "kind": kind,
                    "verdict": verdict,
                    "mentions": [ma.id, mb.id],
                    "records": [ma.record_id, mb.record_id],
                },
            )
        )
    append(session, drafts)
    return len(pairs)


def merge(session: Session, actor: Actor, a: str, b: str, reason: str) -> int:
    """Two persons are one: their first mentions are the same person (the rest follows)."""
    return decide(session, actor, [(_members(session, a)[0], _members(session, b)[0])],
                  "same", "merge", reason)  # fmt: skip


def split(session: Session, actor: Actor, person: str, out: list[int], reason: str) -> int:
    """These mentions are not this person: each is different from every mention kept."""
    members = _members(session, person)
    missing = [m for m in out if m not in members]
    if missing:
        raise ValidationError(f"mention {missing[0]} is not part of {person}", field="mention")
    keep = [m for m in members if m not in out]
    if not keep:
        raise ValidationError("a split must keep at least one mention", field="mention")
    return decide(session, actor, [(m, k) for m in out for k in keep], "different", "split",
                  reason)  # fmt: skip


def confirm(session: Session, actor: Actor, person: str, reason: str) -> int:
    """Every mention of this person is confirmed the same person (a chain of 'same' pairs)."""
    members = _members(session, person)
    pairs = list(itertools.pairwise(members))
    return decide(session, actor, pairs, "same", "confirm", reason) if pairs else 0
