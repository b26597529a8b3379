"""`candour record show / history`: one record, through the gate."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from candour.cli.context import BREAK_GLASS, PURPOSE, console, safe, signed_in, visible

record_app = typer.Typer(
    help="Read a record (need-to-know; every read is logged).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(record_app, name="record")


@record_app.command("show")
def show(
    ctx: typer.Context,
    uid: str = typer.Argument(..., help="Record id."),
    purpose: str = PURPOSE,
    break_glass: str | None = BREAK_GLASS,
) -> None:
    """The current version of a record."""
    app, actor = signed_in(ctx)
    r = app.records.show(actor, uid, purpose, break_glass)
    if r.break_glass:
        console.print("[bold red]break-glass read: flagged for review[/]")
    console.print(
        f"{r.uid} (version {r.version} of {r.root_uid}) {r.kind}, "
        f"received {r.received_at:%Y-%m-%d %H:%M}"
    )
    if r.title:
        console.print(visible(r.title), markup=False, highlight=False)
    if r.fields:
        console.print_json(json.dumps(r.fields, default=str))
    if r.body:
        console.print(visible(r.body), markup=False, highlight=False)


@record_app.command("history")
def history(
    ctx: typer.Context,
    uid: str = typer.Argument(..., help="Record id."),
    purpose: str = PURPOSE,
    break_glass: str | None = BREAK_GLASS,
) -> None:
    """Every version, decision, escalation, assignment and ledger event of a record."""
    app, actor = signed_in(ctx)
    h = app.records.history(actor, uid, purpose, break_glass)
    table = Table("event", "time", "action", "by", "rank", "purpose", title=f"History of {uid}")
    for e in h.events:
        table.add_row(
            str(e.idx),
            f"{e.ts:%Y-%m-%d %H:%M}",
            e.action,
            str(e.actor_id or ""),
            e.actor_rank or "",
            safe(e.purpose or ""),
        )
    console.print(table)
    console.print(
        f"{len(h.versions)} versions, {len(h.decisions)} decisions, "
        f"{len(h.escalations)} escalations, {len(h.assignments)} assignments"
    )
