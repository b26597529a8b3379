"""Linking through the CLI: one person written many ways becomes one person; namesakes do not."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from sqlalchemy import create_engine, select

from candour.link.explain import explain_person
from candour.store.db import Store
from candour.store.models import Entity, LedgerEvent, Mention, Record
from tests.cli.test_cli import run
from tests.cli.test_extract_cli import _setup

# (how the name is written, date of birth, phone) for the same true person
MO = [("Mohammed Khan", "1980-02-03", "07700900111"), ("Mo KHAN", "1980-02-03", None),
      ("KHAN, Muhammad", "1980-02-03", "07700900111"), ("Mohamed Khan", None, "07700900111"),
      ("Mohammed Khan", "1980-02-03", None)]  # fmt: skip
NAMESAKE = [("Mohammed Khan", "1999-11-30", "07700900999"), ("Mohammed KHAN", "1999-11-30", None)]
OTHERS = ["Amy Shaw", "Jodie Pike", "Karol Nowak", "Grace Adeyemi", "Sean Walsh", "Liam Reid",
          "Fatima Begum", "Oliver Hunt", "Chloe Marsh", "Tariq Aziz", "Ewa Zielinska",
          "Daniel Cole", "Priya Patel", "Ryan Mills", "Hannah Lee", "Kwame Mensah"]  # fmt: skip


def _records() -> list[str]:
    rng = random.Random(5)
    lines = []
    people = [(n, d, p, "mo") for n, d, p in MO] + [(n, d, p, "ns") for n, d, p in NAMESAKE]
    for i, name in enumerate(OTHERS * 3):
        dob = f"19{70 + OTHERS.index(name)}-0{1 + OTHERS.index(name) % 9}-1{i % 3}"
        people.append((name, dob if i % 2 else None, None, name))
    for i, (name, dob, phone, _) in enumerate(people):
        person = {"name": name, "role": "suspect"}
        if dob:
            person["dob"] = dob
        if phone:
            person["phone"] = phone
        lines.append(json.dumps({
            "schema": "candour.record/1", "kind": "intelligence", "ref": f"INT/{i}",
            "agency": "SDP", "received_at": f"2011-0{1 + rng.randrange(8)}-1{i % 9}T10:00:00Z",
            "author": "SDP1", "text": "Seen near the precinct.", "people": [person],
        }))  # fmt: skip
    return lines


def test_link_then_explain(tmp_path: Path, db_url: str) -> None:
    home = _setup(tmp_path, db_url)
    data = tmp_path / "people.jsonl"
    data.write_text("\n".join(_records()) + "\n")
    assert run(home, db_url, "ingest", str(data)).exit_code == 0
    r = run(home, db_url, "link")
    assert r.exit_code == 0, r.output
    assert "linked 55 person mentions" in r.output
    # A folder without the synthetic district's ground truth: one line, not a traceback.
    r = run(home, db_url, "eval", "link", "--no-febrl", "--district", str(tmp_path))
    assert r.exit_code == 5 and "no ground truth" in r.output and "Traceback" not in r.output
    engine = create_engine(db_url)
    with engine.connect() as c:
        rows = c.execute(
            select(Mention.text, Mention.attributes, Entity.uid).join(
                Entity, Entity.id == Mention.entity_id
            )
        ).all()
    engine.dispose()
    by_person: dict[str, set[str]] = {}
    for text, attrs, uid in rows:
        by_person.setdefault(uid, set()).add(f"{text}|{(attrs or {}).get('dob')}")
    mo = {uid for text, attrs, uid in rows if (attrs or {}).get("dob") == "1980-02-03"}
    namesake = {uid for text, attrs, uid in rows if (attrs or {}).get("dob") == "1999-11-30"}
    assert len(mo) == 1 and len(namesake) == 1 and mo != namesake
    person = mo.pop()
    assert {"Mo KHAN|1980-02-03", "KHAN, Muhammad|1980-02-03"} <= by_person[person]
    chart = tmp_path / "weights.png"
    r = run(
        home,
        db_url,
        "link",
        "explain",
        person,
        "--chart",
        str(chart),
        "--purpose",
        "network review",
        user="SDP3",
    )
    assert r.exit_code == 0, r.output
    assert "Mo KHAN" in r.output and chart.stat().st_size > 1000
    assert (
        run(
            home,
            db_url,
            "link",
            "explain",
            "PER-999999",
            "--purpose",
            "network review",
            user="SDP3",
        ).exit_code
        == 6
    )
    assert run(home, db_url, "link", "explain", person, "--purpose", "x").exit_code == 6  # admin
    assert run(home, db_url, "ledger", "verify").exit_code == 0


def test_analyst_decisions_win_and_apply_transitively(tmp_path: Path, db_url: str) -> None:
    home = _setup(tmp_path, db_url)
    data = tmp_path / "people.jsonl"
    data.write_text("\n".join(_records()) + "\n")
    assert run(home, db_url, "ingest", str(data)).exit_code == 0
    assert run(home, db_url, "link").exit_code == 0

    def person_of() -> dict[str, str]:
        engine = create_engine(db_url)
        with engine.connect() as c:
            rows = c.execute(
                select(Mention.id, Entity.uid).join(Entity, Entity.id == Mention.entity_id)
            ).all()
        engine.dispose()
        return {str(m): uid for m, uid in rows}

    before = person_of()
    mo = sorted((m for m in before if before[m] == before[min(before)]), key=int)
    other = [m for m in before if before[m] != before[mo[0]]]
    # Analysts say: two Mo mentions are different people; Mo and two others are one person.
    r = run(
        home,
        db_url,
        "link",
        "decide",
        mo[0],
        mo[1],
        "different",
        "--reason",
        "CCTV stills",
        user="SDP3",
    )
    assert r.exit_code == 0 and "different people" in r.output
    bad = run(home, db_url, "link", "decide", mo[0], mo[1], "maybe", "--reason", "x", user="SDP3")
    assert bad.exit_code != 0
    assert (
        run(
            home,
            db_url,
            "link",
            "decide",
            mo[0],
            other[0],
            "same",
            "--reason",
            "same NI no",
            user="SDP3",
        ).exit_code
        == 0
    )
    assert (
        run(
            home,
            db_url,
            "link",
            "decide",
            other[0],
            other[1],
            "same",
            "--reason",
            "same NI no",
            user="SDP3",
        ).exit_code
        == 0
    )
    assert run(home, db_url, "link").exit_code == 0
    after = person_of()
    assert after[mo[0]] != after[mo[1]]
    assert after[mo[0]] == after[other[0]] == after[other[1]]  # transitive
    assert run(home, db_url, "ledger", "verify").exit_code == 0


def test_graph_commands_show_and_log(tmp_path: Path, db_url: str) -> None:
    home = _setup(tmp_path, db_url)
    data = tmp_path / "people.jsonl"
    lines = _records()
    # A car seen in one of Mo's records and in another man's record joins them.
    extra = json.loads(lines[0])
    extra.update(ref="INT/car", people=[{"name": "Liam Reid", "role": "associate"}],
                 vehicles=[{"registration": "QX66 FYB"}])  # fmt: skip
    first = json.loads(lines[0])
    first["vehicles"] = [{"registration": "QX66 FYB"}]
    data.write_text("\n".join([json.dumps(first), *lines[1:], json.dumps(extra)]) + "\n")
    assert run(home, db_url, "ingest", str(data)).exit_code == 0, "ingest"
    assert run(home, db_url, "link").exit_code == 0
    engine = create_engine(db_url)
    with engine.connect() as c:
        mo = c.execute(
            select(Entity.uid)
            .join(Mention, Mention.entity_id == Entity.id)
            .where(Mention.text == "KHAN, Muhammad")
        ).scalar_one()
        reid = (
            c.execute(
                select(Entity.uid)
                .join(Mention, Mention.entity_id == Entity.id)
                .where(Mention.text == "Liam Reid")
            )
            .scalars()
            .first()
        )
    engine.dispose()
    r = run(home, db_url, "graph", "person", mo, "--purpose", "network review", user="SDP3")
    assert r.exit_code == 0, r.output
    assert "named in 5 records" in r.output and "QX66FYB" in r.output
    r = run(
        home, db_url, "graph", "path", mo, str(reid), "--purpose", "network review", user="SDP3"
    )
    assert r.exit_code == 0, r.output
    assert "QX66FYB" in r.output and r.output.count("record R-") == 2
    assert (
        run(
            home, db_url, "graph", "communities", "--purpose", "network review", user="SDP3"
        ).exit_code
        == 0
    )
    out = tmp_path / "net.graphml"
    r = run(home, db_url, "graph", "export", str(out), "--purpose", "Gephi", user="SDP3")
    assert r.exit_code == 0 and out.read_text().startswith("<?xml")
    r = run(home, db_url, "graph", "person", "PER-999999", "--purpose", "x", user="SDP3")
    assert r.exit_code == 6
    verify = run(home, db_url, "ledger", "verify")
    assert verify.exit_code == 0


def _case(ref: str, when: str, kind: str, people: list[dict[str, object]], **extra: object) -> str:
    return json.dumps({
        "schema": "candour.record/1", "kind": kind, "ref": ref, "agency": "SDP",
        "received_at": when, "author": "SDP1", "text": "Seen with the man again.",
        "people": people, **extra,
    })  # fmt: skip


def test_linked_rules_escalate_once_and_replay_when_they_would_have_fired(
    tmp_path: Path, db_url: str
) -> None:
    home = _setup(tmp_path, db_url)
    man = {"name": "Darren HOLMES", "role": "suspect", "dob": "1975-03-02"}
    kids = [{"name": n, "role": "victim", "age": 14} for n in ("Amy Shaw", "Jo Pike", "Kim Lee")]
    car = [{"registration": "QX66 FYB"}]
    lines = [
        _case("INT/1", "2010-01-05T10:00:00Z", "intelligence", [man, kids[0]], vehicles=car),
        _case("MIS/1", "2010-03-05T10:00:00Z", "missing_episode", [kids[1], man], vehicles=car),
        _case("MIS/2", "2010-06-05T10:00:00Z", "missing_episode", [kids[2], man]),
    ]
    data = tmp_path / "cases.jsonl"
    data.write_text("\n".join(lines) + "\n")
    assert run(home, db_url, "ingest", str(data)).exit_code == 0
    assert run(home, db_url, "link").exit_code == 0
    early = run(home, db_url, "rules", "run", "--as-of", "2010-04-01")
    assert early.exit_code == 0, early.output
    assert "linked-adult-three-children@1: 0 met" in early.output
    assert "linked-vehicle-phone-children@1: 1 met, 1 raised" in early.output
    now = run(home, db_url, "rules", "run")
    assert "linked-adult-three-children@1: 1 met, 1 raised" in now.output, now.output
    assert "linked-adult-missing-episodes@1: 1 met, 1 raised" in now.output
    assert "linked-vehicle-phone-children@1: 1 met, 0 raised, 1 already raised" in now.output
    again = run(home, db_url, "rules", "run")
    assert "linked-adult-three-children@1: 1 met, 0 raised, 1 already raised" in again.output
    engine = create_engine(db_url)
    from candour.store.models import Escalation

    with engine.connect() as c:
        esc = c.execute(
            select(Escalation.reason, Escalation.evidence, Escalation.target_rank).where(
                Escalation.rule_id == "linked-adult-three-children"
            )
        ).one()
    engine.dispose()
    assert "first met on 2010-06-05" in esc.reason and esc.target_rank == "DI"
    assert len(esc.evidence["records"]) == 3 and esc.evidence["children"] == 3
    # The ledger (exported to outside bodies) names the rule, never the plate or the man.
    engine = create_engine(db_url)
    with engine.connect() as c:
        events = c.execute(select(LedgerEvent.purpose, LedgerEvent.payload)).all()
    engine.dispose()
    exported = "\n".join(f"{p} {d}" for p, d in events)
    assert "escalation under rule linked-vehicle-phone-children@1" in exported
    assert "QX66" not in exported and "HOLMES" not in exported.upper()


def test_incremental_link_joins_new_mentions_to_known_persons(tmp_path: Path, db_url: str) -> None:
    home = _setup(tmp_path, db_url)
    data = tmp_path / "people.jsonl"
    data.write_text("\n".join(_records()) + "\n")
    assert run(home, db_url, "ingest", str(data)).exit_code == 0
    assert run(home, db_url, "link", "--incremental").exit_code == 5  # nothing linked yet
    assert run(home, db_url, "link").exit_code == 0
    assert list((home / "scratch").iterdir()) == []  # the engine's spill folder is gone
    later = tmp_path / "later.jsonl"
    later.write_text(
        json.dumps({
            "schema": "candour.record/1", "kind": "intelligence", "ref": "INT/new",
            "agency": "SDP", "received_at": "2012-01-01T10:00:00Z", "author": "SDP1",
            "text": "Seen again.", "people": [
                {"name": "Muhammad KHAN", "role": "suspect", "dob": "1980-02-03"},
                {"name": "M. Khan", "role": "associate"},  # the same man, in his own record
                {"name": "Zebedee Quorn", "role": "witness"},
            ],
        }) + "\n"
    )  # fmt: skip
    assert run(home, db_url, "ingest", str(later)).exit_code == 0
    r = run(home, db_url, "link", "--incremental")
    assert r.exit_code == 0, r.output
    assert "3 new person mentions: 2 joined existing persons, 1 new persons" in r.output
    engine = create_engine(db_url)
    with engine.connect() as c:
        rows = dict(
            c.execute(
                select(Mention.text, Entity.uid)
                .join(Entity, Entity.id == Mention.entity_id)
                .where(
                    Mention.text.in_(
                        ["Muhammad KHAN", "KHAN, Muhammad", "M. Khan", "Zebedee Quorn"]
                    )
                )
            ).all()
        )
    engine.dispose()
    assert rows["Muhammad KHAN"] == rows["KHAN, Muhammad"] == rows["M. Khan"]
    assert (
        run(
            home,
            db_url,
            "link",
            "explain",
            rows["M. Khan"],
            "--purpose",
            "network review",
            user="SDP3",
        ).exit_code
        == 0
    )
    with Store.connect(db_url).transaction() as session:
        every = set(session.scalars(select(Record.id)))
        shown = explain_person(session, rows["M. Khan"], home / "models", every)
    (row,) = [r for r in shown.rows if r.text == "M. Khan"]
    assert row.evidence == "repeats 'Muhammad KHAN' in its record"
    assert rows["Zebedee Quorn"] not in (rows["KHAN, Muhammad"],)
    again = run(home, db_url, "link", "--incremental")
    assert "0 new person mentions" in again.output
    assert run(home, db_url, "ledger", "verify").exit_code == 0
    # A run killed between writing a snapshot part and committing it (or after committing,
    # before moving it into place) leaves files the ledger does not name: the next incremental
    # run refuses them, naming the file, rather than linking against them.
    models = home / "models"
    shutil.copy(models / "persons-0000.parquet", models / "persons-0009.parquet")
    stray = run(home, db_url, "link", "--incremental")
    assert stray.exit_code == 3, stray.output
    assert "persons-0009.parquet" in stray.output and "candour link" in stray.output
    (models / "persons-0009.parquet").unlink()
    latest = models / "latest.json"
    latest.write_text('{"model": "an-uncommitted-model.json"}')
    assert run(home, db_url, "link", "--incremental").exit_code == 3


def test_the_same_model_runs_on_spark(tmp_path: Path) -> None:
    """`--engine spark` (pyspark in local mode) links the same people as DuckDB. One store
    backend is enough: the engine reads a frame, not the store."""
    import pytest

    pytest.importorskip("pyspark")
    db_url = f"sqlite:///{tmp_path / 'home' / 'candour.db'}"
    home = _setup(tmp_path, db_url)
    data = tmp_path / "people.jsonl"
    data.write_text("\n".join(_records()) + "\n")
    assert run(home, db_url, "ingest", str(data)).exit_code == 0
    bad = run(home, db_url, "link", "--engine", "oracle")
    assert bad.exit_code == 1 and "unknown engine" in bad.output
    r = run(home, db_url, "link", "--engine", "spark")
    assert r.exit_code == 0, r.output
    assert "linked 55 person mentions" in r.output
    engine = create_engine(db_url)
    with engine.connect() as c:
        rows = c.execute(
            select(Mention.attributes, Entity.uid).join(Entity, Entity.id == Mention.entity_id)
        ).all()
        runs = (
            c.execute(select(LedgerEvent.payload).where(LedgerEvent.action == "resolve"))
            .scalars()
            .all()
        )
    engine.dispose()
    mo = {uid for attrs, uid in rows if (attrs or {}).get("dob") == "1980-02-03"}
    namesake = {uid for attrs, uid in rows if (attrs or {}).get("dob") == "1999-11-30"}
    assert len(mo) == 1 and len(namesake) == 1 and mo != namesake
    assert json.loads(runs[-1])["engine"] == "spark"
    # Spark's spill files (name tables) went under the data home and were removed after.
    assert [p.name for p in (home / "scratch").iterdir()] == []
    assert (home / "scratch").stat().st_mode & 0o077 == 0
