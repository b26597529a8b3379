"""Accounts, walls, jurisdiction and the access-review queue: the administrator's and the
auditor's services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from candour.auth import walls
from candour.auth.capabilities import Capability, require
from candour.auth.passwords import check_strength, hash_password, new_password
from candour.auth.sessions import open_session, revoke_user_sessions
from candour.errors import NotFoundError, ValidationError
from candour.store.access import Actor
from candour.store.enums import Role
from candour.store.people import (
    NewUser,
    change_rank,
    create_user,
    get_agency,
    get_user,
    list_users,
    set_active,
    set_password,
)

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.store.bootstrap import InitResult


@dataclass(frozen=True)
class Account:
    identifier: str
    name: str
    rank: str
    role: str
    agency: str | None
    unit: str | None
    active: bool
    #: Whether the account has a confirmed TOTP second factor.
    second_factor: bool = False


class AdminService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def initialise(self, admin: str, admin_name: str, password: str | None) -> InitResult:
        """Create or migrate the store and the first administrator (needs no sign-in: whoever
        can run it already holds the database)."""
        from candour.store.bootstrap import initialise

        if password is not None:
            check_strength(password)
        return initialise(
            self.app.store(current=False), self.app.settings, admin, admin_name, password
        )

    def database_name(self) -> str:
        from candour.store import masked

        return str(masked(self.app.store(current=False).engine.url))

    def upgrade_schema(self) -> tuple[str | None, str]:
        from candour.store import upgrade

        before, after = upgrade(self.app.store(current=False).engine)
        return str(before) if before else None, str(after)

    def status(self, actor: Actor) -> dict[str, Any]:
        from candour.ledger.log import head
        from candour.store import current_revision, head_revision, masked, table_counts

        store = self.app.store()
        with store.reading() as session:
            counts = table_counts(session)
            size, root = head(session)
        return {
            "database": masked(store.engine.url),
            "schema": current_revision(store.engine),
            "code": head_revision(),
            "events": size,
            "root": root.hex(),
            "counts": counts,
        }

    def import_workforce(self, actor: Actor, agencies: Path | None, users: Path | None) -> Any:
        from candour.intake import import_workforce

        require(actor, Capability.MANAGE_USERS)
        return import_workforce(self.app.store(), agencies, users, actor)

    def create_user(self, actor: Actor, new: NewUser) -> str:
        """A new account; returns its one-time password when none was given."""
        require(actor, Capability.MANAGE_USERS)
        password = new.password or new_password()
        check_strength(password)
        with self.app.store().transaction() as session:
            agency_id = None
            if new.agency_id is not None:
                agency_id = new.agency_id
            create_user(
                session,
                NewUser(
                    new.identifier,
                    new.name,
                    new.rank,
                    new.role,
                    agency_id,
                    new.unit,
                    new.supervisor_id,
                    password,
                ),
                actor,
            )
        return password

    def agency_id(self, code: str | None) -> int | None:
        if code is None:
            return None
        with self.app.store().reading() as session:
            return get_agency(session, code).id

    def user_id(self, identifier: str | None) -> int | None:
        if identifier is None:
            return None
        with self.app.store().reading() as session:
            return get_user(session, identifier).id

    def users(self, actor: Actor) -> list[Account]:
        require(actor, Capability.MANAGE_USERS)
        from sqlalchemy import select

        from candour.store.models import Agency, UserTotp

        with self.app.store().reading() as session:
            codes = dict(session.execute(select(Agency.id, Agency.code)).all())
            enrolled = set(
                session.scalars(
                    select(UserTotp.user_id).where(
                        UserTotp.confirmed_at.is_not(None), UserTotp.ended_at.is_(None)
                    )
                )
            )
            return [
                Account(
                    u.identifier,
                    u.name,
                    u.rank,
                    u.role,
                    codes.get(u.agency_id),
                    u.unit,
                    u.active,
                    u.id in enrolled,
                )
                for u in list_users(session)
            ]

    def set_active(self, actor: Actor, identifier: str, active: bool) -> int:
        """Disable (ending every session at once) or re-enable an account."""
        require(actor, Capability.MANAGE_USERS)
        if identifier == actor.identifier and not active:
            raise ValidationError("you cannot disable your own account", field="user")
        with self.app.store().transaction() as session:
            user = get_user(session, identifier)
            set_active(session, user, active, actor)
            return 0 if active else revoke_user_sessions(session, user.id, "account disabled")

    def reset_password(self, actor: Actor, identifier: str) -> str:
        """A new random password, shown once; the user's sessions end."""
        require(actor, Capability.MANAGE_USERS)
        password = new_password()
        with self.app.store().transaction() as session:
            user = get_user(session, identifier)
            if user.role == Role.SERVICE:
                raise ValidationError("service accounts sign in with tokens", field="user")
            set_password(session, user, hash_password(password), actor)
            revoke_user_sessions(session, user.id, "password reset")
        return password

    def change_rank(self, actor: Actor, identifier: str, rank: str) -> None:
        require(actor, Capability.MANAGE_USERS)
        with self.app.store().transaction() as session:
            change_rank(session, identifier, rank, actor)

    def transfer(self, actor: Actor, identifier: str, agency: str | None, unit: str | None) -> None:
        from candour.store.people import transfer

        require(actor, Capability.MANAGE_USERS)
        with self.app.store().transaction() as session:
            agency_id = get_agency(session, agency).id if agency else None
            transfer(session, identifier, agency_id, unit, actor)

    def service_token(self, actor: Actor, identifier: str) -> str:
        """A token for a named service account (created if new) that batch work runs as."""
        require(actor, Capability.MANAGE_USERS)
        with self.app.store().transaction() as session:
            try:
                user = get_user(session, identifier)
            except NotFoundError:
                user = create_user(
                    session,
                    NewUser(
                        identifier, f"Service account {identifier}", "Staff", Role.SERVICE.value
                    ),
                    actor,
                )
            if user.role != Role.SERVICE:
                raise ValidationError(f"'{identifier}' is not a service account", field="user")
            if not user.active:
                raise ValidationError(f"'{identifier}' is disabled", field="user")
            return open_session(session, user, kind="service", lifetimes=self.app.lifetimes).token

    # Walls and jurisdiction
    def add_wall(self, actor: Actor, record: str, agency: str, reason: str) -> int:
        require(actor, Capability.MANAGE_WALLS)
        with self.app.store().transaction() as session:
            return walls.add_wall(session, record, agency, reason, actor).id

    def lift_wall(self, actor: Actor, wall_id: int, reason: str) -> None:
        require(actor, Capability.MANAGE_WALLS)
        with self.app.store().transaction() as session:
            walls.lift_wall(session, wall_id, reason, actor)

    def grant(self, actor: Actor, wall_id: int, identifier: str, reason: str) -> None:
        require(actor, Capability.MANAGE_WALLS)
        with self.app.store().transaction() as session:
            walls.grant(session, wall_id, identifier, reason, actor)

    def add_jurisdiction(self, actor: Actor, body: str, agency: str) -> bool:
        require(actor, Capability.MANAGE_USERS)
        with self.app.store().transaction() as session:
            return walls.add_jurisdiction(session, body, agency, actor)

    # Break-glass review
    def reviews(self, actor: Actor, *, pending_only: bool = True) -> list[walls.Review]:
        require(actor, Capability.REVIEW_ACCESS)
        with self.app.store().reading() as session:
            return walls.reviews(session, pending_only=pending_only)

    def review(self, actor: Actor, event: int, outcome: str, note: str) -> None:
        require(actor, Capability.REVIEW_ACCESS)
        with self.app.store().transaction() as session:
            walls.review(session, event, outcome, note, actor)
