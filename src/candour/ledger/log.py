"""The store-backed Merkle log: append in the caller's transaction, proofs from stored nodes.

Appends are serialised by one row (`ledger_head`) that holds the size and the right edge of the
tree; the first statement of an append updates it, which takes the write lock on SQLite and a row
lock on PostgreSQL, so concurrent writers get consecutive, gap-free indices.

An event's time is the server's clock when it is appended, never a time from input, and never
earlier than the event before it (the clock is held at the last event's time if it stepped back).
When something happened in the outside world (an imported record, a decision taken elsewhere, a
retrospective rules run) is part of the event's payload, as "occurred_at".
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from candour.errors import LedgerError, NotFoundError
from candour.ledger import merkle
from candour.store.bulk import db_converter, insert_tuples
from candour.store.enums import EventAction
from candour.store.hashing import canonical_json
from candour.store.models import LedgerEvent, LedgerHead, table_of
from candour.store.types import UTCDateTime, iso, utcnow

NODE_LEVEL_SHIFT = 40
# Level-1 nodes are half of all interior nodes and cost one hash of two stored leaves to rebuild,
# so only levels >= 2 are stored: appends write half as many node rows.
STORED_MIN_LEVEL = 2
_s = json.encoder.encode_basestring_ascii


def node_key(level: int, index: int) -> int:
    return (level << NODE_LEVEL_SHIFT) | index


@dataclass
class EventDraft:
    """What happened, by whom, to what, and why: one future leaf.

    `action` is one of the ledger's vocabulary (`EventAction`); anything else is refused here,
    so no event with a misspelt action is ever logged. It is kept as the plain text value."""

    action: EventAction | str
    entity_type: str
    entity_id: str | None = None
    actor_id: int | None = None
    actor_rank: str | None = None
    target_id: int | None = None
    target_rank: str | None = None
    record_id: int | None = None
    subject_hash: str | None = None
    purpose: str | None = None
    # The payload as data, or already as canonical JSON (`canonical_json`) when the caller made
    # it elsewhere, e.g. in an intake worker process. There is no time: `append` stamps each
    # event with the server's clock; a time from outside goes in the payload as OCCURRED_AT.
    payload: Mapping[str, Any] | str = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.action = EventAction(self.action).value


#: The payload key for when the thing an event records happened outside Candour (`iso` text).
OCCURRED_AT = "occurred_at"


_ENCODED: dict[str | None, str] = {None: "null"}


def _str(value: str | None) -> str:
    """A JSON string literal; the few values that repeat (actions, ranks, types) are cached."""
    found = _ENCODED.get(value)
    if found is not None or value is None:
        return found or "null"
    encoded = str(_s(value))
    if len(value) <= 32 and len(_ENCODED) < 4096:
        _ENCODED[value] = encoded
    return encoded


def _int(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def leaf_bytes(
    idx: int,
    ts: str,
    action: str,
    actor_id: int | None,
    actor_rank: str | None,
    target_id: int | None,
    target_rank: str | None,
    record_id: int | None,
    entity_type: str,
    entity_id: str | None,
    subject_hash: str | None,
    purpose: str | None,
    payload: str,
) -> bytes:
    """The exact bytes of a leaf: JSON with a fixed key order (see docs/ledger.md).

    Built by formatting rather than a generic serialiser so verification of a million events is
    fast; `payload` is already canonical JSON.
    """
    middle = _middle(action, actor_id, actor_rank, target_id, target_rank, entity_type)
    before, after = _leaf_parts(_s(ts), middle, entity_id, subject_hash, purpose, payload)
    return _leaf_join(idx, record_id, before, after)


def _leaf_parts(
    ts_json: str,
    middle: tuple[str, str],
    entity_id: str | None,
    subject_hash: str | None,
    purpose: str | None,
    payload: str,
) -> tuple[str, str]:
    """The leaf text before and after "record", less the index: the one place (with
    `_leaf_join`) the leaf layout is written. Split so that what is known before an event's
    index and record id can be formatted elsewhere (an intake worker)."""
    return (
        f'"ts":{ts_json},{middle[0]}',
        f'{middle[1]}"entity_id":{"null" if entity_id is None else _s(entity_id)},'
        f'"subject_hash":{"null" if subject_hash is None else _s(subject_hash)},'
        f'"purpose":{_str(purpose)},"payload":{payload}}}',
    )


def _leaf_join(idx: int, record_id: int | None, before: str, after: str) -> bytes:
    return f'{{"v":1,"idx":{idx},{before}"record":{_int(record_id)},{after}'.encode()


def row_leaf_bytes(row: Any) -> bytes:
    """Leaf bytes rebuilt from a stored `ledger_event` row (columns in model order)."""
    return leaf_bytes(
        row.idx,
        iso(row.ts) or "",
        row.action,
        row.actor_id,
        row.actor_rank,
        row.target_id,
        row.target_rank,
        row.record_id,
        row.entity_type,
        row.entity_id,
        row.subject_hash,
        row.purpose,
        row.payload,
    )


def _lock_head(session: Session, count: int) -> tuple[int, merkle.Frontier]:
    stmt = (
        update(LedgerHead)
        .where(LedgerHead.id == 1)
        .values(size=LedgerHead.size + count)
        .returning(LedgerHead.size, LedgerHead.frontier)
    )
    row = session.execute(stmt).one_or_none()
    if row is None:
        raise LedgerError("the ledger is not initialised: run 'candour init'")
    new_size, frontier = row
    old_size = int(new_size) - count
    return old_size, merkle.Frontier.from_bytes(old_size, bytes(frontier))


def lock(session: Session) -> int:
    """Take the ledger's append lock now (for callers that allocate ids before appending)."""
    stmt = select(LedgerHead.size).where(LedgerHead.id == 1).with_for_update()
    size = session.execute(stmt).scalar_one_or_none()
    if size is None:
        raise LedgerError("the ledger is not initialised: run 'candour init'")
    return int(size)


class Formatted(NamedTuple):
    """An event's column values ready for the database driver (less its index, record id and
    time, which `append` fills in): what is costly to convert, made where the event is (an
    intake worker process) rather than in the one writer. `ts_json` and the first value are
    placeholders until then."""

    ts_json: str
    record_id: int | None
    values: tuple[Any, ...]  # _VALUE_COLUMNS

    def naming(self, record_id: int | None, entity_id: str, subject_hash: str) -> Formatted:
        """The event with what is known only when its subject is stored (its ids, its hash)."""
        v = self.values
        return Formatted(
            self.ts_json, record_id, (*v[:_ENTITY], entity_id, subject_hash, *v[_HASH + 1 :])
        )


_VALUE_COLUMNS = (
    "ts",
    "action",
    "actor_id",
    "actor_rank",
    "target_id",
    "target_rank",
    "entity_type",
    "entity_id",
    "subject_hash",
    "purpose",
    "payload",
)
_EVENT_COLUMNS = ("idx", "record_id", *_VALUE_COLUMNS, "leaf_hash")
_ENTITY = _VALUE_COLUMNS.index("entity_id")
_HASH = _VALUE_COLUMNS.index("subject_hash")
assert _HASH == _ENTITY + 1
# Where a Formatted's values hold the leaf's middle (`_middle`) and tail (`_leaf_parts`).
_MIDDLE = slice(_VALUE_COLUMNS.index("action"), _VALUE_COLUMNS.index("entity_type") + 1)
_TAIL = slice(_VALUE_COLUMNS.index("entity_id"), len(_VALUE_COLUMNS))


class Formatter:
    """Formats events for `append` (their time is stamped there)."""

    def __init__(self, dialect: str, now: datetime | None = None) -> None:
        self.to_db = db_converter(UTCDateTime(), dialect)

    def __call__(self, d: EventDraft) -> Formatted:
        payload = d.payload if isinstance(d.payload, str) else canonical_json(d.payload)
        return Formatted(
            "",
            d.record_id,
            (
                None,
                d.action,
                d.actor_id,
                d.actor_rank,
                d.target_id,
                d.target_rank,
                d.entity_type,
                d.entity_id,
                d.subject_hash,
                d.purpose,
                payload,
            ),
        )


def append(
    session: Session,
    events: Sequence[EventDraft | Formatted],
    record_ids: Sequence[int | None] | None = None,
) -> list[int]:
    """Append events in the caller's transaction; returns their indices (the event ids).

    `record_ids`, when given, replaces each event's record id (for events formatted before
    their record had an id)."""
    if not events:
        return []
    start, frontier = _lock_head(session, len(events))
    dialect = session.get_bind().dialect.name
    ts_json, ts_db = _stamp(session, start, dialect)
    fmt = Formatter(dialect)
    formatted = [e if isinstance(e, Formatted) else fmt(e) for e in events]
    rids = [f.record_id for f in formatted] if record_ids is None else record_ids
    if len(rids) != len(formatted):
        raise ValueError("one record id per event is needed")
    rows: list[tuple[Any, ...]] = []
    leaves: list[bytes] = []
    # The part of a leaf between "action" and "record" repeats within a batch (one actor doing
    # one thing many times), so it is formatted once per distinct (action, actor, target).
    middles: dict[tuple[Any, ...], tuple[str, str]] = {}
    sha = hashlib.sha256
    for idx, (_, _, v), rid in zip(itertools.count(start), formatted, rids):
        key = v[_MIDDLE]  # action ... entity_type
        middle = middles.get(key)
        if middle is None:
            middle = middles[key] = _middle(*key)
        before, after = _leaf_parts(ts_json, middle, *v[_TAIL])  # entity_id ... payload
        leaf = sha(b"\x00" + _leaf_join(idx, rid, before, after)).digest()
        leaves.append(leaf)
        rows.append((idx, rid, ts_db, *v[1:], leaf))
    nodes = [
        ((level << NODE_LEVEL_SHIFT) | index, h)
        for level, index, h in frontier.extend(leaves, STORED_MIN_LEVEL)
    ]
    insert_tuples(session, "ledger_event", _EVENT_COLUMNS, rows)
    if nodes:
        insert_tuples(session, "ledger_node", ("key", "hash"), nodes)
    session.execute(
        update(LedgerHead).where(LedgerHead.id == 1).values(frontier=frontier.to_bytes())
    )
    return list(range(start, start + len(events)))


def _stamp(session: Session, start: int, dialect: str) -> tuple[str, Any]:
    """The time of the events appended now, as leaf JSON and as the driver takes it: the
    server's clock, held at the last event's time if the clock is behind it (called under the
    append lock, so the last event is final)."""
    now = utcnow()
    if start:
        last = (
            session.connection()
            .exec_driver_sql(f"SELECT ts FROM ledger_event WHERE idx = {int(start) - 1}")
            .scalar()
        )
        try:
            before = UTCDateTime().process_result_value(last, session.get_bind().dialect)
        except (TypeError, ValueError):
            before = None  # a garbled time: verification reports it
        if before is not None and before > now:
            now = before
    return stamp(now, dialect)


def stamp(ts: datetime, dialect: str) -> tuple[str, Any]:
    """An event time as leaf JSON and as the driver takes it for `dialect`."""
    text = iso(ts) or ""
    # SQLite's text is the canonical text less its "T" and "Z": cut, not formatted again.
    aware = ts.tzinfo is not None
    if dialect == "sqlite" and aware:
        return _s(text), f"{text[:10]} {text[11:-1]}"
    return _s(text), db_converter(UTCDateTime(), dialect)(ts)


def _middle(
    action: str,
    actor_id: int | None,
    actor_rank: str | None,
    target_id: int | None,
    target_rank: str | None,
    entity_type: str,
) -> tuple[str, str]:
    """The fixed-order fragments of a leaf before and after "record" (see `leaf_bytes`)."""
    return (
        f'"action":{_str(action)},"actor":{_int(actor_id)},"actor_rank":{_str(actor_rank)},'
        f'"target":{_int(target_id)},"target_rank":{_str(target_rank)},',
        f'"entity_type":{_str(entity_type)},',
    )


def head(session: Session) -> tuple[int, bytes]:
    """Current (size, root hash)."""
    row = session.execute(select(LedgerHead.size, LedgerHead.frontier)).one_or_none()
    if row is None:
        raise LedgerError("the ledger is not initialised: run 'candour init'")
    size = int(row[0])
    return size, merkle.Frontier.from_bytes(size, bytes(row[1])).root()


class StoredNodes:
    """Fetches the perfect-subtree hashes a set of ranges needs in two queries."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def range_hashes(self, ranges: Sequence[tuple[int, int, int]]) -> list[bytes]:
        plans = [merkle.subtree_plan(s, e) for s, e, _ in ranges]
        wanted = {c for plan in plans for c in plan}
        found = self._fetch(wanted)
        try:
            return [merkle.fold_plan([found[c] for c in plan]) for plan in plans]
        except KeyError as exc:
            raise LedgerError(f"the ledger is missing interior node {exc.args[0]}") from None

    def _fetch(self, coords: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Plain SQL on the session's connection: a proof is a handful of primary-key look-ups,
        and at that size the ORM's per-statement overhead would dominate."""
        found: dict[tuple[int, int], bytes] = {}
        pairs = [i for level, i in coords if level == 1]
        leaves = [i for level, i in coords if level == 0]
        leaves += [j for i in pairs for j in (2 * i, 2 * i + 1)]
        keys = [node_key(level, i) for level, i in coords if level >= STORED_MIN_LEVEL]
        conn = self.session.connection()
        if leaves:
            marks = ",".join(str(int(i)) for i in leaves)
            rows = conn.exec_driver_sql(
                f"SELECT idx, leaf_hash FROM ledger_event WHERE idx IN ({marks})"
            )
            found.update({(0, int(i)): bytes(h) for i, h in rows})
            for i in pairs:
                left, right = found.get((0, 2 * i)), found.get((0, 2 * i + 1))
                if left is not None and right is not None:
                    found[(1, i)] = merkle.node_hash(left, right)
        if keys:
            marks = ",".join(str(int(k)) for k in keys)
            rows = conn.exec_driver_sql(f"SELECT key, hash FROM ledger_node WHERE key IN ({marks})")
            mask = (1 << NODE_LEVEL_SHIFT) - 1
            found.update({(int(k) >> NODE_LEVEL_SHIFT, int(k) & mask): bytes(h) for k, h in rows})
        return found


def _resolve_size(session: Session, size: int | None) -> int:
    current, _ = head(session)
    if size is None:
        return current
    if not 0 <= size <= current:
        raise LedgerError(f"the ledger has {current} events; there is no tree of size {size}")
    return size


def inclusion_proof(session: Session, idx: int, size: int | None = None) -> dict[str, Any]:
    """An inclusion proof of event `idx` in the tree of `size` (default: current), as JSON data.

    The path and (for a past size) the root come from stored nodes in one round of look-ups; the
    current root comes from the head row, so a proof costs a few primary-key reads at any size.
    """
    current, current_root = head(session)
    if size is None:
        size = current
    elif not 0 <= size <= current:
        raise LedgerError(f"the ledger has {current} events; there is no tree of size {size}")
    if not 0 <= idx < size:
        raise NotFoundError(f"event {idx} is not in a tree of size {size}")
    row = (
        session.connection()
        .execute(select(table_of(LedgerEvent)).where(table_of(LedgerEvent).c.idx == idx))
        .one_or_none()
    )
    if row is None:
        raise NotFoundError(f"event {idx} does not exist")
    ranges = merkle.inclusion_plan(idx, size)
    if size == current:
        path, root = StoredNodes(session).range_hashes(ranges), current_root
    else:
        *path, root = StoredNodes(session).range_hashes([*ranges, (0, size, 0)])
    return {
        "leaf_index": idx,
        "tree_size": size,
        "leaf": row_leaf_bytes(row).decode(),
        "leaf_hash": bytes(row.leaf_hash).hex(),
        "proof": [h.hex() for h in path],
        "root": root.hex(),
    }


def consistency_proof(session: Session, old: int, new: int) -> dict[str, Any]:
    new = _resolve_size(session, new)
    if not 0 < old <= new:
        raise LedgerError(f"no consistency proof from size {old} to size {new}")
    nodes = StoredNodes(session)
    path = [] if old == new else nodes.range_hashes(merkle.consistency_plan(old, new))
    roots = nodes.range_hashes([(0, old, 0), (0, new, 0)])
    return {
        "size1": old,
        "size2": new,
        "root1": roots[0].hex(),
        "root2": roots[1].hex(),
        "proof": [h.hex() for h in path],
    }
