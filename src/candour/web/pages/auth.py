"""Signing in and out of the web app."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from candour.errors import AuthenticationError, CodeNeeded
from candour.web.render import page
from candour.web.security import (
    SESSION_COOKIE,
    candour_of,
    check_csrf,
    clear_session,
    set_session,
)

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme) is followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/work"


@router.get("/")
def home() -> Response:
    return RedirectResponse("/work", status_code=303)


@router.get("/sign-in")
def sign_in_page(request: Request, next: str | None = None) -> Response:
    return page(request, "sign_in.html", {"title": "Sign in", "next": _safe_next(next)})


@router.post("/sign-in", dependencies=[Depends(check_csrf)])
def sign_in(
    request: Request,
    identifier: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/work",
    code: Annotated[str, Form()] = "",
) -> Response:
    limiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    limiter.check(identifier, client)
    identity = candour_of(request).identity
    try:
        signed = identity.sign_in(identifier, password, kind="web", code=code or None)
    except AuthenticationError as exc:
        limiter.failed(identifier, client)
        error = (
            "Enter the current 6-digit code from your authenticator app (each code works once)."
            if isinstance(exc, CodeNeeded)
            else "That identifier and password do not match an active account."
        )
        return page(
            request,
            "sign_in.html",
            {
                "title": "Sign in",
                "next": _safe_next(next),
                "error": error,
                "identifier": identifier,
                "code_needed": isinstance(exc, CodeNeeded),
            },
            401,
        )
    limiter.succeeded(identifier)
    # A role that must have a second factor and has none enrols one before anything else.
    target = "/account" if identity.held_to_enrolment(signed.actor) else _safe_next(next)
    response = RedirectResponse(target, status_code=303)
    max_age = candour_of(request).lifetimes.absolute
    set_session(request, response, signed.token, max_age)
    return response


@router.post("/sign-out", dependencies=[Depends(check_csrf)])
def sign_out(request: Request, everywhere: Annotated[bool, Form()] = False) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with suppress(AuthenticationError):  # already ended: signing out again is fine
            candour_of(request).identity.sign_out(token, everywhere=everywhere)
    response = RedirectResponse("/sign-in", status_code=303)
    clear_session(response)
    return response
