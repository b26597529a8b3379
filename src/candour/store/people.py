"""Agencies and users. Every change to a user (creation, rank, role) is a ledger event."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from candour.auth.passwords import hash_password
from candour.errors import NotFoundError, ValidationError
from candour.ledger.log import EventDraft, append
from candour.store.access import Actor
from candour.store.enums import AgencyKind, EventAction, Rank, Role
from candour.store.hashing import USER_COLUMNS as USER_HASHED
from candour.store.hashing import user_hash
from candour.store.models import Agency, User
from candour.store.types import utcnow


def create_agency(session: Session, code: str, name: str, kind: str, actor: Actor) -> Agency:
    try:
        AgencyKind(kind)
    except ValueError:
        raise ValidationError(f"unknown agency kind '{kind}'", field="kind") from None
    agency = Agency(code=code, name=name, kind=kind, created_at=utcnow())
    session.add(agency)
    _flush_unique(session, f"agency '{code}' already exists")
    append(
        session,
        [
            EventDraft(
                EventAction.CREATE,
                "agency",
                code,
                actor.id,
                actor.rank,
                payload={"code": code, "name": name, "kind": kind},
            )
        ],
    )
    return agency


@dataclass(frozen=True)
class NewUser:
    identifier: str
    name: str
    rank: str
    role: str
    agency_id: int | None = None
    unit: str | None = None
    supervisor_id: int | None = None
    password: str | None = None


def create_user(session: Session, new: NewUser, actor: Actor) -> User:
    rank = _rank(new.rank)
    role = _role(new.role)
    user = User(
        identifier=new.identifier,
        name=new.name,
        rank=rank.value,
        role=role.value,
        agency_id=new.agency_id,
        unit=new.unit,
        supervisor_id=new.supervisor_id,
        password_hash=hash_password(new.password) if new.password else None,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    _flush_unique(session, f"user '{new.identifier}' already exists")
    _log_user(session, user, EventAction.USER_CHANGE, actor, {"created": True})
    return user


def _log_user(
    session: Session, user: User, action: EventAction, actor: Actor, extra: dict[str, object]
) -> None:
    """Every change to a user is an event carrying the row's new content hash, so an edit made
    with SQL (a rank, a role, a password hash, a re-enabled account) fails verification."""
    user.content_hash = user_hash({c: getattr(user, c) for c in USER_HASHED})
    session.flush()
    payload = {
        "identifier": user.identifier,
        "rank": user.rank,
        "role": user.role,
        "unit": user.unit,
        "agency": user.agency_id,
        "supervisor": user.supervisor_id,
        "active": user.active,
        **extra,
    }
    append(
        session,
        [
            EventDraft(
                action.value,
                "user",
                str(user.id),
                actor.id,
                actor.rank,
                target_id=user.id,
                target_rank=user.rank,
                subject_hash=user.content_hash,
                payload=payload,
            )
        ],
    )


def change_rank(session: Session, identifier: str, rank: str, actor: Actor) -> User:
    """Promotion or change of rank: who-knew reports the rank a user held at each event."""
    user = get_user(session, identifier)
    user.rank = _rank(rank).value
    _log_user(session, user, EventAction.ROLE_CHANGE, actor, {})
    return user


def change_role(session: Session, identifier: str, role: str, actor: Actor) -> User:
    user = get_user(session, identifier)
    user.role = _role(role).value
    _log_user(session, user, EventAction.ROLE_CHANGE, actor, {})
    return user


def transfer(
    session: Session, identifier: str, agency_id: int | None, unit: str | None, actor: Actor
) -> User:
    """A move to another unit or agency: need-to-know follows it from the next read."""
    user = get_user(session, identifier)
    user.agency_id, user.unit = agency_id, unit
    _log_user(session, user, EventAction.USER_CHANGE, actor, {"transfer": True})
    return user


def set_password(session: Session, user: User, password_hash: str, actor: Actor) -> None:
    """A new password hash (changed by the user or reset by an administrator)."""
    user.password_hash = password_hash
    _log_user(session, user, EventAction.PASSWORD_CHANGE, actor, {})


def set_active(session: Session, user: User, active: bool, actor: Actor) -> None:
    user.active = active
    _log_user(session, user, EventAction.ACCOUNT_CHANGE, actor, {})


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.identifier)))


def get_agency(session: Session, code: str) -> Agency:
    agency = session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
    if agency is None:
        raise NotFoundError(f"no agency '{code}'")
    return agency


def get_user(session: Session, identifier: str) -> User:
    user = session.execute(select(User).where(User.identifier == identifier)).scalar_one_or_none()
    if user is None:
        raise NotFoundError(f"no user '{identifier}'")
    return user


def actor_for(user: User, second_factor: bool = False) -> Actor:
    return Actor(
        user.id,
        user.rank,
        Role(user.role),
        user.identifier,
        user.agency_id,
        user.unit,
        second_factor,
    )


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise ValidationError(f"unknown role '{text}'", field="role") from None


def _rank(text: str) -> Rank:
    try:
        return Rank.parse(text)
    except ValueError:
        raise ValidationError(f"unknown rank '{text}'", field="rank") from None


def _flush_unique(session: Session, message: str) -> None:
    try:
        session.flush()
    except IntegrityError:
        raise ValidationError(message) from None
