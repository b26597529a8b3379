"""One exception root with user-facing messages.

Every error a user can cause is a `CandourError` whose `str()` is a single line that names what
was wrong (file, row, field) and never contains personal data. The CLI turns them into an exit
code; the web app into an HTTP status.
"""

from __future__ import annotations


class CandourError(Exception):
    """Root of every error Candour raises on purpose."""

    exit_code = 1
    http_status = 400

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(CandourError):
    """Settings that cannot work: bad URL, unwritable directory, bad settings file."""

    exit_code = 2


class StoreError(CandourError):
    """The store cannot be reached or is in a state the code cannot use."""

    exit_code = 3
    http_status = 503


class SchemaVersionError(StoreError):
    """The store's schema is newer than this code, or not yet migrated."""


class AlreadyInitialisedError(CandourError):
    """`candour init` on a store that already has an administrator."""

    exit_code = 4
    http_status = 409


class NotFoundError(CandourError):
    """A record, person, event or checkpoint that does not exist."""

    exit_code = 5
    http_status = 404


class PermissionDeniedError(CandourError):
    """The acting user may not do this (need-to-know)."""

    exit_code = 6
    http_status = 403


class AuthenticationError(CandourError):
    """No proven identity: not signed in, a wrong password, an ended session."""

    exit_code = 9
    http_status = 401


class CodeNeeded(AuthenticationError):
    """The password was right, and the account has a second factor: a code must come too."""


class SecondFactorRequired(PermissionDeniedError):
    """This role must sign in with a second factor, and this session did not: it may only
    enrol one (the web app sends it to Account; the API answers 403)."""


class ValidationError(CandourError):
    """Input that does not fit the schema; carries where it was found."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        where = ":".join(str(p) for p in (source, row) if p is not None)
        if field:
            where = f"{where} field '{field}'" if where else f"field '{field}'"
        super().__init__(f"{where}: {message}" if where else message)
        self.source = source
        self.row = row
        self.field = field


class LedgerError(CandourError):
    """The ledger cannot do what was asked (bad proof request, bad key, bad checkpoint)."""

    exit_code = 7


class LedgerIntegrityError(LedgerError):
    """Verification found the log or the data it protects altered."""

    exit_code = 8
