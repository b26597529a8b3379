"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106 guidance)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A random password for a first administrator, shown once."""
    return secrets.token_urlsafe(18)
