"""Oversight cases in the store: every write is one protected row and one ledger event in the
same transaction, and every case is walled from the force it is about.

Functions take `(session, actor, ...)`. Who may see a case: anyone the case's wall owner has
granted; otherwise nobody of the force under investigation, whatever their rank; otherwise
oversight staff whose body has jurisdiction over that force, and auditors. A case a user may
not see does not exist for them (`NotFoundError`), so its existence does not leak.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from candour.auth.capabilities import Capability, allowed, require
from candour.errors import NotFoundError, PermissionDeniedError, ValidationError
from candour.ledger.log import EventDraft, append
from candour.oversight.vocab import (
    LABEL_APPROVER_RANK,
    Answer,
    Category,
    Channel,
    DecisionKind,
    Finding,
    Label,
    Mode,
    Outcome,
)
from candour.store.access import Actor
from candour.store.enums import EventAction, Rank, Role
from candour.store.hashing import (
    digest,
    oversight_allegation_hash,
    oversight_complaint_hash,
    oversight_decision_hash,
    oversight_investigation_hash,
)
from candour.store.models import (
    Jurisdiction,
    OversightAllegation,
    OversightComplaint,
    OversightDecision,
    OversightInvestigation,
    Record,
    User,
    Wall,
    WallGrant,
)
from candour.store.people import get_agency, get_user
from candour.store.types import utcnow

WALL_TYPE = "oversight_case"
_E = TypeVar("_E")

_COLUMNS: dict[type, tuple[str, Callable[[Mapping[Any, Any]], str]]] = {
    OversightComplaint: ("oversight_complaint", oversight_complaint_hash),
    OversightInvestigation: ("oversight_investigation", oversight_investigation_hash),
    OversightAllegation: ("oversight_allegation", oversight_allegation_hash),
    OversightDecision: ("oversight_decision", oversight_decision_hash),
}


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return utcnow()
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _uid(prefix: str, *parts: object) -> str:
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"{prefix}-{h[:16]}"


def _parse(enum: Callable[[str], _E], value: str, field: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        raise ValidationError(f"'{field}' is not one of the known values", field=field) from None


def _need(text: str | None, field: str) -> str:
    if text is None or not text.strip():
        raise ValidationError(f"'{field}' must not be empty", field=field)
    return text.strip()


def _write(
    session: Session, row: Any, actor: Actor, case_uid: str, payload: dict[str, Any]
) -> None:
    """Flush the row, hash it, and log it: its latest event carries its content hash."""
    entity_type, hasher = _COLUMNS[type(row)]
    session.add(row)
    session.flush()
    row.content_hash = hasher({c.key: getattr(row, c.key) for c in row.__table__.columns})
    append(
        session,
        [
            EventDraft(
                EventAction.OVERSIGHT.value,
                entity_type,
                row.uid,
                actor.id,
                actor.rank,
                subject_hash=row.content_hash,
                payload={"case": case_uid, **payload},
            )
        ],
    )


# --- visibility -----------------------------------------------------------------------------


def _walls(session: Session, case_uid: str) -> list[Wall]:
    stmt = select(Wall).where(
        Wall.resource_type == WALL_TYPE, Wall.resource_id == case_uid, Wall.lifted_at.is_(None)
    )
    return list(session.scalars(stmt))


def _granted(session: Session, walls: list[Wall], actor: Actor) -> bool:
    if not walls or actor.id is None:
        return False
    stmt = select(func.count()).where(
        WallGrant.wall_id.in_([w.id for w in walls]),
        WallGrant.user_id == actor.id,
        WallGrant.revoked_at.is_(None),
    )
    return bool(session.execute(stmt).scalar_one())


def may_see(session: Session, actor: Actor, case: OversightComplaint) -> bool:
    walls = _walls(session, case.uid)
    if _granted(session, walls, actor):
        return True
    if actor.agency_id is not None and (
        actor.agency_id == case.force_id or any(w.agency_id == actor.agency_id for w in walls)
    ):
        return False
    if not allowed(actor, Capability.VIEW_OVERSIGHT):
        return False
    if actor.role is Role.AUDITOR:
        return True
    return _oversees(session, actor, case.force_id)


def _oversees(session: Session, actor: Actor, force_id: int) -> bool:
    stmt = select(func.count()).where(
        Jurisdiction.body_id == actor.agency_id, Jurisdiction.agency_id == force_id
    )
    return bool(session.execute(stmt).scalar_one())


def get_case(
    session: Session, actor: Actor, case_uid: str, *, write: bool = False
) -> OversightComplaint:
    """The case, if the actor may see it (writing also needs the oversight role). A user let
    through the case's wall sees it whatever their role; any other user whose role has no part
    in oversight is refused as a role, the same whether or not the case exists; one who may
    see cases, but not this one, is told it does not exist."""
    if write:
        require(actor, Capability.RUN_OVERSIGHT)
    case = session.execute(
        select(OversightComplaint).where(OversightComplaint.uid == case_uid)
    ).scalar_one_or_none()
    if case is not None and _granted(session, _walls(session, case.uid), actor):
        return case
    require(actor, Capability.VIEW_OVERSIGHT)
    if case is None or not may_see(session, actor, case):
        raise NotFoundError("no such oversight case (or it is not yours to see)")
    return case


def list_cases(
    session: Session, actor: Actor, investigation_set: str | None = None
) -> list[OversightComplaint]:
    stmt = select(OversightComplaint).order_by(
        OversightComplaint.received_at, OversightComplaint.id
    )
    if investigation_set is not None:
        stmt = stmt.where(OversightComplaint.investigation_set == investigation_set)
    return [c for c in session.scalars(stmt) if may_see(session, actor, c)]


# --- writes ---------------------------------------------------------------------------------


def open_complaint(
    session: Session,
    actor: Actor,
    *,
    force: str,
    complainant: str,
    received_at: datetime,
    channel: str,
    record_uid: str | None = None,
    investigation_set: str | None = None,
) -> OversightComplaint:
    """Open a case on a complaint about a force; the case is walled from that force at once."""
    require(actor, Capability.RUN_OVERSIGHT)
    assert actor.id is not None
    ch = _parse(Channel, channel, "channel")
    agency = get_agency(session, force)
    if actor.agency_id == agency.id:
        raise PermissionDeniedError(
            "a case about your own force is opened by the body that oversees it"
        )
    if not _oversees(session, actor, agency.id):
        raise PermissionDeniedError("your body has no jurisdiction over that force")
    if record_uid is not None:
        found = session.execute(select(Record.id).where(Record.uid == record_uid)).first()
        if found is None:
            raise ValidationError("'record' names no record", field="record")
    now = utcnow()
    received = _utc(received_at)
    case = OversightComplaint(
        uid=_uid("case", agency.code, complainant, received.isoformat(), now.isoformat()),
        force_id=agency.id,
        complainant=_need(complainant, "complainant"),
        received_at=received,
        channel=ch.value,
        record_uid=record_uid,
        investigation_set=investigation_set,
        created_by=actor.id,
        created_at=now,
        content_hash="",
    )
    _write(session, case, actor, case.uid, {"kind": "complaint", "channel": ch.value})
    wall = Wall(
        resource_type=WALL_TYPE,
        resource_id=case.uid,
        agency_id=agency.id,
        owner_id=actor.id,
        reason="oversight case about this force",
        created_at=now,
        content_hash="",
    )
    session.add(wall)
    session.flush()
    wall.content_hash = digest(
        {
            c: getattr(wall, c)
            for c in (
                "resource_type",
                "resource_id",
                "agency_id",
                "owner_id",
                "reason",
                "created_at",
                "lifted_at",
            )
        }
    )
    append(
        session,
        [
            EventDraft(
                EventAction.WALL.value,
                "wall",
                str(wall.id),
                actor.id,
                actor.rank,
                subject_hash=wall.content_hash,
                purpose=wall.reason,
                payload={"agency": agency.code, "state": "raised", "case": case.uid},
            )
        ],
    )
    return case


def open_investigation(
    session: Session,
    actor: Actor,
    case_uid: str,
    *,
    mode: str,
    investigator: str | None,
    terms: str,
    opened_at: datetime | None = None,
    investigation_set: str | None = None,
) -> OversightInvestigation:
    """Open an investigation with its first terms of reference (version 1)."""
    case = get_case(session, actor, case_uid, write=True)
    assert actor.id is not None
    m = _parse(Mode, mode, "mode")
    who = get_user(session, investigator).id if investigator else None
    now = utcnow()
    opened = _utc(opened_at or now)
    inv = OversightInvestigation(
        uid=_uid("inv", case.uid, m.value, opened.isoformat(), now.isoformat()),
        complaint_id=case.id,
        mode=m.value,
        investigator_id=who,
        investigation_set=investigation_set or case.investigation_set,
        opened_at=opened,
        created_by=actor.id,
        created_at=now,
        content_hash="",
    )
    _write(session, inv, actor, case.uid, {"kind": "investigation", "mode": m.value})
    set_terms(session, actor, inv.uid, terms, "terms of reference on opening")
    return inv


def _investigation(
    session: Session, actor: Actor, uid: str
) -> tuple[OversightInvestigation, OversightComplaint]:
    inv = session.execute(
        select(OversightInvestigation).where(OversightInvestigation.uid == uid)
    ).scalar_one_or_none()
    if inv is None:
        raise NotFoundError("no such investigation")
    case = session.get(OversightComplaint, inv.complaint_id)
    assert case is not None
    return inv, get_case(session, actor, case.uid, write=True)


def _allegation(
    session: Session, actor: Actor, uid: str
) -> tuple[OversightAllegation, OversightComplaint]:
    alg = session.execute(
        select(OversightAllegation).where(OversightAllegation.uid == uid)
    ).scalar_one_or_none()
    if alg is None:
        raise NotFoundError("no such allegation")
    case = session.get(OversightComplaint, alg.complaint_id)
    assert case is not None
    return alg, get_case(session, actor, case.uid, write=True)


def add_allegation(
    session: Session,
    actor: Actor,
    case_uid: str,
    *,
    subject: str,
    category: str,
    rank_at_time: str | None = None,
    investigation: str | None = None,
) -> OversightAllegation:
    """An allegation against an officer (a user of Candour); rank defaults to their rank now."""
    case = get_case(session, actor, case_uid, write=True)
    assert actor.id is not None
    cat = _parse(Category, category, "category")
    officer = get_user(session, subject)
    rank = rank_at_time or officer.rank
    try:
        Rank.parse(rank)
    except ValueError:
        raise ValidationError("'rank' is not a known rank", field="rank") from None
    inv_id = None
    if investigation is not None:
        inv, _ = _investigation(session, actor, investigation)
        if inv.complaint_id != case.id:
            raise ValidationError("'investigation' belongs to another case", field="investigation")
        inv_id = inv.id
    now = utcnow()
    alg = OversightAllegation(
        uid=_uid("alg", case.uid, officer.id, cat.value, now.isoformat()),
        complaint_id=case.id,
        investigation_id=inv_id,
        subject_id=officer.id,
        rank_at_time=rank,
        category=cat.value,
        created_by=actor.id,
        created_at=now,
        content_hash="",
    )
    _write(
        session,
        alg,
        actor,
        case.uid,
        {"kind": "allegation", "category": cat.value, "rank_at_time": rank},
    )
    return alg


def _decide(
    session: Session,
    actor: Actor,
    case: OversightComplaint,
    kind: DecisionKind,
    *,
    reason: str,
    investigation: OversightInvestigation | None = None,
    allegation: OversightAllegation | None = None,
    value: str | None = None,
    text: str | None = None,
    detail: dict[str, Any] | None = None,
    approver: User | None = None,
    version: int = 1,
) -> OversightDecision:
    assert actor.id is not None
    now = utcnow()
    decision = OversightDecision(
        uid=_uid("dec", case.uid, kind.value, version, actor.id, now.isoformat()),
        kind=kind.value,
        complaint_id=case.id,
        investigation_id=investigation.id if investigation else None,
        allegation_id=allegation.id if allegation else None,
        version=version,
        value=value,
        text=text,
        reason=_need(reason, "reason"),
        detail=detail or {},
        decided_by=actor.id,
        rank_at_decision=actor.rank,
        approved_by=approver.id if approver else None,
        decided_at=now,
        content_hash="",
    )
    payload: dict[str, Any] = {"kind": kind.value, "value": value, "version": version}
    if investigation is not None:
        payload["investigation"] = investigation.uid
    if allegation is not None:
        payload["allegation"] = allegation.uid
    if approver is not None:
        payload["approved_by"] = approver.identifier
    _write(session, decision, actor, case.uid, payload)
    return decision


def _latest_version(session: Session, inv: OversightInvestigation) -> int:
    stmt = select(func.max(OversightDecision.version)).where(
        OversightDecision.investigation_id == inv.id,
        OversightDecision.kind == DecisionKind.TERMS_OF_REFERENCE.value,
    )
    return int(session.execute(stmt).scalar_one() or 0)


def set_terms(
    session: Session, actor: Actor, investigation: str, terms: str, reason: str
) -> OversightDecision:
    """A new version of the terms of reference; earlier versions stay on the record."""
    inv, case = _investigation(session, actor, investigation)
    version = _latest_version(session, inv) + 1
    return _decide(
        session,
        actor,
        case,
        DecisionKind.TERMS_OF_REFERENCE,
        reason=reason,
        investigation=inv,
        text=_need(terms, "terms"),
        version=version,
    )


def _approver(session: Session, actor: Actor, identifier: str, case: OversightComplaint) -> User:
    approver = get_user(session, identifier)
    if approver.id == actor.id:
        raise PermissionDeniedError("the approver must be someone other than the author")
    from candour.store.people import actor_for

    other = actor_for(approver)
    if not allowed(other, Capability.RUN_OVERSIGHT) or not may_see(session, other, case):
        raise PermissionDeniedError("the approver may not run this oversight case")
    return approver


def narrow_scope(
    session: Session,
    actor: Actor,
    investigation: str,
    *,
    change: str,
    reason: str,
    approver: str,
    exclude_above: str | None = None,
) -> OversightDecision:
    """A narrowing of scope (e.g. no officers above a rank): author, reason and approver, and a
    new version of the terms of reference that says so."""
    inv, case = _investigation(session, actor, investigation)
    who = _approver(session, actor, approver, case)
    detail: dict[str, Any] = {}
    if exclude_above is not None:
        try:
            detail["exclude_above"] = Rank.parse(exclude_above).value
        except ValueError:
            raise ValidationError(
                "'exclude_above' is not a known rank", field="exclude_above"
            ) from None
    version = _latest_version(session, inv) + 1
    decision = _decide(
        session,
        actor,
        case,
        DecisionKind.SCOPE,
        reason=reason,
        investigation=inv,
        text=_need(change, "change"),
        detail=detail,
        approver=who,
        version=version,
        value="narrowed",
    )
    _decide(
        session,
        actor,
        case,
        DecisionKind.TERMS_OF_REFERENCE,
        reason=f"scope narrowed by decision {decision.uid}",
        investigation=inv,
        text=change,
        detail=detail,
        approver=who,
        version=version,
    )
    return decision


def record_finding(
    session: Session, actor: Actor, allegation: str, finding: str, reason: str, *, upheld: bool
) -> OversightDecision:
    alg, case = _allegation(session, actor, allegation)
    f = _parse(Finding, finding, "finding")
    return _decide(
        session,
        actor,
        case,
        DecisionKind.FINDING,
        reason=reason,
        allegation=alg,
        value=f.value,
        detail={"upheld": upheld},
    )


def record_outcome(
    session: Session, actor: Actor, allegation: str, outcome: str, reason: str
) -> OversightDecision:
    alg, case = _allegation(session, actor, allegation)
    o = _parse(Outcome, outcome, "outcome")
    return _decide(
        session, actor, case, DecisionKind.OUTCOME, reason=reason, allegation=alg, value=o.value
    )


def label_complainant(
    session: Session,
    actor: Actor,
    case_uid: str,
    *,
    label: str,
    reason: str,
    approver: str,
    notice: str,
) -> OversightDecision:
    """Label a case's complainant: a reason, a second approver who is the author's supervisor
    or of chief inspector rank or above, and the notice sent to the complainant (kept as the
    decision's text: the letter in the case file)."""
    case = get_case(session, actor, case_uid, write=True)
    lab = _parse(Label, label, "label")
    who = _approver(session, actor, approver, case)
    author = session.get(User, actor.id)
    try:
        senior = Rank.parse(who.rank).seniority >= LABEL_APPROVER_RANK.seniority
    except ValueError:
        senior = False
    if not senior and (author is None or author.supervisor_id != who.id):
        raise PermissionDeniedError(
            "a complainant label needs approval by the author's supervisor or a chief inspector "
            "or above"
        )
    return _decide(
        session,
        actor,
        case,
        DecisionKind.LABEL,
        reason=reason,
        value=lab.value,
        text=_need(notice, "notice"),
        approver=who,
        detail={"complainant": case.complainant},
    )


def commissioner_request(
    session: Session, actor: Actor, case_uid: str, *, asked: str, reason: str
) -> OversightDecision:
    """A commissioner asks to see a case's report: on the record with author and reason."""
    case = get_case(session, actor, case_uid, write=True)
    return _decide(
        session,
        actor,
        case,
        DecisionKind.COMMISSIONER_REQUEST,
        reason=reason,
        text=_need(asked, "asked"),
    )


def commissioner_answer(
    session: Session,
    actor: Actor,
    request: str,
    *,
    answer: str,
    reason: str,
    why_not_redacted: str | None = None,
) -> OversightDecision:
    """The answer to a request. The default is the redacted version; a refusal must say why
    redaction was not enough."""
    req = session.execute(
        select(OversightDecision).where(
            OversightDecision.uid == request,
            OversightDecision.kind == DecisionKind.COMMISSIONER_REQUEST.value,
        )
    ).scalar_one_or_none()
    if req is None:
        raise NotFoundError("no such commissioner request")
    case = session.get(OversightComplaint, req.complaint_id)
    assert case is not None
    get_case(session, actor, case.uid, write=True)
    a = _parse(Answer, answer, "answer")
    detail: dict[str, Any] = {"request": req.uid}
    if a is Answer.REFUSED:
        detail["why_not_redacted"] = _need(why_not_redacted, "why_not_redacted")
    return _decide(
        session,
        actor,
        case,
        DecisionKind.COMMISSIONER_ANSWER,
        reason=reason,
        value=a.value,
        detail=detail,
    )


def attach_evidence(
    session: Session, actor: Actor, case_uid: str, targets: list[str], reason: str
) -> OversightDecision:
    """Name the records and persons whose who-knew timelines are the case's evidence."""
    case = get_case(session, actor, case_uid, write=True)
    if not targets:
        raise ValidationError("'targets' must name at least one record or person", field="targets")
    for target in targets:
        if not _readable_target(session, actor, target):
            raise ValidationError(
                "'targets' names something that is no record or person you may read",
                field="targets",
            )
    return _decide(
        session,
        actor,
        case,
        DecisionKind.EVIDENCE,
        reason=reason,
        detail={"targets": sorted(set(targets))},
    )


def _readable_target(session: Session, actor: Actor, target: str) -> bool:
    """A record the actor may read, or a person named in at least one such record: else the
    bundle could never show its who-knew timeline. Logs nothing (nothing is shown)."""
    from candour.auth.gate import readable_roots
    from candour.ledger.whoknew import records_named

    _, uids = records_named(session, target)
    if not uids:
        return False
    roots = list(session.scalars(select(Record.root_uid).where(Record.uid.in_(uids))).unique())
    return bool(readable_roots(session, actor, roots))
