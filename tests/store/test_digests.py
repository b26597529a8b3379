"""Aggregate table digests (LtHash) and the schema upgrade that starts protecting rows."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from candour.ledger.integrity import verify
from candour.store import Actor, Store
from candour.store.digests import AGGREGATES, LtHash
from candour.store.models import Record
from tests.support.world import build

rows = st.lists(st.binary(min_size=1, max_size=40), max_size=30)


def _of(elements: list[bytes], prefix: bytes = b"t\x00") -> LtHash:
    h = LtHash(prefix)
    h.add(elements)
    return h


@settings(max_examples=100, deadline=None)
@given(rows, rows, st.randoms())
def test_a_digest_updated_step_by_step_equals_the_digest_of_the_final_set(
    kept: list[bytes], dropped: list[bytes], rnd: object
) -> None:
    """Adding and removing rows in any order gives the digest of what remains."""
    steps = [(True, e) for e in kept + dropped] + [(False, e) for e in dropped]
    rnd.shuffle(steps)  # type: ignore[attr-defined]
    # removals may come before their additions: the lanes are a group, so order is free
    h = LtHash(b"t\x00")
    for add, e in steps:
        (h.add if add else h.remove)([e])
    assert h.hexdigest() == _of(kept).hexdigest()
    assert h.count == len(kept)


def test_a_digest_is_a_multiset_hash_and_separates_tables() -> None:
    a, b = b'{"id":1,"entity_id":7}', b'{"id":2,"entity_id":7}'
    assert _of([a, b]).hexdigest() == _of([b, a]).hexdigest()
    assert _of([a]).hexdigest() != _of([a, a]).hexdigest()
    assert _of([a, b]).hexdigest() != _of([a]).hexdigest()
    assert _of([]).hexdigest() != _of([a], b"u\x00").hexdigest()
    assert _of([a], b"t\x00").hexdigest() != _of([a], b"u\x00").hexdigest()
    state = _of([a, b])
    again = LtHash.from_bytes(b"t\x00", state.to_bytes(), state.count)
    assert again.hexdigest() == state.hexdigest()
    assert len(state.to_bytes()) == 2048


@given(st.integers(min_value=0, max_value=2**62), st.integers(min_value=0, max_value=2**62))
def test_a_mention_link_is_hashed_as_its_canonical_json(mention: int, entity: int) -> None:
    from candour.store.hashing import canonical_json

    row = {"id": mention, "entity_id": entity}
    assert AGGREGATES["mention_link"].element(row) == canonical_json(row).encode()


def test_every_aggregate_names_real_columns() -> None:
    from candour.store.models import Base

    for aggregate in AGGREGATES.values():
        table = Base.metadata.tables[aggregate.table]
        assert aggregate.columns[0] == "id"
        assert set(aggregate.columns) <= set(table.c.keys())


def test_upgrading_a_store_protects_what_it_holds(store: Store) -> None:
    """A store at schema 0007 with data (and history whose times ran backwards) verifies intact
    after the upgrade to 0008, which hashes and logs what it finds."""
    from alembic import command

    import candour.ledger.log as log
    from candour.store.db import _alembic_config, upgrade
    from candour.store.disclosures import add_disclosures

    w = build(store)
    with store.transaction() as s:
        rid = s.execute(select(Record.id).limit(1)).scalar()
        add_disclosures(
            s,
            [
                {
                    "record_id": rid,
                    "source": "field",
                    "offence_code": "19C",
                    "offence_group": "sexual_offences",
                    "received_at": datetime(2011, 1, 1, tzinfo=UTC),
                    "responsible_id": w.pc.id,
                    "detector": "test",
                }
            ],
            Actor.system(),
            purpose="test",
        )
    # Imported history logged by the old code at its own time: backwards.
    real = log._stamp
    old = log.stamp(datetime(2009, 1, 1, tzinfo=UTC), store.dialect)
    log._stamp = lambda *a: old  # type: ignore[assignment]
    try:
        with store.transaction() as s:
            log.append(s, [log.EventDraft("create", "note", "old", payload={})])
    finally:
        log._stamp = real  # type: ignore[assignment]
    with store.reading() as s:
        assert any("time runs backwards" in f.what for f in verify(s).findings)
    command.downgrade(_alembic_config(store.engine), "0007")
    upgrade(store.engine)
    with store.reading() as s:
        report = verify(s)
    assert report.intact, report.findings
