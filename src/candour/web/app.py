"""The app factory: one FastAPI app over one application object."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response

from candour.errors import (
    AuthenticationError,
    CandourError,
    SecondFactorRequired,
    ValidationError,
)
from candour.web import assets
from candour.web.render import HERE, page
from candour.web.security import SignInLimiter, TooManyAttempts, api_actor, headers_middleware

if TYPE_CHECKING:
    from candour.app.core import Candour

log = logging.getLogger("candour.web")
PROBLEM = "application/problem+json"


def create_app(candour: Candour, *, limiter: SignInLimiter | None = None) -> FastAPI:
    """The web app over `candour`. Pages under /, the JSON API under /api (OpenAPI at /docs,
    schema at /openapi.json, both for signed-in callers)."""
    from candour.web import api
    from candour.web.pages import account, admin, auth, casework, oversight, reports

    web = FastAPI(
        title="Candour",
        version="1",
        summary="Safeguarding case, intelligence and accountability: the JSON API.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    web.state.candour = candour
    web.state.limiter = limiter or SignInLimiter()
    web.state.assets = assets.available()
    web.middleware("http")(headers_middleware)
    web.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _assets_route(web)
    web.add_exception_handler(CandourError, _candour_error)
    web.add_exception_handler(HTTPException, _http_error)
    web.add_exception_handler(RequestValidationError, _invalid)
    for module in (auth, account, casework, reports, admin, oversight):
        web.include_router(module.router)
    web.include_router(api.router, prefix="/api")

    @web.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness: needs no sign-in and says nothing about the data."""
        return {"status": "ok"}

    @web.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> dict[str, Any]:
        _signed_in_either(request)
        return web.openapi()

    @web.get("/docs", include_in_schema=False)
    def docs(request: Request) -> Response:
        _signed_in_either(request)
        return page(request, "docs.html", {"title": "API documentation"})

    return web


def _signed_in_either(request: Request) -> None:
    """The API documentation is for signed-in users: a page session or a bearer token."""
    from candour.web.security import page_actor

    if request.headers.get("authorization"):
        api_actor(request)
    else:
        page_actor(request)


def _assets_route(web: FastAPI) -> None:
    @web.get("/assets/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        path = web.state.assets.get(name)
        if path is None:
            raise HTTPException(404, "no such asset")
        return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})


def _wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path == "/openapi.json":
        return True
    return "application/json" in request.headers.get("accept", "") and "text/html" not in (
        request.headers.get("accept", "")
    )


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def _candour_error(request: Request, exc: Exception) -> Response:
    """Every Candour error, once: a problem document for the API, a page for people. The
    message names no person (errors.py promises it); a sign-in page for an ended session."""
    assert isinstance(exc, CandourError)
    status = exc.http_status
    headers = {}
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, SecondFactorRequired) and not _wants_json(request):
        return RedirectResponse("/account", status_code=303)  # enrol first; nothing else
    if _wants_json(request):
        response: Response = problem(status, _title(status), str(exc), **_fields(exc))
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
    elif isinstance(exc, AuthenticationError) and request.method == "GET":
        return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
    else:
        response = page(
            request, "error.html", {"title": _title(status), "message": str(exc)}, status
        )
    response.headers.update(headers)
    return response


def _fields(exc: CandourError) -> dict[str, list[str]]:
    """The fields a refusal names (never their values), for API clients to point at."""
    fields = getattr(exc, "fields", None) or (
        [exc.field] if isinstance(exc, ValidationError) and exc.field else None
    )
    return {"fields": list(fields)} if fields else {}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if _wants_json(request):
        return problem(exc.status_code, _title(exc.status_code), str(exc.detail))
    return page(
        request,
        "error.html",
        {"title": _title(exc.status_code), "message": str(exc.detail)},
        exc.status_code,
    )


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = [".".join(str(p) for p in e["loc"][1:]) or "input" for e in exc.errors()]
    detail = "check these fields: " + ", ".join(fields)
    if _wants_json(request):
        return problem(422, "Unprocessable Content", detail, fields=fields)
    return page(request, "error.html", {"title": "Check the form", "message": detail}, 422)
