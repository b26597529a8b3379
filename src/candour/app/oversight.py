"""The oversight body's services: cases, investigations, allegations, recorded decisions,
statistics and evidence bundles. Each call is one transaction; the CLI and the web app call
these and see plain values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from candour.auth.capabilities import Capability, require
from candour.oversight import cases as c

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.oversight.stats import OversightStats
    from candour.oversight.suspects import SuspectOfficer
    from candour.store.access import Actor


@dataclass(frozen=True)
class Decision:
    uid: str
    kind: str
    version: int
    value: str | None
    text: str | None
    reason: str
    decided_by: str
    rank: str | None
    approved_by: str | None
    decided_at: datetime
    detail: dict[str, Any]
    allegation: str | None = None
    investigation: str | None = None


@dataclass(frozen=True)
class Allegation:
    uid: str
    investigation: str | None
    subject: str
    rank_at_time: str
    category: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class Investigation:
    uid: str
    mode: str
    investigator: str | None
    opened_at: datetime
    investigation_set: str | None


@dataclass
class Case:
    uid: str
    force: str
    complainant: str
    received_at: datetime
    channel: str
    record_uid: str | None
    investigation_set: str | None
    investigations: list[Investigation] = field(default_factory=list)
    allegations: list[Allegation] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[Decision]:
        return [d for d in self.decisions if d.kind in kinds]

    def latest(self, kind: str, allegation: str) -> Decision | None:
        """The finding or outcome that stands for an allegation (the latest recorded)."""
        found = [d for d in self.decisions if d.kind == kind and d.allegation == allegation]
        return found[-1] if found else None

    def timeline(self) -> list[Moment]:
        """Every stage of the case in time order: received, opened, alleged, decided."""
        out = [Moment(self.received_at, "complaint received", None, self.channel)]
        out += [
            Moment(i.opened_at, "investigation opened", i.investigator, f"{i.mode} ({i.uid})")
            for i in self.investigations
        ]
        out += [
            Moment(a.created_at, "allegation", None, f"{a.category} against {a.subject}")
            for a in self.allegations
            if a.created_at is not None
        ]
        out += [
            Moment(d.decided_at, d.kind.replace("_", " "), d.decided_by, _detail(d))
            for d in self.decisions
        ]
        return sorted(out, key=lambda m: _aware(m.at))


@dataclass(frozen=True)
class Moment:
    at: datetime
    what: str
    who: str | None
    detail: str


def _detail(d: Decision) -> str:
    """What a decision says, in a line: a narrowing its change, a finding or answer its value."""
    if d.kind == "scope":
        return f"narrowed: {d.text}"
    return d.value or d.reason


def _aware(at: datetime) -> datetime:
    from datetime import UTC

    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


#: The purpose logged when a case is opened without one given (the web case page).
CASE_PURPOSE = "oversight case work"


class OversightService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def open_complaint(
        self,
        actor: Actor,
        *,
        force: str,
        complainant: str,
        received_at: datetime,
        channel: str,
        record_uid: str | None = None,
        investigation_set: str | None = None,
    ) -> str:
        with self.app.store().transaction() as s:
            return c.open_complaint(
                s,
                actor,
                force=force,
                complainant=complainant,
                received_at=received_at,
                channel=channel,
                record_uid=record_uid,
                investigation_set=investigation_set,
            ).uid

    def open_investigation(
        self,
        actor: Actor,
        case: str,
        *,
        mode: str,
        terms: str,
        investigator: str | None = None,
        opened_at: datetime | None = None,
        investigation_set: str | None = None,
    ) -> str:
        with self.app.store().transaction() as s:
            return c.open_investigation(
                s,
                actor,
                case,
                mode=mode,
                investigator=investigator,
                terms=terms,
                opened_at=opened_at,
                investigation_set=investigation_set,
            ).uid

    def add_allegation(
        self,
        actor: Actor,
        case: str,
        *,
        subject: str,
        category: str,
        rank_at_time: str | None = None,
        investigation: str | None = None,
    ) -> str:
        with self.app.store().transaction() as s:
            return c.add_allegation(
                s,
                actor,
                case,
                subject=subject,
                category=category,
                rank_at_time=rank_at_time,
                investigation=investigation,
            ).uid

    def set_terms(self, actor: Actor, investigation: str, terms: str, reason: str) -> str:
        with self.app.store().transaction() as s:
            return c.set_terms(s, actor, investigation, terms, reason).uid

    def narrow_scope(
        self,
        actor: Actor,
        investigation: str,
        *,
        change: str,
        reason: str,
        approver: str,
        exclude_above: str | None = None,
    ) -> str:
        with self.app.store().transaction() as s:
            return c.narrow_scope(
                s,
                actor,
                investigation,
                change=change,
                reason=reason,
                approver=approver,
                exclude_above=exclude_above,
            ).uid

    def finding(
        self, actor: Actor, allegation: str, finding: str, reason: str, *, upheld: bool
    ) -> str:
        with self.app.store().transaction() as s:
            return c.record_finding(s, actor, allegation, finding, reason, upheld=upheld).uid

    def outcome(self, actor: Actor, allegation: str, outcome: str, reason: str) -> str:
        with self.app.store().transaction() as s:
            return c.record_outcome(s, actor, allegation, outcome, reason).uid

    def label_complainant(
        self, actor: Actor, case: str, *, label: str, reason: str, approver: str, notice: str
    ) -> str:
        with self.app.store().transaction() as s:
            return c.label_complainant(
                s, actor, case, label=label, reason=reason, approver=approver, notice=notice
            ).uid

    def commissioner_request(self, actor: Actor, case: str, *, asked: str, reason: str) -> str:
        with self.app.store().transaction() as s:
            return c.commissioner_request(s, actor, case, asked=asked, reason=reason).uid

    def commissioner_answer(
        self,
        actor: Actor,
        request: str,
        *,
        answer: str,
        reason: str,
        why_not_redacted: str | None = None,
    ) -> str:
        with self.app.store().transaction() as s:
            return c.commissioner_answer(
                s, actor, request, answer=answer, reason=reason, why_not_redacted=why_not_redacted
            ).uid

    def attach_evidence(self, actor: Actor, case: str, targets: list[str], reason: str) -> str:
        with self.app.store().transaction() as s:
            return c.attach_evidence(s, actor, case, targets, reason).uid

    def cases(self, actor: Actor, investigation_set: str | None = None) -> list[Case]:
        require(actor, Capability.VIEW_OVERSIGHT)
        with self.app.store().reading() as s:
            return [_case(s, row, full=False) for row in c.list_cases(s, actor, investigation_set)]

    def case(self, actor: Actor, uid: str, purpose: str = CASE_PURPOSE) -> Case:
        """A case in full (complainant, officers, every decision): a read on the ledger."""
        from candour.auth.gate import consult_cases

        with self.app.store().transaction() as s:
            (row,) = consult_cases(s, actor, [uid], purpose)
            return _case(s, row, full=True)

    def stats(
        self, actor: Actor, investigation_set: str | None = None, now: datetime | None = None
    ) -> OversightStats:
        from candour.oversight.facts import load_facts
        from candour.oversight.stats import oversight_stats
        from candour.store.types import utcnow

        require(actor, Capability.VIEW_OVERSIGHT)
        with self.app.store().reading() as s:
            invs, algs, decisions = load_facts(s, actor, investigation_set)
        return oversight_stats(
            invs, algs, decisions, investigation_set=investigation_set, now=now or utcnow()
        )

    def commissioner_log(
        self, actor: Actor, investigation_set: str | None = None
    ) -> list[tuple[str, Decision]]:
        """Every commissioner's request and every answer (with its reason, and for a refusal
        why redaction was not enough), case by case, oldest first: what the dashboard shows.
        Each case it draws on is logged as read."""
        from sqlalchemy import select

        from candour.auth.gate import consult_cases
        from candour.oversight.vocab import DecisionKind
        from candour.store.models import OversightDecision, User

        require(actor, Capability.VIEW_OVERSIGHT)
        kinds = (DecisionKind.COMMISSIONER_REQUEST.value, DecisionKind.COMMISSIONER_ANSWER.value)
        with self.app.store().transaction() as s:
            visible = {row.id: row.uid for row in c.list_cases(s, actor, investigation_set)}
            if not visible:
                return []
            who = dict(s.execute(select(User.id, User.identifier)).all())
            rows = s.scalars(
                select(OversightDecision)
                .where(
                    OversightDecision.kind.in_(kinds),
                    OversightDecision.complaint_id.in_(list(visible)),
                )
                .order_by(OversightDecision.decided_at, OversightDecision.id)
            )
            out = [(visible[d.complaint_id], _decision(d, who, {}, {})) for d in rows]
            consult_cases(s, actor, [case for case, _ in out], "oversight statistics")
            return out

    def officers_as_suspects(self, actor: Actor) -> list[SuspectOfficer]:
        """Wall every user named as a suspect in a record from it, alert the force's standards
        staff and the oversight bodies, and list the user's earlier reads of the records about
        the children concerned (`candour.oversight.suspects`). One transaction; safe to rerun."""
        from candour.oversight.suspects import act

        with self.app.store().transaction() as s:
            return act(s, actor)

    def suspects(self, actor: Actor) -> list[SuspectOfficer]:
        """The users walled as suspects in the forces the actor oversees, and their earlier
        reads of the children's records (consulted through the gate)."""
        from candour.oversight.suspects import report

        with self.app.store().transaction() as s:
            return report(s, actor)

    def evidence(
        self,
        actor: Actor,
        case: str,
        out: Path,
        purpose: str,
        checkpoint: Path | None = None,
    ) -> dict[str, Any]:
        """Write the case's evidence bundle (see `candour.oversight.evidence`), against a
        checkpoint file (a cosigned one) or the latest the store signed."""
        from candour.errors import LedgerError
        from candour.oversight.evidence import write_bundle

        note = None
        if checkpoint is not None:
            try:
                note = checkpoint.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                raise LedgerError(f"{checkpoint}: cannot read the checkpoint") from None
        return write_bundle(self.app, actor, case, out, purpose, note)


def _case(s: Any, row: Any, *, full: bool) -> Case:
    from sqlalchemy import select

    from candour.store.models import (
        Agency,
        OversightAllegation,
        OversightDecision,
        OversightInvestigation,
        User,
    )

    force = s.get(Agency, row.force_id).code
    out = Case(
        row.uid,
        force,
        row.complainant,
        row.received_at,
        row.channel,
        row.record_uid,
        row.investigation_set,
    )
    if not full:
        return out
    who = dict(s.execute(select(User.id, User.identifier)).all())
    invs = list(
        s.scalars(
            select(OversightInvestigation)
            .where(OversightInvestigation.complaint_id == row.id)
            .order_by(OversightInvestigation.id)
        )
    )
    inv_uid = {i.id: i.uid for i in invs}
    out.investigations = [
        Investigation(i.uid, i.mode, who.get(i.investigator_id), i.opened_at, i.investigation_set)
        for i in invs
    ]
    alg_uid = dict(
        s.execute(
            select(OversightAllegation.id, OversightAllegation.uid).where(
                OversightAllegation.complaint_id == row.id
            )
        ).all()
    )
    out.allegations = [
        Allegation(
            a.uid,
            inv_uid.get(a.investigation_id),
            who[a.subject_id],
            a.rank_at_time,
            a.category,
            a.created_at,
        )
        for a in s.scalars(
            select(OversightAllegation)
            .where(OversightAllegation.complaint_id == row.id)
            .order_by(OversightAllegation.id)
        )
    ]
    out.decisions = [
        _decision(d, who, alg_uid, inv_uid)
        for d in s.scalars(
            select(OversightDecision)
            .where(OversightDecision.complaint_id == row.id)
            .order_by(OversightDecision.id)
        )
    ]
    return out


def _decision(d: Any, who: dict[int, str], algs: dict[int, str], invs: dict[int, str]) -> Decision:
    return Decision(
        d.uid,
        d.kind,
        d.version,
        d.value,
        d.text,
        d.reason,
        who[d.decided_by],
        d.rank_at_decision,
        who.get(d.approved_by),
        d.decided_at,
        dict(d.detail),
        algs.get(d.allegation_id),
        invs.get(d.investigation_id),
    )
