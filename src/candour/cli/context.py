"""What every command needs: settings, a connected store, and one way to show errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from candour.errors import ConfigError

if TYPE_CHECKING:
    from candour.settings import Settings
    from candour.store import Store

console = Console()
err_console = Console(stderr=True)


@dataclass
class Context:
    """Global options, resolved lazily so that `--help` never touches the store."""

    db: str | None = None
    home: Path | None = None
    _store: Store | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        from pydantic import ValidationError

        from candour.settings import get_settings

        try:
            return get_settings(database_url=self.db, home=self.home)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"settings: '{where}': {first['msg']}") from None

    def store(self, *, current: bool = True) -> Store:
        """The connected store; with `current`, fail unless its schema is this code's."""
        from candour.store import Store, require_current

        if self._store is None:
            s = self.settings
            self._store = Store.connect(
                s.effective_database_url,
                busy_timeout_ms=s.sqlite_busy_timeout_ms,
                sqlite_cache_mb=s.sqlite_cache_mb,
            )
        if current:
            require_current(self._store.engine)
        return self._store


def ctx_obj(typer_ctx: Any) -> Context:
    obj = typer_ctx.find_root().obj
    assert isinstance(obj, Context)
    return obj


def acting(ctx: Context, identifier: str | None) -> Any:
    """The user a CLI write is attributed to (`--as`, else CANDOUR_USER, else 'admin')."""
    import os

    from candour.store import actor_for, get_user

    ident = identifier or os.environ.get("CANDOUR_USER") or "admin"
    with ctx.store().reading() as session:
        return actor_for(get_user(session, ident))


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
