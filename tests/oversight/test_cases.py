"""The oversight model: every write on the ledger, rows protected, cases walled from the force."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from candour.app import Candour
from candour.errors import NotFoundError, PermissionDeniedError, ValidationError
from candour.ledger.integrity import verify
from candour.settings import Settings
from candour.store import Actor, Store
from candour.store.models import LedgerEvent
from tests.oversight.world import T0, Oversight, add_officers, build


@dataclass
class Case:
    app: Candour
    store: Store
    world: Oversight
    case: str
    investigation: str
    allegation: str


@pytest.fixture
def case(store: Store, settings: Settings) -> Iterator[Case]:
    world = build(store)
    add_officers(store, ["PC", "ACC"])
    app = Candour(settings)
    o, me = app.oversight, world.investigator
    uid = o.open_complaint(
        me, force="LFP", complainant="Complainant A", received_at=T0, channel="email"
    )
    inv = o.open_investigation(
        me, uid, mode="independent", investigator="OV1", terms="All officers who knew."
    )
    alg = o.add_allegation(
        me, uid, subject="LF1001", category="failure_to_safeguard", investigation=inv
    )
    yield Case(app, store, world, uid, inv, alg)
    app.close()


def _events(store: Store) -> list[LedgerEvent]:
    with store.reading() as s:
        return list(s.scalars(select(LedgerEvent).where(LedgerEvent.action == "oversight")))


def test_every_write_is_an_event_and_rows_verify(case: Case) -> None:
    o, me = case.app.oversight, case.world.investigator
    o.finding(me, case.allegation, "gross_misconduct", "knew and did nothing", upheld=True)
    o.outcome(me, case.allegation, "final_written_warning", "misconduct hearing")
    types = [e.entity_type for e in _events(case.store)]
    assert types == [
        "oversight_complaint",
        "oversight_investigation",
        "oversight_decision",  # terms of reference v1
        "oversight_allegation",
        "oversight_decision",
        "oversight_decision",
    ]
    with case.store.reading() as s:
        assert verify(s).intact
    with case.store.transaction() as s:
        s.execute(
            text("UPDATE oversight_decision SET value = 'no_case_to_answer' WHERE kind = 'finding'")
        )
    with case.store.reading() as s:
        report = verify(s)
    assert not report.intact
    assert any("oversight_decision" in str(f) for f in report.findings)


def test_scope_narrowing_is_a_recorded_decision_with_an_approver(case: Case) -> None:
    o, me = case.app.oversight, case.world.investigator
    with pytest.raises(PermissionDeniedError):  # nobody approves their own narrowing
        o.narrow_scope(
            me, case.investigation, change="no chief officers", reason="x", approver="OV1"
        )
    with pytest.raises(ValidationError):
        o.narrow_scope(
            me, case.investigation, change="no chief officers", reason=" ", approver="OV2"
        )
    o.narrow_scope(
        me,
        case.investigation,
        change="Officers above chief inspector excluded.",
        reason="told to by the force",
        approver="OV2",
        exclude_above="ChInsp",
    )
    full = o.case(me, case.case)
    terms = [d for d in full.decisions if d.kind == "terms_of_reference"]
    assert [t.version for t in terms] == [1, 2]
    scope = next(d for d in full.decisions if d.kind == "scope")
    assert (scope.decided_by, scope.approved_by, scope.detail) == (
        "OV1",
        "OV2",
        {"exclude_above": "ChInsp"},
    )
    st = o.stats(me)
    assert st.scope_excludes_rank[0]["investigation"] == case.investigation


def test_the_force_under_investigation_cannot_see_the_case(case: Case) -> None:
    o, w = case.app.oversight, case.world
    # A role with no part in oversight is refused before any case is looked up ...
    with pytest.raises(PermissionDeniedError):
        o.case(w.force_senior, case.case)
    with pytest.raises(PermissionDeniedError):
        o.cases(w.force_senior)
    with pytest.raises(PermissionDeniedError):
        o.add_allegation(w.force_senior, case.case, subject="LF1000", category="neglect_of_duty")
    # ... and the force's own oversight staff (its professional standards) are walled: the
    # case does not exist for them, and they may not open one about their own force.
    psd = _force_oversight_user(case)
    with pytest.raises(NotFoundError):
        o.case(psd, case.case)
    assert o.cases(psd) == []
    with pytest.raises(NotFoundError):
        o.add_allegation(psd, case.case, subject="LF1000", category="neglect_of_duty")
    with pytest.raises(PermissionDeniedError):
        o.open_complaint(psd, force="LFP", complainant="X", received_at=T0, channel="email")
    assert [c.uid for c in o.cases(w.auditor)] == [case.case]
    assert o.case(w.lead, case.case).force == "LFP"


def _force_oversight_user(case: Case) -> Actor:
    from candour.store import NewUser, actor_for, create_user
    from candour.store.people import get_agency

    with case.store.transaction() as s:
        force = get_agency(s, "LFP").id
        user = create_user(
            s, NewUser("PSD1", "Ren Halvorsen", "DCI", "oversight", force), Actor.system()
        )
        return actor_for(user)


def test_complainant_label_needs_reason_approver_and_notice(case: Case) -> None:
    o, w = case.app.oversight, case.world
    args = {"label": "persistent", "reason": "forty letters in a month", "notice": "Dear ..."}
    with pytest.raises(PermissionDeniedError):  # approver of too low a rank, not a supervisor
        o.label_complainant(w.lead, case.case, approver="OV1", **args)
    with pytest.raises(ValidationError):
        o.label_complainant(w.investigator, case.case, approver="OV2", **{**args, "notice": ""})
    o.label_complainant(w.investigator, case.case, approver="OV2", **args)
    assert o.stats(w.investigator).labels == {"LFP: persistent": 1}


def test_commissioner_refusal_must_say_why_redaction_was_not_enough(case: Case) -> None:
    o, w = case.app.oversight, case.world
    req = o.commissioner_request(w.commissioner, case.case, asked="the final report", reason="s.1")
    with pytest.raises(ValidationError):
        o.commissioner_answer(w.lead, req, answer="refused", reason="personal information")
    o.commissioner_answer(
        w.lead,
        req,
        answer="refused",
        reason="personal information",
        why_not_redacted="names can be inferred from the ranks",
    )
    assert o.stats(w.lead).commissioner == {"requests": 1, "answers: refused": 1}


def test_dates_and_timeliness(case: Case) -> None:
    o, me = case.app.oversight, case.world.investigator
    st = o.stats(me, now=datetime.now(UTC) + timedelta(days=400))  # opened today
    assert st.timeliness["allegations awaiting a finding"] == 1
    assert st.timeliness["investigations overdue (over 365 days)"] == 1
