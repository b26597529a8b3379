"""The one consultation gate: every read of personal data passes `consult`.

`consult` checks need-to-know for each record asked for and appends exactly one ledger event
per record consulted, with its purpose and the break-glass flag, in the caller's transaction:
the data and the evidence that it was seen leave together or not at all. No other code builds
a read event. A refusal names no person and does not say whether the record exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.auth.policy import ActorFacts, RecordFacts, Verdict, Wall, decide
from candour.errors import PermissionDeniedError, ValidationError
from candour.ledger.log import EventDraft, append
from candour.store.access import Actor
from candour.store.enums import EventAction
from candour.store.models import (
    Assignment,
    BreakGlass,
    Escalation,
    Jurisdiction,
    Record,
    User,
    WallGrant,
    table_of,
)
from candour.store.models import Wall as WallRow
from candour.store.types import utcnow

REFUSED = "no record you may read matches this request"
# The gate's look-ups run as Core statements on the session's connection: at a hundred records
# the ORM's per-statement work cost more than the queries themselves.
_R = table_of(Record)
_A = table_of(Assignment)
_E = table_of(Escalation)
_U = table_of(User)
_W = table_of(WallRow)
_G = table_of(WallGrant)
_J = table_of(Jurisdiction)


def refused() -> PermissionDeniedError:
    """The one refusal: the same words whether the record is missing, walled or not yours."""
    return PermissionDeniedError(
        REFUSED, hint="a reason given with --break-glass lets you read it; the read is reviewed"
    )


@dataclass(frozen=True)
class RecordRef:
    """The current version of a consulted record, by id: content is loaded only if shown."""

    id: int
    uid: str
    root_uid: str
    version: int


@dataclass
class Consulted:
    """The current versions consulted, in the order asked, and the events that logged them."""

    records: list[RecordRef]
    events: list[int]
    break_glass: bool
    # Every version's id of each consulted record (a record's events sit on its versions).
    version_ids: list[int] = field(default_factory=list)

    @property
    def uids(self) -> list[str]:
        return [r.uid for r in self.records]

    def load(self, session: Session) -> list[Record]:
        """The consulted records in full, in the same order."""
        ids = [r.id for r in self.records]
        found = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(ids)))}
        return [found[i] for i in ids]


def consult(
    session: Session,
    actor: Actor,
    uids: Iterable[str],
    purpose: str,
    *,
    break_glass: str | None = None,
    partial: bool = False,
    action: EventAction = EventAction.READ,
) -> Consulted:
    """Check need-to-know for every record named (any version's uid) and log each read.

    With `partial`, records the actor may not read are left out silently (a person's profile
    shows the records the user may see); without it, one refusal refuses the whole request.
    Either way nothing is returned or logged unless at least one record may be read."""
    if not purpose or not purpose.strip():
        raise ValidationError("reading personal data needs a purpose", field="purpose")
    if break_glass is not None and not break_glass.strip():
        raise ValidationError("break-glass needs a written reason", field="break-glass")
    wanted = list(dict.fromkeys(uids))
    if not wanted:
        return Consulted([], [], False)
    current, versions = _current_versions(session, wanted)
    facts = record_facts(session, list(versions), versions)
    who = actor_facts(session, actor, facts.values())
    verdicts = {root: decide(who, f, break_glass is not None) for root, f in facts.items()}
    chosen: list[tuple[RecordRef, Verdict]] = []
    for uid in wanted:
        rec = current.get(uid)
        verdict = verdicts.get(rec.root_uid) if rec is not None else None
        if rec is None or verdict is None or not verdict.allowed:
            if partial:
                continue
            raise refused()
        chosen.append((rec, verdict))
    if not chosen:
        raise refused()
    chosen = list({rec.id: (rec, v) for rec, v in chosen}.values())
    events = append(
        session, [_event(actor, rec, v, purpose, action, break_glass) for rec, v in chosen]
    )
    glass = [(idx, rec) for idx, (rec, v) in zip(events, chosen, strict=True) if v.break_glass]
    if glass and break_glass is not None:
        now = utcnow()
        session.add_all(
            BreakGlass(
                event_idx=idx,
                record_id=rec.id,
                actor_id=actor.id,
                reason=break_glass,
                created_at=now,
            )
            for idx, rec in glass
        )
        session.flush()
    ids = [v[0] for rec, _ in chosen for v in versions[rec.root_uid]]
    return Consulted([rec for rec, _ in chosen], events, bool(glass), ids)


def _event(
    actor: Actor,
    rec: RecordRef,
    verdict: Verdict,
    purpose: str,
    action: EventAction,
    reason: str | None,
) -> EventDraft:
    payload: dict[str, object] = {"break_glass": verdict.break_glass, "basis": verdict.reason}
    if verdict.break_glass:
        payload["reason"] = reason  # the review queue is rebuilt from the ledger alone
    return EventDraft(
        action.value,
        "record",
        rec.uid,
        actor.id,
        actor.rank,
        record_id=rec.id,
        purpose=purpose,
        payload=payload,
    )


_Version = tuple[int, str, int, int | None, bool, int | None]  # id, uid, version, agency ...


def _current_versions(
    session: Session, uids: Sequence[str]
) -> tuple[dict[str, RecordRef], dict[str, list[_Version]]]:
    """Each uid asked for -> the current version of its record (absent when unknown), and
    every version of those records (for their facts): two indexed queries, no content."""
    roots: dict[str, str] = {}
    for start in range(0, len(uids), 900):
        chunk = uids[start : start + 900]
        stmt = select(_R.c.uid, _R.c.root_uid).where(_R.c.uid.in_(chunk))
        roots.update((u, r) for u, r in session.connection().execute(stmt))
    versions = _versions_of(session, sorted(set(roots.values())))
    newest = {root: max(rows, key=lambda v: v[2]) for root, rows in versions.items()}
    current = {
        uid: RecordRef(newest[root][0], newest[root][1], root, newest[root][2])
        for uid, root in roots.items()
        if root in newest
    }
    return current, versions


def _versions_of(session: Session, roots: Sequence[str]) -> dict[str, list[_Version]]:
    out: dict[str, list[_Version]] = {}
    for start in range(0, len(roots), 900):
        chunk = roots[start : start + 900]
        rows = session.connection().execute(
            select(_R.c.id, _R.c.uid, _R.c.version, _R.c.agency_id, _R.c.about_child,
                   _R.c.created_by, _R.c.root_uid).where(_R.c.root_uid.in_(chunk))
        )  # fmt: skip
        for rid, uid, version, agency, child, author, root in rows:
            out.setdefault(root, []).append((rid, uid, version, agency, bool(child), author))
    return out


def permitted(
    session: Session, actor: Actor, roots: Sequence[str], break_glass: str | None = None
) -> dict[str, Verdict]:
    """The verdict for each record (by root uid). Logs nothing and returns no data: callers
    use it to choose what to consult, never to show."""
    facts = record_facts(session, roots)
    who = actor_facts(session, actor, facts.values())
    return {root: decide(who, f, break_glass is not None) for root, f in facts.items()}


def readable_roots(session: Session, actor: Actor, roots: Sequence[str]) -> set[str]:
    return {root for root, v in permitted(session, actor, roots).items() if v.allowed}


@dataclass
class _Facts:
    agency: int | None
    child: bool
    version: int
    authors: set[int]


def record_facts(
    session: Session, roots: Sequence[str], versions: dict[str, list[_Version]] | None = None
) -> dict[str, RecordFacts]:
    """Authors, assignees, escalation owners and walls of each record, in a few queries. The
    agency and child flag are the current version's; authors are every version's."""
    if versions is None:
        versions = _versions_of(session, sorted(set(roots)))
    base: dict[str, _Facts] = {}
    by_id: dict[int, str] = {}
    for root, rows in versions.items():
        newest = max(rows, key=lambda v: v[2])
        base[root] = _Facts(newest[3], newest[4], newest[2], {v[5] for v in rows if v[5]})
        for v in rows:
            by_id[v[0]] = root
    assignees: dict[str, set[int]] = {}
    escalated: dict[str, set[int]] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 900):
        id_chunk = ids[start : start + 900]
        for rid, user in session.connection().execute(
            select(_A.c.record_id, _A.c.user_id).where(
                _A.c.record_id.in_(id_chunk), _A.c.ended_at.is_(None)
            )
        ):
            assignees.setdefault(by_id[rid], set()).add(user)
        for esc_record, owner in session.connection().execute(
            select(_E.c.record_id, _E.c.owner_id).where(
                _E.c.record_id.in_(id_chunk), _E.c.owner_id.is_not(None)
            )
        ):
            if esc_record is not None and owner is not None:
                escalated.setdefault(by_id[esc_record], set()).add(owner)
    walls = _walls(session, list(base))
    return {
        root: RecordFacts(
            root,
            e.agency,
            e.child,
            frozenset(e.authors),
            frozenset(assignees.get(root, ())),
            frozenset(escalated.get(root, ())),
            tuple(walls.get(root, ())),
        )
        for root, e in base.items()
    }


def _walls(session: Session, roots: list[str]) -> dict[str, list[Wall]]:
    out: dict[str, list[Wall]] = {}
    if not session.connection().execute(select(_W.c.id).limit(1)).first():
        return out
    rows: list[tuple[int, str, int, int | None]] = []
    for start in range(0, len(roots), 900):
        chunk = roots[start : start + 900]
        rows += [
            (int(w), str(r), int(a), None if u is None else int(u))
            for w, r, a, u in session.connection().execute(
                select(_W.c.id, _W.c.resource_id, _W.c.agency_id, _W.c.user_id).where(
                    _W.c.resource_type == "record",
                    _W.c.resource_id.in_(chunk),
                    _W.c.lifted_at.is_(None),
                )
            )
        ]
    grants: dict[int, set[int]] = {}
    if rows:
        for wid, uid in session.connection().execute(
            select(_G.c.wall_id, _G.c.user_id).where(
                _G.c.wall_id.in_([r[0] for r in rows]), _G.c.revoked_at.is_(None)
            )
        ):
            grants.setdefault(wid, set()).add(uid)
    for wid, root, agency, user in rows:
        out.setdefault(root, []).append(Wall(wid, agency, frozenset(grants.get(wid, ())), user))
    return out


def actor_facts(session: Session, actor: Actor, records: Iterable[RecordFacts]) -> ActorFacts:
    """Whom the actor supervises (transitively), the units of the records' people, and the
    agencies under the actor's oversight body."""
    if actor.id is None:
        return ActorFacts(actor)
    people: set[int] = set()
    for r in records:
        people |= r.authors | r.assignees
    units: dict[int, tuple[int | None, str | None]] = {}
    chain: dict[int, list[int]] = {}
    for uid, sup, agency, unit in session.connection().execute(
        select(_U.c.id, _U.c.supervisor_id, _U.c.agency_id, _U.c.unit)
    ):
        if sup is not None:
            chain.setdefault(sup, []).append(uid)
        if uid in people:
            units[uid] = (agency, unit)
    below: set[int] = set()
    stack = list(chain.get(actor.id, ()))
    while stack:
        u = stack.pop()
        if u not in below:
            below.add(u)
            stack.extend(chain.get(u, ()))
    body: set[int] = set()
    if actor.agency_id is not None:
        stmt = select(_J.c.agency_id).where(_J.c.body_id == actor.agency_id)
        body = {int(a) for (a,) in session.connection().execute(stmt)}
    return ActorFacts(actor, frozenset(below), frozenset(body), units)


def consult_quarantine(session: Session, actor: Actor, item_id: int, purpose: str) -> Any:
    """A quarantined item in full (it may be a child's record that failed to parse): for
    data-quality roles only, and logged like any read."""
    from candour.auth.capabilities import Capability, require
    from candour.store.models import QuarantineItem

    require(actor, Capability.VIEW_QUARANTINE)
    if not purpose or not purpose.strip():
        raise ValidationError("reading personal data needs a purpose", field="purpose")
    item = session.get(QuarantineItem, item_id)
    if item is None:
        raise refused()
    append(
        session,
        [
            EventDraft(
                EventAction.READ.value,
                "quarantine",
                str(item_id),
                actor.id,
                actor.rank,
                purpose=purpose,
                payload={"break_glass": False, "basis": "data quality"},
            )
        ],
    )
    return item


def consult_cases(
    session: Session, actor: Actor, case_uids: Sequence[str], purpose: str
) -> list[Any]:
    """Oversight cases by uid, each logged as read (a case names its complainant and the
    officers complained about). A case the actor may not see is "not found", as if it did not
    exist (`candour.oversight.cases.get_case`); then nothing is logged."""
    from candour.oversight.cases import get_case

    if not purpose or not purpose.strip():
        raise ValidationError("reading personal data needs a purpose", field="purpose")
    cases = [get_case(session, actor, uid) for uid in dict.fromkeys(case_uids)]
    if cases:
        append(
            session,
            [
                EventDraft(
                    EventAction.READ.value,
                    "oversight_complaint",
                    case.uid,
                    actor.id,
                    actor.rank,
                    purpose=purpose,
                    payload={"break_glass": False, "basis": "oversight"},
                )
                for case in cases
            ],
        )
    return cases
