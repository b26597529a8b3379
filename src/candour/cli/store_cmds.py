"""`candour init`, `candour status`, `candour db upgrade`."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from candour.cli.context import console, ctx_obj
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
    from candour.store import masked
    from candour.store.bootstrap import initialise

    c = ctx_obj(ctx)
    settings = c.settings
    store = c.store(current=False)
    result = initialise(store, settings, admin, admin_name, _admin_password(password_file))
    key = "$CANDOUR_LEDGER_KEY" if settings.ledger_key else str(settings.effective_key_file)
    console.print(f"[bold green]Candour store ready[/] (schema {result.schema})")
    console.print(f"  data directory : {settings.home.resolve()}")
    console.print(f"  database       : {masked(store.engine.url)}")
    console.print(f"  signing key    : {key}")
    if not settings.ledger_key:
        console.print(f"  public key     : {public_key_path(settings)}")
    console.print(f"  verifier key   : {result.verifier.text()}", soft_wrap=True)
    console.print(f"  administrator  : {result.admin}")
    if result.password:
        console.print(f"  password       : {result.password}  [dim](shown once; keep it safe)[/]")


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
    from candour.ledger.log import head
    from candour.store import current_revision, head_revision, masked, table_counts

    c = ctx_obj(ctx)
    store = c.store(current=True)
    with store.reading() as session:
        counts = table_counts(session)
        size, root = head(session)
    console.print(f"database : {masked(store.engine.url)}")
    console.print(f"schema   : {current_revision(store.engine)} (code {head_revision()})")
    console.print(f"ledger   : {size} events, root {root.hex()}", soft_wrap=True)
    table = Table("table", "rows", title="Store contents")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    console.print(table)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Migrate the store to this code's schema (refuses a newer store)."""
    from candour.store import masked, upgrade

    store = ctx_obj(ctx).store(current=False)
    before, after = upgrade(store.engine)
    if before == after:
        console.print(f"{masked(store.engine.url)} is up to date (schema {after})")
    else:
        console.print(f"{masked(store.engine.url)} upgraded: {before or 'empty'} -> {after}")
