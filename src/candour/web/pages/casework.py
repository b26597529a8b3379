"""Casework pages: my work, a record, break-glass, a person, who knew."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from candour.errors import PermissionDeniedError
from candour.web.render import page
from candour.web.security import candour_of, check_csrf, page_actor

router = APIRouter(include_in_schema=False)
Signed = Annotated[Any, Depends(page_actor)]
PURPOSES = [
    "working my assigned case",
    "supervisory review",
    "crime-recording decision",
    "safeguarding strategy",
    "analysis",
    "audit",
]


@router.get("/work")
def work(request: Request, actor: Signed, done: int | None = None) -> Response:
    items = candour_of(request).work.queue(actor)
    return page(request, "work.html", {"title": "My work", "items": items, "done": done})


@router.post("/work/escalations/{escalation}", dependencies=[Depends(check_csrf)])
def act(
    request: Request,
    actor: Signed,
    escalation: int,
    action: Annotated[str, Form()],
    rationale: Annotated[str, Form()] = "",
) -> Response:
    event = candour_of(request).work.act(actor, escalation, action, rationale)
    return RedirectResponse(f"/work?done={event}", status_code=303)


def _purpose_form(request: Request, target: str, kind: str) -> Response:
    return page(
        request,
        "purpose.html",
        {"title": "Why are you looking?", "target": target, "kind": kind, "purposes": PURPOSES},
    )


@router.get("/records/{uid}")
def record(request: Request, actor: Signed, uid: str, purpose: str | None = None) -> Response:
    if not purpose:
        return _purpose_form(request, f"/records/{uid}", "record")
    try:
        rec = candour_of(request).casefile.record(actor, uid, purpose)
    except PermissionDeniedError as exc:
        return _refused(request, uid, purpose, str(exc))
    return _record_page(request, actor, rec)


def _record_page(request: Request, actor: Any, rec: Any) -> Response:
    from candour.app.work import DECIDERS

    return page(
        request,
        "record.html",
        {"title": f"Record {rec.uid}", "r": rec, "may_decide": actor.role in DECIDERS},
    )


def _refused(request: Request, uid: str, purpose: str, message: str) -> Response:
    return page(
        request,
        "refused.html",
        {"title": "Not available", "uid": uid, "purpose": purpose, "message": message},
        403,
    )


@router.post("/records/{uid}/break-glass", dependencies=[Depends(check_csrf)])
def break_glass(
    request: Request,
    actor: Signed,
    uid: str,
    purpose: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    rec = candour_of(request).casefile.record(actor, uid, purpose, reason)
    return _record_page(request, actor, rec)


@router.get("/people/{person}")
def person(request: Request, actor: Signed, person: str, purpose: str | None = None) -> Response:
    if not purpose:
        return _purpose_form(request, f"/people/{person}", "person")
    view = candour_of(request).people.person(actor, person, purpose)
    network = {
        "centre": {"id": f"P:{person}", "label": view.label, "type": "person"},
        "near": [{"id": n.node, "label": n.label, "type": n.type, "via": n.via} for n in view.near],
    }
    return page(
        request,
        "person.html",
        {"title": f"Person {person}", "p": view, "purpose": purpose, "network": network},
    )


@router.get("/who-knew/{target}")
def who_knew(
    request: Request,
    actor: Signed,
    target: str,
    purpose: str | None = None,
    format: Annotated[str, Query(pattern="^(html|csv|json)$")] = "html",
) -> Response:
    if not purpose:
        return _purpose_form(request, f"/who-knew/{target}", "who-knew")
    answer = candour_of(request).ledger.who_knew(actor, target, purpose, proofs=format == "json")
    name = f"who-knew-{target}"
    if format == "csv":
        buf = io.StringIO()
        fields = ["time", "user", "name", "rank", "action", "record", "purpose", "break_glass",
                  "event", "leaf_hash", "logged"]  # fmt: skip
        w = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for row in answer.rows:
            w.writerow(row.as_dict())
        return Response(
            buf.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "json":
        body = {
            "target": answer.target,
            "kind": answer.kind,
            "rows": [{**r.as_dict(), "proof": answer.proofs.get(r.event)} for r in answer.rows],
        }
        return Response(
            json.dumps(body, default=str, indent=1),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
        )
    return page(
        request,
        "who_knew.html",
        {"title": f"Who knew: {target}", "w": answer, "purpose": purpose},
    )


@router.post("/records/{uid}/decisions", dependencies=[Depends(check_csrf)])
def decide(
    request: Request,
    actor: Signed,
    uid: str,
    kind: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    offence_code: Annotated[str, Form()] = "",
) -> Response:
    candour_of(request).work.decide(actor, uid, kind, reason, outcome, offence_code)
    return RedirectResponse(f"/records/{uid}?purpose=crime-recording+decision", status_code=303)


@router.get("/file")
def file_form(request: Request, actor: Signed) -> Response:
    from candour.app.filing import FORM_KINDS

    return page(
        request, "file.html", {"title": "File a report or referral", "kinds": FORM_KINDS,
                               "form": {}, "errors": {}},
    )  # fmt: skip


@router.post("/file", dependencies=[Depends(check_csrf)])
async def file_report(request: Request, actor: Signed) -> Response:
    from candour.app.filing import FORM_KINDS

    form = {k: v for k, v in (await request.form()).items() if k != "csrf"}
    filed = candour_of(request).filing.file(actor, form)
    if filed.uid:
        return RedirectResponse(f"/records/{filed.uid}?purpose=filing+a+report", status_code=303)
    status = 400 if filed.errors else 422
    return page(
        request,
        "file.html",
        {"title": "File a report or referral", "kinds": FORM_KINDS, "form": form,
         "errors": filed.errors, "quarantined": filed.quarantined},
        status,
    )  # fmt: skip
