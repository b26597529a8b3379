"""`candour oversight ...` and `candour stats oversight`: thin shells over the oversight service."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from candour.cli.context import PURPOSE, console, signed_in
from candour.errors import ValidationError

oversight_app = typer.Typer(
    help="Complaints and misconduct investigations (oversight bodies).", no_args_is_help=True
)
stats_app = typer.Typer(help="Statistics.", no_args_is_help=True)

REASON = typer.Option(..., "--reason", help="Why (kept on the record).")
APPROVER = typer.Option(..., "--approver", help="Identifier of the second person approving.")


def register(app: typer.Typer) -> None:
    app.add_typer(oversight_app, name="oversight")
    app.add_typer(stats_app, name="stats")


def _date(text: str | None, field: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"'{field}' is not an ISO date", field=field) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@oversight_app.command("complaint")
def complaint(
    ctx: typer.Context,
    force: str = typer.Option(..., "--force", help="Code of the force complained about."),
    complainant: str = typer.Option(..., "--complainant", help="Complainant (name or reference)."),
    received: str = typer.Option(..., "--received", help="When received (ISO date)."),
    channel: str = typer.Option("letter", "--channel"),
    record: str | None = typer.Option(None, "--record", help="The complaint record, if filed."),
    investigation_set: str | None = typer.Option(None, "--investigation-set"),
) -> None:
    """Open a case on a complaint; it is walled from the force at once."""
    app, actor = signed_in(ctx)
    when = _date(received, "received")
    assert when is not None
    print(
        app.oversight.open_complaint(
            actor,
            force=force,
            complainant=complainant,
            received_at=when,
            channel=channel,
            record_uid=record,
            investigation_set=investigation_set,
        )
    )


@oversight_app.command("investigate")
def investigate(
    ctx: typer.Context,
    case: str = typer.Argument(...),
    mode: str = typer.Option(..., "--mode", help="local, directed or independent."),
    terms: str = typer.Option(..., "--terms", help="Terms of reference (version 1)."),
    investigator: str | None = typer.Option(None, "--investigator"),
    opened: str | None = typer.Option(None, "--opened", help="When opened (ISO date)."),
    investigation_set: str | None = typer.Option(None, "--investigation-set"),
) -> None:
    """Open an investigation on a case."""
    app, actor = signed_in(ctx)
    print(
        app.oversight.open_investigation(
            actor,
            case,
            mode=mode,
            terms=terms,
            investigator=investigator,
            opened_at=_date(opened, "opened"),
            investigation_set=investigation_set,
        )
    )


@oversight_app.command("allegation")
def allegation(
    ctx: typer.Context,
    case: str = typer.Argument(...),
    subject: str = typer.Option(..., "--subject", help="The officer's identifier."),
    category: str = typer.Option(..., "--category"),
    rank: str | None = typer.Option(None, "--rank", help="Rank at the time (default: now)."),
    investigation: str | None = typer.Option(None, "--investigation"),
) -> None:
    """Add an allegation against an officer."""
    app, actor = signed_in(ctx)
    print(
        app.oversight.add_allegation(
            actor,
            case,
            subject=subject,
            category=category,
            rank_at_time=rank,
            investigation=investigation,
        )
    )


@oversight_app.command("terms")
def terms(
    ctx: typer.Context,
    investigation: str = typer.Argument(...),
    text: str = typer.Option(..., "--text"),
    reason: str = REASON,
) -> None:
    """A new version of an investigation's terms of reference."""
    app, actor = signed_in(ctx)
    print(app.oversight.set_terms(actor, investigation, text, reason))


@oversight_app.command("narrow-scope")
def narrow_scope(
    ctx: typer.Context,
    investigation: str = typer.Argument(...),
    change: str = typer.Option(..., "--change", help="What is taken out of scope."),
    reason: str = REASON,
    approver: str = APPROVER,
    exclude_above: str | None = typer.Option(None, "--exclude-above", metavar="RANK"),
) -> None:
    """Narrow an investigation's scope: a recorded decision with author, reason and approver."""
    app, actor = signed_in(ctx)
    print(
        app.oversight.narrow_scope(
            actor,
            investigation,
            change=change,
            reason=reason,
            approver=approver,
            exclude_above=exclude_above,
        )
    )


@oversight_app.command("finding")
def finding(
    ctx: typer.Context,
    allegation: str = typer.Argument(...),
    finding: str = typer.Option(
        ..., "--finding", help="misconduct, gross_misconduct or no_case_to_answer."
    ),
    reason: str = REASON,
    upheld: bool = typer.Option(False, "--upheld/--not-upheld"),
) -> None:
    """Record the finding on an allegation."""
    app, actor = signed_in(ctx)
    print(app.oversight.finding(actor, allegation, finding, reason, upheld=upheld))


@oversight_app.command("outcome")
def outcome(
    ctx: typer.Context,
    allegation: str = typer.Argument(...),
    outcome: str = typer.Option(..., "--outcome"),
    reason: str = REASON,
) -> None:
    """Record the outcome for an allegation."""
    app, actor = signed_in(ctx)
    print(app.oversight.outcome(actor, allegation, outcome, reason))


@oversight_app.command("label")
def label(
    ctx: typer.Context,
    case: str = typer.Argument(...),
    label: str = typer.Option(..., "--label", help="persistent, unreasonable or aggressive."),
    reason: str = REASON,
    approver: str = APPROVER,
    notice: Path = typer.Option(..., "--notice", help="The letter to the complainant."),
) -> None:
    """Label a case's complainant (reason, a second approver, notice to the complainant)."""
    app, actor = signed_in(ctx)
    try:
        letter = notice.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ValidationError(f"{notice}: cannot read the notice", field="notice") from None
    print(
        app.oversight.label_complainant(
            actor, case, label=label, reason=reason, approver=approver, notice=letter
        )
    )


@oversight_app.command("request")
def request(
    ctx: typer.Context,
    case: str = typer.Argument(...),
    asked: str = typer.Option(..., "--asked", help="What the commissioner asks to see."),
    reason: str = REASON,
) -> None:
    """A commissioner's request to see a report (recorded)."""
    app, actor = signed_in(ctx)
    print(app.oversight.commissioner_request(actor, case, asked=asked, reason=reason))


@oversight_app.command("answer")
def answer(
    ctx: typer.Context,
    request: str = typer.Argument(..., help="The request's decision id."),
    answer: str = typer.Option(..., "--answer", help="granted, redacted or refused."),
    reason: str = REASON,
    why_not_redacted: str | None = typer.Option(None, "--why-not-redacted"),
) -> None:
    """Answer a commissioner's request; a refusal must say why redaction was not enough."""
    app, actor = signed_in(ctx)
    print(
        app.oversight.commissioner_answer(
            actor, request, answer=answer, reason=reason, why_not_redacted=why_not_redacted
        )
    )


@oversight_app.command("attach")
def attach(
    ctx: typer.Context,
    case: str = typer.Argument(...),
    target: list[str] = typer.Option(..., "--target", help="A record or person id."),
    reason: str = REASON,
) -> None:
    """Name records and persons whose who-knew timelines are the case's evidence."""
    app, actor = signed_in(ctx)
    print(app.oversight.attach_evidence(actor, case, target, reason))


@oversight_app.command("list")
def list_cases(
    ctx: typer.Context,
    investigation_set: str | None = typer.Option(None, "--investigation-set"),
) -> None:
    """The cases you may see."""
    app, actor = signed_in(ctx)
    table = Table("case", "force", "received", "channel", "set")
    for c in app.oversight.cases(actor, investigation_set):
        table.add_row(
            c.uid, c.force, f"{c.received_at:%Y-%m-%d}", c.channel, c.investigation_set or ""
        )
    console.print(table)


@oversight_app.command("show")
def show(
    ctx: typer.Context,
    case: str = typer.Argument(...),
    purpose: str = typer.Option(
        "oversight case work", "--purpose", help="Why you are looking (kept in the ledger)."
    ),
) -> None:
    """A case: investigations, allegations and every decision (scope history included)."""
    app, actor = signed_in(ctx)
    c = app.oversight.case(actor, case, purpose)
    console.print(f"{c.uid} about {c.force}, received {c.received_at:%Y-%m-%d} by {c.channel}")
    for i in c.investigations:
        console.print(f"investigation {i.uid} ({i.mode}) opened {i.opened_at:%Y-%m-%d}")
    for a in c.allegations:
        console.print(f"allegation {a.uid}: {a.subject} ({a.rank_at_time}) {a.category}")
    table = Table("decision", "kind", "v", "value", "by", "approved by", "reason")
    for d in c.decisions:
        table.add_row(
            d.uid,
            d.kind,
            str(d.version),
            d.value or "",
            d.decided_by,
            d.approved_by or "",
            d.reason,
        )
    console.print(table)


@oversight_app.command("suspects")
def suspects(ctx: typer.Context) -> None:
    """Wall users named as suspects in records from them; alert standards and oversight."""
    app, actor = signed_in(ctx)
    found = app.oversight.officers_as_suspects(actor)
    if not found:
        console.print("no user of Candour is named as a suspect in a record")
    for hit in found:
        console.print(
            f"{hit.user}: walled from {len(hit.records)} record(s); alerted "
            f"{', '.join(hit.alerted) or 'nobody (no standards or oversight staff)'}"
        )
        table = Table("event", "time", "record", "purpose", title=f"earlier reads by {hit.user}")
        for r in hit.reads:
            table.add_row(str(r.event), f"{r.at:%Y-%m-%d %H:%M}", r.record, r.purpose or "")
        console.print(table)


@oversight_app.command("evidence")
def evidence(
    ctx: typer.Context,
    case: str = typer.Argument(...),
    out: Path = typer.Option(..., "--out", help="The bundle to write (.zip)."),
    purpose: str = PURPOSE,
    checkpoint: Path | None = typer.Option(
        None, "--checkpoint", help="A (cosigned) checkpoint file; default: the latest signed."
    ),
) -> None:
    """Write the case's evidence bundle: who-knew events, proofs, checkpoint, key, README."""
    app, actor = signed_in(ctx)
    summary = app.oversight.evidence(actor, case, out, purpose, checkpoint)
    console.print(
        f"wrote {out}: {summary['events']} events, proofs against the checkpoint of "
        f"{summary['tree_size']} events"
    )
    if summary["not_covered"]:
        console.print(
            f"[yellow]{summary['not_covered']} later events are not yet under a signed "
            "checkpoint and were left out[/]"
        )


@stats_app.command("oversight")
def stats_oversight(
    ctx: typer.Context,
    investigation_set: str | None = typer.Option(None, "--investigation-set", metavar="NAME"),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
) -> None:
    """Investigations, allegations, complainants, officers, findings, outcomes, timeliness."""
    if fmt not in ("table", "csv", "json"):
        raise ValidationError("'--format' must be table, csv or json", field="format")
    app, actor = signed_in(ctx)
    st = app.oversight.stats(actor, investigation_set)
    if fmt == "json":
        print(json.dumps(st.as_dict(), indent=2, sort_keys=True))
        return
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["section", "key", "value"])
        writer.writerows(("" if v is None else v for v in row) for row in st.rows())
        print(buf.getvalue(), end="")
        return
    table = Table("section", "", "value", title=f"Oversight: {investigation_set or 'all cases'}")
    for section, key, value in st.rows():
        table.add_row(section, key, "" if value is None else str(value))
    console.print(table)
