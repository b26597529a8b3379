"""Facts for the statistics, read from the store for the cases an actor may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.oversight.cases import list_cases
from candour.oversight.stats import AllegationFacts, DecisionFacts, InvestigationFacts
from candour.oversight.vocab import DecisionKind
from candour.store.access import Actor
from candour.store.models import (
    Agency,
    OversightAllegation,
    OversightDecision,
    OversightInvestigation,
    User,
)


def load_facts(
    session: Session, actor: Actor, investigation_set: str | None = None
) -> tuple[list[InvestigationFacts], list[AllegationFacts], list[DecisionFacts]]:
    cases = {c.id: c for c in list_cases(session, actor)}
    if not cases:
        return [], [], []
    forces = {i: code for i, code in session.execute(select(Agency.id, Agency.code))}
    ids = list(cases)
    invs = list(
        session.scalars(
            select(OversightInvestigation).where(OversightInvestigation.complaint_id.in_(ids))
        )
    )
    inv_uid = {i.id: i.uid for i in invs}
    decisions = list(
        session.scalars(
            select(OversightDecision)
            .where(OversightDecision.complaint_id.in_(ids))
            .order_by(OversightDecision.decided_at, OversightDecision.id)
        )
    )
    exclude: dict[int, str | None] = {}
    narrowings: dict[int, int] = {}
    findings: dict[int, OversightDecision] = {}
    outcomes: dict[int, OversightDecision] = {}
    other: list[DecisionFacts] = []
    for d in decisions:
        if d.kind == DecisionKind.SCOPE and d.investigation_id is not None:
            narrowings[d.investigation_id] = narrowings.get(d.investigation_id, 0) + 1
            exclude[d.investigation_id] = d.detail.get("exclude_above")
        elif d.kind == DecisionKind.FINDING and d.allegation_id is not None:
            findings[d.allegation_id] = d  # the latest stands
        elif d.kind == DecisionKind.OUTCOME and d.allegation_id is not None:
            outcomes[d.allegation_id] = d
        elif d.kind in (
            DecisionKind.LABEL,
            DecisionKind.COMMISSIONER_REQUEST,
            DecisionKind.COMMISSIONER_ANSWER,
        ):
            c = cases[d.complaint_id]
            other.append(
                DecisionFacts(d.kind, c.uid, forces[c.force_id], d.value, c.investigation_set)
            )
    inv_facts = [
        InvestigationFacts(
            i.uid,
            cases[i.complaint_id].uid,
            forces[cases[i.complaint_id].force_id],
            i.mode,
            cases[i.complaint_id].received_at,
            i.opened_at,
            i.investigation_set,
            exclude.get(i.id),
            narrowings.get(i.id, 0),
        )
        for i in invs
    ]
    subjects = dict(
        session.execute(
            select(User.id, User.identifier).join(
                OversightAllegation, OversightAllegation.subject_id == User.id
            )
        ).all()
    )
    alg_facts = []
    for a in session.scalars(
        select(OversightAllegation).where(OversightAllegation.complaint_id.in_(ids))
    ):
        f, o = findings.get(a.id), outcomes.get(a.id)
        alg_facts.append(
            AllegationFacts(
                a.uid,
                cases[a.complaint_id].uid,
                inv_uid.get(a.investigation_id) if a.investigation_id else None,
                cases[a.complaint_id].complainant,
                subjects[a.subject_id],
                a.rank_at_time,
                a.category,
                f.value if f else None,
                bool(f.detail.get("upheld")) if f else None,
                o.value if o else None,
                f.decided_at if f else None,
                o.decided_at if o else None,
            )
        )
    return inv_facts, alg_facts, other
