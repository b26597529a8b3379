"""The TOTP second factor (RFC 6238, through pyotp): enrolment, sealed secrets, code checks.

The shared secret is sealed with libsodium's secretbox under a key kept in the data home
(`HOME/keys/totp.key`, 0600, or the file `totp_key_file` names), never in the database: a copy
of the store signs nobody in and yields no codes. Each enrolment is a protected row whose hash is
logged when it is created, confirmed and ended. A code is accepted once (the last accepted time
step is kept), within one step either side of now for clock drift.
"""

from __future__ import annotations

import base64
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nacl.secret
import nacl.utils
import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import AuthenticationError, ConfigError, NotFoundError
from candour.ledger.log import EventDraft, append
from candour.store.access import Actor
from candour.store.enums import EventAction, Role
from candour.store.hashing import TOTP_COLUMNS, totp_hash
from candour.store.models import User, UserTotp
from candour.store.types import utcnow

if TYPE_CHECKING:
    from datetime import datetime

ISSUER = "Candour"
#: The roles that must use a second factor when the settings require it.
REQUIRED_ROLES = frozenset({Role.ADMIN, Role.OVERSIGHT})
STEP_SECONDS = 30


@dataclass(frozen=True)
class Enrolment:
    """What a new enrolment shows its user, once: the key to type in and the otpauth URI."""

    secret: str
    uri: str


class SecretBox:
    """Seals and opens TOTP secrets under the installation's key file."""

    def __init__(self, key_file: Path) -> None:
        self.key_file = key_file

    def _key(self, *, create: bool) -> bytes:
        path = self.key_file
        if not path.exists():
            if not create:
                raise ConfigError(f"{path}: the second-factor key is missing (restore it)")
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(base64.b64encode(nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)))
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"{path}: key file must not be readable by others (chmod 600)")
        return base64.b64decode(path.read_bytes().strip())

    def seal(self, secret: str) -> bytes:
        return bytes(nacl.secret.SecretBox(self._key(create=True)).encrypt(secret.encode()))

    def open(self, sealed: bytes) -> str:
        try:
            return nacl.secret.SecretBox(self._key(create=False)).decrypt(bytes(sealed)).decode()
        except nacl.exceptions.CryptoError:
            raise ConfigError(
                f"{self.key_file}: does not open the stored second-factor secrets"
            ) from None


def required(role: Role | None, setting: bool) -> bool:
    """Whether a user of `role` must use a second factor under the settings."""
    return setting and role in REQUIRED_ROLES


def active(session: Session, user_id: int, *, lock: bool = False) -> UserTotp | None:
    """The user's confirmed, unended enrolment, if any. With `lock`, the row is held until the
    transaction ends (PostgreSQL; SQLite has one writer at a time anyway), so two sign-ins
    racing with one code cannot both spend it."""
    stmt = (
        select(UserTotp)
        .where(
            UserTotp.user_id == user_id,
            UserTotp.confirmed_at.is_not(None),
            UserTotp.ended_at.is_(None),
        )
        .order_by(UserTotp.id.desc())
        .limit(1)
    )
    return session.execute(stmt.with_for_update() if lock else stmt).scalar_one_or_none()


def _pending(session: Session, user_id: int) -> UserTotp | None:
    return session.execute(
        select(UserTotp)
        .where(
            UserTotp.user_id == user_id,
            UserTotp.confirmed_at.is_(None),
            UserTotp.ended_at.is_(None),
        )
        .order_by(UserTotp.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _log(session: Session, row: UserTotp, actor: Actor, change: str) -> None:
    row.content_hash = totp_hash({c: getattr(row, c) for c in TOTP_COLUMNS})
    session.flush()
    append(
        session,
        [
            EventDraft(
                EventAction.SECOND_FACTOR.value,
                "totp",
                str(row.id),
                actor.id,
                actor.rank,
                target_id=row.user_id,
                subject_hash=row.content_hash,
                payload={"change": change},
            )
        ],
    )


def _end(session: Session, row: UserTotp, actor: Actor, change: str) -> None:
    row.ended_at = utcnow()
    _log(session, row, actor, change)


def begin(
    session: Session, box: SecretBox, user: User, actor: Actor, *, confirmed: bool
) -> Enrolment:
    """A new secret for `user`. Unconfirmed, it takes effect when a code from it is confirmed
    (`confirm`); an administrator's enrolment (`confirmed`) takes effect at once and replaces
    any other. Any earlier unconfirmed enrolment ends."""
    if (old := _pending(session, user.id)) is not None:
        _end(session, old, actor, "replaced before confirmation")
    secret = pyotp.random_base32()
    now = utcnow()
    row = UserTotp(
        user_id=user.id,
        sealed_secret=box.seal(secret),
        created_at=now,
        created_by=actor.id,
        confirmed_at=None,
        ended_at=None,
        content_hash="",
    )
    session.add(row)
    session.flush()
    _log(session, row, actor, "enrolled")
    if confirmed:
        _activate(session, row, actor, now)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.identifier, issuer_name=ISSUER)
    return Enrolment(secret, uri)


def _activate(session: Session, row: UserTotp, actor: Actor, at: datetime) -> None:
    if (current := active(session, row.user_id)) is not None and current.id != row.id:
        _end(session, current, actor, "replaced")
    row.confirmed_at = at
    _log(session, row, actor, "confirmed")


def confirm(session: Session, box: SecretBox, user: User, code: str, actor: Actor) -> None:
    """The user proves their authenticator holds the new secret; it becomes their factor."""
    row = _pending(session, user.id)
    if row is None:
        raise NotFoundError("no second factor is being set up: start again")
    if not _accept(box, row, code):
        raise AuthenticationError("that code does not match: check the key and the device's time")
    _activate(session, row, actor, utcnow())


def reset(session: Session, user: User, actor: Actor) -> bool:
    """End the user's second factor (a lost device); returns whether there was one."""
    ended = False
    for row in session.execute(
        select(UserTotp).where(UserTotp.user_id == user.id, UserTotp.ended_at.is_(None))
    ).scalars():
        _end(session, row, actor, "reset")
        ended = ended or row.confirmed_at is not None
    return ended


def check(session: Session, box: SecretBox, user: User, code: str | None) -> bool | None:
    """None when the user has no second factor; otherwise whether `code` is a fresh valid code
    (it is then spent)."""
    row = active(session, user.id, lock=True)
    if row is None:
        return None
    return bool(code) and _accept(box, row, code or "")


def _accept(box: SecretBox, row: UserTotp, code: str) -> bool:
    """A 6-digit code for this step or one either side, never one at or before the last
    accepted step."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return False
    totp = pyotp.TOTP(box.open(row.sealed_secret))
    now = int(utcnow().timestamp())
    for step in (now // STEP_SECONDS + d for d in (0, -1, 1)):
        if row.last_step is not None and step <= row.last_step:
            continue
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            row.last_step = step
            return True
    return False
