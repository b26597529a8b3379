"""The JSON API: the same services as the pages, for bearer-token clients.

Tokens come from POST /api/sessions (the one-door token store, kind "api"); every other route
needs `Authorization: Bearer`. Errors are `application/problem+json` and name no person."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from candour.errors import AuthenticationError
from candour.web.security import api_actor, candour_of

router = APIRouter(tags=["api"])
Caller = Annotated[Any, Depends(api_actor)]
Purpose = Annotated[str, Query(min_length=1, description="Why you are looking (logged).")]


def _out(value: Any) -> Any:
    if isinstance(value, list):
        return [_out(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable_encoder(asdict(value))
    return jsonable_encoder(value)


class Credentials(BaseModel):
    identifier: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Token(BaseModel):
    token: str
    expires_at: str
    identifier: str | None
    role: str | None


class Act(BaseModel):
    action: str = Field(pattern="^(acknowledge|action)$")
    rationale: str = Field(min_length=1, max_length=4000)


class ReviewOutcome(BaseModel):
    outcome: str = Field(pattern="^(justified|not_justified|referred)$")
    note: str = Field(default="", max_length=4000)


@router.post("/sessions", response_model=Token, summary="Sign in for a bearer token")
def sign_in(request: Request, body: Credentials) -> Token:
    limiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    limiter.check(body.identifier, client)
    try:
        signed = candour_of(request).identity.sign_in(body.identifier, body.password, kind="api")
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


@router.delete("/sessions", summary="Sign out (everywhere=true ends every session)")
def sign_out(request: Request, caller: Caller, everywhere: bool = False) -> dict[str, int]:
    token = request.headers["authorization"].partition(" ")[2].strip()
    return {"ended": candour_of(request).identity.sign_out(token, everywhere=everywhere)}


@router.get("/me", summary="Who the token belongs to")
def me(caller: Caller) -> dict[str, Any]:
    return {"identifier": caller.identifier, "rank": caller.rank, "role": caller.role,
            "unit": caller.unit}  # fmt: skip


@router.get("/records/{uid}", summary="A record's case file (a logged read)")
def record(
    request: Request,
    caller: Caller,
    uid: str,
    purpose: Purpose,
    break_glass: Annotated[str | None, Query(min_length=1)] = None,
) -> Any:
    return _out(candour_of(request).casefile.record(caller, uid, purpose, break_glass))


@router.get("/people/{person}", summary="A person: records you may see, roles, neighbours")
def person(request: Request, caller: Caller, person: str, purpose: Purpose) -> Any:
    return _out(candour_of(request).people.person(caller, person, purpose))


@router.get("/who-knew/{target}", summary="Who knew about a record or person, with proofs")
def who_knew(
    request: Request, caller: Caller, target: str, purpose: Purpose, proofs: bool = False
) -> Any:
    w = candour_of(request).ledger.who_knew(caller, target, purpose, proofs=proofs)
    rows = [{**r.as_dict(), "proof": w.proofs.get(r.event)} for r in w.rows]
    return jsonable_encoder({"target": w.target, "kind": w.kind, "rows": rows})


@router.get("/work", summary="My work: recording decisions due and escalations")
def work(request: Request, caller: Caller) -> Any:
    return _out(candour_of(request).work.queue(caller))


@router.post("/work/escalations/{escalation}", summary="Acknowledge or action an escalation")
def act(request: Request, caller: Caller, escalation: int, body: Act) -> dict[str, int]:
    event = candour_of(request).work.act(caller, escalation, body.action, body.rationale)
    return {"event": event}


@router.get("/search", summary="Search the records you may read")
def search(
    request: Request,
    caller: Caller,
    q: Annotated[str, Query(min_length=2, max_length=200)],
    kind: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Any:
    return _out(
        candour_of(request).search.records(caller, q, kind=kind, page=page, per_page=per_page)
    )


@router.get("/reports/demand", summary="Volume and harm by offence group")
def demand(request: Request, caller: Caller) -> Any:
    return _out(candour_of(request).reports.demand(caller))


@router.get("/access-reviews", summary="Break-glass reads to review (auditors)")
def reviews(request: Request, caller: Caller, pending_only: bool = True) -> Any:
    return _out(candour_of(request).admin.reviews(caller, pending_only=pending_only))


@router.post("/access-reviews/{event}", summary="Mark a break-glass read reviewed")
def review(request: Request, caller: Caller, event: int, body: ReviewOutcome) -> dict[str, bool]:
    candour_of(request).admin.review(caller, event, body.outcome, body.note)
    return {"reviewed": True}


@router.get("/admin/users", summary="Accounts (administrators)")
def users(request: Request, caller: Caller) -> Any:
    return _out(candour_of(request).admin.users(caller))
