"""`candour ingest`, `candour intake quarantine|retry`, `candour users import`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from candour.cli.context import acting, console, ctx_obj, err_console
from candour.errors import ValidationError

intake_app = typer.Typer(help="Quarantine: what intake could not take in.", no_args_is_help=True)
users_app = typer.Typer(help="Agencies and users.", no_args_is_help=True)
AS = typer.Option(None, "--as", help="Acting user's identifier (default CANDOUR_USER or admin).")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.add_typer(intake_app, name="intake")
    app.add_typer(users_app, name="users")


def ingest(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files and folders (read recursively)."),
    kind: str | None = typer.Option(None, "--kind", help="Record kind for documents."),
    agency: str | None = typer.Option(None, "--agency", help="Agency code for documents."),
    as_user: str | None = AS,
) -> None:
    """Ingest records (JSONL, CSV) and documents (txt, md, html, eml, docx, pdf)."""
    from candour.intake import Options
    from candour.intake import ingest as run
    from candour.store.enums import RecordKind

    if kind is not None and kind not in {k.value for k in RecordKind}:
        raise ValidationError(f"unknown record kind '{kind}'", field="kind")
    for p in paths:
        if not p.exists():
            raise ValidationError("no such file or folder", source=str(p))
    c = ctx_obj(ctx)
    actor = acting(c, as_user)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("ingesting")
        summary = run(
            c.store(),
            paths,
            actor,
            Options(kind=kind, agency=agency),
            progress=lambda p: bar.update(task, description=f"ingesting {p.name}"),
            workers=c.settings.intake_workers,
        )
    console.print(
        f"files {summary.files:,}  read {summary.read:,}  ingested {summary.ingested:,}  "
        f"already present {summary.already_present:,}  "
        f"quarantined {summary.quarantined:,}"
    )
    console.print(f"mentions {summary.mentions:,}  decisions {summary.decisions:,}")
    if summary.reasons:
        for reason, n in sorted(summary.reasons.items(), key=lambda kv: -kv[1]):
            console.print(f"  quarantined: {n:,} x {reason}")
        console.print("  see 'candour intake quarantine'")


@intake_app.command("quarantine")
def quarantine(
    ctx: typer.Context,
    show: int | None = typer.Option(None, "--show", help="Show one item in full (logged)."),
    purpose: str = typer.Option(
        "data quality review",
        "--purpose",
        help="Why you are looking (with --show; goes to the ledger).",
    ),
    all_items: bool = typer.Option(False, "--all", help="Include resolved items."),
    as_user: str | None = AS,
) -> None:
    """List quarantined rows and files, with file, row, field and reason."""
    from candour.intake import consult_item, list_items

    c = ctx_obj(ctx)
    if show is not None:
        item = consult_item(c.store(), show, acting(c, as_user), purpose)
        console.print(f"id       : {item.id} ({item.status})")
        console.print(f"source   : {item.source} {item.locator or ''}")
        console.print(f"field    : {item.field or '-'}")
        console.print(f"reason   : {item.message}")
        console.print(f"raw      : {item.raw_size:,} bytes kept")
        console.print(
            item.raw[:2000].decode("utf-8", errors="replace"), markup=False, highlight=False
        )
        return
    with c.store().reading() as session:
        items = list_items(session, status=None if all_items else "open")
    table = Table(
        "id",
        "source",
        "where",
        "field",
        "reason",
        "status",
        title=f"Quarantine ({len(items)} items)",
    )
    for i in items:
        table.add_row(
            str(i.id), Path(i.source).name, i.locator or "", i.field or "", i.message, i.status
        )
    console.print(table)


@intake_app.command("retry")
def retry(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., help="Quarantine item id."),
    from_file: Path | None = typer.Option(None, "--from", help="Corrected content to use."),
    as_user: str | None = AS,
) -> None:
    """Retry a quarantined item after a fix (the source as it is now, or --from FILE)."""
    from candour.intake import retry as run

    c = ctx_obj(ctx)
    ok, message = run(c.store(), item_id, acting(c, as_user), from_file)
    if not ok:
        raise ValidationError(f"quarantine item {item_id} still fails: {message}")
    console.print(f"quarantine item {item_id} resolved: {message}")


@users_app.command("import")
def users_import(
    ctx: typer.Context,
    agencies: Path | None = typer.Option(None, "--agencies", help="CSV: code,name,kind"),
    users: Path | None = typer.Option(
        None, "--users", help="CSV: identifier,name,rank,role,agency,unit,supervisor"
    ),
    as_user: str | None = AS,
) -> None:
    """Import agencies and users (re-runnable; existing ones are left as they are)."""
    from candour.intake import import_workforce

    c = ctx_obj(ctx)
    s = import_workforce(c.store(), agencies, users, acting(c, as_user))
    console.print(f"agencies {s.agencies}  users {s.users}  already present {s.already_present}")
