"""Need-to-know as a small registry of rules, in the way Presidio registers recognisers.

A rule looks at one actor and the facts of one record and says whether it gives the actor a
reason to read it. The gate (`candour.auth.gate`) asks every registered rule; the first that
allows names the reason kept in the ledger. Walls are checked first and no rule, and no
break-glass, crosses them. Protected characteristics are never among the facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from candour.store.access import Actor
from candour.store.enums import Role

# Roles whose work is operational casework in their own agency.
OPERATIONAL = frozenset(
    {Role.OFFICER, Role.SUPERVISOR, Role.SAFEGUARDING_LEAD, Role.ANALYST, Role.SENIOR}
)
# Roles that may never read a record, not even by break-glass.
NEVER_READ = frozenset({Role.SERVICE})


@dataclass(frozen=True)
class Wall:
    id: int
    agency_id: int
    granted: frozenset[int] = frozenset()
    #: A wall around one user (an officer named as a suspect): it hides the record from that
    #: user only, not from the rest of the agency.
    user_id: int | None = None


@dataclass(frozen=True)
class RecordFacts:
    """What need-to-know may look at for one record (all of its versions together)."""

    root_uid: str
    agency_id: int | None
    about_child: bool
    authors: frozenset[int] = frozenset()
    assignees: frozenset[int] = frozenset()
    escalated_to: frozenset[int] = frozenset()
    walls: tuple[Wall, ...] = ()


@dataclass(frozen=True)
class ActorFacts:
    """The actor and what their position implies: who they supervise (transitively), the
    units of the people the record names as author or assignee, and the agencies their
    oversight body has jurisdiction over."""

    actor: Actor
    supervises: frozenset[int] = frozenset()
    jurisdiction: frozenset[int] = frozenset()
    units: dict[int, tuple[int | None, str | None]] = field(default_factory=dict)

    @property
    def role(self) -> str | None:
        return self.actor.role


class NeedToKnowRule(Protocol):
    @property
    def name(self) -> str: ...

    def allows(self, who: ActorFacts, record: RecordFacts) -> bool: ...


_RULES: dict[str, NeedToKnowRule] = {}


def register(rule: NeedToKnowRule) -> NeedToKnowRule:
    """Add a rule to the registry (built-ins are registered the same way)."""
    _RULES[rule.name] = rule
    return rule


def rules() -> list[NeedToKnowRule]:
    return list(_RULES.values())


@dataclass(frozen=True)
class _Rule:
    name: str
    test: object  # Callable[[ActorFacts, RecordFacts], bool]; kept as object for frozen eq

    def allows(self, who: ActorFacts, record: RecordFacts) -> bool:
        return bool(self.test(who, record))  # type: ignore[operator]


def _people(record: RecordFacts) -> frozenset[int]:
    return record.authors | record.assignees


def _reporter(who: ActorFacts, r: RecordFacts) -> bool:
    return who.actor.id in r.authors


def _assigned(who: ActorFacts, r: RecordFacts) -> bool:
    return who.actor.id in r.assignees


def _same_unit(who: ActorFacts, r: RecordFacts) -> bool:
    a = who.actor
    if a.unit is None or a.role not in OPERATIONAL:
        return False
    return any(who.units.get(p) == (a.agency_id, a.unit) for p in _people(r))


def _supervisory_chain(who: ActorFacts, r: RecordFacts) -> bool:
    return bool(who.supervises & _people(r))


def _agency_lead(who: ActorFacts, r: RecordFacts) -> bool:
    a = who.actor
    leads = {Role.SAFEGUARDING_LEAD, Role.ANALYST}
    return a.role in leads and a.agency_id is not None and a.agency_id == r.agency_id


def _escalated_to(who: ActorFacts, r: RecordFacts) -> bool:
    return who.actor.id in r.escalated_to


def _oversight(who: ActorFacts, r: RecordFacts) -> bool:
    return who.role == Role.OVERSIGHT and r.agency_id in who.jurisdiction


def _audit(who: ActorFacts, r: RecordFacts) -> bool:
    """Auditors and data-protection officers of the record's agency (or of an oversight body
    with jurisdiction) see who consulted a child's record and why."""
    a = who.actor
    if a.role != Role.AUDITOR:
        return False
    return (a.agency_id is not None and a.agency_id == r.agency_id) or (
        r.agency_id in who.jurisdiction
    )


def _agency_casework(who: ActorFacts, r: RecordFacts) -> bool:
    """A record that is not about a child is open to operational staff of its agency."""
    a = who.actor
    return not r.about_child and a.role in OPERATIONAL and a.agency_id == r.agency_id


for _name, _test in (
    ("reporting officer", _reporter),
    ("assigned", _assigned),
    ("same unit", _same_unit),
    ("supervisory chain", _supervisory_chain),
    ("safeguarding lead or analyst of the agency", _agency_lead),
    ("escalated to", _escalated_to),
    ("oversight with jurisdiction", _oversight),
    ("audit", _audit),
    ("agency casework", _agency_casework),
):
    register(_Rule(_name, _test))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str  # the rule that allowed, "break-glass", or why not (never shown to the user)
    break_glass: bool = False


def walled(who: ActorFacts, record: RecordFacts) -> bool:
    a = who.actor
    return any(
        a.id not in w.granted
        and (w.user_id == a.id if w.user_id is not None else w.agency_id == a.agency_id)
        for w in record.walls
    )


def decide(who: ActorFacts, record: RecordFacts, break_glass: bool) -> Verdict:
    """May this actor read this record? Walls first; then the rules; then break-glass."""
    if who.role in NEVER_READ or who.actor.id is None:
        return Verdict(False, "no reading role")
    if walled(who, record):
        return Verdict(False, "ethical wall")
    for rule in _RULES.values():
        if rule.allows(who, record):
            return Verdict(True, rule.name)
    if break_glass:
        return Verdict(True, "break-glass", break_glass=True)
    return Verdict(False, "no need-to-know")


def decide_all(
    who: ActorFacts, records: Iterable[RecordFacts], break_glass: bool
) -> list[tuple[RecordFacts, Verdict]]:
    return [(r, decide(who, r, break_glass)) for r in records]
