"""Backup and restore of a whole installation (store, keys, models, settings)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from candour.auth.capabilities import Capability, require
from candour.errors import ConfigError

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.store.access import Actor


class BackupService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def backup(self, actor: Actor, out: Path, passphrase: str) -> int:
        """An encrypted, consistent copy, taken while others write (SQLite)."""
        from sqlalchemy.engine import make_url

        from candour.store.backup import write_backup

        require(actor, Capability.MANAGE_USERS)
        url = make_url(self.app.settings.effective_database_url)
        if url.get_backend_name() != "sqlite":
            raise ConfigError(
                "this store is on PostgreSQL: back it up with pg_dump, and the data home with "
                "'candour backup' on a SQLite installation's layout (not yet built for PostgreSQL)"
            )
        self.app.store()  # a missing store is reported as such
        db = Path(url.database or "")
        return write_backup(self.app.settings.home, db, out, passphrase)

    def restore(self, backup: Path, home: Path, passphrase: str) -> int:
        """Decrypt a backup into a fresh data home (needs no sign-in: there is no store yet)."""
        from candour.store.backup import restore_backup

        return restore_backup(backup, home, passphrase)
