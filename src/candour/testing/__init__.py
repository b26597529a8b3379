"""Helpers for tests and benchmarks of Candour (a throw-away PostgreSQL server on loopback)."""

from candour.testing.pgserver import create_database, find_bindir, running_server

__all__ = ["create_database", "find_bindir", "running_server"]
