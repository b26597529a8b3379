"""The administrator's users list and the auditor's access review."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from candour.errors import NotFoundError
from candour.web.render import page
from candour.web.security import candour_of, check_csrf, page_actor

router = APIRouter(include_in_schema=False)
Signed = Annotated[Any, Depends(page_actor)]
OUTCOMES = ("justified", "not_justified", "referred")


@router.get("/admin/users")
def users(request: Request, actor: Signed, reset: str | None = None) -> Response:
    accounts = candour_of(request).admin.users(actor)
    known = {a.identifier for a in accounts}
    return page(
        request,
        "users.html",
        {"title": "Users", "accounts": accounts, "reset": reset if reset in known else None},
    )


@router.post("/admin/users/{identifier}/second-factor/reset", dependencies=[Depends(check_csrf)])
def reset_second_factor(request: Request, actor: Signed, identifier: str) -> Response:
    """A lost or stolen device: the factor ends (a ledger event) and so do the user's
    sessions."""
    candour_of(request).identity.reset_second_factor(actor, identifier)
    return RedirectResponse(f"/admin/users?reset={quote(identifier)}", status_code=303)


@router.get("/access-reviews")
def reviews(request: Request, actor: Signed, all: bool = False) -> Response:
    rows = candour_of(request).admin.reviews(actor, pending_only=not all)
    return page(
        request,
        "reviews.html",
        {"title": "Break-glass reads to review", "rows": rows, "all": all, "outcomes": OUTCOMES},
    )


@router.post("/access-reviews/{event}", dependencies=[Depends(check_csrf)])
def review(
    request: Request,
    actor: Signed,
    event: int,
    outcome: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    candour_of(request).admin.review(actor, event, outcome, note)
    return RedirectResponse("/access-reviews", status_code=303)


@router.get("/ledger")
def ledger(request: Request, actor: Signed) -> Response:
    app = candour_of(request)
    note = app.ledger.latest_note(actor)
    return page(
        request, "ledger.html", {"title": "Ledger", "size": app.ledger.size(), "note": note}
    )


@router.get("/ledger/checkpoint.txt")
def checkpoint(request: Request, actor: Signed) -> Response:
    note = candour_of(request).ledger.latest_note(actor)
    if note is None:
        raise NotFoundError("no checkpoint has been signed yet")
    return Response(
        note,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="checkpoint.txt"'},
    )


@router.post("/ledger/verify", dependencies=[Depends(check_csrf)])
def verify(request: Request, actor: Signed) -> Response:
    app = candour_of(request)
    report = app.ledger.verify(actor, None, None)
    return page(
        request,
        "ledger.html",
        {"title": "Ledger", "size": app.ledger.size(), "note": app.ledger.latest_note(actor),
         "report": report},
    )  # fmt: skip
