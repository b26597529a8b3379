"""The rows an insider could edit to change deadlines, who-knew or evidence are protected.

One world per backend is built through the real write paths (intake with a disclosure and a
quarantined row, extraction, a full and an incremental link run, a link decision, the default
rules), checkpointed, and copied for each test; each test then edits the copy with plain SQL as
an insider with database access would, and verification must say where. Synthetic data only.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from candour.ledger.checkpoint import make_checkpoint
from candour.ledger.integrity import Report, verify
from candour.ledger.keys import load_signer
from candour.ledger.note import Checkpoint
from candour.settings import Settings
from candour.store import Actor, Store
from candour.store.bootstrap import initialise
from candour.testing import create_database

AGENCIES = "code,name,kind\nSDP,South District Police,police\n"
USERS = (
    "identifier,name,rank,role,agency,unit,supervisor\n"
    "SDP2,Pat Reyes,PS,supervisor,SDP,CID,\n"
    "SDP1,Sam Okafor,PC,officer,SDP,CID,SDP2\n"
    "SDP9,Lee Carter,ChSupt,senior,SDP,HQ,\n"
)
PEOPLE = [("Mohammed Khan", "1980-02-03"), ("Mo KHAN", "1980-02-03"),
          ("KHAN, Muhammad", "1980-02-03"), ("Amy Shaw", "1975-01-10"),
          ("Amy SHAW", "1975-01-10"), ("Jodie Pike", "1990-06-12"),
          ("Karol Nowak", "1982-03-04"), ("Grace Adeyemi", None), ("Sean Walsh", "1979-09-19"),
          ("Liam Reid", None), ("Oliver Hunt", "1969-12-01"), ("Chloe Marsh", None)]  # fmt: skip
_n = itertools.count()


def _record(ref: str, **extra: Any) -> str:
    return json.dumps(
        {
            "schema": "candour.record/1",
            "kind": "intelligence",
            "ref": ref,
            "agency": "SDP",
            "received_at": "2011-05-06T07:08:00Z",
            "author": "SDP1",
            "text": "Seen near the precinct.",
            **extra,
        }
    )


def _lines() -> list[str]:
    lines = [
        _record(f"INT/{i}", people=[{"name": n, "role": "suspect", **({"dob": d} if d else {})}])
        for i, (n, d) in enumerate(PEOPLE * 2)
    ]
    lines.append(
        _record(
            "CR/1",
            kind="crime_report",
            disclosure=True,
            offence={"code": "19C", "group": "sexual_offences"},
            text="Kelly BROWN (14) told PC 4471 that Imran SADIQ raped her at the Star Hotel. "
            "She was drunk. Call 07700 900123.",
            people=[{"name": "Kelly Brown", "role": "victim", "age": 14}],
            decisions=[
                {
                    "kind": "crime_recording",
                    "outcome": "recorded",
                    "offence_code": "19C",
                    "reason": "Recorded.",
                    "by": "SDP2",
                    "at": "2011-05-07T09:00:00Z",
                }
            ],
        )
    )
    lines.append("{not a record")  # quarantined
    return lines


@dataclass
class Built:
    url: str
    settings: Settings
    models: Path
    checkpoint: Checkpoint


def _build(settings: Settings, url: str, tmp: Path) -> Built:
    from candour.extract.service import run_extraction
    from candour.intake import import_workforce
    from candour.intake.service import ingest
    from candour.link.decisions import decide
    from candour.link.service import run_incremental, run_link
    from candour.rules.registry import text_lexicon

    store = Store.connect(url)
    initialise(store, settings, "admin", "Administrator", "correct horse battery staple")
    system = Actor.system()
    (tmp / "a.csv").write_text(AGENCIES)
    (tmp / "u.csv").write_text(USERS)
    import_workforce(store, tmp / "a.csv", tmp / "u.csv", system)
    data = tmp / "in.jsonl"
    data.write_text("\n".join(_lines()) + "\n")
    ingest(store, [data], system)
    with store.reading() as s:
        lexicon = text_lexicon(s)
    run_extraction(store, system, lexicon, settings.spacy_model, workers=0)
    models = tmp / "models"
    run_link(store, system, models)
    more = tmp / "more.jsonl"
    more.write_text(_record("INT/late", people=[{"name": "Mohammed KHAN", "dob": "1980-02-03"}]))
    ingest(store, [more], system)
    run_incremental(store, system, models)
    with store.transaction() as s:
        ids = [r[0] for r in s.execute(text("SELECT id FROM mention ORDER BY id LIMIT 2"))]
        decide(s, system, [(ids[0], ids[1])], "different", "pair", "not the same man")
        cp, _ = make_checkpoint(s, load_signer(settings), settings.ledger_origin)
    store.dispose()
    return Built(url, settings, models, cp)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp = tmp_path_factory.mktemp(f"protected-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'home' / 'candour.db'}"
    else:
        url = create_database(request.getfixturevalue("pg_server"), f"protected_{os.getpid()}")
    return _build(Settings(home=tmp / "home", database_url=url), url, tmp)


@dataclass
class World:
    store: Store
    models: Path
    checkpoint: Checkpoint
    settings: Settings

    def sql(self, *statements: str, **params: Any) -> None:
        with self.store.engine.begin() as conn:
            for st in statements:
                conn.execute(text(st), params)

    def one(self, statement: str, **params: Any) -> Any:
        with self.store.engine.connect() as conn:
            return conn.execute(text(statement), params).scalar()

    def verify(self, cp: Checkpoint | None = None, **kw: Any) -> Report:
        with self.store.reading() as s:
            return verify(s, cp or self.checkpoint, models_dir=self.models, **kw)


@pytest.fixture
def world(built: Built, tmp_path: Path) -> Iterator[World]:
    """A private copy of the built world: its database and its models folder."""
    if built.url.startswith("sqlite"):
        src = Path(built.url.removeprefix("sqlite:///"))
        dst = tmp_path / "candour.db"
        shutil.copy(src, dst)
        url = f"sqlite:///{dst}"
    else:
        base = built.url.rsplit("/", 1)
        name = f"{base[1]}_{next(_n)}"
        admin = create_engine(
            base[0].replace("postgresql://", "postgresql+psycopg://") + "/postgres",
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{base[1]}"'))
        admin.dispose()
        url = f"{base[0]}/{name}"
    models = tmp_path / "models"
    shutil.copytree(built.models, models)
    store = Store.connect(url)
    yield World(store, models, built.checkpoint, built.settings)
    store.dispose()


def _where(report: Report) -> list[str]:
    return [f.where for f in report.findings]


def test_the_untouched_world_verifies_with_its_model_files(world: World) -> None:
    report = world.verify(checkpoint_source="file")
    assert report.intact, report.findings
    assert report.warnings == []
    assert report.files_checked >= 5  # model, snapshot (2 parts), term frequencies, pointer
    for table in ("disclosure", "rule_version", "link_decision", "quarantine", "finding"):
        assert world.one(f"SELECT COUNT(*) FROM {table}") >= 1, table


def test_deleted_disclosure_is_caught(world: World) -> None:
    did = world.one("SELECT MIN(id) FROM disclosure")
    world.sql("DELETE FROM disclosure WHERE id = :d", d=did)
    report = world.verify()
    assert f"disclosure {did}" in _where(report)
    assert any("deleted" in f.what for f in report.findings)


def test_disclosure_moved_in_time_is_caught(world: World) -> None:
    world.sql("UPDATE disclosure SET received_at = created_at")
    assert any(w.startswith("disclosure ") for w in _where(world.verify()))


def test_mention_unlinked_from_its_person_is_caught(world: World) -> None:
    mid = world.one("SELECT MIN(id) FROM mention WHERE entity_id IS NOT NULL")
    world.sql("UPDATE mention SET entity_id = NULL WHERE id = :m", m=mid)
    assert "table mention (mention links)" in _where(world.verify())


def test_mention_moved_to_another_person_is_caught(world: World) -> None:
    world.sql(
        "UPDATE mention SET entity_id = (SELECT MAX(id) FROM entity) "
        "WHERE id = (SELECT MIN(id) FROM mention WHERE entity_id IS NOT NULL)"
    )
    assert "table mention (mention links)" in _where(world.verify())


def test_raised_rule_deadline_is_caught(world: World) -> None:
    before = world.one("SELECT COUNT(*) FROM rule_version WHERE text LIKE '%deadline_hours: 24%'")
    assert before == 1
    world.sql(
        "UPDATE rule_version SET text = REPLACE(text, 'deadline_hours: 24', 'deadline_hours: 96')"
    )
    report = world.verify()
    assert any(w.startswith("rule_version ncrs-24h@") for w in _where(report)), report.findings


@pytest.mark.parametrize(
    ("statement", "where"),
    [
        ("UPDATE finding SET negated = NOT negated", "table finding"),
        ("DELETE FROM finding WHERE id = (SELECT MIN(id) FROM finding)", "table finding"),
        ("UPDATE entity SET display = 'Someone Else' WHERE id = (SELECT MIN(id) FROM entity)",
         "table entity"),
        ("DELETE FROM person_alias WHERE id = (SELECT MAX(id) FROM person_alias)",
         "table person_alias"),
        ("UPDATE quarantine SET message = 'nothing wrong'", "quarantine"),
        ("UPDATE link_decision SET verdict = 'same'", "link_decision"),
    ],
)  # fmt: skip
def test_edited_evidence_is_caught(world: World, statement: str, where: str) -> None:
    world.sql(statement)
    report = world.verify()
    assert any(w.startswith(where) for w in _where(report)), report.findings


def test_the_kept_digest_state_cannot_launder_an_edit(world: World) -> None:
    """An insider who also rewrites the running digest to match is refused by the next writer
    and still caught by verification."""
    from candour.errors import LedgerError
    from candour.store.digests import AGGREGATES, Change, record_changes, table_state

    world.sql("UPDATE entity SET display = 'Someone Else' WHERE id = (SELECT MIN(id) FROM entity)")
    with world.store.engine.begin() as conn:
        state = table_state(conn, AGGREGATES["entity"])
        conn.execute(
            text("UPDATE table_digest SET lanes = :l, row_count = :c WHERE name = 'entity'"),
            {"l": state.to_bytes(), "c": state.count},
        )
    refused = pytest.raises(LedgerError, match="differs from the one the ledger logged")
    with refused, world.store.transaction() as s:
        record_changes(s, {"entity": Change(added=[{"id": 10**6}])}, None, None)
    assert "table entity" in _where(world.verify())


def _forge_append(world: World, ts: datetime, **draft: Any) -> int:
    """An insider with the code appends an event with a time of their choosing (the append API
    takes no time, so they bypass its clock), keeping the tree consistent."""
    import candour.ledger.log as log

    forged = log.stamp(ts, world.store.engine.dialect.name)
    real = log._stamp
    log._stamp = lambda *a: forged  # type: ignore[assignment]
    try:
        with world.store.transaction() as s:
            (idx,) = log.append(s, [log.EventDraft(**draft)])
    finally:
        log._stamp = real  # type: ignore[assignment]
    return idx


def test_backdated_read_after_the_checkpoint_is_caught(world: World) -> None:
    chief = world.one("SELECT id FROM app_user WHERE identifier = 'SDP9'")
    rid, uid = 1, world.one("SELECT uid FROM record WHERE id = 1")
    idx = _forge_append(
        world, datetime(2009, 6, 1, 10, 0, tzinfo=UTC), action="read", entity_type="record",
        entity_id=uid, actor_id=chief, actor_rank="ChSupt", record_id=rid, purpose="review",
        payload={"break_glass": False},
    )  # fmt: skip
    report = world.verify()
    assert [str(f) for f in report.findings] == [
        f"event {idx}: time runs backwards (earlier than the event before it)"
    ]


def test_appends_never_run_backwards_even_if_the_clock_does(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import candour.ledger.log as log
    from candour.store.types import utcnow

    before = world.one("SELECT MAX(ts) FROM ledger_event")
    monkeypatch.setattr(log, "utcnow", lambda: datetime(2009, 6, 1, tzinfo=UTC))
    with world.store.transaction() as s:
        (idx,) = log.append(s, [log.EventDraft("system", "test", payload={})])
    assert world.one("SELECT ts FROM ledger_event WHERE idx = :i", i=idx) == before
    assert world.verify().intact
    assert utcnow().year > 2009


def test_imported_history_is_logged_now_and_says_when_it_happened(world: World) -> None:
    from candour.ledger.asof import record_as_of

    with world.store.reading() as s:
        row = s.execute(
            text(
                "SELECT e.ts, e.payload, r.uid FROM ledger_event e JOIN record r "
                "ON r.id = e.record_id WHERE e.action = 'create' AND e.entity_type = 'record' "
                "ORDER BY e.idx LIMIT 1"
            )
        ).one()
        payload = json.loads(row[1])
        assert payload["occurred_at"] == "2011-05-06T07:08:00.000000Z" and payload["imported"]
        assert str(row[0])[:4] != "2011"  # logged by the server's clock
        # As-of replays the world as it stood: the record existed in 2011, not in 2010.
        assert record_as_of(s, row[2], datetime(2011, 6, 1, tzinfo=UTC)).exists
        assert not record_as_of(s, row[2], datetime(2010, 6, 1, tzinfo=UTC)).exists
        decided = s.execute(
            text("SELECT payload FROM ledger_event WHERE action = 'decide' ORDER BY idx LIMIT 1")
        ).scalar_one()
        assert json.loads(decided)["occurred_at"] == "2011-05-07T09:00:00.000000Z"


def test_intake_disclosures_have_events_with_their_hash(world: World) -> None:
    with world.store.reading() as s:
        rows = s.execute(
            text(
                "SELECT d.id, d.source, d.content_hash, e.subject_hash, e.payload "
                "FROM disclosure d JOIN ledger_event e ON e.entity_type = 'disclosure' "
                "AND e.entity_id = CAST(d.id AS VARCHAR(20))"
            )
        ).all()
    assert {r[1] for r in rows} == {"field"}  # the text disclosure's record has one already
    assert all(r[2] == r[3] for r in rows)
    assert json.loads(rows[0][4])["occurred_at"] == "2011-05-06T07:08:00.000000Z"


# Model files --------------------------------------------------------------------------------


def test_altered_persons_snapshot_is_caught(world: World) -> None:
    part = sorted(world.models.glob("persons-*.parquet"))[-1]
    part.write_bytes(part.read_bytes() + b"\0")
    report = world.verify()
    assert f"model file {part.name}" in _where(report)
    assert any("altered" in f.what for f in report.findings)


def test_missing_model_is_caught(world: World) -> None:
    model = next(p for p in world.models.glob("*.json") if p.name != "latest.json")
    model.unlink()
    assert any("missing" in f.what and model.name in f.where for f in world.verify().findings)


def test_model_file_no_run_named_is_caught(world: World) -> None:
    (world.models / "persons-0099.parquet").write_bytes(b"PAR1")
    assert "model file persons-0099.parquet" in _where(world.verify())


def test_model_files_are_not_checked_without_the_folder(world: World) -> None:
    shutil.rmtree(world.models)
    with world.store.reading() as s:
        assert verify(s, world.checkpoint).intact


# Warnings -----------------------------------------------------------------------------------


def test_without_an_outside_checkpoint_verify_says_what_it_does_not_prove(world: World) -> None:
    with world.store.reading() as s:
        none = verify(s)
        own = verify(s, world.checkpoint, checkpoint_source="store")
        outside = verify(s, world.checkpoint, checkpoint_source="file")
    assert none.intact and own.intact and outside.intact
    assert len(none.warnings) == 1 and "trusts the store's own copy" in none.warnings[0]
    assert "insider" in none.warnings[0]
    assert len(own.warnings) == 1 and "came from the store itself" in own.warnings[0]
    assert outside.warnings == []


# Garbage ------------------------------------------------------------------------------------


def _garbage(world: World, statement: str, **params: Any) -> Report:
    world.sql(statement, **params)
    report = world.verify()  # must not raise
    assert not report.intact
    return report


def test_garbage_head_frontier(world: World) -> None:
    report = _garbage(world, "UPDATE ledger_head SET frontier = :f", f=b"xyz")
    assert "ledger head" in _where(report)


def test_garbage_head_size(world: World) -> None:
    report = _garbage(world, "UPDATE ledger_head SET size = -5")
    assert "ledger head" in _where(report)


def test_missing_head_row(world: World) -> None:
    assert "ledger head" in _where(_garbage(world, "DELETE FROM ledger_head"))


def test_garbage_leaf_hash(world: World) -> None:
    report = _garbage(world, "UPDATE ledger_event SET leaf_hash = :h WHERE idx = 3", h=b"\x01")
    assert "event 3" in _where(report)


def test_garbage_payload_json(world: World) -> None:
    report = _garbage(
        world,
        "UPDATE ledger_event SET payload = '{not json' WHERE idx = "
        "(SELECT MAX(idx) FROM ledger_event WHERE entity_type = 'link_run')",
    )
    assert any(w.startswith("event ") for w in _where(report))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_event SET ts = 'not a time at all' WHERE idx = 4",
        "UPDATE ledger_event SET ts = '2024-13-45 99:99:99.000000' WHERE idx = 4",
        "UPDATE ledger_event SET actor_id = 'x' WHERE idx = 4",
        "UPDATE record SET fields = '{not json' WHERE id = 1",
        "UPDATE record SET received_at = 'yesterday' WHERE id = 1",
        "UPDATE ledger_node SET hash = 'abc' WHERE key = (SELECT MIN(key) FROM ledger_node)",
        "UPDATE entity SET display = X'00ff' WHERE id = (SELECT MIN(id) FROM entity)",
        "UPDATE disclosure SET offence_code = X'00ff'",
    ],
)
def test_garbage_columns_on_sqlite(world: World, statement: str) -> None:
    """SQLite stores any value in any column: every kind of garbage is a finding."""
    if world.store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL refuses values that are not of the column's type")
    report = _garbage(world, statement)
    first = report.findings[0].where
    assert first.startswith(("event 4", "record ", "interior node", "table entity", "disclosure"))
