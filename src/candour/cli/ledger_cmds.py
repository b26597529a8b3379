"""`candour ledger ...` and `candour who-knew`."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from candour.cli.context import console, ctx_obj, err_console, progress_bar
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


def _parse_time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"'{value}' is not a date or time (use YYYY-MM-DD[THH:MM])", field=name
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@ledger_app.command("checkpoint")
def checkpoint(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help="Write the signed checkpoint here."),
) -> None:
    """Sign the current tree head (C2SP checkpoint) for an outside body to hold."""
    from candour.ledger.checkpoint import make_checkpoint
    from candour.ledger.keys import load_signer

    c = ctx_obj(ctx)
    signer = load_signer(c.settings)
    with c.store().transaction() as session:
        _, note = make_checkpoint(session, signer, c.settings.ledger_origin)
    _write(note, out)


def _load_checkpoint(ctx: typer.Context, path: Path | None, key: Path | None) -> Any:
    from candour.ledger.checkpoint import latest_note, read_checkpoint_file
    from candour.ledger.keys import load_verifier
    from candour.ledger.note import open_checkpoint

    c = ctx_obj(ctx)
    verifier = load_verifier(c.settings, key)
    if path is not None:
        return read_checkpoint_file(path, verifier)
    with c.store().reading() as session:
        note = latest_note(session)
    return open_checkpoint(note, verifier) if note else None


@ledger_app.command("verify")
def verify(
    ctx: typer.Context,
    checkpoint_file: Path | None = typer.Option(
        None, "--checkpoint", help="Signed checkpoint to check against (default: the latest made)."
    ),
    key: Path | None = typer.Option(None, "--key", help="Verifier (public) key file."),
) -> None:
    """Rebuild the tree from stored events; check checkpoint, interior nodes and stored data."""
    from candour.ledger.integrity import verify as run_verify
    from candour.ledger.log import head

    cp = _load_checkpoint(ctx, checkpoint_file, key)
    store = ctx_obj(ctx).store()
    with store.reading() as session:
        total, _ = head(session)
        with progress_bar("verifying") as bar:
            task = bar.add_task("events", total=total)
            report = run_verify(session, cp, lambda n: bar.update(task, completed=n))
    if not report.intact:
        first = report.findings[0]
        for f in report.findings[1:]:
            err_console.print(f"  also: {f}", highlight=False)
        raise LedgerIntegrityError(f"ledger NOT intact: first divergence at {first}")
    against = f"checkpoint of size {cp.size} ({cp.time})" if cp else "no checkpoint"
    console.print(
        f"ledger intact: {report.events} events, root {report.root.hex()}, "
        f"{report.rows_checked} data rows match; checked against {against}"
    )


@ledger_app.command("prove")
def prove(
    ctx: typer.Context,
    event_id: int = typer.Argument(..., help="Event index (as shown by who-knew)."),
    checkpoint_file: Path | None = typer.Option(
        None, "--checkpoint", help="Prove against this checkpoint's size."
    ),
    key: Path | None = typer.Option(None, "--key", help="Verifier (public) key file."),
    out: Path | None = typer.Option(None, "--out"),
) -> None:
    """An inclusion proof of one event, as JSON (checkable with python -m candour.ledger.verify)."""
    from candour.ledger.log import inclusion_proof

    cp = _load_checkpoint(ctx, checkpoint_file, key) if checkpoint_file else None
    with ctx_obj(ctx).store().reading() as session:
        proof = inclusion_proof(session, event_id, cp.size if cp else None)
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
    from candour.ledger.log import consistency_proof

    sizes = [_size(ctx, arg, key) for arg in (old, new)]
    with ctx_obj(ctx).store().reading() as session:
        proof = consistency_proof(session, sizes[0], sizes[1])
    _write(json.dumps(proof, indent=2) + "\n", out)


def _size(ctx: typer.Context, arg: str, key: Path | None) -> int:
    if arg.isdigit():
        return int(arg)
    cp = _load_checkpoint(ctx, Path(arg), key)
    return int(cp.size)


@ledger_app.command("export")
def export(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="File to write: one event's leaf bytes per line."),
) -> None:
    """Export the whole log for an outside body to verify with the public key alone."""
    from sqlalchemy import select

    from candour.ledger.log import row_leaf_bytes
    from candour.store.models import LedgerEvent

    n = 0
    with ctx_obj(ctx).store().reading() as session, out.open("wb") as fh:
        stmt = select(LedgerEvent).order_by(LedgerEvent.idx).execution_options(yield_per=20_000)
        for ev in session.scalars(stmt):
            fh.write(row_leaf_bytes(ev) + b"\n")
            n += 1
    err_console.print(f"exported {n} events to {out}")


@ledger_app.command("as-of")
def as_of(
    ctx: typer.Context,
    record: str = typer.Argument(..., help="Record id."),
    at: str = typer.Option(..., "--at", help="Time (ISO 8601, UTC if no zone)."),
) -> None:
    """How a record stood at a past time: version, decisions, escalations, assignments, reads."""
    from dataclasses import asdict

    from candour.ledger.asof import record_as_of

    when = _parse_time(at, "at")
    assert when is not None
    with ctx_obj(ctx).store().reading() as session:
        state = record_as_of(session, record, when)
    console.print_json(json.dumps(asdict(state)))


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def who_knew(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="Person (entity id) or record id."),
    before: str | None = typer.Option(None, "--before", help="Only events before this date."),
    min_rank: str | None = typer.Option(
        None, "--min-rank", help="Only users of at least this rank at the time (e.g. Insp)."
    ),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Everyone who created, read, was assigned, escalated to or decided on records naming
    a person (or one record), with rank at the time and the event that proves it.
    """
    from candour.ledger.whoknew import who_knew as query
    from candour.store.enums import Rank

    try:
        rank = Rank.parse(min_rank) if min_rank else None
    except ValueError:
        raise ValidationError(f"unknown rank '{min_rank}'", field="min-rank") from None
    with ctx_obj(ctx).store().reading() as session:
        rows = query(session, target, before=_parse_time(before, "before"), min_rank=rank)
    if fmt is Format.json:
        sys.stdout.write(json.dumps([r.as_dict() for r in rows], indent=2) + "\n")
    elif fmt is Format.csv:
        fields = (
            list(rows[0].as_dict())
            if rows
            else ["time", "user", "name", "rank", "action", "record", "event", "leaf_hash"]
        )
        writer = csv.DictWriter(sys.stdout, fieldnames=fields)
        writer.writeheader()
        writer.writerows(r.as_dict() for r in rows)
    else:
        table = Table(
            "time",
            "user",
            "name",
            "rank",
            "action",
            "record",
            "event",
            title=f"Who knew: {target} ({len(rows)} rows)",
        )
        for r in rows:
            table.add_row(
                r.time[:19], r.user, r.name, r.rank or "", r.action, r.record, str(r.event)
            )
        console.print(table)
