"""Templates and the few helpers pages share."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

if TYPE_CHECKING:
    from candour.store.access import Actor

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")

# Pages each role is offered in the navigation (the services decide what each may do).
NAV = [
    ("/work", "My work", None),
    ("/search", "Search", None),
    ("/file", "File a report", "file"),
    ("/dashboards/demand", "Demand", "reports"),
    ("/dashboards/recording", "Recording audit", "reports"),
    ("/dashboards/escalations", "Escalations", "reports"),
    ("/access-reviews", "Access review", "review"),
    ("/oversight", "Oversight", "oversight"),
    ("/ledger", "Ledger", "ledger"),
    ("/admin/users", "Users", "admin"),
    ("/account", "Account", None),
]


def nav_for(actor: Actor | None, held: bool = False) -> list[tuple[str, str]]:
    """The menu; a session held to enrolling a second factor is offered Account alone."""
    if actor is None:
        return []
    if held:
        return [("/account", "Account")]
    from candour.web.roles import offers

    return [(href, label) for href, label, need in NAV if need is None or offers(actor, need)]


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    actor = getattr(request.state, "actor", None)
    clock = request.app.state.candour.clock
    ctx = {
        "clock_now": clock.now() if clock.shifted else None,
        "actor": actor,
        "nav": nav_for(actor, getattr(request.state, "held", False)),
        "csrf": request.state.csrf,
        "assets": request.app.state.assets,
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status)
