"""Tampering through plain SQL on the store is detected by verification, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from candour.errors import LedgerError
from candour.ledger.checkpoint import make_checkpoint
from candour.ledger.integrity import Report, verify
from candour.ledger.keys import load_signer
from candour.ledger.note import Checkpoint, Signer, open_checkpoint
from candour.settings import Settings
from candour.store import NewEscalation, Store, actor_for, raise_escalation
from candour.store.access import Actor
from tests.support.world import T0, World, build, read_record


@pytest.fixture
def world(store: Store, settings: Settings) -> tuple[World, Checkpoint]:
    w = build(store)
    with store.transaction() as s:
        # reads after creation must not be mistaken for changes by the verifier
        read_record(s, w.record_uids[0], actor_for(w.analyst), "network analysis")
        raise_escalation(
            s,
            NewEscalation("check", "Insp", T0, w.record_uids[1], owner_id=w.insp.id),
            Actor.system(),
        )
        cp, _ = make_checkpoint(s, load_signer(settings), settings.ledger_origin)
    return w, cp


def _verify(store: Store, cp: Checkpoint | None) -> Report:
    with store.reading() as s:
        return verify(s, cp)


def _sql(store: Store, *statements: str, **params: object) -> None:
    with store.engine.begin() as conn:
        for st in statements:
            conn.execute(text(st), params)


def test_untouched_store_verifies(store: Store, world: tuple[World, Checkpoint]) -> None:
    report = _verify(store, world[1])
    assert report.intact, report.findings
    assert report.events == world[1].size
    assert report.rows_checked >= 6


def test_edited_record_text_is_detected(store: Store, world: tuple[World, Checkpoint]) -> None:
    w, cp = world
    _sql(store, "UPDATE record SET body = 'nothing to see' WHERE uid = :u", u=w.record_uids[0])
    report = _verify(store, cp)
    assert not report.intact
    assert report.findings[0].where == f"record {w.record_uids[0]}"
    assert "altered" in report.findings[0].what


def test_deleted_decision_is_detected(store: Store, world: tuple[World, Checkpoint]) -> None:
    _sql(store, "DELETE FROM decision")
    report = _verify(store, world[1])
    assert any(f.where.startswith("decision") and "deleted" in f.what for f in report.findings)


def test_changed_escalation_status_is_detected(store: Store, world) -> None:
    _sql(store, "UPDATE escalation SET status = 'actioned'")
    assert any(f.where.startswith("escalation") for f in _verify(store, world[1]).findings)


def test_record_inserted_outside_candour_is_detected(store: Store, world) -> None:
    _sql(
        store,
        "INSERT INTO record (uid, root_uid, version, kind, received_at, created_at, "
        "fields, about_child, content_hash) VALUES ('R-forged', 'R-forged', 1, "
        "'intelligence', '2024-01-01 00:00:00', '2024-01-01 00:00:00', '{}', false, 'x')",
    )
    report = _verify(store, world[1])
    assert [str(f) for f in report.findings] == [
        "record R-forged: has no ledger event (written outside Candour)"
    ]


def test_edited_event_is_detected_at_its_index(store: Store, world) -> None:
    _sql(store, "UPDATE ledger_event SET actor_id = 1 WHERE idx = 9")
    report = _verify(store, world[1])
    assert report.findings[0].index == 9
    assert report.findings[0].where == "event 9"


def test_reordered_events_are_detected(store: Store, world) -> None:
    cols = (
        "ts",
        "action",
        "actor_id",
        "actor_rank",
        "target_id",
        "target_rank",
        "record_id",
        "entity_type",
        "entity_id",
        "subject_hash",
        "purpose",
        "payload",
        "leaf_hash",
    )
    _sql(store, "CREATE TABLE swap AS SELECT * FROM ledger_event WHERE idx IN (3, 4)")
    sets = ", ".join(f"{c} = (SELECT {c} FROM swap WHERE idx = 7 - ledger_event.idx)" for c in cols)
    _sql(store, f"UPDATE ledger_event SET {sets} WHERE idx IN (3, 4)", "DROP TABLE swap")
    report = _verify(store, world[1])
    assert [f.index for f in report.findings[:2]] == [3, 4]


def test_truncated_log_is_detected_against_the_checkpoint(store: Store, world) -> None:
    _, cp = world
    # A careful forger removes the last events and rewinds the head to match.
    _sql(store, "DELETE FROM ledger_event WHERE idx >= :n", n=cp.size - 2)
    with store.engine.begin() as conn:
        from candour.ledger import merkle

        leaves = [
            bytes(r[0])
            for r in conn.execute(text("SELECT leaf_hash FROM ledger_event ORDER BY idx"))
        ]
        f = merkle.Frontier()
        for h in leaves:
            f.push(h)
        conn.execute(
            text("UPDATE ledger_head SET size = :s, frontier = :f"),
            {"s": f.size, "f": f.to_bytes()},
        )
    report = _verify(store, cp)
    assert any("truncated" in f.what for f in report.findings)


def test_tampered_interior_node_is_detected(store: Store, world) -> None:
    with store.engine.begin() as conn:
        key = conn.execute(text("SELECT MIN(key) FROM ledger_node")).scalar_one()
        conn.execute(
            text("UPDATE ledger_node SET hash = :h WHERE key = :k"), {"h": b"\x00" * 32, "k": key}
        )
    assert any(f.where.startswith("interior node") for f in _verify(store, world[1]).findings)


def test_checkpoint_forged_without_the_private_key_is_rejected(
    settings: Settings, store: Store, world
) -> None:
    real = load_signer(settings)
    _, cp = world
    forged_root = Checkpoint(cp.origin, cp.size, b"\x11" * 32, cp.time)
    impostor = Signer.generate(real.name)  # same name, different key
    with pytest.raises(LedgerError):
        open_checkpoint(impostor.sign(forged_root.body()), real.verifier())
    genuine = real.sign(cp.body())
    altered = genuine.replace(cp.body(), forged_root.body())
    with pytest.raises(LedgerError, match="not valid"):
        open_checkpoint(altered, real.verifier())
    assert open_checkpoint(genuine, real.verifier()) == cp


def test_parallel_verification_finds_the_same(store: Store, world, monkeypatch) -> None:
    import candour.ledger.integrity as integrity

    monkeypatch.setattr(integrity, "PARALLEL_FROM", 0)
    with store.reading() as s:
        serial = verify(s, world[1], workers=1)
        parallel = verify(s, world[1], workers=2)
    assert serial.intact and parallel.intact and serial.root == parallel.root
    _sql(store, "UPDATE ledger_event SET purpose = 'x' WHERE idx = 5")
    with store.reading() as s:
        assert [f.index for f in verify(s, world[1], workers=2).findings] == [5]


def test_event_rewritten_with_a_fresh_leaf_hash_is_caught_by_the_tree(store: Store, world) -> None:
    from candour.ledger.log import row_leaf_bytes
    from candour.ledger.merkle import leaf_hash
    from candour.store.models import LedgerEvent

    with store.transaction() as s:
        ev = s.get_one(LedgerEvent, 6)
        ev.purpose = "nothing happened"
        ev.leaf_hash = leaf_hash(row_leaf_bytes(ev))
    findings = _verify(store, world[1]).findings
    assert findings and all(f.where != "event 6" for f in findings)
    assert any("checkpoint" in f.where or "interior node" in f.where for f in findings)
