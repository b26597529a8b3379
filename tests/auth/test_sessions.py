"""Sign-in sessions: what ends them, what they are made of, and where the CLI keeps them."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from candour.app import Candour
from candour.auth.sessions import TOKEN_BYTES, token_hash
from candour.errors import AuthenticationError, ValidationError
from candour.settings import Settings
from candour.store import Store
from candour.store.models import AuthSession, LedgerEvent
from candour.store.types import utcnow
from tests.support.cli import invoke

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app(store: Store, settings: Settings) -> Iterator[Candour]:
    a = Candour(settings)
    yield a
    a.close()


def _age(app: Candour, token: str, **delta: int) -> None:
    """Move a session's clocks into the past, as if time had passed."""
    d = timedelta(**delta)
    with app.store().transaction() as s:
        row = s.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash(token)))
        assert row is not None
        row.created_at -= d
        row.last_seen_at -= d
        row.expires_at -= d


def test_token_has_at_least_128_bits_and_only_its_hash_is_stored(app: Candour) -> None:
    signed = app.identity.sign_in("admin", PASSWORD)
    assert TOKEN_BYTES * 8 >= 128 and len(signed.token) >= 43
    with app.store().reading() as s:
        stored = list(s.scalars(select(AuthSession.token_hash)))
    assert stored == [token_hash(signed.token)] and signed.token not in stored
    assert app.identity.actor(signed.token).identifier == "admin"
    other = app.identity.sign_in("admin", PASSWORD)
    assert other.token != signed.token  # a new token at every sign-in


def test_wrong_password_and_unknown_user_give_one_answer_and_are_logged(app: Candour) -> None:
    msgs = []
    for ident, pw in (("admin", "wrong password!!"), ("nobody", PASSWORD)):
        with pytest.raises(AuthenticationError) as err:
            app.identity.sign_in(ident, pw)
        msgs.append(str(err.value))
    assert msgs[0] == msgs[1]
    with app.store().reading() as s:
        failed = s.scalars(select(LedgerEvent).where(LedgerEvent.action == "sign_in_failed")).all()
    assert len(failed) == 2


@pytest.mark.parametrize(
    ("what", "delta"), [("idle", {"minutes": 31}), ("absolute", {"hours": 13})]
)
def test_sessions_expire(app: Candour, what: str, delta: dict[str, int]) -> None:
    token = app.identity.sign_in("admin", PASSWORD).token
    _age(app, token, **delta)
    if what == "absolute":  # busy all along (seen a minute ago): only the absolute limit ends it
        with app.store().transaction() as s:
            row = s.scalar(select(AuthSession))
            assert row is not None
            row.last_seen_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(AuthenticationError):
        app.identity.actor(token)


def test_use_keeps_a_session_alive_past_the_idle_limit(app: Candour) -> None:
    token = app.identity.sign_in("admin", PASSWORD).token
    _age(app, token, minutes=20)
    app.identity.actor(token)  # used: last seen is now
    _age(app, token, minutes=20)
    assert app.identity.actor(token).identifier == "admin"


def test_logout_password_change_and_disable_end_sessions(app: Candour) -> None:
    admin_token = app.identity.sign_in("admin", PASSWORD).token
    admin = app.identity.actor(admin_token)
    from candour.store.people import NewUser

    first = app.admin.create_user(admin, NewUser("PC1", "Ash Kaur", "PC", "officer"))
    t1 = app.identity.sign_in("PC1", first).token
    t2 = app.identity.sign_in("PC1", first).token
    assert app.identity.sign_out(t1) == 1
    with pytest.raises(AuthenticationError):
        app.identity.actor(t1)
    assert app.identity.actor(t2).identifier == "PC1"
    with pytest.raises(ValidationError):
        app.identity.change_password(t2, first, "short")
    app.identity.change_password(t2, first, "a much longer passphrase")
    with pytest.raises(AuthenticationError):
        app.identity.actor(t2)
    t3 = app.identity.sign_in("PC1", "a much longer passphrase").token
    app.admin.set_active(admin, "PC1", False)
    with pytest.raises(AuthenticationError):
        app.identity.actor(t3)
    with pytest.raises(AuthenticationError):
        app.identity.sign_in("PC1", "a much longer passphrase")
    reset = app.admin.reset_password(admin, "PC1")
    app.admin.set_active(admin, "PC1", True)
    assert app.identity.sign_in("PC1", reset).actor.identifier == "PC1"


def test_service_token_runs_batch_work_but_reads_nothing(app: Candour) -> None:
    from candour.errors import PermissionDeniedError

    admin = app.identity.sign_in("admin", PASSWORD).actor
    token = app.admin.service_token(admin, "svc-test")
    svc = app.identity.actor(token)
    assert svc.role == "service" and svc.identifier == "svc-test"
    app.pipeline.run_rules(svc)  # batch work, attributed to the service account
    with pytest.raises(PermissionDeniedError):
        app.admin.users(svc)
    with pytest.raises(AuthenticationError):  # it cannot sign in with a password
        app.identity.sign_in("svc-test", "")


def test_cli_login_keeps_the_token_private_and_logout_forgets_it(
    tmp_path: Path, db_url: str
) -> None:
    home = tmp_path / "home"
    assert invoke(home, db_url, "init").exit_code == 0
    r = invoke(home, db_url, "whoami")
    assert r.exit_code == 0 and "admin" in r.output
    token = tmp_path / "tokens" / "admin.token"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert stat.S_IMODE(token.parent.stat().st_mode) == 0o700
    assert invoke(home, db_url, "logout").exit_code == 0
    assert not token.exists()
    token.parent.mkdir(exist_ok=True)
    token.write_text("stale-or-forged-token\n")
    r = invoke(home, db_url, "whoami")
    assert r.exit_code == 9 and "not signed in" in r.output
    token.unlink()
    r = invoke(home, db_url, "record", "show", "R-x", "--purpose", "p")
    assert r.exit_code == 6 and "Traceback" not in r.output  # signed in again; refused
    from typer.testing import CliRunner

    from candour.cli import app as cli
    from tests.support.cli import env_for

    env = env_for(home, db_url, "nobody")
    r = CliRunner().invoke(cli, ["record", "show", "R-x", "--purpose", "p"], env=env)
    assert r.exit_code == 9 and "not signed in" in r.output and "Traceback" not in r.output
