"""Reading the stored log fast: raw DB-API cursors, leaf hashes recomputed from columns.

Runs in worker processes (one contiguous index range each) so that verifying a million events
uses both cores; each worker opens its own connection from the store's URL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from candour.ledger.log import leaf_bytes
from candour.store.digests import TABLE_EVENT, Aggregate
from candour.store.hashing import PROTECTED
from candour.store.types import iso

COLUMNS = (
    "idx, ts, action, actor_id, actor_rank, target_id, target_rank, record_id, "
    "entity_type, entity_id, subject_hash, purpose, payload, leaf_hash"
)
MAX_CHANGED = 50
#: The event a store upgraded to schema 0008 logs: event times come from the server clock only
#: from there on, so older imported history may run backwards before it.
CLOCK_MARK = ("schema", "0008")
#: Entity types whose latest subject hash verification compares with stored rows.
LINK_RUN = "link_run"


@dataclass
class ScanResult:
    lo: int
    leaves: bytes = b""
    count: int = 0
    gap_at: int | None = None
    next_found: int | None = None
    changed: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    latest: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    levels: list[bytes] = field(default_factory=list)  # perfect subtrees inside [lo, lo+count)
    first_ts: str | None = None  # canonical text of the first and last valid timestamps
    last_ts: str | None = None
    backwards: list[int] = field(default_factory=list)  # events earlier than their predecessor
    clock_mark: int | None = None  # the index of the CLOCK_MARK event, if in this range
    garbled: list[tuple[int, str]] = field(default_factory=list)  # (event, what is unreadable)
    link_runs: list[tuple[int, str | None, str]] = field(default_factory=list)  # idx, id, payload


def ts_text(value: Any) -> str:
    """Canonical timestamp text from what the driver returns (SQLite text, PostgreSQL naive UTC)."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return value[:10] + "T" + value[11:] + "Z"
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return iso(stamp) or ""
    raise TypeError(f"unexpected timestamp {value!r}")


def scan_range(
    url: str, lo: int, hi: int, batch: int = 20_000, *, with_levels: bool = False
) -> ScanResult:
    """Recompute leaf hashes of events [lo, hi) and note what differs from the stored ones.

    With `with_levels` (and `lo` aligned to a power of two at least the range's size), also hash
    the perfect subtrees inside the range, so tree building is shared between workers.
    """
    from candour.store.db import make_engine

    engine = make_engine(url)
    try:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
            cur.execute(
                f"SELECT {COLUMNS} FROM ledger_event WHERE idx >= {mark} AND idx < {mark} "
                "ORDER BY idx",
                (lo, hi),
            )
            result = _consume(cur, lo, batch)
        finally:
            raw.close()
    finally:
        engine.dispose()
    if with_levels:
        result.levels = build_levels(result.leaves)[1:]
    return result


def _consume(cur: Any, lo: int, batch: int) -> ScanResult:
    result = ScanResult(lo)
    out = bytearray()
    sha = hashlib.sha256
    expected = lo
    protected = {*PROTECTED, TABLE_EVENT}
    mark_type, mark_id = CLOCK_MARK
    previous = ""  # the last valid time seen: canonical text sorts as time does
    backwards = result.backwards
    while rows := cur.fetchmany(batch):
        for r in rows:
            idx = r[0]
            if idx != expected:
                result.gap_at, result.next_found = expected, idx
                result.leaves, result.count = bytes(out), expected - lo
                result.last_ts = previous or None
                return result
            try:
                ts = ts_text(r[1])
            except (TypeError, ValueError):
                ts = ""
                _garbled(result, idx, "its timestamp is not a valid time")
            try:
                leaf: bytes | None = sha(b"\x00" + leaf_bytes(idx, ts, *r[2:13])).digest()
            except (TypeError, ValueError, AttributeError):
                leaf = None
                _garbled(result, idx, "a stored column does not hold a value of its type")
            stored = r[13]
            if stored.__class__ is not bytes or len(stored) != 32:
                stored = _leaf_hash(result, idx, stored, leaf)
            # The tree is rebuilt from stored leaf hashes, so an edited row is reported once
            # here; an edited leaf hash shows up against the nodes and the checkpoint.
            if leaf != stored and leaf is not None and len(result.changed) < MAX_CHANGED:
                result.changed.append((idx, str(r[2]), str(r[8]), _text(r[9])))
            if ts:
                if ts < previous and len(backwards) < MAX_CHANGED:
                    backwards.append(idx)
                previous = ts
                if result.first_ts is None:
                    result.first_ts = ts
            entity_type = r[8]
            if r[10] is not None and r[9] is not None and entity_type in protected:
                result.latest[(str(entity_type), str(r[9]))] = (str(r[10]), idx)
            elif entity_type == mark_type and r[9] == mark_id:
                result.clock_mark = idx
                backwards.clear()
            elif entity_type == LINK_RUN and isinstance(r[12], str):
                result.link_runs.append((idx, _text(r[9]), r[12]))
            out += stored
            expected += 1
    result.last_ts = previous or None
    result.leaves, result.count = bytes(out), expected - lo
    return result


def _leaf_hash(result: ScanResult, idx: int, stored: Any, leaf: bytes | None) -> bytes:
    """A stored leaf hash as bytes; one that is not 32 bytes is reported and replaced by the
    recomputed one (or zeros), so the tree can still be rebuilt around it."""
    if isinstance(stored, bytearray | memoryview) and len(stored) == 32:
        return bytes(stored)
    _garbled(result, idx, "its stored leaf hash is not a 32-byte hash")
    return leaf or bytes(32)


def _garbled(result: ScanResult, idx: int, what: str) -> None:
    if len(result.garbled) < MAX_CHANGED:
        result.garbled.append((idx, what))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def build_levels(leaves: bytes) -> list[bytes]:
    """Every perfect-subtree hash, level by level, as flat 32-byte arrays (level 0 = leaves)."""
    levels = [leaves]
    current = leaves
    sha = hashlib.sha256
    while len(current) >= 64:
        current = b"".join(
            sha(b"\x01" + current[i : i + 64]).digest() for i in range(0, len(current) - 63, 64)
        )
        levels.append(current)
    return levels


def _column_reader(column_type: Any) -> Any:
    """Turn a raw driver value into what the row's hash was computed over."""
    from sqlalchemy import JSON, Boolean, LargeBinary

    from candour.store.types import UTCDateTime

    if isinstance(column_type, UTCDateTime):
        return lambda v: None if v is None else ts_text(v)
    if isinstance(column_type, JSON):
        import orjson

        return lambda v: v if v is None or not isinstance(v, str | bytes) else orjson.loads(v)
    if isinstance(column_type, Boolean):
        return lambda v: None if v is None else bool(v)
    if isinstance(column_type, LargeBinary):
        return lambda v: None if v is None else bytes(v)
    return None


def protected_rows(
    connection: Any, table_name: str, key_column: str, columns: tuple[str, ...], batch: int = 20_000
) -> Any:
    """Yield (key, stored content hash, content) for every row of a protected table, fast.

    `key_column` is a column name or an SQL expression over the table's columns. A value the
    driver returns that cannot be read as its column's type is passed on as it is (its row's
    hash then differs, which verification reports)."""
    from candour.store.models import Base

    table = Base.metadata.tables[table_name]
    readers = [(i, r) for i, c in enumerate(columns) if (r := _column_reader(table.c[c].type))]
    quoted = ", ".join(f'"{c}"' for c in columns)
    key = f'"{key_column}"' if key_column.isidentifier() else key_column
    cur = connection.exec_driver_sql(f'SELECT {key}, content_hash, {quoted} FROM "{table_name}"')
    while rows := cur.fetchmany(batch):
        for row in rows:
            yield str(row[0]), row[1], dict(zip(columns, _read(row[2:], readers), strict=True))


def _read(raw: Any, readers: list[tuple[int, Any]]) -> list[Any]:
    values = list(raw)
    for i, read in readers:
        try:
            values[i] = read(values[i])
        except (TypeError, ValueError):
            values[i] = f"<unreadable {type(values[i]).__name__}>"
    return values


def table_rows(
    connection: Any,
    aggregate: Aggregate,
    batch: int = 20_000,
    *,
    where: str | None = None,
    params: Any = None,
) -> Any:
    """Yield the rows (as dicts of the digest's columns) an aggregate digest covers."""
    from candour.store.models import Base

    table = Base.metadata.tables[aggregate.table]
    columns = aggregate.columns
    readers = [(i, r) for i, c in enumerate(columns) if (r := _column_reader(table.c[c].type))]
    quoted = ", ".join(f'"{c}"' for c in columns)
    conditions = [c for c in (aggregate.where, where) if c]
    sql = f'SELECT {quoted} FROM "{aggregate.table}"'
    if conditions:
        sql += " WHERE " + " AND ".join(f"({c})" for c in conditions)
    cur = connection.exec_driver_sql(sql, params) if params else connection.exec_driver_sql(sql)
    while rows := cur.fetchmany(batch):
        for row in rows:
            yield dict(zip(columns, _read(row, readers), strict=True))
