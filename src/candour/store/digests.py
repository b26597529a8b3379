"""Aggregate digests of tables that change in bulk: mention-to-person links, persons and other
entities, their aliases, extraction findings.

A link run re-points hundreds of thousands of mentions and extraction writes many findings, so a
ledger event per row would swamp the ledger. Instead each such table has one digest of its whole
state, updated in the transaction that changes the table and logged as the subject hash of a
`table` event in the same transaction. `ledger verify` recomputes the digest from the rows and
compares it with the last one logged: a row added, altered or deleted with plain SQL shows up,
though the digest cannot say which row.

The digest is LtHash (Bellare and Micciancio's lattice-based incremental hash, in the form Lewi,
Kim, Maykov and Weis give in "Securing update propagation with homomorphic hashing", 2019):
each row is expanded by SHAKE-256 into 1024 lanes of 16 bits, and the table's digest is the
lane-wise sum of its rows' expansions modulo 2**16. Adding or removing a row is one vector
addition or subtraction, so an incremental link run updates the digest of a million mentions
from only the mentions it touched, in milliseconds. Finding two different multisets of rows
with the same sum is as hard as the short integer solution problem on that lattice (about 200
bits of security for these parameters).

A plain sum of SHA-256 values modulo 2**256 (AdHash with one wide lane) would be incremental
too, but it is not sound: Wagner's generalised birthday algorithm finds a set of rows whose
hashes sum to any target in about 2**(256 / (1 + log2 k)) work for k lists, well within reach
for the k an attacker may choose, so a forger could make up rows that keep the digest. The
lattice form is what makes the sum binding.

The running state (the lanes and the row count) is kept in `table_digest` so writers need not
recompute it; a writer first checks that the kept state hashes to the digest the ledger last
logged, so altering the kept state can neither hide an edit nor be laundered by the next run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from candour.errors import LedgerError
from candour.store.enums import EventAction
from candour.store.hashing import canonical_json

LANES = 1024
LANE_BYTES = 2  # 16-bit lanes: arithmetic modulo 2**16
STATE_BYTES = LANES * LANE_BYTES
_CHUNK = 4096  # rows expanded per numpy sum (8 MiB of lanes)


class LtHash:
    """A multiset hash: 1024 lanes of 16 bits, summed modulo 2**16, and the element count."""

    __slots__ = ("count", "lanes", "prefix")

    def __init__(self, prefix: bytes, lanes: np.ndarray | None = None, count: int = 0) -> None:
        self.prefix = prefix
        self.lanes = np.zeros(LANES, dtype=np.uint16) if lanes is None else lanes
        self.count = count

    @classmethod
    def from_bytes(cls, prefix: bytes, state: bytes, count: int) -> LtHash:
        if len(state) != STATE_BYTES:
            raise LedgerError(f"a table digest state must be {STATE_BYTES} bytes")
        return cls(prefix, np.frombuffer(state, dtype="<u2").astype(np.uint16), count)

    def to_bytes(self) -> bytes:
        return self.lanes.astype("<u2").tobytes()

    def _sum(self, elements: Iterable[bytes]) -> tuple[np.ndarray, int]:
        total = np.zeros(LANES, dtype=np.uint64)
        n = 0
        shake, prefix = hashlib.shake_256, self.prefix
        batch: list[bytes] = []
        for element in elements:
            batch.append(shake(prefix + element).digest(STATE_BYTES))
            if len(batch) == _CHUNK:
                total += (
                    np.frombuffer(b"".join(batch), dtype="<u2")
                    .reshape(-1, LANES)
                    .sum(axis=0, dtype=np.uint64)
                )
                n += len(batch)
                batch = []
        if batch:
            total += (
                np.frombuffer(b"".join(batch), dtype="<u2")
                .reshape(-1, LANES)
                .sum(axis=0, dtype=np.uint64)
            )
            n += len(batch)
        return (total & 0xFFFF).astype(np.uint16), n

    def add(self, elements: Iterable[bytes]) -> None:
        lanes, n = self._sum(elements)
        self.lanes = self.lanes + lanes  # uint16 arithmetic wraps modulo 2**16
        self.count += n

    def remove(self, elements: Iterable[bytes]) -> None:
        lanes, n = self._sum(elements)
        self.lanes = self.lanes - lanes
        self.count -= n

    def hexdigest(self) -> str:
        """What the ledger logs: SHA-256 over the lanes and the count."""
        h = hashlib.sha256(b"lthash16/1024\x00" + self.prefix)
        h.update(self.count.to_bytes(8, "big", signed=True))
        h.update(self.to_bytes())
        return h.hexdigest()


@dataclass(frozen=True)
class Aggregate:
    """A table (or part of one) protected by one digest rather than an event per row."""

    name: str  # the entity id of its `table` events
    table: str
    columns: tuple[str, ...]  # the row's content, its id first
    where: str | None = None  # which rows count (SQL over the table's columns)

    def element(self, row: Mapping[str, Any]) -> bytes:
        if self.columns == _LINK_COLUMNS:
            m, e = row.get("id"), row.get("entity_id")
            if m.__class__ is int and e.__class__ is int:
                # The canonical JSON of two integers, written out: a million of these per
                # verification, and the same bytes as canonical_json (test_digests checks).
                return f'{{"entity_id":{e},"id":{m}}}'.encode()
        return canonical_json({c: row.get(c) for c in self.columns}).encode()

    def elements(self, rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
        for row in rows:
            yield self.element(row)

    def empty(self) -> LtHash:
        return LtHash(self.name.encode() + b"\x00")


_LINK_COLUMNS = ("id", "entity_id")
ENTITY_COLUMNS = ("id", "uid", "kind", "display", "key", "confidence", "attributes", "created_at")
FINDING_COLUMNS = (
    "id",
    "extraction_id",
    "record_id",
    "kind",
    "code",
    "start",
    "end",
    "text",
    "negated",
    "hypothetical",
    "suggestion",
    "attributes",
)

#: name -> what it covers. "mention_link" is which person (or thing) each mention names: who-knew
#: for a person follows it.
AGGREGATES: dict[str, Aggregate] = {
    a.name: a
    for a in (
        Aggregate("mention_link", "mention", _LINK_COLUMNS, "entity_id IS NOT NULL"),
        Aggregate("entity", "entity", ENTITY_COLUMNS),
        Aggregate("person_alias", "person_alias", ("id", "entity_id", "alias")),
        Aggregate("finding", "finding", FINDING_COLUMNS),
    )
}
#: The entity type of the ledger events that log a table's digest.
TABLE_EVENT = "table"


def _last_logged(session: Session, name: str) -> str | None:
    # A partial index on (entity_id, idx) over table events makes this one index probe.
    row = (
        session.connection()
        .exec_driver_sql(
            "SELECT subject_hash FROM ledger_event WHERE entity_type = 'table' "
            f"AND entity_id = '{name}' ORDER BY idx DESC LIMIT 1"
        )
        .first()
    )
    return None if row is None else row[0]


def _kept(session: Session, aggregate: Aggregate) -> LtHash:
    """The running state, checked against the digest the ledger logged last."""
    row = (
        session.connection()
        .exec_driver_sql(
            f"SELECT lanes, row_count FROM table_digest WHERE name = '{aggregate.name}'"
        )
        .first()
    )
    state = aggregate.empty() if row is None else None
    if row is not None:
        try:
            state = LtHash.from_bytes(aggregate.empty().prefix, bytes(row[0]), int(row[1]))
        except (LedgerError, TypeError, ValueError):
            state = None
    logged = _last_logged(session, aggregate.name)
    if (
        state is None
        or (logged is None and state.count)
        or (logged is not None and state.hexdigest() != logged)
    ):
        raise LedgerError(
            f"the kept digest of table '{aggregate.name}' differs from the one the ledger "
            "logged last: the store was altered; run 'candour ledger verify'"
        )
    return state


@dataclass
class Change:
    """Rows added to and removed from one aggregate in a transaction."""

    added: Sequence[Mapping[str, Any]] = ()
    removed: Sequence[Mapping[str, Any]] = ()


def record_changes(
    session: Session,
    changes: Mapping[str, Change],
    actor_id: int | None,
    actor_rank: str | None,
    *,
    action: str = "system",
    purpose: str | None = None,
) -> None:
    """Update the digests of these aggregates and log each as a `table` event.

    Call it in the transaction that changed the rows, after the change; it takes the ledger's
    append lock first, so no other writer can change a digest in between.
    """
    from candour.ledger.log import EventDraft, append
    from candour.ledger.log import lock as ledger_lock

    todo = {name: c for name, c in changes.items() if c.added or c.removed}
    if not todo:
        return
    ledger_lock(session)
    drafts = []
    conn = session.connection()
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    for name, change in todo.items():
        aggregate = AGGREGATES[name]
        state = _kept(session, aggregate)
        state.add(aggregate.elements(change.added))
        state.remove(aggregate.elements(change.removed))
        conn.exec_driver_sql(f"DELETE FROM table_digest WHERE name = {mark}", (name,))
        conn.exec_driver_sql(
            f"INSERT INTO table_digest (name, lanes, row_count) VALUES ({mark}, {mark}, {mark})",
            (name, state.to_bytes(), state.count),
        )
        drafts.append(
            EventDraft(
                action,
                TABLE_EVENT,
                name,
                actor_id,
                actor_rank,
                subject_hash=state.hexdigest(),
                purpose=purpose,
                payload={
                    "rows": state.count,
                    "added": len(change.added),
                    "removed": len(change.removed),
                },
            )
        )
    append(session, drafts)


def rebaseline(session: Session, name: str, purpose: str) -> None:
    """Take a table's digest from its rows as they stand and log it, whatever was logged
    before: for the schema upgrade that starts protecting a table (it trusts what it finds),
    never for ordinary writes, which must build on the logged digest."""
    from candour.ledger.log import EventDraft, append
    from candour.ledger.log import lock as ledger_lock

    ledger_lock(session)
    aggregate = AGGREGATES[name]
    conn = session.connection()
    state = table_state(conn, aggregate)
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    conn.exec_driver_sql(f"DELETE FROM table_digest WHERE name = {mark}", (name,))
    conn.exec_driver_sql(
        f"INSERT INTO table_digest (name, lanes, row_count) VALUES ({mark}, {mark}, {mark})",
        (name, state.to_bytes(), state.count),
    )
    draft = EventDraft(
        EventAction.SYSTEM,
        TABLE_EVENT,
        name,
        subject_hash=state.hexdigest(),
        purpose=purpose,
        payload={"rows": state.count, "baseline": True},
    )
    append(session, [draft])


def table_state(connection: Any, aggregate: Aggregate, batch: int = 20_000) -> LtHash:
    """The digest recomputed from the stored rows (what verification compares)."""
    from candour.ledger.scan import table_rows

    state = aggregate.empty()
    state.add(_readable(aggregate, table_rows(connection, aggregate, batch)))
    return state


def _readable(aggregate: Aggregate, rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """Elements of stored rows; a row holding a value no writer could have stored (bytes in a
    text column, say) still counts, as its repr, so the digest differs instead of failing."""
    for row in rows:
        try:
            yield aggregate.element(row)
        except TypeError:
            yield repr(sorted(row.items())).encode()


def rows_of(session: Session, aggregate: Aggregate, where: str, params: Any = None) -> list[Any]:
    """Current rows of an aggregate's table matching `where` (as dicts), to remove before an
    update: read the same way verification reads them."""
    from candour.ledger.scan import table_rows

    return list(table_rows(session.connection(), aggregate, 20_000, where=where, params=params))


__all__ = ["AGGREGATES", "Aggregate", "Change", "LtHash", "record_changes", "table_state"]
