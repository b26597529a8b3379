"""A throw-away PostgreSQL server on loopback for the test session (Debian's postgresql package).

Started once per test session in a temporary directory, on a free port, with fsync off; each test
gets a fresh database. Runs as the `postgres` system user when the tests run as root, because
PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def find_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str]) -> None:
    try:
        subprocess.run(_as_user(cmd), check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(
            f"{cmd[0]} failed: {exc.stderr.decode(errors='replace')[-500:]}"
        ) from None


def _as_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextmanager
def running_server(*, durable: bool = False) -> Iterator[str]:
    """Yield the URL of a fresh server's maintenance database; stop and delete it afterwards.
    It runs without fsync unless `durable` (as a production server must, for benchmarks that
    measure what durability costs)."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="candour-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        pg = pwd.getpwnam("postgres")
        os.chown(root, pg.pw_uid, pg.pw_gid)
    port = _free_port()
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "candour",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        sync = "on" if durable else "off"
        opts = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync={sync} "
            f"-c synchronous_commit={sync} -c full_page_writes={sync} -c max_connections=200"
        )
        _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                opts,
                "-w",
                "-t",
                "60",
                "-l",
                str(root / "log"),
                "start",
            ]
        )
        yield f"postgresql://candour@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """Create an empty database on the server and return its URL."""
    from sqlalchemy import create_engine, text

    admin = create_engine(
        server_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name
