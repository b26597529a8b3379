"""Engines, sessions and schema migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from candour.errors import ConfigError, SchemaVersionError, StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


def parse_url(url: str) -> URL:
    """Validate a database URL and pick the driver Candour ships (psycopg 3 for PostgreSQL)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigError(
            "the database URL is malformed (expected e.g. sqlite:///path or "
            "postgresql://user@host/db)"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed
    raise ConfigError(f"unsupported database '{backend}': use sqlite or postgresql")


def masked(url: str | URL) -> str:
    """The URL as safe to print: password hidden."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except (ArgumentError, ValueError):
        return "<malformed URL>"
    return parsed.render_as_string(hide_password=True)


def _prepare_sqlite_path(url: URL, create: bool) -> None:
    """Only `init` creates a store: any other command on a missing one says so and leaves the
    disk as it was. What is created is private to the OS user (0700 folders, 0600 files)."""
    db = url.database
    if not db or db == ":memory:":
        return
    directory = Path(db).resolve().parent
    if not create:
        if not Path(db).exists():
            raise SchemaVersionError("the store is not initialised: run 'candour init'")
        return
    try:
        os.umask(0o077)
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create data directory {directory}: {exc.strerror}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ConfigError(f"data directory {directory} is not writable")


SQLITE_PAGE_SIZE = 16384


def make_engine(
    url: str,
    *,
    busy_timeout_ms: int = 10_000,
    sqlite_cache_mb: int = 128,
    create: bool = True,
    durability: str = "full",
    **kwargs: Any,
) -> Engine:
    parsed = parse_url(url)
    synchronous = "FULL" if durability == "full" else "NORMAL"
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_path(parsed, create)
        engine = create_engine(parsed, connect_args={"timeout": busy_timeout_ms / 1000}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy manage transactions; WAL for concurrent readers; FKs enforced.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            # Only a new, empty database takes this (an existing one keeps its page size):
            # 16 KiB pages cut the cost of intake's commits and inserts by about a quarter
            # against the 4 KiB default (fewer pages to write to the log and to check in).
            cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            # FULL: in WAL mode, NORMAL can lose the last acknowledged commits on power loss.
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            # Indexes of the ledger and records outgrow SQLite's 2 MB default page cache early.
            cur.execute(f"PRAGMA cache_size=-{int(sqlite_cache_mb) * 1024}")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.execute("PRAGMA wal_autocheckpoint=10000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Writers take the lock up front so a read-then-append never fails half way.
            readonly = conn.get_execution_options().get("candour_readonly", False)
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, connect_args={"connect_timeout": 10}, **kwargs)


#: What each durability setting asks of the server, and what "full" refuses to start without.
DURABILITY = ("full", "relaxed")


def check_durability(engine: Engine, durability: str) -> None:
    """Refuse a store that could lose acknowledged writes on a crash or power loss: SQLite must
    be in WAL mode with synchronous=FULL, and a PostgreSQL server must have fsync and
    synchronous_commit on. `relaxed` (tests and benchmarks only) skips the check."""
    if durability == "relaxed":
        return
    where = masked(engine.url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            if not engine.url.database or engine.url.database == ":memory:":
                return
            mode = str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower()
            sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            if mode != "wal" or sync != 2:
                raise ConfigError(
                    f"{where}: SQLite is not in WAL mode with synchronous=FULL (the file system "
                    "may not support WAL): acknowledged writes could be lost"
                )
            return
        for name in ("fsync", "synchronous_commit"):
            value = str(conn.exec_driver_sql(f"SHOW {name}").scalar()).lower()
            if value == "off":
                raise ConfigError(
                    f"{where}: the PostgreSQL server runs with {name}=off, so acknowledged "
                    f"writes could be lost on a crash: set {name}=on (durability = "
                    "'relaxed' is for throw-away test servers only)"
                )


def check_connection(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unreachable"
        raise StoreError(f"cannot connect to {masked(engine.url)}: {reason}") from None
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot use {masked(engine.url)}: {type(exc).__name__}") from None


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Migrate to the newest schema; refuse a store whose schema is newer than this code."""
    from alembic import command

    check_connection(engine)
    before = current_revision(engine)
    if before is not None and before not in known_revisions():
        raise SchemaVersionError(
            f"the store's schema ({before}) is newer than this version of Candour: upgrade Candour"
        )
    command.upgrade(_alembic_config(engine), "head")
    return before, head_revision()


def require_current(engine: Engine) -> str:
    """Fail clearly unless the store exists and is at exactly this code's schema."""
    check_connection(engine)
    rev = current_revision(engine)
    if rev is None:
        raise SchemaVersionError("the store is not initialised: run 'candour init'")
    if rev not in known_revisions():
        raise SchemaVersionError(
            f"the store's schema ({rev}) is newer than this version of Candour: upgrade Candour"
        )
    if rev != head_revision():
        raise SchemaVersionError(
            f"the store's schema ({rev}) is older than this code: run 'candour db upgrade'"
        )
    return rev


@dataclass
class Store:
    """A connected store: the engine and a session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        busy_timeout_ms: int = 10_000,
        sqlite_cache_mb: int = 128,
        create: bool = True,
        durability: str = "full",
    ) -> Store:
        """Connect; with `create=False` a SQLite store that does not exist is an error, and
        nothing is created on disk. `durability` is the setting of that name."""
        engine = make_engine(
            url,
            busy_timeout_ms=busy_timeout_ms,
            sqlite_cache_mb=sqlite_cache_mb,
            create=create,
            durability=durability,
        )
        return cls(engine, sessionmaker(engine, expire_on_commit=False))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: the change and its ledger events commit together or not at all."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work that sees one consistent state of the store, whatever
        commits meanwhile: a deferred transaction in SQLite's WAL mode (it takes no write lock),
        REPEATABLE READ on PostgreSQL (whose default, READ COMMITTED, lets each statement see
        newer commits, so a ledger verified during an ingest looked truncated)."""
        options: dict[str, Any] = {"candour_readonly": True}
        if self.dialect == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        bind = self.engine.execution_options(**options)
        with Session(bind, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
