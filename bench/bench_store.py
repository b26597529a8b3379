"""Bulk insert of records through the store API (with ledger events) vs raw executemany."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import fresh_store
from bench.harness import Result, register, timer
from candour.store import Actor, NewRecord, add_records
from candour.store.hashing import canonical_json
from candour.store.records import record_row
from candour.store.types import utcnow

WORDS = (
    "child",
    "missing",
    "car",
    "taxi",
    "takeaway",
    "hotel",
    "alcohol",
    "phone",
    "gift",
    "school",
    "older",
    "male",
    "seen",
    "with",
    "after",
    "midnight",
    "returned",
    "home",
)


def _records(n: int, seed: int) -> list[NewRecord]:
    rng = random.Random(seed)
    t0 = datetime(2020, 1, 1, tzinfo=UTC)
    kinds = ("crime_report", "intelligence", "referral", "missing_episode")
    return [
        NewRecord(
            kind=kinds[i % 4],
            received_at=t0 + timedelta(minutes=i),
            body=" ".join(rng.choice(WORDS) for _ in range(60)),
            fields={"ref": f"B{seed}-{i}", "priority": rng.randint(1, 5)},
            source_ref=f"bench:{seed}:{i}",
        )
        for i in range(n)
    ]


def _raw_insert(store: Any, rows: list[dict[str, Any]]) -> None:
    cols = list(rows[0])
    marks = ", ".join("?" if store.dialect == "sqlite" else "%s" for _ in cols)
    sql = f"INSERT INTO record ({', '.join(cols)}) VALUES ({marks})"
    conv = [
        tuple(canonical_json(r[c]) if c == "fields" else _db_value(r[c]) for c in cols)
        for r in rows
    ]
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        if store.dialect == "sqlite":
            cur.execute("BEGIN")
        cur.executemany(sql, conv)
        raw.commit()
    finally:
        raw.close()


def _db_value(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return v


@register("store_insert")
def bench_store_insert(scale: str) -> Result:
    n = 5_000 if scale == "quick" else 50_000
    batch = 1_000
    result = Result("store_insert", scale)
    result.add("records", n)
    for backend in ("sqlite", "postgresql"):
        for durability in ("full", "relaxed"):
            tag = backend if durability == "full" else f"{backend}_relaxed"
            api_rate, raw_rate = _insert_both_ways(backend, durability, n, batch)
            result.add(f"{tag}_api_records_per_s", api_rate)
            result.add(f"{tag}_raw_executemany_records_per_s", raw_rate)
            result.add(f"{tag}_api_slowdown_vs_raw", raw_rate / api_rate)
        result.add(
            f"{backend}_full_share_of_relaxed",
            result.figures[f"{backend}_api_records_per_s"]
            / result.figures[f"{backend}_relaxed_api_records_per_s"],
        )
    result.notes.append(
        "API = store.add_records in batches of 1,000 (content hash, RETURNING ids, one ledger "
        "event per record and its Merkle nodes, same transaction); raw = DB-API executemany of "
        "the same record rows, no ledger. Aim: slowdown <= 2. Shipped durability (SQLite "
        "synchronous=FULL; PostgreSQL fsync and synchronous_commit on); _relaxed = NORMAL and a "
        "server without fsync, measured in the same run for comparison."
    )
    return result


def _insert_both_ways(backend: str, durability: str, n: int, batch: int) -> tuple[float, float]:
    """Records per second through the store API and by raw executemany, on one fresh store."""
    with fresh_store(backend, durability=durability) as (store, _):
        recs = _records(n, 1)
        with timer() as api:
            for i in range(0, n, batch):
                with store.transaction() as s:
                    add_records(s, recs[i : i + batch], Actor.system())
        raw_rows = [record_row(r, Actor.system(), utcnow()) for r in _records(n, 2)]
        for k, r in enumerate(raw_rows):
            r["uid"] = r["root_uid"] = "X" + r["uid"]
            r["id"] = n + 1 + k
        with timer() as raw:
            for i in range(0, n, batch):
                _raw_insert(store, raw_rows[i : i + batch])
        return n / api(), n / raw()
