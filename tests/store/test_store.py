"""The store API on SQLite and PostgreSQL: append-only records, named decisions, logged reads."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from candour.errors import (
    AlreadyInitialisedError,
    PermissionDeniedError,
    SchemaVersionError,
    ValidationError,
)
from candour.store import (
    NewDecision,
    NewEscalation,
    NewRecord,
    Store,
    actor_for,
    add_decision,
    add_records,
    amend_record,
    raise_escalation,
    require_current,
    table_counts,
    update_escalation,
)
from candour.store.bootstrap import initialise
from candour.store.models import LedgerEvent, Record
from tests.support.world import T0, build, read_record, record_history


def test_init_creates_admin_and_refuses_a_second_time(store: Store, settings) -> None:
    with store.reading() as s:
        counts = table_counts(s)
    assert counts["app_user"] == 1
    assert counts["ledger_event"] == 8  # the administrator and the seven default rules
    with pytest.raises(AlreadyInitialisedError):
        initialise(store, settings, "admin2", "Other", "pw")
    with store.reading() as s:
        assert table_counts(s) == counts


def test_bulk_records_each_get_a_create_event(store: Store) -> None:
    w = build(store)
    with store.reading() as s:
        creates = s.scalars(
            select(LedgerEvent).where(
                LedgerEvent.entity_type == "record", LedgerEvent.action == "create"
            )
        ).all()
        assert sorted(e.entity_id for e in creates) == sorted(w.record_uids)
        assert all(e.actor_id == w.pc.id and e.actor_rank == "PC" for e in creates)


def test_identical_record_is_not_stored_twice(store: Store) -> None:
    build(store)
    dup = NewRecord(
        "intelligence",
        T0.replace(day=3),
        body="Vehicle seen outside school.",
        source_ref="test:3",
        agency_id=1,
    )
    with pytest.raises(ValidationError, match="already stored"), store.transaction() as s:
        add_records(s, [dup], actor_for_system())
    with store.reading() as s:
        assert s.execute(select(func.count()).select_from(Record)).scalar_one() == 3


def actor_for_system():
    from candour.store import Actor

    return Actor.system()


def test_amendment_is_a_new_version_and_the_old_one_stays(store: Store) -> None:
    w = build(store)
    with store.transaction() as s:
        v2 = amend_record(
            s,
            w.record_uids[2],
            actor_for(w.pc),
            "typo in place name",
            body="Vehicle seen outside the school gates.",
        )
    with store.reading() as s:
        h = record_history(s, w.record_uids[2])
    assert [v.version for v in h.versions] == [1, 2]
    assert h.versions[0].body == "Vehicle seen outside school."
    assert h.versions[1].body == "Vehicle seen outside the school gates."
    assert h.versions[1].supersedes_id == h.versions[0].id
    assert v2.uid.endswith(".v2")
    assert [e.action for e in h.events] == ["create", "amend"]


def test_reads_are_logged_with_purpose_and_need_to_know_is_enforced(store: Store) -> None:
    w = build(store)
    with store.transaction() as s:
        read_record(s, w.record_uids[0], actor_for(w.pc), "assigned investigation")
        read_record(s, w.record_uids[1], actor_for(w.analyst), "network analysis")
    with store.transaction() as s:
        other = _officer(s, w)
        read_record(s, w.record_uids[0], other, "urgent safeguarding", break_glass=True)
    with store.reading() as s:
        reads = s.scalars(
            select(LedgerEvent).where(LedgerEvent.action == "read").order_by(LedgerEvent.idx)
        ).all()
    assert [r.purpose for r in reads] == [
        "assigned investigation",
        "network analysis",
        "urgent safeguarding",
    ]
    assert '"break_glass":true' in reads[-1].payload
    assert '"break_glass":false' in reads[0].payload


def _officer(s, w):
    from candour.store import Actor, NewUser, create_user

    u = create_user(s, NewUser("PC999", "Lee Moreau", "PC", "officer"), Actor.system())
    return actor_for(u)


def test_officer_without_assignment_is_refused(store: Store) -> None:
    w = build(store)
    with store.transaction() as s:
        other = _officer(s, w)
    with pytest.raises(PermissionDeniedError), store.transaction() as s:
        read_record(s, w.record_uids[0], other, "curiosity")


@pytest.mark.parametrize(
    ("decision", "field"),
    [
        (NewDecision("crime_recording", "seen", None), "outcome"),
        (NewDecision("crime_recording", "seen", "recorded"), "offence_code"),
        (NewDecision("crime_recording", "  ", "not_recorded"), "reason"),
        (NewDecision("lunch", "seen"), "kind"),
    ],
)
def test_decisions_must_be_complete(store: Store, decision: NewDecision, field: str) -> None:
    w = build(store)
    with pytest.raises(ValidationError) as err, store.transaction() as s:
        add_decision(s, w.record_uids[0], decision, actor_for(w.ps))
    assert err.value.field == field


def test_decision_keeps_rank_at_the_time(store: Store) -> None:
    w = build(store)
    with store.reading() as s:
        h = record_history(s, w.record_uids[0])
    (d,) = h.decisions
    assert (d.decided_by, d.rank_at_decision, d.outcome, d.offence_code) == (
        w.ps.id,
        "PS",
        "recorded",
        "19/1",
    )


def test_escalations_are_deduplicated_and_status_changes_are_logged(store: Store) -> None:
    w = build(store)
    new = NewEscalation(
        "no recording decision in 24h",
        "Insp",
        T0,
        w.record_uids[1],
        owner_id=w.insp.id,
        rule_id="ncrs-24h",
        dedup_key="ncrs-24h:x",
    )
    with store.transaction() as s:
        e1 = raise_escalation(s, new, actor_for_system())
        e2 = raise_escalation(s, new, actor_for_system())
        assert e1.id == e2.id
        update_escalation(s, e1.id, "acknowledged", actor_for(w.insp))
    with store.reading() as s:
        actions = s.scalars(
            select(LedgerEvent.action)
            .where(LedgerEvent.entity_type == "escalation")
            .order_by(LedgerEvent.idx)
        ).all()
    assert actions == ["escalate", "acknowledge"]


def test_store_newer_than_code_is_refused(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    with pytest.raises(SchemaVersionError, match="newer than this version"):
        require_current(store.engine)


def test_migrations_build_exactly_the_model(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from candour.store.models import Base

    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


@settings(max_examples=200, deadline=None)
@given(
    reason=st.text(min_size=1).filter(str.strip) | st.just('"record_id":0, "x"'),
    record_id=st.integers(1, 2**62),
    outcome=st.sampled_from(["recorded", "not_recorded", "transferred"]),
    at=st.datetimes(timezones=st.just(UTC)),
)
def test_a_decision_converted_before_its_record_has_an_id_hashes_as_the_stored_row(
    reason: str, record_id: int, outcome: str, at: datetime
) -> None:
    """Intake's workers convert decisions before records have ids; joined around the id, the
    hashed text is the row's canonical content, whatever the reason says."""
    from candour.ledger.log import Formatter
    from candour.store.access import Actor
    from candour.store.casework import decision_parts
    from candour.store.hashing import decision_hash

    new = NewDecision("crime_recording", reason, outcome, "19C", decided_at=at)
    parts = decision_parts(new, Actor(7, "PS", "officer"), at, Formatter("sqlite", at))
    row = {
        "record_id": record_id,
        "kind": new.kind,
        "outcome": outcome,
        "offence_code": "19C",
        "reason": reason,
        "decided_by": 7,
        "rank_at_decision": "PS",
        "decided_at": at,
        "supersedes_id": None,
    }
    got = hashlib.sha256(parts.hash_text(record_id).encode()).hexdigest()
    assert got == decision_hash(row)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(fields=st.dictionaries(st.text(max_size=10), _json_values, max_size=6))
def test_fields_made_canonical_once_give_the_same_uid_hash_and_column(fields: dict) -> None:
    """A record's fields are serialised once for its uid, its content hash and its column; each
    is what serialising the fields afresh gives (what verification recomputes)."""
    from candour.store.access import Actor
    from candour.store.hashing import canonical_json, record_hash
    from candour.store.records import record_row, record_uid, record_values
    from candour.store.types import iso

    now = datetime(2026, 12, 2, tzinfo=UTC)
    new = NewRecord("crime_report", now, "body", fields=fields, source_ref="s")
    row = record_row(new, Actor(1, "Staff", "admin"), now)
    plain = {**row, "fields": fields, "received_at": iso(now), "created_at": iso(now)}
    assert row["uid"] == record_uid(new)
    assert row["content_hash"] == record_hash(plain)
    (values,) = record_values([row], "sqlite")
    assert canonical_json(fields) in values


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["person", "phone", "vehicle", "location"]),
    role=st.sampled_from(["victim", "suspect", "witness", "unknown"]),
    text=st.text(max_size=30),
    attributes=st.dictionaries(st.sampled_from(["dob", "age", "phone"]), _json_values, max_size=3),
    dialect=st.sampled_from(["sqlite", "postgresql"]),
)
def test_mention_rows_made_directly_are_the_rows_of_the_mention(
    kind: str, role: str, text: str, attributes: dict, dialect: str
) -> None:
    """Intake makes its mentions' rows straight from their fields: the very rows the store makes
    of the same mention."""
    from candour.store.entities import MentionValues, NewMention, mention_values

    now = datetime(2026, 12, 2, tzinfo=UTC)
    make = MentionValues("field", "intake/1", now, dialect)
    new = NewMention(
        0,
        kind,
        text,
        "field",
        "intake/1",
        role=role,
        field_name="people[0].name",
        attributes=attributes,
    )
    assert (
        make(kind, text, "people[0].name", role, attributes)
        == mention_values([new], now, dialect)[0]
    )


def test_a_mention_of_no_known_kind_is_refused_by_the_direct_path_too() -> None:
    from candour.store.entities import MentionValues

    make = MentionValues("field", "intake/1", datetime(2026, 12, 2, tzinfo=UTC), "sqlite")
    with pytest.raises(ValidationError, match="kind"):
        make("gossip", "x", "f", "victim", {})
