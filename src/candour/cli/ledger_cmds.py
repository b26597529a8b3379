"""`candour ledger ...` and `candour who-knew`."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from candour.cli.context import (
    BREAK_GLASS,
    PURPOSE,
    console,
    err_console,
    parse_time,
    progress_bar,
    safe,
    signed_in,
    writable_file,
)
from candour.errors import LedgerIntegrityError, ValidationError

ledger_app = typer.Typer(
    help="The tamper-evident ledger: checkpoints, proofs, verification.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(ledger_app, name="ledger")
    app.command("who-knew")(who_knew)


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text)
        err_console.print(f"written to {out}")


@ledger_app.command("checkpoint")
def checkpoint(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help="Write the signed checkpoint here."),
) -> None:
    """Sign the current tree head (C2SP checkpoint) for an outside body to hold."""
    writable_file(out)
    app, actor = signed_in(ctx)
    _, note = app.ledger.checkpoint(actor)
    _write(note, out)


@ledger_app.command("verify")
def verify(
    ctx: typer.Context,
    checkpoint_file: Path | None = typer.Option(
        None, "--checkpoint", help="Signed checkpoint to check against (default: the latest made)."
    ),
    key: Path | None = typer.Option(None, "--key", help="Verifier (public) key file."),
) -> None:
    """Rebuild the tree from stored events; check checkpoint, interior nodes and stored data."""
    app, actor = signed_in(ctx)
    total = app.ledger.size()
    with progress_bar("verifying") as bar:
        task = bar.add_task("events", total=total)
        report = app.ledger.verify(
            actor, checkpoint_file, key, lambda n: bar.update(task, completed=n)
        )
    if not report.intact:
        first = report.findings[0]
        for f in report.findings[1:]:
            err_console.print(f"  also: {f}", highlight=False)
        raise LedgerIntegrityError(f"ledger NOT intact: first divergence at {first}")
    cp = report.checkpoint
    against = f"checkpoint of size {cp.size} ({cp.time})" if cp else "no checkpoint"
    console.print(
        f"ledger intact: {report.events} events, root {report.root.hex()}, "
        f"{report.rows_checked} data rows match; checked against {against}"
    )
    for warning in getattr(report, "warnings", []):
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)


@ledger_app.command("prove")
def prove(
    ctx: typer.Context,
    event_id: int = typer.Argument(..., help="Event index (as shown by who-knew)."),
    purpose: str = PURPOSE,
    checkpoint_file: Path | None = typer.Option(
        None, "--checkpoint", help="Prove against this checkpoint's size."
    ),
    key: Path | None = typer.Option(None, "--key", help="Verifier (public) key file."),
    out: Path | None = typer.Option(None, "--out"),
) -> None:
    """An inclusion proof of one event, as JSON (checkable with python -m candour.ledger.verify).
    The event names who did what to which record: proving it is a read of that record."""
    writable_file(out)
    app, actor = signed_in(ctx)
    cp = app.ledger.load_checkpoint(checkpoint_file, key) if checkpoint_file else None
    proof = app.ledger.prove(actor, event_id, cp.size if cp else None, purpose)
    _write(json.dumps(proof, indent=2) + "\n", out)


@ledger_app.command("consistency")
def consistency(
    ctx: typer.Context,
    old: str = typer.Argument(..., help="Older checkpoint file, or a tree size."),
    new: str = typer.Argument(..., help="Newer checkpoint file, or a tree size."),
    key: Path | None = typer.Option(None, "--key", help="Verifier (public) key file."),
    out: Path | None = typer.Option(None, "--out"),
) -> None:
    """A consistency proof that the newer tree extends the older one unchanged."""
    writable_file(out)
    app, actor = signed_in(ctx)
    sizes = [_size(app, arg, key) for arg in (old, new)]
    proof = app.ledger.consistency(actor, sizes[0], sizes[1])
    _write(json.dumps(proof, indent=2) + "\n", out)


def _size(app: Any, arg: str, key: Path | None) -> int:
    if arg.isdigit():
        return int(arg)
    cp = app.ledger.load_checkpoint(Path(arg), key)
    return int(cp.size)


@ledger_app.command("export")
def export(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="File to write: one event's leaf bytes per line."),
    purpose: str = PURPOSE,
) -> None:
    """Export the whole log for an outside body to verify with the public key alone (a
    disclosure of every record it names, logged on each)."""
    writable_file(out)
    app, actor = signed_in(ctx)
    n = app.ledger.export(actor, out, purpose)
    err_console.print(f"exported {n} events to {out}")


@ledger_app.command("as-of")
def as_of(
    ctx: typer.Context,
    record: str = typer.Argument(..., help="Record id."),
    at: str = typer.Option(..., "--at", help="Time (ISO 8601, UTC if no zone)."),
    purpose: str = PURPOSE,
    break_glass: str | None = BREAK_GLASS,
) -> None:
    """How a record stood at a past time: version, decisions, escalations, assignments, reads."""
    from dataclasses import asdict

    app, actor = signed_in(ctx)
    when = parse_time(at, "at")
    assert when is not None
    state = app.records.as_of(actor, record, when, purpose, break_glass)
    console.print_json(json.dumps(asdict(state)))


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


_CSV_FIELDS = ["time", "user", "name", "rank", "action", "purpose", "break_glass", "record",
               "event", "leaf_hash", "logged"]  # fmt: skip


def who_knew(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="Person (entity id) or record id."),
    purpose: str = PURPOSE,
    before: str | None = typer.Option(None, "--before", help="Only events before this date."),
    min_rank: str | None = typer.Option(
        None, "--min-rank", help="Only users of at least this rank at the time (e.g. Insp)."
    ),
    fmt: Format = typer.Option(Format.table, "--format"),
    break_glass: str | None = BREAK_GLASS,
) -> None:
    """Everyone who created, read, was assigned, escalated to or decided on records naming
    a person (or one record), in time order, with rank at the time, the purpose they gave and
    the event that proves it (--format json adds an inclusion proof per row).
    """
    from candour.store.enums import Rank

    try:
        rank = Rank.parse(min_rank) if min_rank else None
    except ValueError:
        raise ValidationError("unknown rank", field="min-rank") from None
    app, actor = signed_in(ctx)
    answer = app.ledger.who_knew(actor, target, purpose, before=parse_time(before, "before"),
                                 min_rank=rank, proofs=fmt is Format.json,
                                 break_glass=break_glass)  # fmt: skip
    rows = answer.rows
    if fmt is Format.json:
        data = [{**r.as_dict(), "proof": answer.proofs.get(r.event)} for r in rows]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    elif fmt is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=_CSV_FIELDS)
        writer.writeheader()
        writer.writerows({k: r.as_dict()[k] for k in _CSV_FIELDS} for r in rows)
    else:
        table = Table("time", "user", "name", "rank", "action", "purpose", "record", "event",
                      title=f"Who knew: {target} ({len(rows)} rows)")  # fmt: skip
        for r in rows:
            action = r.action + (" [bold red](break-glass)[/]" if r.break_glass else "")
            table.add_row(r.time[:19], r.user, safe(r.name), r.rank or "", action,
                          safe(r.purpose or ""), r.record, str(r.event))  # fmt: skip
        console.print(table)
