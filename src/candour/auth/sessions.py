"""Signed-in sessions: random tokens, of which the store keeps only a hash.

A token is 256 random bits (`secrets`), handed to the user once: the CLI keeps it in a file
only its OS user can read, the web app in an HttpOnly cookie. The store keeps its SHA-256, so a
copy of the database signs nobody in. A session dies at its idle or absolute timeout, at
sign-out, when its user's password changes and when the account is disabled.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from candour.auth import totp
from candour.auth.passwords import dummy_verify, verify_password
from candour.auth.totp import SecretBox
from candour.errors import AuthenticationError, CodeNeeded, SecondFactorRequired
from candour.ledger.log import EventDraft, append
from candour.store.access import Actor
from candour.store.enums import EventAction, Role
from candour.store.models import AuthSession, User
from candour.store.people import actor_for
from candour.store.types import utcnow

TOKEN_BYTES = 32
# last_seen is written at most this often, so reads do not each become a write.
TOUCH_EVERY = timedelta(seconds=60)
KINDS = frozenset({"cli", "web", "api", "service"})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    token: str
    actor: Actor
    expires_at: datetime


@dataclass(frozen=True)
class Lifetimes:
    """Idle and absolute timeouts, in seconds, for people and for service accounts."""

    idle: int = 30 * 60
    absolute: int = 12 * 3600
    service: int = 30 * 86400


def _not_signed_in() -> AuthenticationError:
    return AuthenticationError("not signed in, or the session has ended: run 'candour login'")


@dataclass(frozen=True)
class SecondFactor:
    """What sign-in needs to check a TOTP code: the key box, the code given (if any) and
    whether the settings make a second factor compulsory for some roles."""

    box: SecretBox
    code: str | None = None
    required: bool = False


def _failed(session: Session, user: User | None, kind: str, **extra: object) -> None:
    append(
        session,
        [
            EventDraft(
                EventAction.SIGN_IN_FAILED.value,
                "session",
                None,
                target_id=user.id if user is not None else None,
                payload={"kind": kind, **extra},
            )
        ],
    )


def sign_in(
    session: Session,
    identifier: str,
    password: str,
    *,
    kind: str,
    lifetimes: Lifetimes,
    factor: SecondFactor | None = None,
) -> SignedIn:
    """Check the password (and the second factor, when the account has one) and open a session.
    A wrong identifier and a wrong password give the same answer in the same time; each failure
    is a ledger event. Past a right password, a missing or wrong code says a code is needed."""
    user = session.execute(select(User).where(User.identifier == identifier)).scalar_one_or_none()
    ok = (
        verify_password(user.password_hash, password)
        if user is not None and user.password_hash
        else dummy_verify(password)
    )
    if user is None or not ok or not user.active or user.role == Role.SERVICE:
        _failed(session, user, kind)
        raise AuthenticationError("wrong identifier or password, or the account is disabled")
    passed = False
    if factor is not None:
        passed = _second_factor(session, user, kind, factor)
    return open_session(session, user, kind=kind, lifetimes=lifetimes, second_factor=passed)


def _second_factor(session: Session, user: User, kind: str, factor: SecondFactor) -> bool:
    """Whether the session passes a second factor; raises when the account needs one and the
    code is missing or wrong, or when its role must have one and it has none (a web session
    may still open, limited to enrolling one)."""
    verdict = totp.check(session, factor.box, user, factor.code)
    if verdict is None:
        if kind != "web" and totp.required(Role(user.role), factor.required):
            _failed(session, user, kind, factor="none enrolled")
            raise SecondFactorRequired(
                "this account must use a second factor: set one up in the web app "
                "(Account, second factor) or ask an administrator"
            )
        return False
    if not verdict:
        _failed(session, user, kind, factor="totp")
        raise CodeNeeded("enter the current 6-digit code from your authenticator app")
    return True


def open_session(
    session: Session, user: User, *, kind: str, lifetimes: Lifetimes, second_factor: bool = False
) -> SignedIn:
    if kind not in KINDS:
        raise ValueError(f"unknown session kind {kind}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    service = kind == "service"
    absolute = lifetimes.service if service else lifetimes.absolute
    idle = lifetimes.service if service else lifetimes.idle
    row = AuthSession(
        token_hash=token_hash(token),
        user_id=user.id,
        kind=kind,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=absolute),
        idle_seconds=idle,
        second_factor=second_factor,
    )
    session.add(row)
    session.flush()
    append(
        session,
        [
            EventDraft(
                EventAction.SIGN_IN.value,
                "session",
                str(row.id),
                user.id,
                user.rank,
                payload={"kind": kind, "second_factor": second_factor},
            )
        ],
    )
    return SignedIn(token, actor_for(user, second_factor), row.expires_at)


def authenticate(session: Session, token: str | None) -> tuple[Actor, bool]:
    """The actor a token belongs to, and whether its last-seen time is due to be touched.

    Raises AuthenticationError for a missing, forged, revoked, idle or expired token, or a
    disabled account: all with one message."""
    if not token:
        raise _not_signed_in()
    found = session.execute(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == token_hash(token))
    ).one_or_none()
    if found is None:
        raise _not_signed_in()
    row, user = found
    now = utcnow()
    idle_end = row.last_seen_at + timedelta(seconds=row.idle_seconds)
    if row.revoked_at is not None or now >= row.expires_at or now >= idle_end or not user.active:
        raise _not_signed_in()
    return actor_for(user, row.second_factor), now - row.last_seen_at >= TOUCH_EVERY


def touch(session: Session, token: str) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.token_hash == token_hash(token))
        .values(last_seen_at=utcnow())
    )


def sign_out(session: Session, token: str, *, everywhere: bool = False) -> int:
    """End this session (or every session of its user); returns how many ended."""
    actor, _ = authenticate(session, token)
    if everywhere:
        assert actor.id is not None
        n = revoke_user_sessions(session, actor.id, "signed out everywhere")
    else:
        n = _revoke(session, AuthSession.token_hash == token_hash(token), "signed out")
    append(
        session,
        [
            EventDraft(
                EventAction.SIGN_OUT.value,
                "session",
                None,
                actor.id,
                actor.rank,
                payload={"sessions": n, "everywhere": everywhere},
            )
        ],
    )
    return n


def mark_second_factor(session: Session, token: str) -> None:
    """The session's user has just confirmed a second factor in it."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.token_hash == token_hash(token))
        .values(second_factor=True)
    )


def revoke_user_sessions(session: Session, user_id: int, reason: str) -> int:
    return _revoke(session, AuthSession.user_id == user_id, reason)


def _revoke(session: Session, where: object, reason: str) -> int:
    result = session.execute(
        update(AuthSession)
        .where(where, AuthSession.revoked_at.is_(None))  # type: ignore[arg-type]
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and verify_password(user.password_hash or "", password)
