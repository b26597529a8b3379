"""`candour backup OUT` and `candour restore IN --home DIR`."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from candour.cli.context import (
    console,
    ctx_obj,
    readable_file,
    signed_in,
    writable_file,
    writable_folder,
)
from candour.errors import ConfigError, ValidationError


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)


def _passphrase(path: Path | None, *, confirm: bool = False) -> str:
    if path is not None:
        try:
            return path.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the key ({exc.strerror})") from None
    if os.environ.get("CANDOUR_BACKUP_KEY"):
        return os.environ["CANDOUR_BACKUP_KEY"]
    return str(
        typer.prompt("Backup passphrase", hide_input=True, err=True, confirmation_prompt=confirm)
    )


def backup(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="The encrypted backup file to write (must be new)."),
    key_file: Path | None = typer.Option(None, "--key-file", help="The operator's passphrase."),
) -> None:
    """An online, consistent, encrypted copy of the store, keys, models and settings."""
    writable_file(out)
    if out.exists():
        raise ValidationError("exists: refusing to overwrite a backup", source=str(out))
    app, actor = signed_in(ctx)
    size = app.backups.backup(actor, out, _passphrase(key_file, confirm=True))
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
    readable_file(backup_file)
    writable_folder(into)
    n = ctx_obj(ctx).app.backups.restore(backup_file, into, _passphrase(key_file))
    console.print(
        f"restored {n} files into {into}; verify with CANDOUR_HOME={into} candour ledger verify"
    )
