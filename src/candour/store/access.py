"""Who is acting, and the need-to-know rule for reading records."""

from __future__ import annotations

from dataclasses import dataclass

from candour.store.enums import Role

# Roles whose work is looking across all records; their reads are still logged.
_READ_ALL = {Role.ADMIN, Role.ANALYST, Role.SUPERVISOR, Role.SENIOR, Role.OVERSIGHT, Role.AUDITOR}


@dataclass(frozen=True)
class Actor:
    """The user an action is attributed to (None for the system itself, e.g. rules)."""

    id: int | None
    rank: str | None = None
    role: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(None, None, "system")


def can_read_all(actor: Actor) -> bool:
    return actor.role is not None and actor.role in {r.value for r in _READ_ALL}
