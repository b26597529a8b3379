"""The application object: built once from settings, it owns the store, the model folder, the
signing key and the lexicon, and exposes every service. The CLI, the demo and the web app
receive it and nothing else (as Datasette's one object serves its CLI and its ASGI app).
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from candour.errors import ConfigError

if TYPE_CHECKING:
    from candour.app.admin import AdminService
    from candour.app.backup import BackupService
    from candour.app.casefile import CaseFileService
    from candour.app.clock import Clock
    from candour.app.filing import FilingService
    from candour.app.identity import IdentityService
    from candour.app.ledger import LedgerService
    from candour.app.oversight import OversightService
    from candour.app.people import PeopleService
    from candour.app.pipeline import PipelineService
    from candour.app.publish import PublishService
    from candour.app.records import RecordService
    from candour.app.reports import ReportService
    from candour.app.search import SearchService
    from candour.app.work import WorkService
    from candour.auth.sessions import Lifetimes
    from candour.ledger.note import Signer
    from candour.settings import Settings
    from candour.store import Store


class Candour:
    """One Candour installation, as the settings describe it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None
        self._checked = False

    @classmethod
    def from_options(cls, **overrides: Any) -> Candour:
        """Settings from the environment and candour.toml, with CLI overrides winning."""
        from pydantic import ValidationError

        from candour.settings import get_settings

        try:
            return cls(get_settings(**overrides))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"settings: '{where}': {first['msg']}") from None

    def store(self, *, current: bool = True) -> Store:
        """The connected store; with `current`, fail unless its schema is this code's."""
        from candour.store import Store, require_current
        from candour.store.db import check_durability

        if self._store is None:
            s = self.settings
            # Only set-up (`init`, `db upgrade`) may create a store; everything the data home
            # gets is private to this OS user.
            os.umask(0o077)
            self._store = Store.connect(
                s.effective_database_url,
                busy_timeout_ms=s.sqlite_busy_timeout_ms,
                sqlite_cache_mb=s.sqlite_cache_mb,
                create=not current,
                durability=s.durability,
            )
            check_durability(self._store.engine, s.durability)
        if current and not self._checked:
            require_current(self._store.engine)
            self._checked = True
        return self._store

    @property
    def models_dir(self) -> Path:
        return self.settings.home / "models"

    def signer(self) -> Signer:
        from candour.ledger.keys import load_signer

        return load_signer(self.settings)

    @property
    def lifetimes(self) -> Lifetimes:
        from candour.auth.sessions import Lifetimes

        s = self.settings
        return Lifetimes(
            idle=s.session_idle_minutes * 60,
            absolute=s.session_absolute_hours * 3600,
            service=s.service_token_days * 86400,
        )

    def lexicon(self) -> Any:
        from candour.rules.registry import text_lexicon

        with self.store().reading() as session:
            return text_lexicon(session)

    @cached_property
    def clock(self) -> Clock:
        """Casework time: the system clock shifted by `time_offset_hours` (see app/clock.py)."""
        from datetime import timedelta

        from candour.app.clock import Clock

        return Clock(timedelta(hours=self.settings.time_offset_hours))

    @cached_property
    def identity(self) -> IdentityService:
        from candour.app.identity import IdentityService

        return IdentityService(self)

    @cached_property
    def admin(self) -> AdminService:
        from candour.app.admin import AdminService

        return AdminService(self)

    @cached_property
    def records(self) -> RecordService:
        from candour.app.records import RecordService

        return RecordService(self)

    @cached_property
    def ledger(self) -> LedgerService:
        from candour.app.ledger import LedgerService

        return LedgerService(self)

    @cached_property
    def people(self) -> PeopleService:
        from candour.app.people import PeopleService

        return PeopleService(self)

    @cached_property
    def pipeline(self) -> PipelineService:
        from candour.app.pipeline import PipelineService

        return PipelineService(self)

    @cached_property
    def reports(self) -> ReportService:
        from candour.app.reports import ReportService

        return ReportService(self)

    @cached_property
    def casefile(self) -> CaseFileService:
        from candour.app.casefile import CaseFileService

        return CaseFileService(self)

    @cached_property
    def work(self) -> WorkService:
        from candour.app.work import WorkService

        return WorkService(self)

    @cached_property
    def search(self) -> SearchService:
        from candour.app.search import SearchService

        return SearchService(self)

    @cached_property
    def publish(self) -> PublishService:
        from candour.app.publish import PublishService

        return PublishService(self)

    @cached_property
    def oversight(self) -> OversightService:
        from candour.app.oversight import OversightService

        return OversightService(self)

    @cached_property
    def filing(self) -> FilingService:
        from candour.app.filing import FilingService

        return FilingService(self)

    @cached_property
    def backups(self) -> BackupService:
        from candour.app.backup import BackupService

        return BackupService(self)

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
            self._store = None
            self._checked = False
