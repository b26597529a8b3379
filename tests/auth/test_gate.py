"""The one door: every service that shows personal data, tried as each kind of user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from candour.app import Candour
from candour.errors import AuthenticationError, PermissionDeniedError
from candour.settings import Settings
from candour.store import Actor, NewUser, Store, actor_for, create_agency, create_user
from candour.store.models import BreakGlass, LedgerEvent
from tests.support.world import World, build

WHY = "assigned investigation"


@dataclass
class Door:
    app: Candour
    world: World
    assigned: Actor  # PC400: wrote record 0 and is assigned to it
    stranger: Actor  # an officer of the same force, another unit, no link to the record
    walled: Actor  # a senior officer of the force the record is walled from
    admin: Actor
    out: Path

    def reads(self) -> list[LedgerEvent]:
        with self.app.store().reading() as s:
            return list(
                s.scalars(
                    select(LedgerEvent)
                    .where(LedgerEvent.action.in_(("read", "disclose")))
                    .order_by(LedgerEvent.idx)
                )
            )


@pytest.fixture
def door(store: Store, settings: Settings, tmp_path: Path) -> Iterator[Door]:
    w = build(store)
    with store.transaction() as s:
        other = create_agency(s, "XFP", "Cross Force Police", "police", Actor.system())
        stranger = create_user(
            s,
            NewUser("PC777", "Ash Lindqvist", "PC", "officer", w.pc.agency_id, "Response"),
            Actor.system(),
        )
        walled = create_user(
            s, NewUser("CS900", "Noor Okoye", "ChSupt", "senior", other.id), Actor.system()
        )
        owner = create_user(
            s, NewUser("OV100", "Mo Brennan", "Investigator", "oversight"), Actor.system()
        )
        actors = [actor_for(u) for u in (w.pc, stranger, walled, owner)]
    app = Candour(settings)
    app.admin.add_wall(actors[3], w.record_uids[0], "XFP", "case about officers of XFP")
    with store.transaction() as s:  # a senior officer on the record's chain moves to XFP
        from candour.store.people import transfer

        transfer(s, "S100", other.id, None, Actor.system())
    yield Door(
        app, w, actors[0], actors[1], actors[2], Actor(1, "Staff", "admin", "admin"), tmp_path
    )
    app.close()


Call = Callable[[Door, Actor, str | None], Any]


def _rec(d: Door) -> str:
    return d.world.record_uids[0]


# (name, call, records consulted on success, accepts break-glass)
SERVICES: list[tuple[str, Call, int, bool]] = [
    ("record show", lambda d, a, bg: d.app.records.show(a, _rec(d), WHY, bg), 1, True),
    ("record history", lambda d, a, bg: d.app.records.history(a, _rec(d), WHY, bg), 1, True),
    (
        "record as-of",
        lambda d, a, bg: d.app.records.as_of(a, _rec(d), datetime.now(UTC), WHY, bg),
        1,
        True,
    ),
    (
        "who-knew record",
        lambda d, a, bg: d.app.ledger.who_knew(a, _rec(d), WHY, break_glass=bg),
        1,
        True,
    ),
    (
        "who-knew person",
        lambda d, a, bg: d.app.ledger.who_knew(a, d.world.person_uid, WHY, break_glass=bg),
        2,
        True,
    ),
    ("graph person", lambda d, a, bg: d.app.people.person(a, d.world.person_uid, WHY, bg), 2, True),
    ("ledger prove", lambda d, a, bg: d.app.ledger.prove(a, _event_on(d), None, WHY), 1, False),
    ("graph export", lambda d, a, bg: d.app.people.export(a, d.out / "net.graphml", WHY), 2, False),
]


def _event_on(d: Door) -> int:
    with d.app.store().reading() as s:
        from candour.store.models import Record

        rid = s.scalar(select(Record.id).where(Record.uid == _rec(d)))
        return int(s.scalar(select(func.min(LedgerEvent.idx)).where(LedgerEvent.record_id == rid)))


IDS = [s[0] for s in SERVICES]


@pytest.mark.parametrize(("name", "call", "n", "glass"), SERVICES, ids=IDS)
def test_stranger_is_refused_and_nothing_leaves(
    door: Door, name: str, call: Call, n: int, glass: bool
) -> None:
    before = len(door.reads())
    with pytest.raises(PermissionDeniedError) as err:
        call(door, door.stranger, None)
    assert "Adult One" not in str(err.value) and _rec(door) not in str(err.value)
    assert len(door.reads()) == before
    assert not (door.out / "net.graphml").exists()


@pytest.mark.parametrize(("name", "call", "n", "glass"), SERVICES, ids=IDS)
def test_assigned_officer_reads_with_one_event_per_record(
    door: Door, name: str, call: Call, n: int, glass: bool
) -> None:
    before = door.reads()
    assert call(door, door.assigned, None) is not None
    new = door.reads()[len(before) :]
    assert len(new) == n
    assert all(e.purpose == WHY and e.actor_id == door.assigned.id for e in new)
    assert all('"break_glass":false' in e.payload for e in new)


@pytest.mark.parametrize(
    ("name", "call", "n", "glass"),
    [s for s in SERVICES if s[3]],
    ids=[s[0] for s in SERVICES if s[3]],
)
def test_break_glass_is_flagged_and_queued_for_review(
    door: Door, name: str, call: Call, n: int, glass: bool
) -> None:
    call(door, door.stranger, "child missing tonight; duty officer")
    new = door.reads()[-n:]
    assert all('"break_glass":true' in e.payload for e in new)
    auditor = _auditor(door)
    queue = door.app.admin.reviews(auditor)
    assert [r.event for r in queue] == [e.idx for e in new]
    assert queue[0].user == "PC777" and queue[0].reason.startswith("child missing")
    for r in queue:
        door.app.admin.review(auditor, r.event, "justified", "duty log confirms it")
    assert door.app.admin.reviews(auditor) == []
    done = door.app.admin.reviews(auditor, pending_only=False)
    assert {r.outcome for r in done} == {"justified"} and done[0].reviewed_by == "AUD1"


@pytest.mark.parametrize(("name", "call", "n", "glass"), SERVICES, ids=IDS)
def test_wall_holds_even_with_break_glass(
    door: Door, name: str, call: Call, n: int, glass: bool
) -> None:
    before = len(door.reads())
    reason = "I am the chief superintendent" if glass else None
    if "person" in name:  # a person's other, unwalled records stay visible; the walled one not
        call(door, door.walled, reason)
    else:
        with pytest.raises(PermissionDeniedError):
            call(door, door.walled, reason)
    assert _rec(door) not in {e.entity_id for e in door.reads()[before:]}


@pytest.mark.parametrize(("name", "call", "n", "glass"), SERVICES, ids=IDS)
def test_administrator_is_refused_a_childs_record(
    door: Door, name: str, call: Call, n: int, glass: bool
) -> None:
    with pytest.raises(PermissionDeniedError):
        call(door, door.admin, None)


def test_refusal_does_not_reveal_whether_a_record_exists(door: Door) -> None:
    with pytest.raises(PermissionDeniedError) as forbidden:
        door.app.records.show(door.stranger, _rec(door), WHY)
    with pytest.raises(PermissionDeniedError) as missing:
        door.app.records.show(door.stranger, "R-doesnotexist0000000", WHY)
    assert str(forbidden.value) == str(missing.value)


def test_unauthenticated_calls_are_refused(door: Door) -> None:
    for token in (None, "", "forged-" + "x" * 40):
        with pytest.raises(AuthenticationError):
            door.app.identity.actor(token)


def test_a_grant_lets_one_user_through_the_wall(door: Door) -> None:
    from candour.store.people import get_user

    with door.app.store().reading() as s:
        owner = actor_for(get_user(s, "OV100"))
        chief = actor_for(get_user(s, "S100"))  # on the record's supervisory chain, of XFP now
    for who in (chief, door.walled):
        with pytest.raises(PermissionDeniedError):
            door.app.records.show(who, _rec(door), WHY, "urgent")
    door.app.admin.grant(owner, 1, "CS900", "liaison for the review")
    assert door.app.records.show(door.walled, _rec(door), WHY, "liaison").break_glass
    with pytest.raises(PermissionDeniedError):  # the grant was for one user only
        door.app.records.show(chief, _rec(door), WHY, "urgent")
    with pytest.raises(Exception, match="owner"):
        door.app.admin.grant(door.admin, 1, "S100", "not the owner")


def _auditor(door: Door) -> Actor:
    with door.app.store().transaction() as s:
        from candour.store.people import get_user

        try:
            return actor_for(get_user(s, "AUD1"))
        except Exception:
            u = create_user(
                s,
                NewUser("AUD1", "Audra Test", "Staff", "auditor", door.world.pc.agency_id),
                Actor.system(),
            )
            return actor_for(u)


def test_cli_and_web_shells_import_no_database_layer() -> None:
    import subprocess
    import sys

    code = (
        "import sys, candour.cli, candour.cli.app\n"
        "import candour.cli.ledger_cmds, candour.cli.graph_cmds, candour.cli.record_cmds\n"
        "bad = [m for m in sys.modules\n"
        "       if m.startswith('sqlalchemy') or m == 'candour.store.models']\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    src = Path(__file__).parents[2] / "src" / "candour" / "cli"
    for f in src.glob("*.py"):
        text = f.read_text()
        assert "sqlalchemy" not in text and "store.models" not in text, f.name
        assert "Session" not in text and ".transaction()" not in text, f.name


def test_review_queue_survives_edits_to_its_table(door: Door) -> None:
    from sqlalchemy import delete

    door.app.records.show(door.stranger, _rec(door), WHY, "child missing tonight")
    with door.app.store().transaction() as s:
        s.execute(delete(BreakGlass))  # an insider hides the break-glass read
    queue = door.app.admin.reviews(_auditor(door))
    assert [r.user for r in queue] == ["PC777"] and queue[0].reason == "child missing tonight"


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE app_user SET role = 'analyst' WHERE identifier = 'PC777'",
        "UPDATE app_user SET active = 1 - active WHERE identifier = 'PC777'",
        "UPDATE app_user SET rank = 'ChSupt' WHERE identifier = 'PC777'",
        "UPDATE app_user SET password_hash = 'x' WHERE identifier = 'admin'",
    ],
)
def test_editing_a_user_with_sql_fails_verification(door: Door, edit: str) -> None:
    from sqlalchemy import text

    from candour.ledger.integrity import verify

    with door.app.store().reading() as s:
        assert verify(s).intact
    with door.app.store().engine.begin() as conn:
        conn.execute(
            text(
                edit.replace("1 - active", "NOT active")
                if door.app.store().dialect == "postgresql"
                else edit
            )
        )
    with door.app.store().reading() as s:
        report = verify(s)
    assert not report.intact and any("app_user" in str(f) for f in report.findings)


def test_communities_show_only_what_the_user_may_read(door: Door) -> None:
    before = len(door.reads())
    found, labels, total = door.app.people.communities(door.stranger, WHY)
    assert (found, labels, total) == ([], {}, 0) and len(door.reads()) == before
    found, labels, _ = door.app.people.communities(door.assigned, WHY)
    new = door.reads()[before:]
    assert {e.entity_id for e in new} <= set(door.world.record_uids[:2])


SHOWS_PERSONAL_DATA = [
    ("record", "show", "R-1", "--purpose", "p"),
    ("record", "history", "R-1", "--purpose", "p"),
    ("ledger", "as-of", "R-1", "--at", "2024-01-01", "--purpose", "p"),
    ("who-knew", "R-1", "--purpose", "p"),
    ("graph", "person", "PER-1", "--purpose", "p"),
    ("graph", "path", "PER-1", "PER-2", "--purpose", "p"),
    ("graph", "communities", "--purpose", "p"),
    ("link", "explain", "PER-1", "--purpose", "p"),
    ("ledger", "prove", "0", "--purpose", "p"),
    ("audit", "recording", "--purpose", "p"),
    ("report", "demand"),
    ("report", "language"),
    ("intake", "quarantine"),
    ("access", "reviews"),
    ("users", "list"),
    ("status",),
]


@pytest.mark.parametrize(
    "args", SHOWS_PERSONAL_DATA, ids=[" ".join(a[:2]) for a in SHOWS_PERSONAL_DATA]
)
def test_every_command_refuses_without_sign_in(tmp_path: Path, args: tuple[str, ...]) -> None:
    from typer.testing import CliRunner

    from candour.cli import app as cli
    from tests.support.cli import env_for, invoke

    home = tmp_path / "home"
    db = f"sqlite:///{home / 'candour.db'}"
    assert invoke(home, db, "init").exit_code == 0
    r = CliRunner().invoke(cli, list(args), env=env_for(home, db, "nobody"))
    assert r.exit_code == 9 and "not signed in" in r.output, r.output
    assert "Traceback" not in r.output
