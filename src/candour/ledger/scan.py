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
from candour.store.hashing import PROTECTED
from candour.store.types import iso

COLUMNS = (
    "idx, ts, action, actor_id, actor_rank, target_id, target_rank, record_id, "
    "entity_type, entity_id, subject_hash, purpose, payload, leaf_hash"
)
MAX_CHANGED = 50


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
    protected = set(PROTECTED)
    while rows := cur.fetchmany(batch):
        for r in rows:
            idx = r[0]
            if idx != expected:
                result.gap_at, result.next_found = expected, idx
                result.leaves, result.count = bytes(out), expected - lo
                return result
            leaf = sha(b"\x00" + leaf_bytes(idx, ts_text(r[1]), *r[2:13])).digest()
            stored = bytes(r[13])
            if leaf != stored:
                if len(result.changed) < MAX_CHANGED:
                    result.changed.append((idx, r[2], r[8], r[9]))
                # The tree is rebuilt from stored leaf hashes, so an edited row is reported once
                # here; an edited leaf hash shows up against the nodes and the checkpoint.
                leaf = stored
            if r[10] is not None and r[9] is not None and r[8] in protected:
                result.latest[(r[8], r[9])] = (r[10], idx)
            out += leaf
            expected += 1
    result.leaves, result.count = bytes(out), expected - lo
    return result


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
    from sqlalchemy import JSON, Boolean

    from candour.store.types import UTCDateTime

    if isinstance(column_type, UTCDateTime):
        return lambda v: None if v is None else ts_text(v)
    if isinstance(column_type, JSON):
        import orjson

        return lambda v: v if v is None or not isinstance(v, str | bytes) else orjson.loads(v)
    if isinstance(column_type, Boolean):
        return lambda v: None if v is None else bool(v)
    return None


def protected_rows(
    connection: Any, table_name: str, key_column: str, columns: tuple[str, ...], batch: int = 20_000
) -> Any:
    """Yield (key, stored content hash, content) for every row of a protected table, fast."""
    from candour.store.models import Base

    table = Base.metadata.tables[table_name]
    readers = [(i, r) for i, c in enumerate(columns) if (r := _column_reader(table.c[c].type))]
    quoted = ", ".join(f'"{c}"' for c in columns)
    cur = connection.exec_driver_sql(
        f'SELECT "{key_column}", content_hash, {quoted} FROM "{table_name}"'
    )
    while rows := cur.fetchmany(batch):
        for row in rows:
            values = list(row[2:])
            for i, read in readers:
                values[i] = read(values[i])
            yield str(row[0]), row[1], dict(zip(columns, values, strict=True))
