"""What every command needs: the application object, the signed-in actor, one way to show
errors. The CLI holds no session and no ORM object: it calls the application object only."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from candour.errors import AuthenticationError, ConfigError, ValidationError

if TYPE_CHECKING:
    from candour.app import Candour
    from candour.store.access import Actor

console = Console()
err_console = Console(stderr=True)

PURPOSE = typer.Option(..., "--purpose", help="Why you are looking (kept in the ledger).")
BREAK_GLASS = typer.Option(
    None,
    "--break-glass",
    metavar="REASON",
    help="Read without need-to-know, giving a written reason; flagged and reviewed.",
)


@dataclass
class Context:
    """Global options, resolved lazily so that `--help` never touches the store."""

    db: str | None = None
    home: Path | None = None
    _app: Candour | None = field(default=None, repr=False)

    @property
    def app(self) -> Candour:
        from candour.app import Candour

        if self._app is None:
            self._app = Candour.from_options(database_url=self.db, home=self.home)
        return self._app

    @property
    def token_file(self) -> Path:
        return self.app.settings.effective_token_file

    def token(self) -> str | None:
        path = self.token_file
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the session token ({exc.strerror})") from None
        return text or None

    def actor(self) -> Actor:
        """The signed-in user (`candour login`); nothing about a child is read without one."""
        self.app.store()  # a store that is missing or of another schema says so first
        token = self.token()
        if token is None:
            raise AuthenticationError("not signed in: run 'candour login'")
        return self.app.identity.actor(token)

    def keep_token(self, token: str) -> Path:
        """Write the token where only this OS user can read it (0600 in a 0700 folder)."""
        path = self.token_file
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path.parent, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(token + "\n")
        os.chmod(path, 0o600)
        return path

    def forget_token(self) -> None:
        self.token_file.unlink(missing_ok=True)


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c != 0x0A}


def visible(text: object) -> str:
    """Control characters made visible (for text printed with markup off)."""
    return str(text).translate(_CONTROL)


def safe(text: object) -> str:
    """Text from the store or from files as the terminal should show it: control characters
    (terminal escapes among them) made visible, and rich's markup brackets escaped."""
    from rich.markup import escape

    return escape(str(text).translate(_CONTROL))


def parse_time(value: str | None, name: str) -> datetime | None:
    """A date or time given on the command line (UTC unless it says otherwise)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("not a date or time (use YYYY-MM-DD[THH:MM])", field=name) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def writable_file(out: Path | None) -> None:
    """Refuse an output file that cannot be written, before anything is made or logged."""
    if out is None:
        return
    if out.is_dir():
        raise ValidationError("is a folder: name a file", source=str(out))
    if not out.parent.is_dir():
        raise ValidationError("no such folder", source=str(out.parent))


def writable_folder(out: Path) -> None:
    """Refuse an output folder with a file in the way (a new folder is made, with parents)."""
    if out.exists() and not out.is_dir():
        raise ValidationError("exists and is not a folder", source=str(out))


def readable_file(path: Path) -> None:
    """Refuse an input file that is missing or is a folder, before anything is done."""
    if path.is_dir():
        raise ValidationError("is a folder: name a file", source=str(path))
    if not path.is_file():
        raise ValidationError("no such file", source=str(path))


def ctx_obj(typer_ctx: Any) -> Context:
    obj = typer_ctx.find_root().obj
    assert isinstance(obj, Context)
    return obj


def signed_in(typer_ctx: Any) -> tuple[Candour, Actor]:
    c = ctx_obj(typer_ctx)
    return c.app, c.actor()


def progress_bar(label: str) -> Any:
    """The one progress display long commands share: on stderr, gone when done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    return Progress(
        label,
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
