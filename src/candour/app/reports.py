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
