"""Dashboards (demand, recording integrity) and search. Each chart is drawn server-side as SVG
with labelled axes, and its numbers are in a table beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from candour.web.render import page
from candour.web.security import candour_of, page_actor

router = APIRouter(include_in_schema=False)
Signed = Annotated[Any, Depends(page_actor)]
KINDS = ["crime_report", "intelligence", "referral", "minutes", "missing_episode", "complaint",
         "disclosure"]  # fmt: skip


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[float, ...]  # shares 0..1, one per series
    text: tuple[str, ...]


@router.get("/dashboards/demand")
def demand(request: Request, actor: Signed) -> Response:
    d = candour_of(request).reports.demand(actor)
    total_v, total_h = d.totals
    bars = []
    for c in sorted(d.categories, key=lambda c: -c.harm):
        vs, hs = c.shares(total_v, total_h)
        bars.append(Bar(c.group, (vs, hs), (f"{vs:.1%}", f"{hs:.1%}")))
    rows = [(c.group, c.volume, c.harm) for c in sorted(d.categories, key=lambda c: -c.harm)]
    return page(
        request,
        "demand.html",
        {
            "title": "Demand: volume against harm",
            "bars": bars,
            "rows": rows,
            "totals": (total_v, total_h),
            "series": ("share of volume", "share of harm"),
            "source": d.source,
        },
    )


@router.get("/dashboards/recording")
def recording(request: Request, actor: Signed) -> Response:
    audit = candour_of(request).reports.recording_audit(actor, None, None)
    groups = audit.rate_by("offence_group")
    bars = [Bar(g, (rate,), (f"{rate:.1%}",)) for g, _, _, rate in groups]
    return page(
        request,
        "recording.html",
        {
            "title": "Crime-recording integrity",
            "bars": bars,
            "series": ("recorded as a crime",),
            "groups": groups,
            "units": audit.rate_by("unit"),
            "timing": audit.time_to_decision(),
            "total": len(audit.rows),
            "recorded_rate": audit.recorded_rate,
            "breaches": len(audit.breaches),
        },
    )


@router.get("/dashboards/escalations")
def escalations(request: Request, actor: Signed) -> Response:
    summary = candour_of(request).reports.escalations(actor)
    ctx: dict[str, Any] = {"title": "Escalations by age and rank", "series": ("open", "overdue")}
    for key in ("by_age", "by_rank"):
        rows = summary[key]
        top = max((n for _, (n, _) in rows), default=0) or 1
        ctx[key] = rows
        ctx[key + "_bars"] = [
            Bar(label, (n / top, late / top), (str(n), str(late))) for label, (n, late) in rows
        ]
        ctx[key + "_top"] = top
    return page(request, "escalations.html", ctx)


@router.get("/search")
def search(
    request: Request,
    actor: Signed,
    q: str = "",
    kind: str = "",
    page_no: Annotated[int, Query(alias="page", ge=1)] = 1,
) -> Response:
    results = None
    if q.strip():
        results = candour_of(request).search.records(
            actor, q, kind=kind or None, page=page_no, per_page=20
        )
    return page(
        request,
        "search.html",
        {"title": "Search", "q": q, "kind": kind, "kinds": KINDS, "results": results},
    )
