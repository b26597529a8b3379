"""Stores for benchmarks: a fresh SQLite file, or a database on a throw-away PostgreSQL server."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from candour.settings import Settings
from candour.store import Store
from candour.store.bootstrap import initialise
from candour.store.db import check_durability
from candour.testing import create_database, running_server


@contextmanager
def fresh_store(
    backend: str, stack: ExitStack | None = None, *, durability: str = "full"
) -> Iterator[tuple[Store, Settings]]:
    """A store as shipped (`full`: SQLite synchronous=FULL, a PostgreSQL server with fsync on),
    or `relaxed` for comparison (NORMAL; a server without fsync)."""
    with ExitStack() as own:
        st = stack or own
        home = Path(st.enter_context(tempfile.TemporaryDirectory(prefix="candour-bench-")))
        if backend == "sqlite":
            url = f"sqlite:///{home / 'candour.db'}"
        else:
            server = st.enter_context(running_server(durable=durability == "full"))
            url = create_database(server, "bench")
        settings = Settings(home=home, database_url=url, durability=durability)
        store = Store.connect(url, durability=durability)
        check_durability(store.engine, durability)
        initialise(store, settings, "admin", "Administrator", "bench-password")
        try:
            yield store, settings
        finally:
            store.dispose()
