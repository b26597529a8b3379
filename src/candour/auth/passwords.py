"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106 guidance)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from candour.errors import ValidationError

_hasher = PasswordHasher()
# Verified against when the identifier is unknown, so a wrong identifier costs the same time
# as a wrong password.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))
MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str) -> bool:
    verify_password(_DUMMY, password)
    return False


def check_strength(password: str) -> None:
    """A password must be long enough to resist guessing (NCSC: length over complexity)."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(
            f"a password needs at least {MIN_LENGTH} characters", field="password"
        )


def new_password() -> str:
    """A random password for a first administrator or a reset, shown once."""
    return secrets.token_urlsafe(18)
