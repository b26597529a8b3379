"""The JSON API: the same services as the pages, for bearer-token clients.

Tokens come from POST /api/sessions (the one-door token store, kind "api"); every other route
needs `Authorization: Bearer`. Lists are pages (`limit` and an opaque `cursor`, or `page` for
search) in a stable order. Errors are `application/problem+json` and name no person."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from candour.errors import AuthenticationError, ValidationError
from candour.web import schemas as S
from candour.web.security import api_actor, candour_of

router = APIRouter(tags=["api"], responses=S.ERRORS)
Caller = Annotated[Any, Depends(api_actor)]
Purpose = Annotated[
    str, Query(min_length=1, max_length=200, description="Why you are looking (logged).")
]
Id = Annotated[str, Query(min_length=1, max_length=64)]


def _out(value: Any) -> Any:
    if isinstance(value, list):
        return [_out(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable_encoder(asdict(value))
    return jsonable_encoder(value)


class Credentials(BaseModel):
    identifier: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    code: str | None = Field(
        default=None,
        max_length=16,
        description="The current TOTP code, for an account with a second factor.",
    )


class Token(BaseModel):
    token: str
    expires_at: str
    identifier: str | None
    role: str | None


class Me(BaseModel):
    identifier: str | None
    rank: str | None
    role: str | None
    unit: str | None


class Act(BaseModel):
    action: str = Field(pattern="^(acknowledge|action)$")
    rationale: str = Field(min_length=1, max_length=4000)


class Acted(BaseModel):
    event: int


class Decision(BaseModel):
    kind: str = Field(min_length=1, max_length=40, description="e.g. crime_recorded, nfa")
    reason: str = Field(default="", max_length=4000)
    outcome: str = Field(default="", max_length=200)
    offence_code: str = Field(default="", max_length=40)


class ReviewOutcome(BaseModel):
    outcome: str = Field(pattern="^(justified|not_justified|referred)$")
    note: str = Field(default="", max_length=4000)


class Report(BaseModel):
    """The fields of the web form 'File a report or referral'."""

    kind: str = Field(max_length=40)
    received_at: str = Field(default="", max_length=40, description="ISO date-time")
    title: str = Field(default="", max_length=300)
    text: str = Field(default="", max_length=20000)
    child_name: str = Field(default="", max_length=200)
    child_age: str = Field(default="", max_length=3)
    suspect_name: str = Field(default="", max_length=200)
    offence_code: str = Field(default="", max_length=40)
    offence_group: str = Field(default="", max_length=80)
    disclosure: bool = False


class Ended(BaseModel):
    ended: int


class Reviewed(BaseModel):
    reviewed: bool


class Verified(BaseModel):
    intact: bool
    events: int
    rows_checked: int
    findings: list[str]
    warnings: list[str]


@router.post("/sessions", response_model=Token, summary="Sign in for a bearer token")
def sign_in(request: Request, body: Credentials) -> Token:
    limiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    limiter.check(body.identifier, client)
    try:
        signed = candour_of(request).identity.sign_in(
            body.identifier, body.password, kind="api", code=body.code
        )
    except AuthenticationError:
        limiter.failed(body.identifier, client)
        raise
    limiter.succeeded(body.identifier)
    return Token(
        token=signed.token,
        expires_at=signed.expires_at.isoformat(),
        identifier=signed.actor.identifier,
        role=signed.actor.role,
    )


@router.delete("/sessions", response_model=Ended, summary="Sign out (everywhere ends all)")
def sign_out(request: Request, caller: Caller, everywhere: bool = False) -> Ended:
    token = request.headers["authorization"].partition(" ")[2].strip()
    return Ended(ended=candour_of(request).identity.sign_out(token, everywhere=everywhere))


@router.get("/me", response_model=Me, summary="Who the token belongs to")
def me(caller: Caller) -> Me:
    return Me(identifier=caller.identifier, rank=caller.rank, role=caller.role, unit=caller.unit)


@router.get("/records/{uid}", summary="A record's case file (a logged read)")
def record(
    request: Request,
    caller: Caller,
    uid: str,
    purpose: Purpose,
    break_glass: Annotated[str | None, Query(min_length=1, max_length=500)] = None,
) -> Any:
    return _out(candour_of(request).casefile.record(caller, uid, purpose, break_glass))


@router.post("/records/{uid}/decisions", status_code=201, response_model=S.Filed,
             summary="Record a decision on a record (need-to-know; never break-glass)")  # fmt: skip
def decide(request: Request, caller: Caller, uid: str, body: Decision) -> S.Filed:
    candour_of(request).work.decide(
        caller, uid, body.kind, body.reason, body.outcome, body.offence_code
    )
    return S.Filed(uid=uid, errors={}, quarantined=[])


@router.post("/reports", status_code=201, response_model=S.Filed,
             summary="File a report or referral (validated like the web form)")  # fmt: skip
def file_report(request: Request, caller: Caller, body: Report) -> S.Filed:
    filed = candour_of(request).filing.file(caller, body.model_dump())
    if filed.errors:
        raise _FormRefused(filed.errors)
    if not filed.uid:
        raise ValidationError("intake refused the report: " + "; ".join(filed.quarantined))
    return S.Filed(uid=filed.uid, errors={}, quarantined=[])


class _FormRefused(ValidationError):
    """Field-level refusals of a filed report: the fields and their messages, no values."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in sorted(errors.items())))
        self.fields = sorted(errors)


@router.get("/people/{person}", summary="A person: records you may see, roles, neighbours")
def person(request: Request, caller: Caller, person: str, purpose: Purpose) -> Any:
    return _out(candour_of(request).people.person(caller, person, purpose))


@router.get("/who-knew/{target}", response_model=S.WhoKnewPage,
            summary="Who knew about a record or person (oldest first), with proofs")  # fmt: skip
def who_knew(
    request: Request,
    caller: Caller,
    target: str,
    purpose: Purpose,
    limit: S.Limit = 50,
    cursor: S.Cursor = None,
    proofs: bool = False,
) -> Any:
    w = candour_of(request).ledger.who_knew(caller, target, purpose, proofs=proofs)
    rows = [{**r.as_dict(), "proof": w.proofs.get(r.event)} for r in w.rows]
    rows.sort(key=lambda r: r["event"] if r["event"] is not None else -1)
    return {"target": w.target, "kind": w.kind, **S.paginate(jsonable_encoder(rows), limit, cursor)}


@router.get("/work", response_model=S.Page[S.WorkItemOut],
            summary="My work: decisions due and escalations, overdue first")  # fmt: skip
def work(request: Request, caller: Caller, limit: S.Limit = 50, cursor: S.Cursor = None) -> Any:
    items = candour_of(request).work.queue(caller)
    items.sort(key=lambda i: (not i.overdue, i.deadline, i.kind, i.escalation or 0, i.record or ""))
    return S.paginate(_out(items), limit, cursor)


@router.post("/work/escalations/{escalation}", response_model=Acted,
             summary="Acknowledge or action an escalation (shows in who-knew at once)")  # fmt: skip
def act(request: Request, caller: Caller, escalation: int, body: Act) -> Acted:
    event = candour_of(request).work.act(caller, escalation, body.action, body.rationale)
    return Acted(event=event)


@router.get("/search", response_model=S.SearchPage, summary="Search the records you may read")
def search(
    request: Request,
    caller: Caller,
    q: Annotated[str, Query(min_length=2, max_length=200)],
    kind: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Any:
    r = candour_of(request).search.records(caller, q, kind=kind, page=page, per_page=per_page)
    more = r.page * r.per_page < r.total
    return {"query": r.query, "items": _out(r.hits), "page": r.page, "per_page": r.per_page,
            "next_page": r.page + 1 if more else None, "total": r.total}  # fmt: skip


@router.get("/reports/demand", response_model=S.Demand, summary="Volume and harm by group")
def demand(request: Request, caller: Caller) -> Any:
    d = candour_of(request).reports.demand(caller)
    tv, th = d.totals
    rows = []
    for c in sorted(d.categories, key=lambda c: (-c.harm, c.group)):
        vs, hs = c.shares(tv, th)
        rows.append({"group": c.group, "volume": c.volume, "harm": c.harm,
                     "share_of_volume": vs, "share_of_harm": hs})  # fmt: skip
    return {"categories": rows, "total_volume": tv, "total_harm": th, "source": d.source}


def _rates(rows: list[tuple[str, int, int, float]]) -> list[dict[str, Any]]:
    return [{"label": g, "disclosures": n, "recorded": k, "rate": r} for g, n, k, r in rows]


@router.get("/reports/recording", response_model=S.RecordingIntegrity,
            summary="Crime-recording integrity (each disclosure is a logged read)")  # fmt: skip
def recording(request: Request, caller: Caller) -> Any:
    audit = candour_of(request).reports.recording_audit(caller, None, None)
    return {
        "disclosures": len(audit.rows),
        "recorded_rate": audit.recorded_rate,
        "breaches": len(audit.breaches),
        "by_offence_group": _rates(audit.rate_by("offence_group")),
        "by_unit": _rates(audit.rate_by("unit")),
        "time_to_decision": [{"label": b, "count": n} for b, n in audit.time_to_decision()],
    }


@router.get("/reports/escalations", response_model=S.EscalationSummary,
            summary="Open escalations by age and rank (counts only)")  # fmt: skip
def escalations(request: Request, caller: Caller) -> Any:
    summary = candour_of(request).reports.escalations(caller)
    return {
        key: [{"label": label, "count": n, "overdue": late} for label, (n, late) in summary[key]]
        for key in ("by_age", "by_rank")
    }


@router.get("/access-reviews", response_model=S.Page[S.ReviewOut],
            summary="Break-glass reads to review, oldest first (auditors)")  # fmt: skip
def reviews(
    request: Request,
    caller: Caller,
    pending_only: bool = True,
    limit: S.Limit = 50,
    cursor: S.Cursor = None,
) -> Any:
    rows = candour_of(request).admin.reviews(caller, pending_only=pending_only)
    rows.sort(key=lambda r: r.event)
    return S.paginate(_out(rows), limit, cursor)


@router.post("/access-reviews/{event}", response_model=Reviewed,
             summary="Mark a break-glass read reviewed")  # fmt: skip
def review(request: Request, caller: Caller, event: int, body: ReviewOutcome) -> Reviewed:
    candour_of(request).admin.review(caller, event, body.outcome, body.note)
    return Reviewed(reviewed=True)


@router.get("/admin/users", response_model=S.Page[S.AccountOut],
            summary="Accounts by identifier (administrators)")  # fmt: skip
def users(request: Request, caller: Caller, limit: S.Limit = 50, cursor: S.Cursor = None) -> Any:
    accounts = sorted(candour_of(request).admin.users(caller), key=lambda a: a.identifier)
    return S.paginate(_out(accounts), limit, cursor)


@router.get("/ledger", response_model=S.LedgerStatus,
            summary="Ledger size and the latest signed checkpoint")  # fmt: skip
def ledger(request: Request, caller: Caller) -> Any:
    app = candour_of(request)
    note = app.ledger.latest_note(caller)
    return {"size": app.ledger.size(), "checkpoint": note}


@router.post("/ledger/verify", response_model=Verified, summary="Verify the ledger now")
def verify(request: Request, caller: Caller) -> Verified:
    report = candour_of(request).ledger.verify(caller, None, None)
    return Verified(
        intact=report.intact,
        events=report.events,
        rows_checked=report.rows_checked,
        findings=[str(f) for f in report.findings],
        warnings=list(report.warnings),
    )
