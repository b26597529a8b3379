"""What each role may do besides reading records: one table, asked in one place.

Reading a record is need-to-know (`candour.auth.policy`); everything else a user can ask for is
a capability of their role. The administrator manages accounts and rules and reads no child's
record by default; a service account runs batch work and consults nothing.
"""

from __future__ import annotations

from enum import StrEnum

from candour.errors import PermissionDeniedError
from candour.store.access import Actor
from candour.store.enums import Role


class Capability(StrEnum):
    MANAGE_USERS = "manage users"
    MANAGE_RULES = "manage rules"
    MANAGE_WALLS = "manage ethical walls"
    RUN_PIPELINE = "run batch stages"
    INGEST = "file records"
    REVIEW_ACCESS = "review break-glass reads"
    SIGN_CHECKPOINT = "sign ledger checkpoints"
    VERIFY_LEDGER = "verify the ledger"
    EXPORT_LEDGER = "export the ledger"
    DECIDE_LINKS = "decide who is who"
    VIEW_QUARANTINE = "review quarantined input"
    VIEW_REPORTS = "see reports"
    EVALUATE = "score against synthetic ground truth"
    VIEW_OVERSIGHT = "see oversight cases"
    RUN_OVERSIGHT = "run oversight cases"


R = Role
_GRANTS: dict[Capability, frozenset[Role]] = {
    Capability.MANAGE_USERS: frozenset({R.ADMIN}),
    Capability.MANAGE_RULES: frozenset({R.ADMIN}),
    Capability.MANAGE_WALLS: frozenset({R.ADMIN, R.OVERSIGHT}),
    Capability.RUN_PIPELINE: frozenset({R.ADMIN, R.SERVICE}),
    Capability.INGEST: frozenset(
        {R.ADMIN, R.SERVICE, R.OFFICER, R.SUPERVISOR, R.SAFEGUARDING_LEAD, R.OVERSIGHT}
    ),
    Capability.REVIEW_ACCESS: frozenset({R.AUDITOR}),
    Capability.SIGN_CHECKPOINT: frozenset({R.ADMIN, R.SERVICE, R.AUDITOR}),
    Capability.VERIFY_LEDGER: frozenset(set(R) - {R.OFFICER}),
    Capability.EXPORT_LEDGER: frozenset({R.AUDITOR, R.OVERSIGHT}),
    Capability.DECIDE_LINKS: frozenset({R.ANALYST}),
    Capability.VIEW_QUARANTINE: frozenset({R.ADMIN, R.AUDITOR}),
    Capability.VIEW_REPORTS: frozenset(
        {R.SUPERVISOR, R.SAFEGUARDING_LEAD, R.ANALYST, R.SENIOR, R.OVERSIGHT, R.AUDITOR}
    ),
    Capability.EVALUATE: frozenset(set(R) - {R.SERVICE}),
    Capability.VIEW_OVERSIGHT: frozenset({R.OVERSIGHT, R.AUDITOR}),
    Capability.RUN_OVERSIGHT: frozenset({R.OVERSIGHT}),
}


def allowed(actor: Actor, capability: Capability) -> bool:
    return actor.id is not None and actor.role in _GRANTS[capability]


def require(actor: Actor, capability: Capability) -> None:
    if not allowed(actor, capability):
        raise PermissionDeniedError(f"your role may not {capability.value}")


def roles_with(capability: Capability) -> frozenset[Role]:
    return _GRANTS[capability]
