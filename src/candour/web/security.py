"""Sessions in cookies, CSRF tokens, the sign-in rate limit and the response headers.

The session cookie holds a one-door token (`kind="web"`): `HttpOnly`, `SameSite=Strict`, and
`Secure` when the request came over TLS. Every form carries a CSRF token that must equal the
`candour_csrf` cookie (double submit; the cookie is `SameSite=Strict`, so another site can
neither read nor send it). API clients send `Authorization: Bearer` and never cookies, so the
API needs no CSRF token.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Form, Request
from starlette.responses import Response

from candour.errors import AuthenticationError, CandourError, PermissionDeniedError

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.store.access import Actor

SESSION_COOKIE = "candour_session"
CSRF_COOKIE = "candour_csrf"
log = logging.getLogger("candour.web")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class CsrfError(PermissionDeniedError):
    """A form without the right CSRF token (a stale page, or another site posting)."""


class TooManyAttempts(CandourError):
    """Too many failed sign-ins: locked for a while."""

    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "too many failed sign-ins; try again later", hint=f"in {retry_after} seconds"
        )
        self.retry_after = retry_after


@dataclass
class SignInLimiter:
    """Failed sign-ins per account and per client address, in a sliding window; past the limit
    the key is locked out for `lockout` seconds (429). Per process: with several workers each
    keeps its own count. The failures themselves are ledger events already."""

    max_failures: int = 5
    window: float = 900.0
    lockout: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _locked: dict[str, float] = field(default_factory=dict)

    def _keys(self, identifier: str, client: str) -> list[tuple[str, int]]:
        return [
            (f"user:{identifier.strip().lower()}", self.max_failures),
            (f"client:{client}", self.max_failures * 4),
        ]

    def check(self, identifier: str, client: str) -> None:
        now = self.clock()
        for key, _ in self._keys(identifier, client):
            until = self._locked.get(key)
            if until is not None and until > now:
                raise TooManyAttempts(int(until - now) + 1)

    def failed(self, identifier: str, client: str) -> None:
        now = self.clock()
        for key, limit in self._keys(identifier, client):
            recent = [t for t in self._failures.get(key, []) if t > now - self.window]
            recent.append(now)
            self._failures[key] = recent
            if len(recent) >= limit:
                self._locked[key] = now + self.lockout
                log.warning("sign-in locked for %s after %d failures", key.split(":")[0], limit)

    def succeeded(self, identifier: str) -> None:
        key = f"user:{identifier.strip().lower()}"
        self._failures.pop(key, None)


def candour_of(request: Request) -> Candour:
    app: Candour = request.app.state.candour
    return app


def page_actor(request: Request) -> Actor:
    """The signed-in user of a page (cookie session), or AuthenticationError."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AuthenticationError("not signed in")
    actor = candour_of(request).identity.actor(token)
    request.state.actor = actor
    return actor


def enrolling_actor(request: Request) -> Actor:
    """The signed-in user of the Account page, which a session held to enrolling a second
    factor may still reach (`request.state.held` says whether it is held)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AuthenticationError("not signed in")
    identity = candour_of(request).identity
    actor = identity.actor(token, enrolling=True)
    request.state.actor = actor
    request.state.held = identity.held_to_enrolment(actor)
    return actor


def api_actor(request: Request) -> Actor:
    """The caller of an API route (bearer token only: cookies are never accepted here)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("send 'Authorization: Bearer TOKEN' (POST /api/sessions)")
    return candour_of(request).identity.actor(token.strip())


def check_csrf(request: Request, csrf: str = Form("")) -> None:
    """Every form post carries the token the page was rendered with."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not csrf or not hmac.compare_digest(cookie, csrf):
        raise CsrfError("this form has expired or did not come from Candour; reload the page")


def set_session(request: Request, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


async def headers_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """CSP without inline code, no framing, no sniffing, no referrer; nothing but static
    assets may be cached (pages show personal data). Issues the CSRF cookie."""
    token = request.cookies.get(CSRF_COOKIE)
    request.state.csrf = token or secrets.token_urlsafe(32)
    response = await call_next(request)
    h = response.headers
    h["Content-Security-Policy"] = CSP
    h["X-Content-Type-Options"] = "nosniff"
    h["X-Frame-Options"] = "DENY"
    h["Referrer-Policy"] = "no-referrer"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.url.scheme == "https":
        h["Strict-Transport-Security"] = "max-age=31536000"
    if not request.url.path.startswith(("/static/", "/assets/")):
        h["Cache-Control"] = "no-store"
    if token is None:
        response.set_cookie(
            CSRF_COOKIE,
            request.state.csrf,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
    return response
