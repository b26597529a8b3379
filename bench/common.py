"""Stores for benchmarks: a fresh SQLite file, or a database on a throw-away PostgreSQL server."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from candour.settings import Settings
from candour.store import Store
from candour.store.bootstrap import initialise
from candour.testing import create_database, running_server


@contextmanager
def fresh_store(backend: str, stack: ExitStack | None = None) -> Iterator[tuple[Store, Settings]]:
    with ExitStack() as own:
        st = stack or own
        home = Path(st.enter_context(tempfile.TemporaryDirectory(prefix="candour-bench-")))
        if backend == "sqlite":
            url = f"sqlite:///{home / 'candour.db'}"
        else:
            server = st.enter_context(running_server())
            url = create_database(server, "bench")
        settings = Settings(home=home, database_url=url)
        store = Store.connect(url)
        initialise(store, settings, "admin", "Administrator", "bench-password")
        try:
            yield store, settings
        finally:
            store.dispose()
