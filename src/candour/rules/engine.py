"""Evaluating rules over the store: breaches become escalations, overdue escalations climb.

Each rule kind has an evaluator registered by name. Evaluation is set-based SQL over the
`disclosure` and `decision` tables, then bulk writes, so a million records take seconds; every
escalation and every climb is still its own ledger event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from candour.ledger.log import EventDraft
from candour.rules.model import AnyRule, RecordingDeadline
from candour.rules.registry import rules_in_force
from candour.store.access import Actor
from candour.store.casework import escalation_event, raise_escalations, update_escalations
from candour.store.enums import EscalationStatus, Rank
from candour.store.hashing import ESCALATION_COLUMNS
from candour.store.models import Decision, Disclosure, Escalation, Record, User, table_of
from candour.store.types import iso, utcnow


@dataclass
class RunReport:
    as_of: datetime
    rules: list[str] = field(default_factory=list)
    evaluated: int = 0
    breaches: int = 0
    raised: int = 0
    already_raised: int = 0
    climbed: int = 0
    per_rule: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Evaluated as of a time given (a retrospective run): its events say so ("occurred_at").
    retrospective: bool = False
    #: Casework time when the run was made (the application's clock): stamps what it raises.
    now: datetime = field(default_factory=utcnow)

    @property
    def occurred_at(self) -> datetime | None:
        return self.as_of if self.retrospective else None

    def counts(self) -> dict[str, int]:
        return {
            "evaluated": self.evaluated,
            "breaches": self.breaches,
            "raised": self.raised,
            "already_raised": self.already_raised,
            "climbed": self.climbed,
        }


Evaluator = Callable[[Session, AnyRule, datetime, Actor, RunReport], None]
EVALUATORS: dict[str, Evaluator] = {}


def evaluator(kind: str) -> Callable[[Evaluator], Evaluator]:
    def deco(fn: Evaluator) -> Evaluator:
        EVALUATORS[kind] = fn
        return fn

    return deco


def run_rules(
    session: Session, actor: Actor, as_of: datetime | None = None, *, now: datetime | None = None
) -> RunReport:
    """Evaluate every rule in force at `as_of` (default now) as the data stood then. `now` is
    casework time (the application's clock; default the system clock)."""
    now = now or datetime.now(UTC)
    report = RunReport(as_of or now, retrospective=as_of is not None, now=now)
    as_of = report.as_of
    for rule in rules_in_force(session, as_of):
        fn = EVALUATORS.get(rule.kind)
        if fn is not None:
            name = f"{rule.id}@{rule.version}"
            report.rules.append(name)
            before = report.counts()
            fn(session, rule, as_of, actor, report)
            report.per_rule[name] = {k: v - before[k] for k, v in report.counts().items()}
    return report


@dataclass
class _People:
    rank: dict[int, str]
    supervisor: dict[int, int | None]

    @classmethod
    def load(cls, session: Session) -> _People:
        rows = session.execute(select(User.id, User.rank, User.supervisor_id)).all()
        return cls({r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows})


@evaluator("recording_deadline")
def recording_deadline(
    session: Session, rule: AnyRule, as_of: datetime, actor: Actor, report: RunReport
) -> None:
    assert isinstance(rule, RecordingDeadline)
    deadline = timedelta(hours=rule.deadline_hours)
    # The first decision per disclosure by an indexed look-up; record uids only for breaches.
    first = (
        select(func.min(Decision.decided_at))
        .where(
            Decision.record_id == Disclosure.record_id,
            Decision.kind == "crime_recording",
            Decision.decided_at <= as_of,
        )
        .scalar_subquery()
    )
    stmt = select(
        Disclosure.record_id,
        Disclosure.received_at,
        Disclosure.responsible_id,
        Disclosure.offence_code,
        Disclosure.offence_group,
        first.label("first"),
    ).where(Disclosure.received_at <= as_of - deadline)
    if rule.applies_to.groups:
        stmt = stmt.where(Disclosure.offence_group.in_(rule.applies_to.groups))
    late = []
    for row in session.connection().execute(stmt.execution_options(yield_per=50_000)):
        report.evaluated += 1
        due = row.received_at + deadline
        if row.first is None or row.first > due:
            late.append((row, due))
    uids = _uids(session, [row.record_id for row, _ in late])
    breaches = [(_Breach(uids[row.record_id], *row), due) for row, due in late]
    report.breaches += len(breaches)
    people = _People.load(session)
    _raise(session, rule, breaches, people, actor, report)
    _climb(session, rule, as_of, people, actor, report)


@dataclass(frozen=True)
class _Breach:
    uid: str
    record_id: int
    received_at: datetime
    responsible_id: int | None
    offence_code: str | None
    offence_group: str | None
    first: datetime | None


def _uids(session: Session, record_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(record_ids), 1000):
        chunk = record_ids[start : start + 1000]
        rows = session.execute(select(Record.id, Record.uid).where(Record.id.in_(chunk)))
        found.update((int(rid), str(uid)) for rid, uid in rows)
    return found


def _owner(people: _People, responsible: int | None, fallback: str) -> tuple[int | None, str]:
    sup = people.supervisor.get(responsible) if responsible is not None else None
    if sup is None:
        return None, fallback
    return sup, people.rank.get(sup, fallback)


def _raise(
    session: Session,
    rule: RecordingDeadline,
    breaches: list[Any],
    people: _People,
    actor: Actor,
    report: RunReport,
) -> None:
    keys = [f"{rule.id}:{row.uid}" for row, _ in breaches]
    existing: set[str] = set()
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        existing.update(
            k
            for k in session.scalars(
                select(Escalation.dedup_key).where(Escalation.dedup_key.in_(chunk))
            )
            if k
        )
    now = report.now
    rows: list[dict[str, Any]] = []
    for (row, due), key in zip(breaches, keys, strict=True):
        if key in existing:
            report.already_raised += 1
            continue
        existing.add(key)
        owner, rank = _owner(people, row.responsible_id, rule.fallback_rank)
        decided = "no decision at all" if row.first is None else f"decided late, {iso(row.first)}"
        esc: dict[str, Any] = {
            "record_id": row.record_id,
            "rule_id": rule.id,
            "rule_version": str(rule.version),
            "dedup_key": key,
            "raised_by": actor.id,
            "owner_id": owner,
            "target_rank": rank,
            "reason": f"No crime-recording decision within {rule.deadline_hours:g}h of a "
            f"disclosure ({row.offence_code or row.offence_group}): {decided}",
            "evidence": {
                "rule": rule.id,
                "version": rule.version,
                "record": row.uid,
                "received_at": iso(row.received_at),
                "due": iso(due),
                "first_decision": iso(row.first) if row.first else None,
                "responsible": row.responsible_id,
            },
            "status": EscalationStatus.OPEN.value,
            "deadline": due + timedelta(hours=rule.escalation_deadline_hours),
            "created_at": now,
            "updated_at": now,
        }
        rows.append(esc)
    raise_escalations(session, rows, actor, people.rank, report.occurred_at)
    report.raised += len(rows)


def _climb(
    session: Session,
    rule: RecordingDeadline,
    as_of: datetime,
    people: _People,
    actor: Actor,
    report: RunReport,
) -> None:
    """Overdue escalations climb one rank per period overdue, up to the rule's ceiling."""
    ceiling = Rank.parse(rule.climb_max_rank).seniority
    period = timedelta(hours=rule.climb_every_hours)
    table = table_of(Escalation)
    stmt = select(table.c.id, *(table.c[c] for c in ESCALATION_COLUMNS)).where(
        and_(
            table.c.rule_id == rule.id,
            table.c.deadline < as_of,
            table.c.status.in_(("open", "overdue")),
            table.c.target_rank != rule.climb_max_rank,  # at the ceiling: nothing left to climb
        )
    )
    changed: list[tuple[dict[str, Any], list[EventDraft]]] = []
    for row in session.connection().execute(stmt.execution_options(yield_per=20_000)):
        state = dict(row._mapping)
        steps: list[EventDraft] = []
        now = report.now
        while state["deadline"] < as_of:
            up = _next_rank(state["target_rank"])
            if up is None or up.seniority > ceiling:
                break
            owner = state["owner_id"]
            sup = people.supervisor.get(owner) if owner is not None else None
            state.update(
                status=EscalationStatus.OVERDUE.value,
                target_rank=up.value,
                owner_id=sup if sup is not None else owner,
                deadline=state["deadline"] + period,
                updated_at=now,
            )
            # Each step names who it reached; only the last carries the row's hash, which is
            # what verification compares the stored escalation with.
            steps.append(
                escalation_event(
                    "overdue",
                    state | {"content_hash": None},
                    actor,
                    people.rank.get(state["owner_id"]) if state["owner_id"] else None,
                    report.occurred_at,
                )
            )
        if steps:
            report.climbed += 1
            changed.append((state, steps))
    update_escalations(session, changed)


def _next_rank(rank: str) -> Rank | None:
    try:
        return Rank.parse(rank).next_up()
    except ValueError:
        return None
