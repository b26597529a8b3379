"""The store-backed log: proofs from stored nodes, who-knew, as-of, concurrent appends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candour.errors import NotFoundError
from candour.ledger import merkle
from candour.ledger.asof import record_as_of
from candour.ledger.log import EventDraft, append, consistency_proof, head, inclusion_proof
from candour.store import (
    NewEscalation,
    Store,
    actor_for,
    change_rank,
    raise_escalation,
)
from candour.store.access import Actor
from tests.support.world import T0, build, read_record, record_history, who_knew


def _append_n(store: Store, n: int) -> None:
    with store.transaction() as s:
        append(s, [EventDraft("system", "test", str(i), payload={"i": i}) for i in range(n)])


def test_proofs_from_stored_nodes_match_a_rebuilt_tree(store: Store) -> None:
    _append_n(store, 37)
    with store.reading() as s:
        size, root = head(s)
        for idx in (0, 1, 17, size - 1):
            p = inclusion_proof(s, idx)
            assert p["root"] == root.hex()
            leaf = merkle.leaf_hash(p["leaf"].encode())
            merkle.verify_inclusion(idx, size, leaf, [bytes.fromhex(h) for h in p["proof"]], root)
        for old in (1, 5, 16, 37):
            c = consistency_proof(s, old, size)
            merkle.verify_consistency(
                old, size, bytes.fromhex(c["root1"]), root, [bytes.fromhex(h) for h in c["proof"]]
            )
        with pytest.raises(NotFoundError):
            inclusion_proof(s, size)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(st.integers(1, 9), min_size=1, max_size=6))
def test_any_batching_gives_the_same_tree(store: Store, batches: list[int]) -> None:
    with store.reading() as s:
        start, _ = head(s)
    for b in batches:
        _append_n(store, b)
    with store.reading() as s:
        size, root = head(s)
        from sqlalchemy import select

        from candour.store.models import LedgerEvent

        leaves = [
            bytes(h) for h in s.scalars(select(LedgerEvent.leaf_hash).order_by(LedgerEvent.idx))
        ]
    assert size == start + sum(batches)
    assert merkle.root_from_leaf_hashes(leaves) == root


# PostgreSQL text cannot hold NUL; every other character must round-trip.
_text = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), max_size=12
)
_draft = st.builds(
    EventDraft,
    action=st.sampled_from(["read", "create", "decide"]),
    entity_type=st.sampled_from(["record", "person"]),
    entity_id=st.none() | _text,
    actor_id=st.none() | st.integers(1, 5),
    actor_rank=st.none() | st.sampled_from(["PC", "DS", "Insp"]),
    target_id=st.none() | st.integers(1, 5),
    record_id=st.none() | st.integers(1, 9),
    subject_hash=st.none() | _text,
    purpose=st.none() | _text,
    payload=st.dictionaries(_text, _text | st.integers(-(2**53), 2**53), max_size=3),
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drafts=st.lists(_draft, min_size=1, max_size=20))
def test_every_stored_leaf_is_rebuilt_exactly_from_its_row(
    store: Store, drafts: list[EventDraft]
) -> None:
    """The batch append formats leaves its own fast way; verification rebuilds them from rows
    with `leaf_bytes`. Any text (quotes, accents, escapes) must give the same bytes both ways."""
    from sqlalchemy import select

    from candour.ledger.log import row_leaf_bytes
    from candour.store.models import LedgerEvent

    with store.transaction() as s:
        ids = append(s, drafts)
    with store.reading() as s:
        rows = s.execute(select(LedgerEvent).where(LedgerEvent.idx.in_(ids))).scalars().all()
        assert len(rows) == len(drafts)
        for row in rows:
            assert merkle.leaf_hash(row_leaf_bytes(row)) == bytes(row.leaf_hash)


def test_concurrent_writers_get_consecutive_indices(store: Store) -> None:
    with store.reading() as s:
        start, _ = head(s)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                _append_n(store, 3)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with store.reading() as s:
        from sqlalchemy import func, select

        from candour.store.models import LedgerEvent

        size, _ = head(s)
        n, lo, hi = s.execute(
            select(func.count(), func.min(LedgerEvent.idx), func.max(LedgerEvent.idx))
        ).one()
    assert (n, lo, hi) == (size, 0, size - 1) and size == start + 4 * 10 * 3


def test_who_knew_lists_every_kind_of_knowing_with_rank_at_the_time(store: Store) -> None:
    w = build(store)
    with store.transaction() as s:
        read_record(s, w.record_uids[1], actor_for(w.analyst), "network analysis")
        raise_escalation(
            s,
            NewEscalation(
                "adult named in two records about a child",
                "Insp",
                T0,
                w.record_uids[1],
                owner_id=w.insp.id,
            ),
            Actor.system(),
        )
        promoted = change_rank(s, "PS300", "Insp", Actor.system())
        read_record(s, w.record_uids[0], actor_for(promoted), "supervision")
    with store.reading() as s:
        rows = who_knew(s, w.person_uid)
    seen = {(r.user, r.rank, r.action) for r in rows}
    assert ("PC400", "PC", "created") in seen
    assert ("PC400", "PC", "was assigned") in seen
    assert ("PS300", "PS", "assigned") in seen
    assert ("PS300", "PS", "decided") in seen
    assert ("PS300", "Insp", "read") in seen  # promoted later: the rank held then is shown
    assert ("A500", "Analyst", "read") in seen
    assert ("I200", "Insp", "was escalated to") in seen
    # The intelligence record names nobody: nothing about it is in this person's answer.
    assert {r.record for r in rows} == set(w.record_uids[:2])
    with store.reading() as s:
        senior = who_knew(
            s, w.person_uid, min_rank=__import__("candour.store.enums", fromlist=["Rank"]).Rank.INSP
        )
    assert {(r.user, r.action) for r in senior} == {("I200", "was escalated to"), ("PS300", "read")}


def test_who_knew_rows_are_provable(store: Store) -> None:
    w = build(store)
    with store.reading() as s:
        rows = who_knew(s, w.record_uids[0])
        size, root = head(s)
        for r in rows:
            p = inclusion_proof(s, r.event)
            assert p["leaf_hash"] == r.leaf_hash
            merkle.verify_inclusion(
                r.event,
                size,
                bytes.fromhex(r.leaf_hash),
                [bytes.fromhex(h) for h in p["proof"]],
                root,
            )


def test_as_of_replays_a_record_before_and_after_its_decision(store: Store) -> None:
    from datetime import UTC, datetime, timedelta

    w = build(store)
    with store.reading() as s:
        decided = record_history(s, w.record_uids[0]).decisions[0].decided_at
        before = record_as_of(s, w.record_uids[0], decided - timedelta(microseconds=1))
        after = record_as_of(s, w.record_uids[0], datetime.now(UTC))
    assert before.exists and before.decisions == []
    assert [d["outcome"] for d in after.decisions] == ["recorded"]
    assert after.assigned == [w.pc.id]


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5, minutes=-30))])))
def test_event_time_is_stored_exactly_as_its_column_type_stores_it(ts: datetime) -> None:
    """Append stamps events by cutting SQLite's text out of the canonical text rather than
    formatting twice: the same text as the column type gives, at any time in any zone."""
    from candour.ledger.log import stamp
    from candour.store.bulk import db_converter
    from candour.store.types import UTCDateTime, iso

    for dialect in ("sqlite", "postgresql"):
        ts_json, db = stamp(ts, dialect)
        assert db == db_converter(UTCDateTime(), dialect)(ts)
        assert ts_json == f'"{iso(ts)}"'
