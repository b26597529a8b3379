"""A user's work: crime-recording decisions due and escalations that reached them, overdue
first, and acting on an escalation with a rationale.

The queue names records only by id and the rule behind each item, and lists only items on
records the user may read (asked of the gate's `permitted`, which logs nothing because the
queue shows no record content). Acting on an escalation is an event on the ledger whose purpose
is the rationale, so it shows in who-knew at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from candour.auth.gate import permitted, refused
from candour.errors import ValidationError
from candour.store.enums import EscalationStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from candour.app.core import Candour
    from candour.store.access import Actor

RECORDING_HOURS = 24  # the national crime-recording standard's deadline (rule ncrs-24h)
ACTIONS = {"acknowledge": EscalationStatus.ACKNOWLEDGED, "action": EscalationStatus.ACTIONED}
_LIMIT = 200


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "escalation" or "recording"
    escalation: int | None
    record: str | None
    what: str
    status: str
    target_rank: str | None
    deadline: datetime
    overdue: bool


def _aware(t: datetime) -> datetime:
    from datetime import UTC

    return t if t.tzinfo else t.replace(tzinfo=UTC)


class WorkService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def queue(self, actor: Actor, now: datetime | None = None) -> list[WorkItem]:
        """Open escalations owned by the user or aimed at their rank, and crime-recording
        decisions not yet made on records they may read; overdue first, then by deadline."""
        now = _aware(now or self.app.clock.now())
        with self.app.store().reading() as session:
            items = _escalations(session, actor, now) + _recordings(session, actor, now)
        items.sort(key=lambda i: (not i.overdue, i.deadline))
        return items[:_LIMIT]

    def act(self, actor: Actor, escalation_id: int, action: str, rationale: str) -> int:
        """Acknowledge or action an escalation; returns the ledger event's index."""
        from sqlalchemy import select

        from candour.ledger.log import head
        from candour.store.casework import escalation_event, update_escalations
        from candour.store.hashing import ESCALATION_COLUMNS
        from candour.store.models import Escalation, Record, User
        from candour.store.types import utcnow

        if action not in ACTIONS:
            raise ValidationError("choose acknowledge or action", field="action")
        if not rationale.strip():
            raise ValidationError("acting on an escalation needs a rationale", field="rationale")
        with self.app.store().transaction() as session:
            esc = session.get(Escalation, escalation_id)
            if esc is None or not _reaches(esc.owner_id, esc.target_rank, actor):
                raise refused()
            if esc.record_id is not None:
                root = session.execute(
                    select(Record.root_uid).where(Record.id == esc.record_id)
                ).scalar_one()
                verdict = permitted(session, actor, [root]).get(root)
                if verdict is None or not verdict.allowed:
                    raise refused()
            if esc.status == EscalationStatus.ACTIONED.value:
                raise ValidationError("this escalation is already actioned", field="action")
            state = {"id": esc.id, **{c: getattr(esc, c) for c in ESCALATION_COLUMNS}}
            state["status"] = ACTIONS[action].value
            if state["owner_id"] is None:
                state["owner_id"] = actor.id  # whoever acts on a rank's escalation owns it
            state["updated_at"] = utcnow()
            owner = session.get(User, state["owner_id"])
            step = escalation_event(
                action, {**state, "content_hash": None}, actor, owner.rank if owner else None
            )
            step.purpose = rationale.strip()
            update_escalations(session, [(state, [step])])
            return head(session)[0] - 1

    def decide(
        self,
        actor: Actor,
        uid: str,
        kind: str,
        reason: str,
        outcome: str | None = None,
        offence_code: str | None = None,
    ) -> None:
        """A decision on a record the user may read by need-to-know (never by break-glass):
        crime recording (with outcome and offence code), no further action, referral..."""
        from candour.errors import NotFoundError
        from candour.store.casework import NewDecision, add_decision
        from candour.store.records import current_version

        if actor.role not in DECIDERS:
            raise refused()
        with self.app.store().transaction() as session:
            try:
                root = current_version(session, uid).root_uid
            except NotFoundError:
                raise refused() from None
            verdict = permitted(session, actor, [root]).get(root)
            if verdict is None or not verdict.allowed or verdict.break_glass:
                raise refused()
            add_decision(
                session,
                uid,
                NewDecision(
                    kind,
                    reason.strip(),
                    outcome or None,
                    offence_code or None,
                    decided_at=self.app.clock.now(),
                ),
                actor,
            )


DECIDERS = frozenset({"officer", "supervisor", "safeguarding_lead", "senior"})


def _reaches(owner_id: int | None, target_rank: str | None, actor: Actor) -> bool:
    if owner_id is not None:
        return owner_id == actor.id
    return target_rank is not None and target_rank == actor.rank


def _escalations(session: Session, actor: Actor, now: datetime) -> list[WorkItem]:
    from sqlalchemy import and_, or_, select

    from candour.store.models import Escalation, Record

    open_states = [
        EscalationStatus.OPEN.value,
        EscalationStatus.ACKNOWLEDGED.value,
        EscalationStatus.OVERDUE.value,
    ]
    stmt = (
        select(Escalation, Record.root_uid, Record.uid)
        .outerjoin(Record, Record.id == Escalation.record_id)
        .where(
            Escalation.status.in_(open_states),
            or_(
                Escalation.owner_id == actor.id,
                and_(Escalation.owner_id.is_(None), Escalation.target_rank == actor.rank),
            ),
        )
        .order_by(Escalation.deadline)
        .limit(_LIMIT * 5)
    )
    rows = session.execute(stmt).all()
    roots = sorted({root for _, root, _ in rows if root})
    verdicts = permitted(session, actor, roots) if roots else {}
    out = []
    for esc, root, uid in rows:
        if root is not None and not (root in verdicts and verdicts[root].allowed):
            continue
        deadline = _aware(esc.deadline)
        out.append(
            WorkItem(
                "escalation",
                esc.id,
                uid,
                esc.rule_id or "raised by a person",
                esc.status,
                esc.target_rank,
                deadline,
                deadline < now or esc.status == EscalationStatus.OVERDUE.value,
            )
        )
    return out


def _recordings(session: Session, actor: Actor, now: datetime) -> list[WorkItem]:
    """Disclosures of offences whose record has no crime-recording decision on any version."""
    from sqlalchemy import select

    from candour.store.enums import DecisionKind, Role
    from candour.store.models import Decision, Disclosure, Record

    if actor.role not in {Role.OFFICER, Role.SUPERVISOR, Role.SAFEGUARDING_LEAD, Role.SENIOR}:
        return []
    decided = (
        select(Record.root_uid)
        .join(Decision, Decision.record_id == Record.id)
        .where(Decision.kind == DecisionKind.CRIME_RECORDING.value)
    )
    stmt = (
        select(Disclosure.received_at, Disclosure.offence_group, Record.root_uid, Record.uid)
        .join(Record, Record.id == Disclosure.record_id)
        .where(Record.root_uid.not_in(decided))
        .order_by(Disclosure.received_at)
        .limit(_LIMIT * 5)
    )
    rows = session.execute(stmt).all()
    verdicts = permitted(session, actor, sorted({r[2] for r in rows})) if rows else {}
    out, seen = [], set()
    for received, group, root, uid in rows:
        if root in seen or not (root in verdicts and verdicts[root].allowed):
            continue
        if verdicts[root].break_glass:
            continue
        seen.add(root)
        deadline = _aware(received) + timedelta(hours=RECORDING_HOURS)
        out.append(
            WorkItem(
                "recording", None, uid, f"crime-recording decision ({group or 'offence'})",
                "due", None, deadline, deadline < now,
            )
        )  # fmt: skip
    return out
