"""Entry point: global options, sub-command groups, and errors turned into exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from candour import __version__
from candour.cli import (
    auth_cmds,
    backup_cmds,
    demo_cmds,
    extract_cmds,
    graph_cmds,
    intake_cmds,
    ledger_cmds,
    link_cmds,
    oversight_cmds,
    publish_cmds,
    record_cmds,
    rules_cmds,
    store_cmds,
    synth_cmds,
    web_cmds,
    witness_cmds,
)
from candour.cli.context import Context, err_console
from candour.errors import CandourError


class _Group(TyperGroup):
    """Turns a CandourError anywhere below into one line on stderr and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CandourError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    name="candour",
    cls=_Group,
    help="Candour: safeguarding case, intelligence and accountability system.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"candour {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(None, "--db", help="Database URL (overrides settings)."),
    home: Path | None = typer.Option(None, "--home", help="Data directory (CANDOUR_HOME)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    ctx.obj = Context(db=db, home=home)


store_cmds.register(app)
auth_cmds.register(app)
backup_cmds.register(app)
record_cmds.register(app)
ledger_cmds.register(app)
synth_cmds.register(app)
intake_cmds.register(app)
demo_cmds.register(app)
rules_cmds.register(app)
extract_cmds.register(app)
link_cmds.register(app)
graph_cmds.register(app)
web_cmds.register(app)
publish_cmds.register(app)
oversight_cmds.register(app)
witness_cmds.register(app)


def main() -> None:
    app()
