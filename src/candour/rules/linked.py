"""Escalation rules over linked data: the patterns Rotherham's meetings saw and did not act on.

Each evaluation looks at the records received up to `as_of` (so `rules run --as-of T` replays
history with today's linkage) and finds, for every subject (a person, a vehicle or phone, a
network), the record that first met the rule: that date is when it *would* have fired. An
escalation names its rule, the records behind it and an owner of the required rank, and is
raised once per rule and subject.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.rules.engine import RunReport, _People, evaluator
from candour.rules.model import AnyRule, LinkedPattern
from candour.store.access import Actor
from candour.store.casework import raise_escalations
from candour.store.enums import EscalationStatus
from candour.store.models import Entity, Escalation, Mention, Record, User
from candour.store.types import iso, utcnow


@dataclass
class _Data:
    """Who is named where, as of a time: records in order, persons with their roles."""

    received: dict[int, datetime] = field(default_factory=dict)
    uid: dict[int, str] = field(default_factory=dict)
    kind: dict[int, str] = field(default_factory=dict)
    about_child: set[int] = field(default_factory=set)
    minors: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    roles: dict[int, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    things: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))


def _load(session: Session, as_of: datetime) -> _Data:
    from candour.graph import _thing, current_mentions

    d = _Data()
    for rid, uid, kind, received, about_child in session.execute(
        select(Record.id, Record.uid, Record.kind, Record.received_at, Record.about_child).where(
            Record.received_at <= as_of
        )
    ):
        d.received[rid], d.uid[rid], d.kind[rid] = received, uid, kind
        if about_child:
            d.about_child.add(rid)
    persons: dict[int, str] = {
        int(i): str(u)
        for i, u in session.execute(select(Entity.id, Entity.uid).where(Entity.kind == "person"))
    }
    for rid, kind, text, norm, attrs, eid, role in session.execute(current_mentions()):
        if rid not in d.received:
            continue
        if kind == "person":
            if eid in persons:
                d.roles[rid].setdefault(persons[eid], set()).add(role or "unknown")
                if _minor(attrs or {}, d.received[rid]):
                    d.minors[rid].add(persons[eid])
        elif kind in ("vehicle", "phone"):
            node = _thing(kind, text, norm, attrs or {})
            if node and not node.endswith("*"):
                d.things[rid].add(node)
    return d


def _minor(attrs: dict[str, Any], at: datetime) -> bool:
    age = attrs.get("age")
    if isinstance(age, int):
        return age < 18
    dob = attrs.get("dob")
    if isinstance(dob, str) and len(dob) >= 4 and dob[:4].isdigit():
        return at.year - int(dob[:4]) < 18
    return False


def _children(d: _Data, rid: int) -> set[str]:
    """The children a record is about: victims stated to be under 18, or any victim in a
    record marked as about a child when no age says otherwise."""
    victims = {p for p, roles in d.roles.get(rid, {}).items() if "victim" in roles}
    minors = d.minors.get(rid, set())
    if minors:
        return victims & minors
    return victims if rid in d.about_child else set()


@dataclass(frozen=True)
class _Hit:
    subject: str
    label: str
    fired: datetime
    record_id: int
    records: list[str]
    children: int


def _first_met(
    d: _Data, subject_records: dict[str, list[int]], count: Any, threshold: int
) -> list[_Hit]:
    """For each subject, walk its records in time order until the rule is first met."""
    hits = []
    for subject, rids in subject_records.items():
        seen: set[str] = set()
        ordered = sorted(set(rids), key=lambda r: (d.received[r], r))
        for i, rid in enumerate(ordered):
            seen |= count(rid)
            if len(seen) >= threshold:
                recs = [d.uid[r] for r in ordered[: i + 1]]
                hits.append(_Hit(subject, subject, d.received[rid], rid, recs, len(seen)))
                break
    return hits


def _adult_with_children(d: _Data, rule: LinkedPattern) -> list[_Hit]:
    records: dict[str, list[int]] = defaultdict(list)
    for rid, people in d.roles.items():
        if not _children(d, rid):
            continue
        for person, roles in people.items():
            if roles & set(rule.adult_roles) and "victim" not in roles:
                records[person].append(rid)
    return _first_met(d, records, lambda rid: _children(d, rid), rule.threshold)


def _adult_at_missing(d: _Data, rule: LinkedPattern) -> list[_Hit]:
    records: dict[str, list[int]] = defaultdict(list)
    for rid, people in d.roles.items():
        if d.kind.get(rid) != "missing_episode":
            continue
        for person, roles in people.items():
            if roles & set(rule.adult_roles) and "victim" not in roles:
                records[person].append(rid)
    return _first_met(d, records, lambda rid: {d.uid[rid]}, rule.threshold)


def _thing_with_children(d: _Data, rule: LinkedPattern) -> list[_Hit]:
    records: dict[str, list[int]] = defaultdict(list)
    for rid, things in d.things.items():
        if _children(d, rid):
            for t in things:
                records[t].append(rid)
    return _first_met(d, records, lambda rid: _children(d, rid), rule.threshold)


def _network_children(d: _Data, rule: LinkedPattern) -> list[_Hit]:
    import networkx as nx

    g: nx.Graph = nx.Graph()
    for people in d.roles.values():
        names = sorted(people)
        g.add_nodes_from(names)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                g.add_edge(a, b)
    if g.number_of_nodes() == 0:
        return []
    parts = nx.community.louvain_communities(g, seed=1)
    by_person = {p: i for i, part in enumerate(parts) for p in part}
    records: dict[str, list[int]] = defaultdict(list)
    for rid, people in d.roles.items():
        for p in people:
            records[f"network-{min(parts[by_person[p]])}"].append(rid)
    hits = _first_met(d, records, lambda rid: _children(d, rid), rule.threshold)
    return [
        _Hit(h.subject, f"network around {h.subject[8:]}", h.fired, h.record_id, h.records,
             h.children)
        for h in hits
    ]  # fmt: skip


PATTERNS = {
    "adult_with_children": _adult_with_children,
    "adult_at_missing": _adult_at_missing,
    "thing_with_children": _thing_with_children,
    "network_children": _network_children,
}
_WHAT = {
    "adult_with_children": "an adult named as suspect or associate in records about {n} children",
    "adult_at_missing": "an adult named in {n} missing-episode records",
    "thing_with_children": "a vehicle or phone in records about {n} children",
    "network_children": "a network with {n} children",
}


@evaluator("linked_pattern")
def linked_pattern(
    session: Session, rule: AnyRule, as_of: datetime, actor: Actor, report: RunReport
) -> None:
    assert isinstance(rule, LinkedPattern)
    linked = session.execute(select(Mention.id).where(Mention.entity_id.is_not(None)).limit(1))
    if linked.first() is None:
        return  # nothing is linked yet: no person can be seen across records
    d = _load(session, as_of)
    hits = PATTERNS[rule.pattern](d, rule)
    report.evaluated += sum(len(people) for people in d.roles.values())
    report.breaches += len(hits)
    if not hits:
        return
    keys = [f"{rule.id}:{h.subject}" for h in hits]
    existing = set(
        session.scalars(select(Escalation.dedup_key).where(Escalation.dedup_key.in_(keys)))
    )
    owner = session.scalars(
        select(User.id).where(User.rank == rule.escalate_to_rank, User.active.is_(True))
        .order_by(User.id)
    ).first()  # fmt: skip
    now = utcnow()
    rows = []
    for h, key in zip(hits, keys, strict=True):
        if key in existing:
            report.already_raised += 1
            continue
        what = _WHAT[rule.pattern].format(n=max(h.children, len(h.records)))
        esc: dict[str, Any] = {
            "record_id": h.record_id,
            "rule_id": rule.id,
            "rule_version": str(rule.version),
            "dedup_key": key[:200],
            "raised_by": actor.id,
            "owner_id": owner,
            "target_rank": rule.escalate_to_rank,
            "reason": f"{h.label}: {what}; first met on {h.fired:%Y-%m-%d}",
            "evidence": {
                "rule": rule.id,
                "version": rule.version,
                "pattern": rule.pattern,
                "subject": h.subject,
                "first_met": iso(h.fired),
                "records": h.records,
                "children": h.children,
            },
            "status": EscalationStatus.OPEN.value,
            "deadline": now + timedelta(hours=rule.deadline_hours),
            "created_at": now,
            "updated_at": now,
        }
        rows.append(esc)
    raise_escalations(session, rows, actor, _People.load(session).rank, report.occurred_at)
    report.raised += len(rows)
