"""The user's own account: whether a second factor is set, and enrolling one.

A session that must have a second factor and has none (`require_second_factor`) may reach
this page and sign-out only; every other page sends it here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from candour.errors import AuthenticationError, ValidationError
from candour.web.render import page
from candour.web.security import SESSION_COOKIE, candour_of, check_csrf, enrolling_actor

router = APIRouter(include_in_schema=False)
Enrolling = Annotated[Any, Depends(enrolling_actor)]


def _grouped(secret: str) -> str:
    """The base32 key in groups of four, as authenticator apps ask for it to be typed."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _account(request: Request, actor: Any, status: int = 200, **extra: Any) -> Response:
    context = {
        "title": "Account",
        "has_factor": candour_of(request).identity.second_factor(actor),
        "held": request.state.held,
        **extra,
    }
    return page(request, "account.html", context, status)


@router.get("/account")
def account(request: Request, actor: Enrolling, done: bool = False) -> Response:
    return _account(request, actor, done=done)


@router.post("/account/second-factor", dependencies=[Depends(check_csrf)])
def begin(request: Request, actor: Enrolling, password: Annotated[str, Form()]) -> Response:
    """A new key, shown this once, with the form that confirms it."""
    token = request.cookies.get(SESSION_COOKIE)
    try:
        enrolment = candour_of(request).identity.begin_second_factor(token, password)
    except ValidationError:
        return _account(request, actor, 400, error="That password is wrong.")
    return _account(
        request, actor, key=_grouped(enrolment.secret), uri=enrolment.uri, confirming=True
    )


@router.post("/account/second-factor/confirm", dependencies=[Depends(check_csrf)])
def confirm(request: Request, actor: Enrolling, code: Annotated[str, Form()]) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    try:
        candour_of(request).identity.confirm_second_factor(token, code)
    except AuthenticationError:
        return _account(
            request,
            actor,
            400,
            confirming=True,
            error="That code does not match. Check the key you typed and your device's clock, "
            "then enter the newest code.",
        )
    return RedirectResponse("/account?done=true", status_code=303)
