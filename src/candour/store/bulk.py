"""Plain DB-API executemany for the store's hot paths (records, ledger events, tree nodes).

SQLAlchemy's per-row parameter processing costs more than the database itself on bulk inserts,
so these paths convert values once, exactly as the column types would, and hand tuples to the
driver on the session's own connection (same transaction, same lock).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Boolean, Table
from sqlalchemy.orm import Session

from candour.store.hashing import canonical_json
from candour.store.types import UTCDateTime

Converter = Callable[[Any], Any]


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous: give a timezone")
    return (value if value.tzinfo is UTC else value.astimezone(UTC)).replace(tzinfo=None)


def _sqlite_datetime(value: datetime | None) -> str | None:
    if value is not None and value.tzinfo is UTC:
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    naive = _naive_utc(value)
    return None if naive is None else naive.isoformat(sep=" ", timespec="microseconds")


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return "{}" if value == {} and isinstance(value, dict) else canonical_json(value)


def _identity(value: Any) -> Any:
    return value


def _remember_last(fn: Converter) -> Converter:
    """Bulk rows often share one timestamp (a batch's `now`): convert it once."""
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, fn(value)
        return last[1]

    return convert


def _converter(column_type: Any, dialect: str) -> Converter:
    if isinstance(column_type, UTCDateTime):
        return _remember_last(_sqlite_datetime if dialect == "sqlite" else _naive_utc)
    if isinstance(column_type, JSON):
        return _json
    if isinstance(column_type, Boolean) and dialect == "sqlite":
        return lambda v: None if v is None else int(bool(v))
    return _identity


def insert_many(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (dicts with the same keys, named after columns) with one executemany."""
    if not rows:
        return
    conn = session.connection()
    names = [c.name for c in table.columns if c.name in rows[0]]
    params = driver_rows(table, names, rows, conn.dialect.name)
    insert_tuples(session, table.name, names, params)


@lru_cache(maxsize=128)
def _plan(table: Table, names: tuple[str, ...], dialect: str) -> list[tuple[int, Converter]]:
    """Which columns need converting, and how: worked out once per table, columns and dialect."""
    return [
        (i, conv)
        for i, n in enumerate(names)
        if (conv := _converter(table.c[n].type, dialect)) is not _identity
    ]


def driver_rows(
    table: Table, names: Sequence[str], rows: Sequence[Mapping[str, Any]], dialect: str
) -> list[tuple[Any, ...]]:
    """Rows as the driver takes them for `dialect`, in the order of `names`.

    Needs no connection, so a worker process can convert rows before handing them over.
    """
    convert = _plan(table, tuple(names), dialect)
    getter = itemgetter(*names)
    single = len(names) == 1
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = (getter(row),) if single else getter(row)
        if convert:
            values = list(values)
            for i, conv in convert:
                values[i] = conv(values[i])
            values = tuple(values)
        params.append(values)
    return params


def update_many(
    session: Session, table: Table, key: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """UPDATE ... WHERE key = ? for many rows (dicts with the same keys) in one executemany."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect.name
    names = [n for n in rows[0] if n != key]
    convs = [_converter(table.c[n].type, dialect) for n in [*names, key]]
    mark = "?" if dialect == "sqlite" else "%s"
    quote = conn.dialect.identifier_preparer.quote
    sets = ", ".join(f"{quote(n)} = {mark}" for n in names)
    sql = f"UPDATE {quote(table.name)} SET {sets} WHERE {quote(key)} = {mark}"
    params = [
        tuple(conv(row[n]) for conv, n in zip(convs, [*names, key], strict=True)) for row in rows
    ]
    conn.exec_driver_sql(sql, params)


def db_converter(column_type: Any, dialect: str) -> Converter:
    """Turns values into what the driver must receive for a column of this type."""
    return _converter(column_type, dialect)


def insert_tuples(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert rows already in driver form (`driver_rows`), in column order: the hottest path."""
    if not rows:
        return
    conn = session.connection()
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(mark for _ in columns)})"
    )
    conn.exec_driver_sql(sql, list(rows))
