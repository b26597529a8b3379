"""A stateful property test: random users, assignments, transfers, rank changes, walls and
reads against a plain reference model of need-to-know. A read succeeds exactly when the model
allows it, and the ledger's read events are exactly the successful reads."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from candour.app import Candour
from candour.errors import PermissionDeniedError
from candour.settings import Settings
from candour.store import (
    Actor,
    NewRecord,
    NewUser,
    Store,
    actor_for,
    add_records,
    assign,
    change_rank,
    create_agency,
    create_user,
)
from candour.store.bootstrap import initialise
from candour.store.models import LedgerEvent, Record, User

ROLES = [
    "officer",
    "supervisor",
    "safeguarding_lead",
    "analyst",
    "senior",
    "admin",
    "auditor",
    "oversight",
]
UNITS = ["CID", "Response"]
_n = itertools.count()


@dataclass
class U:
    id: int
    ident: str
    role: str
    agency: int
    unit: str
    sup: int | None


@dataclass
class R:
    uid: str
    agency: int
    child: bool
    author: int
    assignees: set[int] = field(default_factory=set)
    walls: set[int] = field(default_factory=set)  # agencies walled out


def model_allows(
    users: dict[int, U], r: R, who: U, glass: bool, body: int, police: list[int]
) -> bool:
    """The policy as the issue states it, written without the code's helpers."""
    if who.agency in r.walls:
        return False
    people = {r.author} | r.assignees

    def chain_of(uid: int) -> set[int]:
        out, cur = set(), users[uid].sup
        while cur is not None and cur not in out:
            out.add(cur)
            cur = users[cur].sup
        return out

    operational = {"officer", "supervisor", "safeguarding_lead", "analyst", "senior"}
    jurisdiction = set(police) if who.agency == body else set()
    allowed = (
        who.id in people
        or (
            who.role in operational
            and any((users[p].agency, users[p].unit) == (who.agency, who.unit) for p in people)
        )
        or any(who.id in chain_of(p) for p in people)
        or (who.role in {"safeguarding_lead", "analyst"} and who.agency == r.agency)
        or (who.role == "oversight" and r.agency in jurisdiction)
        or (who.role == "auditor" and (who.agency == r.agency or r.agency in jurisdiction))
        or (not r.child and who.role in operational and who.agency == r.agency)
    )
    return allowed or glass


class Policy(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="candour-policy-"))
        s = Settings(home=root / "home", database_url=f"sqlite:///{root / 'home' / 'c.db'}")
        self.store = Store.connect(s.effective_database_url)
        initialise(self.store, s, "admin", "Administrator", "correct horse battery staple")
        self.app = Candour(s)
        with self.store.transaction() as t:
            self.police = [
                create_agency(t, c, c, "police", Actor.system()).id for c in ("AP", "BP")
            ]
            self.body = create_agency(t, "OB", "Oversight", "oversight", Actor.system()).id
            owner = create_user(
                t,
                NewUser("OWN", "Wall Owner", "Investigator", "oversight", self.body),
                Actor.system(),
            )
            self.owner = actor_for(owner)
        admin = self.app.identity.sign_in("admin", "correct horse battery staple").actor
        for a in ("AP", "BP"):
            self.app.admin.add_jurisdiction(admin, "OB", a)
        self.users: dict[int, U] = {owner.id: U(owner.id, "OWN", "oversight", self.body, "", None)}
        self.records: list[R] = []
        self.successes = 0

    @rule(
        role=st.sampled_from(ROLES),
        agency=st.integers(0, 2),
        unit=st.sampled_from(UNITS),
        sup=st.integers(0, 10**6),
        has_sup=st.booleans(),
    )
    def add_user(self, role: str, agency: int, unit: str, sup: int, has_sup: bool) -> None:
        ag = [*self.police, self.body][agency]
        same = [u.id for u in self.users.values() if u.agency == ag]
        sup_id = same[sup % len(same)] if has_sup and same else None
        ident = f"U{next(_n)}"
        with self.store.transaction() as t:
            u = create_user(
                t, NewUser(ident, "Synthetic Person", "PC", role, ag, unit, sup_id), Actor.system()
            )
        self.users[u.id] = U(u.id, ident, role, ag, unit, sup_id)

    @precondition(lambda self: len(self.users) > 1)
    @rule(author=st.integers(0, 10**6), child=st.booleans(), agency=st.integers(0, 1))
    def add_record(self, author: int, child: bool, agency: int) -> None:
        ids = sorted(self.users)
        who = self.users[ids[author % len(ids)]]
        n = next(_n)
        with self.store.transaction() as t:
            actor = Actor(who.id, "PC", who.role, who.ident, who.agency, who.unit)
            (rid,) = add_records(
                t,
                [
                    NewRecord(
                        "intelligence",
                        datetime(2020, 1, 1, tzinfo=UTC),
                        body=f"synthetic {n}",
                        agency_id=self.police[agency],
                        about_child=child,
                        source_ref=f"t:{n}",
                    )
                ],
                actor,
            )
            uid = t.scalar(select(Record.uid).where(Record.id == rid))
        assert uid is not None
        self.records.append(R(uid, self.police[agency], child, who.id))

    @precondition(lambda self: self.records and len(self.users) > 1)
    @rule(rec=st.integers(0, 10**6), user=st.integers(0, 10**6))
    def assign_user(self, rec: int, user: int) -> None:
        r = self.records[rec % len(self.records)]
        uid = sorted(self.users)[user % len(self.users)]
        with self.store.transaction() as t:
            assign(t, r.uid, t.get_one(User, uid), Actor.system())
        r.assignees.add(uid)

    @precondition(lambda self: len(self.users) > 1)
    @rule(user=st.integers(0, 10**6), rank=st.sampled_from(["PC", "PS", "Insp", "Supt"]))
    def promote(self, user: int, rank: str) -> None:
        u = self.users[sorted(self.users)[user % len(self.users)]]
        with self.store.transaction() as t:
            change_rank(t, u.ident, rank, Actor.system())

    @precondition(lambda self: len(self.users) > 1)
    @rule(user=st.integers(0, 10**6), agency=st.integers(0, 1), unit=st.sampled_from(UNITS))
    def transfer(self, user: int, agency: int, unit: str) -> None:
        from candour.store.people import transfer

        u = self.users[sorted(self.users)[user % len(self.users)]]
        if u.ident == "OWN":
            return
        with self.store.transaction() as t:
            transfer(t, u.ident, self.police[agency], unit, Actor.system())
        u.agency, u.unit = self.police[agency], unit

    @precondition(lambda self: self.records)
    @rule(rec=st.integers(0, 10**6), agency=st.integers(0, 1))
    def wall(self, rec: int, agency: int) -> None:
        r = self.records[rec % len(self.records)]
        code = ("AP", "BP")[agency]
        if self.police[agency] in r.walls:
            return
        self.app.admin.add_wall(self.owner, r.uid, code, "synthetic wall")
        r.walls.add(self.police[agency])

    @precondition(lambda self: self.records)
    @rule(rec=st.integers(0, 10**6), user=st.integers(0, 10**6), glass=st.booleans())
    def read(self, rec: int, user: int, glass: bool) -> None:
        r = self.records[rec % len(self.records)]
        who = self.users[sorted(self.users)[user % len(self.users)]]
        expected = model_allows(self.users, r, who, glass, self.body, self.police)
        actor = Actor(who.id, "PC", who.role, who.ident, who.agency, who.unit)
        try:
            self.app.records.show(actor, r.uid, "model check", "reason" if glass else None)
            got = True
        except PermissionDeniedError:
            got = False
        assert got == expected, (who, r, glass)
        self.successes += got

    @invariant()
    def reads_are_the_successes(self) -> None:
        if not hasattr(self, "store"):
            return
        with self.store.reading() as t:
            n = len(t.scalars(select(LedgerEvent.idx).where(LedgerEvent.action == "read")).all())
        assert n == self.successes

    def teardown(self) -> None:
        if hasattr(self, "app"):
            self.app.close()
            self.store.dispose()


Policy.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_policy_matches_the_reference_model = Policy.TestCase
