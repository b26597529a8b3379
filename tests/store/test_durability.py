"""A store that could lose acknowledged writes is refused at start-up, unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from candour.app import Candour
from candour.errors import ConfigError
from candour.settings import Settings


def test_the_default_is_full_durability(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CANDOUR_DURABILITY", raising=False)
    assert Settings().durability == "full"


def test_sqlite_commits_wait_for_the_disk(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", durability="full")
    app = Candour(settings)
    try:
        engine = app.store(current=False).engine
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        app.close()
    relaxed = Candour(Settings(home=tmp_path / "home", durability="relaxed"))
    try:
        with relaxed.store(current=False).engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        relaxed.close()


@pytest.mark.postgres
def test_a_postgres_server_without_fsync_is_refused(tmp_path: Path, pg_server: str) -> None:
    from candour.testing import create_database

    url = create_database(pg_server, "candour_durability")
    # The test server runs with fsync and synchronous_commit off, as a careless set-up might.
    app = Candour(Settings(home=tmp_path / "home", database_url=url, durability="full"))
    try:
        with pytest.raises(ConfigError) as refused:
            app.store(current=False)
        message = str(refused.value)
        assert "fsync=off" in message and "acknowledged writes could be lost" in message
        assert "password" not in message.lower()
    finally:
        app.close()
    relaxed = Candour(Settings(home=tmp_path / "home", database_url=url, durability="relaxed"))
    try:
        relaxed.store(current=False)
    finally:
        relaxed.close()
