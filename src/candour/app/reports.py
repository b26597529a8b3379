"""Audits, reports and evaluations. The recording audit names records and the reasons given
for decisions on them, so it covers only the records the user may read and consults each;
demand and language reports are counts by offence group and by author and unit."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from candour.auth.capabilities import Capability, require
from candour.errors import ValidationError

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.audit.recording import Audit
    from candour.store.access import Actor


class ReportService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def recording_audit(
        self,
        actor: Actor,
        start: datetime | None,
        end: datetime | None,
        purpose: str = "crime-recording audit",
    ) -> Audit:
        from candour.audit import run_audit
        from candour.auth.gate import consult

        require(actor, Capability.VIEW_REPORTS)
        if start and end and end <= start:
            raise ValidationError("the period ends before it starts", field="to")
        with self.app.store().transaction() as session:
            audit = run_audit(session, start, end)
            if audit.rows:
                seen = consult(
                    session, actor, [r.record for r in audit.rows], purpose, partial=True
                )
                keep = set(seen.uids)
                audit.rows = [r for r in audit.rows if r.record in keep]
                audit.escalations = {k: v for k, v in audit.escalations.items() if k in keep}
            return audit

    def write_audit(self, audit: Audit, out: Path) -> list[Path]:
        from candour.audit import write_audit

        return list(write_audit(audit, out))

    def demand(self, actor: Actor) -> Any:
        from candour.audit import demand

        require(actor, Capability.VIEW_REPORTS)
        with self.app.store().reading() as session:
            return demand(session)

    def write_demand(self, d: Any, out: Path) -> list[Path]:
        from candour.audit import write_demand

        return list(write_demand(d, out))

    def language(self, actor: Actor) -> Any:
        from candour.audit.language import language_report

        require(actor, Capability.VIEW_REPORTS)
        with self.app.store().reading() as session:
            return language_report(session)

    def escalations(self, actor: Actor, now: datetime | None = None) -> Any:
        """Open escalations by age and by rank, with how many are overdue (counts only)."""
        return escalation_summary(self.app, actor, now)

    def write_language(self, report: Any, out: Path) -> None:
        from candour.audit.language import write_language

        write_language(report, out)

    def eval_recording(self, actor: Actor, district: Path) -> list[Any]:
        """Scores of the audit against a synthetic district's ground truth: numbers only."""
        from candour.audit import run_audit
        from candour.audit.evaluate import score_recording

        require(actor, Capability.EVALUATE)
        with self.app.store().reading() as session:
            return list(score_recording(run_audit(session), district))

    def eval_link(self, actor: Actor, district: Path | None, febrl: bool) -> list[Any]:
        from candour.link import evaluate

        scores = list(evaluate.febrl()) if febrl else []
        if district is not None:
            require(actor, Capability.EVALUATE)
            with self.app.store().reading() as session:
                scores += evaluate.district(session, district)
        return scores

    def eval_networks(self, actor: Actor, district: Path) -> Any:
        from candour.link.evaluate import networks

        require(actor, Capability.EVALUATE)
        with self.app.store().reading() as session:
            return networks(session, district)

    def network_escalations(self, actor: Actor, purpose: str) -> list[dict[str, Any]]:
        """Adults the linked-data rules escalated for three or more children, earliest first:
        when the rule would have fired. The records behind each are consulted."""
        from sqlalchemy import select

        from candour.auth.gate import consult
        from candour.store.models import Entity, Escalation

        require(actor, Capability.VIEW_REPORTS)
        with self.app.store().transaction() as session:
            rows = session.scalars(
                select(Escalation).where(Escalation.rule_id == "linked-adult-three-children")
            ).all()
            evidence = sorted({str(u) for e in rows for u in e.evidence.get("records", [])})
            keep = (
                set(consult(session, actor, evidence, purpose, partial=True).uids)
                if evidence
                else set()
            )
            names = dict(session.execute(select(Entity.uid, Entity.display)).all())
            out = [
                {
                    "person": e.evidence.get("subject"),
                    "name": names.get(e.evidence.get("subject"), ""),
                    "children": e.evidence.get("children"),
                    "records": len(e.evidence.get("records", [])),
                    "first_met": str(e.evidence.get("first_met", ""))[:10],
                    "rank": e.target_rank,
                }
                for e in rows
                if any(str(u) in keep for u in e.evidence.get("records", []))
            ]
        return sorted(out, key=lambda r: r["first_met"])


AGE_BANDS = ((1, "under a day"), (3, "1 to 3 days"), (7, "3 to 7 days"), (28, "1 to 4 weeks"))


def _age_band(days: float) -> str:
    """The first band an open escalation's age falls under; older than four weeks otherwise."""
    return next((label for limit, label in AGE_BANDS if days < limit), "over 4 weeks")


def escalation_summary(app: Candour, actor: Actor, now: datetime | None = None) -> Any:
    """Open escalations counted by age (since raised) and by the rank they are aimed at, with
    how many are past their deadline: counts only, so no record is consulted or named."""
    from sqlalchemy import select

    from candour.store.enums import EscalationStatus, Rank
    from candour.store.models import Escalation

    require(actor, Capability.VIEW_REPORTS)
    now = _aware(now or app.clock.now())
    open_states = [s.value for s in EscalationStatus if s is not EscalationStatus.ACTIONED]
    stmt = select(Escalation.target_rank, Escalation.created_at, Escalation.deadline,
                  Escalation.status).where(Escalation.status.in_(open_states))  # fmt: skip
    by_age: dict[str, list[int]] = {label: [0, 0] for _, label in AGE_BANDS}
    by_age["over 4 weeks"] = [0, 0]
    by_rank: dict[str, list[int]] = {}
    with app.store().reading() as session:
        for rank, created, deadline, status in session.execute(stmt):
            late = int(_aware(deadline) < now or status == EscalationStatus.OVERDUE.value)
            days = (now - _aware(created)).total_seconds() / 86400
            for counts in (by_age[_age_band(days)], by_rank.setdefault(rank, [0, 0])):
                counts[0] += 1
                counts[1] += late
    order = {r.value: i for i, r in enumerate(Rank)}  # junior to senior, as the ladder climbs
    ranks = sorted(by_rank.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    return {"by_age": list(by_age.items()), "by_rank": ranks}


def _aware(t: datetime) -> datetime:
    from datetime import UTC

    return t if t.tzinfo else t.replace(tzinfo=UTC)
