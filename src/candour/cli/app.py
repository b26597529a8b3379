"""Entry point: global options, sub-command groups, and errors turned into exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import typer

# Typer 0.29 carries its own Click; its usage errors are these classes, not click's.
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperGroup, TyperOption

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
from candour.cli.context import Context, err_console, safe
from candour.errors import CandourError

_value_label = TyperOption.display_type_rich


def _flag_label(self: TyperOption, ctx: Any) -> str | None:
    """Flags take no value, so help shows none (Typer 0.29 labels them `<bool>`, which reads as
    if `--flag true` were accepted; it is refused)."""
    return None if self.is_flag else _value_label(self, ctx)


TyperOption.display_type_rich = _flag_label  # type: ignore[method-assign]


class _Group(TyperGroup):
    """Turns a CandourError anywhere below into one line on stderr and its exit code, and a
    command line Click refuses (a missing file, an unknown option or value) into one line and
    exit 2, instead of a box."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as exc:
            _usage_error(exc)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CandourError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except UsageError as exc:
            _usage_error(exc)


#: The exit status of a command line that cannot be run as written (Click's own code for it).
USAGE_EXIT = 2


def _usage_error(exc: UsageError) -> NoReturn:
    if isinstance(exc, NoArgsIsHelpError):
        raise exc
    where = exc.ctx.command_path if exc.ctx is not None else "candour"
    message = " ".join(exc.format_message().split()).rstrip(".")
    err_console.print(
        f"[bold red]error:[/] {safe(message)} (see '{where} --help')",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(USAGE_EXIT) from None


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
