"""`candour backup OUT` and `candour restore IN --home DIR`."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from candour.cli.context import console, ctx_obj, signed_in
from candour.errors import ConfigError


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)


def _passphrase(path: Path | None) -> str:
    if path is not None:
        try:
            return path.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the key ({exc.strerror})") from None
    if os.environ.get("CANDOUR_BACKUP_KEY"):
        return os.environ["CANDOUR_BACKUP_KEY"]
    return str(typer.prompt("Backup passphrase", hide_input=True, err=True))


def backup(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="The encrypted backup file to write (must be new)."),
    key_file: Path | None = typer.Option(None, "--key-file", help="The operator's passphrase."),
) -> None:
    """An online, consistent, encrypted copy of the store, keys, models and settings."""
    app, actor = signed_in(ctx)
    size = app.backups.backup(actor, out, _passphrase(key_file))
    console.print(f"backup written to {out} ({size:,} bytes, encrypted)")


def restore(
    ctx: typer.Context,
    backup_file: Path = typer.Argument(
        ..., metavar="IN", help="A backup made by 'candour backup'."
    ),
    into: Path = typer.Option(..., "--into", help="A new, empty data directory."),
    key_file: Path | None = typer.Option(None, "--key-file", help="The operator's passphrase."),
) -> None:
    """Restore a backup into a fresh data directory; then run 'candour ledger verify' there."""
    n = ctx_obj(ctx).app.backups.restore(backup_file, into, _passphrase(key_file))
    console.print(
        f"restored {n} files into {into}; verify with CANDOUR_HOME={into} candour ledger verify"
    )
