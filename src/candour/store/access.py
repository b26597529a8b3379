"""Who is acting: the one value every write and read is attributed to.

The policy that decides what an actor may read lives in `candour.auth`; the store only carries
the actor, so that each stage can name who did what without importing the access layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from candour.store.enums import Role


@dataclass(frozen=True)
class Actor:
    """The user an action is attributed to (None for the system itself, e.g. migrations).

    `agency_id` and `unit` are what need-to-know compares; `identifier` is for messages and
    logs (a collar number or account name, never a person's name)."""

    id: int | None
    rank: str | None = None
    role: Role | None = None
    identifier: str | None = None
    agency_id: int | None = None
    unit: str | None = None
    # Whether the session this actor signed in with passed a second factor (TOTP).
    second_factor: bool = False

    def __post_init__(self) -> None:
        if self.role is not None and not isinstance(self.role, Role):
            object.__setattr__(self, "role", Role(self.role))  # raises on an unknown role

    @classmethod
    def system(cls) -> Actor:
        """The system itself (migrations, first set-up): no user, no role, reads nothing."""
        return cls(None, None, None, "system")
