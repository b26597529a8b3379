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
from candour.store.enums import AgencyKind, Rank, Role
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
                "create",
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
    try:
        role = Role(new.role)
    except ValueError:
        raise ValidationError(f"unknown role '{new.role}'", field="role") from None
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
    payload = {
        "identifier": user.identifier,
        "rank": user.rank,
        "role": user.role,
        "unit": user.unit,
        "agency": user.agency_id,
        "supervisor": user.supervisor_id,
    }
    append(
        session,
        [
            EventDraft(
                "user_change",
                "user",
                str(user.id),
                actor.id,
                actor.rank,
                target_id=user.id,
                target_rank=user.rank,
                payload=payload,
            )
        ],
    )
    return user


def change_rank(session: Session, identifier: str, rank: str, actor: Actor) -> User:
    """Promotion or change of rank: who-knew reports the rank a user held at each event."""
    user = get_user(session, identifier)
    user.rank = _rank(rank).value
    append(
        session,
        [
            EventDraft(
                "role_change",
                "user",
                str(user.id),
                actor.id,
                actor.rank,
                target_id=user.id,
                target_rank=user.rank,
                payload={"rank": user.rank, "role": user.role},
            )
        ],
    )
    return user


def get_user(session: Session, identifier: str) -> User:
    user = session.execute(select(User).where(User.identifier == identifier)).scalar_one_or_none()
    if user is None:
        raise NotFoundError(f"no user '{identifier}'")
    return user


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.rank, user.role)


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
