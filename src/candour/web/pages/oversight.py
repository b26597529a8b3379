"""Pages for oversight roles: the case list, a case (allegations, findings, scope history,
evidence and timeline), the forms that run a case, and the statistics dashboard.

Every route is a thin shell over `app.oversight`; the service decides who may see a case (a
user of the force under investigation never does, whatever their rank), so a walled case is
the same "not found" here as one that does not exist."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.background import BackgroundTask
from starlette.responses import FileResponse, Response

from candour.errors import ValidationError
from candour.oversight.vocab import Answer, Category, Channel, Finding, Label, Mode, Outcome
from candour.web.pages.reports import Bar
from candour.web.render import page
from candour.web.security import candour_of, check_csrf, page_actor

router = APIRouter(include_in_schema=False)
Signed = Annotated[Any, Depends(page_actor)]
Field = Annotated[str, Form()]
Opt = Annotated[str, Form()]
InSet = Annotated[str, Query(alias="set")]
CSRF = [Depends(check_csrf)]
VOCAB = {
    "channels": [c.value for c in Channel],
    "modes": [m.value for m in Mode],
    "categories": [c.value for c in Category],
    "findings": [f.value for f in Finding],
    "outcomes": [o.value for o in Outcome],
    "labels": [lab.value for lab in Label],
    "answers": [a.value for a in Answer],
}


def _back(case: str, done: str) -> Response:
    return RedirectResponse(f"/oversight/cases/{case}?done={done}", status_code=303)


def _day(text: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError("not a date (use YYYY-MM-DD)", field=field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@router.get("/oversight")
def cases(request: Request, actor: Signed, chosen: InSet = "") -> Response:
    found = candour_of(request).oversight.cases(actor, chosen or None)
    return page(
        request,
        "oversight_cases.html",
        {"title": "Oversight cases", "cases": found, "set": chosen, **VOCAB},
    )


@dataclass(frozen=True)
class FigureTable:
    """One section of the figures the CLI prints (`OversightStats.rows`), as a table: a plain
    section is key | value; a section per rank band, category or investigation is a grid."""

    title: str
    head: tuple[str, ...]
    rows: list[tuple[str, list[tuple[str, str]]]]  # (row header, [(figure id, text)])


GRIDS = ("rank band", "category", "complainant labels")
LINKED = ("scope excludes rank", "overdue")  # shown in their own tables, with links to cases


def _text(value: object) -> str:
    return "—" if value is None else str(value)


def figure_tables(rows: list[tuple[str, str, Any]]) -> list[FigureTable]:
    """Every figure of `rows` in one table cell, tagged `section|key` as the CSV names it."""
    plain: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
    grids: dict[str, dict[str, dict[str, tuple[str, str]]]] = {}
    order: list[str] = []
    for section, key, value in rows:
        group, _, sub = section.partition(": ")
        if section in LINKED:
            continue
        if group in GRIDS and sub:
            if group not in grids:
                order.append(group)
            grids.setdefault(group, {}).setdefault(sub, {})[key] = (
                f"{section}|{key}",
                _text(value),
            )
            continue
        if section not in plain and section not in grids:
            order.append(section)
        plain.setdefault(section, []).append((key, [(f"{section}|{key}", _text(value))]))
    out = []
    for name in order:
        if name in plain:
            out.append(FigureTable(name, (name, "number"), plain[name]))
            continue
        grid = grids[name]
        cols = list(dict.fromkeys(k for cells in grid.values() for k in cells))
        body = [
            (sub, [cells.get(k, (f"{name}: {sub}|{k}", "0")) for k in cols])
            for sub, cells in grid.items()
        ]
        out.append(FigureTable(name, (name, *cols), body))
    return out


@router.get("/oversight/stats")
def stats(request: Request, actor: Signed, chosen: InSet = "") -> Response:
    service = candour_of(request).oversight
    st = service.stats(actor, chosen or None)
    bands = st.by_rank_band
    top = max((c.get("allegations", 0) for c in bands.values()), default=0) or 1
    bars = [
        Bar(
            band,
            (c.get("allegations", 0) / top, _upheld(c) / top),
            (str(c.get("allegations", 0)), str(_upheld(c))),
        )
        for band, c in bands.items()
    ]
    return page(
        request,
        "oversight_stats.html",
        {
            "title": "Oversight statistics",
            "st": st,
            "set": chosen,
            "bars": bars,
            "top": top,
            "series": ("allegations", "case to answer"),
            "tables": figure_tables(st.rows()),
            "commissioner": service.commissioner_log(actor, chosen or None),
        },
    )


def _upheld(counts: dict[str, int]) -> int:
    return counts.get(Finding.MISCONDUCT.value, 0) + counts.get(Finding.GROSS_MISCONDUCT.value, 0)


@router.get("/oversight/suspects")
def suspects(request: Request, actor: Signed, done: str = "") -> Response:
    found = candour_of(request).oversight.suspects(actor)
    return page(
        request,
        "oversight_suspects.html",
        {"title": "Officers named as suspects", "found": found, "done": done},
    )


@router.post("/oversight/suspects", dependencies=CSRF)
def check_suspects(request: Request, actor: Signed) -> Response:
    """Look through the records now (extraction also does it after every run)."""
    found = candour_of(request).oversight.officers_as_suspects(actor)
    return RedirectResponse(f"/oversight/suspects?done={len(found)}", status_code=303)


@router.get("/oversight/cases/{uid}")
def case(request: Request, actor: Signed, uid: str, done: str = "") -> Response:
    c = candour_of(request).oversight.case(actor, uid)
    return page(
        request,
        "oversight_case.html",
        {"title": f"Oversight case {c.uid}", "c": c, "done": done, **VOCAB},
    )


@router.post("/oversight/complaints", dependencies=CSRF)
def complaint(
    request: Request,
    actor: Signed,
    force: Field,
    complainant: Field,
    received: Field,
    channel: Field,
    investigation_set: Opt = "",
    record: Opt = "",
) -> Response:
    uid = candour_of(request).oversight.open_complaint(
        actor,
        force=force,
        complainant=complainant,
        received_at=_day(received, "received"),
        channel=channel,
        record_uid=record or None,
        investigation_set=investigation_set or None,
    )
    return _back(uid, "complaint")


@router.post("/oversight/cases/{uid}/investigations", dependencies=CSRF)
def investigate(
    request: Request,
    actor: Signed,
    uid: str,
    mode: Field,
    terms: Field,
    investigator: Opt = "",
) -> Response:
    inv = candour_of(request).oversight.open_investigation(
        actor, uid, mode=mode, terms=terms, investigator=investigator or None
    )
    return _back(uid, inv)


@router.post("/oversight/cases/{uid}/allegations", dependencies=CSRF)
def allegation(
    request: Request,
    actor: Signed,
    uid: str,
    subject: Field,
    category: Field,
    investigation: Opt = "",
    rank_at_time: Opt = "",
) -> Response:
    alg = candour_of(request).oversight.add_allegation(
        actor,
        uid,
        subject=subject,
        category=category,
        investigation=investigation or None,
        rank_at_time=rank_at_time or None,
    )
    return _back(uid, alg)


@router.post("/oversight/cases/{uid}/investigations/{inv}/terms", dependencies=CSRF)
def terms(
    request: Request, actor: Signed, uid: str, inv: str, terms: Field, reason: Field
) -> Response:
    return _back(uid, candour_of(request).oversight.set_terms(actor, inv, terms, reason))


@router.post("/oversight/cases/{uid}/investigations/{inv}/scope", dependencies=CSRF)
def scope(
    request: Request,
    actor: Signed,
    uid: str,
    inv: str,
    change: Field,
    reason: Field,
    approver: Field,
    exclude_above: Opt = "",
) -> Response:
    decision = candour_of(request).oversight.narrow_scope(
        actor, inv, change=change, reason=reason, approver=approver,
        exclude_above=exclude_above or None,
    )  # fmt: skip
    return _back(uid, decision)


@router.post("/oversight/cases/{uid}/allegations/{alg}/finding", dependencies=CSRF)
def finding(
    request: Request,
    actor: Signed,
    uid: str,
    alg: str,
    finding: Field,
    reason: Field,
    upheld: Opt = "",
) -> Response:
    decision = candour_of(request).oversight.finding(
        actor, alg, finding, reason, upheld=upheld == "yes"
    )
    return _back(uid, decision)


@router.post("/oversight/cases/{uid}/allegations/{alg}/outcome", dependencies=CSRF)
def outcome(
    request: Request, actor: Signed, uid: str, alg: str, outcome: Field, reason: Field
) -> Response:
    return _back(uid, candour_of(request).oversight.outcome(actor, alg, outcome, reason))


@router.post("/oversight/cases/{uid}/label", dependencies=CSRF)
def label(
    request: Request,
    actor: Signed,
    uid: str,
    label: Field,
    reason: Field,
    approver: Field,
    notice: Field,
) -> Response:
    decision = candour_of(request).oversight.label_complainant(
        actor, uid, label=label, reason=reason, approver=approver, notice=notice
    )
    return _back(uid, decision)


@router.post("/oversight/cases/{uid}/requests", dependencies=CSRF)
def commissioner_request(
    request: Request, actor: Signed, uid: str, asked: Field, reason: Field
) -> Response:
    decision = candour_of(request).oversight.commissioner_request(
        actor, uid, asked=asked, reason=reason
    )
    return _back(uid, decision)


@router.post("/oversight/cases/{uid}/requests/{req}/answer", dependencies=CSRF)
def commissioner_answer(
    request: Request,
    actor: Signed,
    uid: str,
    req: str,
    answer: Field,
    reason: Field,
    why_not_redacted: Opt = "",
) -> Response:
    decision = candour_of(request).oversight.commissioner_answer(
        actor, req, answer=answer, reason=reason, why_not_redacted=why_not_redacted or None
    )
    return _back(uid, decision)


@router.post("/oversight/cases/{uid}/evidence", dependencies=CSRF)
def attach(request: Request, actor: Signed, uid: str, targets: Field, reason: Field) -> Response:
    names = [t for t in targets.replace(",", " ").split() if t]
    return _back(uid, candour_of(request).oversight.attach_evidence(actor, uid, names, reason))


@router.post("/oversight/cases/{uid}/bundle", dependencies=CSRF)
def bundle(request: Request, actor: Signed, uid: str, purpose: Field) -> Response:
    """The evidence bundle as a download; the file is private and removed once sent."""
    folder = Path(tempfile.mkdtemp(prefix="candour-bundle-"))
    out = folder / f"evidence-{uid}.zip"
    try:
        candour_of(request).oversight.evidence(actor, uid, out, purpose)
    except BaseException:
        _remove(folder)
        raise
    return FileResponse(
        out,
        media_type="application/zip",
        filename=out.name,
        background=BackgroundTask(_remove, folder),
    )


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
