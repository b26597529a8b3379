"""`candour ingest`, `candour intake quarantine|retry`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from candour.cli.context import console, err_console, safe, signed_in, visible
from candour.errors import ValidationError

# The exit status of an ingest that stored every good row but quarantined at least one.
QUARANTINED = 10

intake_app = typer.Typer(help="Quarantine: what intake could not take in.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.add_typer(intake_app, name="intake")


def ingest(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files and folders (read recursively)."),
    kind: str | None = typer.Option(None, "--kind", help="Record kind for documents."),
    agency: str | None = typer.Option(None, "--agency", help="Agency code for documents."),
) -> None:
    """Ingest records (JSONL, CSV) and documents (txt, md, html, eml, docx, pdf)."""
    app, actor = signed_in(ctx)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("ingesting")
        summary = app.pipeline.ingest(
            actor, paths, kind, agency,
            progress=lambda p: bar.update(task, description=f"ingesting {p.name}"),
        )  # fmt: skip
    console.print(
        f"files {summary.files:,}  read {summary.read:,}  ingested {summary.ingested:,}  "
        f"already present {summary.already_present:,}  "
        f"quarantined {summary.quarantined:,}"
    )
    console.print(f"mentions {summary.mentions:,}  decisions {summary.decisions:,}")
    if summary.reasons:
        for reason, n in sorted(summary.reasons.items(), key=lambda kv: -kv[1]):
            console.print(f"  quarantined: {n:,} x {safe(reason)}")
        console.print("  see 'candour intake quarantine'")
    if summary.quarantined:
        # Stored what was good; a script must still notice that something was not.
        raise typer.Exit(QUARANTINED)


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
) -> None:
    """List quarantined rows and files, with file, row, field and reason."""
    app, actor = signed_in(ctx)
    if show is not None:
        item = app.pipeline.quarantine_item(actor, show, purpose)
        console.print(f"id       : {item.id} ({item.status})")
        console.print(f"source   : {safe(item.source)} {safe(item.locator or '')}")
        console.print(f"field    : {safe(item.field or '-')}")
        console.print(f"reason   : {safe(item.message)}")
        kept = len(item.raw)
        whole = "whole" if kept >= item.raw_size else f"an excerpt of {item.raw_size:,}"
        console.print(f"raw      : {kept:,} bytes kept ({whole}; sha256 {item.raw_hash})")
        console.print(f"seen     : {item.sightings} time(s)")
        console.print(
            visible(item.raw[:2000].decode("utf-8", errors="replace")),
            markup=False,
            highlight=False,
        )
        return
    items = app.pipeline.quarantine(actor, include_resolved=all_items)
    table = Table(
        "id",
        "source",
        "where",
        "field",
        "reason",
        "seen",
        "status",
        title=f"Quarantine ({len(items)} items)",
    )
    for i in items:
        table.add_row(
            str(i.id),
            safe(Path(i.source).name),
            safe(i.locator or ""),
            safe(i.field or ""),
            safe(i.message),
            str(i.sightings),
            i.status,
        )
    console.print(table)


@intake_app.command("retry")
def retry(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., help="Quarantine item id."),
    from_file: Path | None = typer.Option(None, "--from", help="Corrected content to use."),
) -> None:
    """Retry a quarantined item after a fix (the source as it is now, or --from FILE)."""
    app, actor = signed_in(ctx)
    ok, message = app.pipeline.retry(actor, item_id, from_file)
    if not ok:
        raise ValidationError(f"quarantine item {item_id} still fails: {message}")
    console.print(f"quarantine item {item_id} resolved: {message}")
