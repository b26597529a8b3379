"""Shared fixtures: a real PostgreSQL server for the session, and a store on each backend."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from candour.settings import Settings
from candour.store import Store
from candour.store.bootstrap import initialise
from candour.testing import create_database, find_bindir, running_server

_counter = itertools.count()

# The test PostgreSQL server runs with fsync off, and SQLite's synchronous=FULL costs an fsync per
# commit: the suite runs with durability "relaxed" (it tests behaviour, not power loss), and
# tests/store/test_durability.py holds the default to "full" on both databases.
os.environ.setdefault("CANDOUR_DURABILITY", "relaxed")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL of a PostgreSQL maintenance database: CANDOUR_TEST_PG_URL, or a server we start."""
    if url := os.environ.get("CANDOUR_TEST_PG_URL"):
        yield url
        return
    if find_bindir() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run must install it")
        pytest.skip("PostgreSQL is not installed here")
    with running_server() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend: the same test runs against both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'home' / 'candour.db'}"
    name = f"candour_test_{os.getpid()}_{next(_counter)}"
    return create_database(request.getfixturevalue("pg_server"), name)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """An initialised store (schema, signing key, administrator) on each backend."""
    s = Store.connect(settings.effective_database_url)
    initialise(s, settings, "admin", "Administrator", "correct horse battery staple")
    yield s
    s.dispose()
