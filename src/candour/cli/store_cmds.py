"""`candour init`, `candour status`, `candour db upgrade`."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from candour.cli.context import console, ctx_obj, signed_in
from candour.errors import ConfigError

db_app = typer.Typer(help="Store schema management.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
    app.add_typer(db_app, name="db")


def init(
    ctx: typer.Context,
    admin: str = typer.Option("admin", help="Identifier of the first administrator."),
    admin_name: str = typer.Option("Administrator", help="Name of the first administrator."),
    password_file: Path | None = typer.Option(
        None,
        help="File holding the administrator's password (else CANDOUR_ADMIN_PASSWORD, "
        "else one is generated and shown once).",
    ),
) -> None:
    """Create or migrate the store, create the first administrator, show where everything lives."""
    from candour.ledger.keys import public_key_path

    c = ctx_obj(ctx)
    settings = c.app.settings
    result = c.app.admin.initialise(admin, admin_name, _admin_password(password_file))
    key = "$CANDOUR_LEDGER_KEY" if settings.ledger_key else str(settings.effective_key_file)
    console.print(f"[bold green]Candour store ready[/] (schema {result.schema})")
    console.print(f"  data directory : {settings.home.resolve()}")
    console.print(f"  database       : {result.database}")
    console.print(f"  signing key    : {key}")
    if not settings.ledger_key:
        console.print(f"  public key     : {public_key_path(settings)}")
    console.print(f"  verifier key   : {result.verifier.text()}", soft_wrap=True)
    console.print(f"  administrator  : {result.admin}")
    if result.password:
        console.print(f"  password       : {result.password}  [dim](shown once; keep it safe)[/]")
    console.print("  next           : candour login --user " + result.admin)


def _admin_password(path: Path | None) -> str | None:
    if path is not None:
        try:
            text = path.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read password file ({exc.strerror})") from None
        if not text:
            raise ConfigError(f"{path}: password file is empty")
        return text
    return os.environ.get("CANDOUR_ADMIN_PASSWORD") or None


def status(ctx: typer.Context) -> None:
    """Schema version, database (password hidden), ledger head and counts per table."""
    app, actor = signed_in(ctx)
    st = app.admin.status(actor)
    console.print(f"database : {st['database']}")
    console.print(f"schema   : {st['schema']} (code {st['code']})")
    console.print(f"ledger   : {st['events']} events, root {st['root']}", soft_wrap=True)
    table = Table("table", "rows", title="Store contents")
    for name, n in st["counts"].items():
        table.add_row(name, f"{n:,}")
    console.print(table)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Migrate the store to this code's schema (refuses a newer store). Like `init`, it needs
    no sign-in: whoever runs it holds the database itself."""
    app = ctx_obj(ctx).app
    before, after = app.admin.upgrade_schema()
    where = app.admin.database_name()
    if before == after:
        console.print(f"{where} is up to date (schema {after})")
    else:
        console.print(f"{where} upgraded: {before or 'empty'} -> {after}")
