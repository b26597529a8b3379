"""The TOTP second factor through the identity service: enrol, confirm, sign in with a code
(once only), wrong codes logged, required roles held to enrolment, an administrator's reset, and
secrets that a copy of the database does not give away."""

from __future__ import annotations

import json
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select

from candour.app import Candour
from candour.auth.totp import SecretBox, _accept
from candour.errors import (
    AuthenticationError,
    CodeNeeded,
    PermissionDeniedError,
    SecondFactorRequired,
    ValidationError,
)
from candour.settings import Settings
from candour.store import NewUser, Store
from candour.store.models import LedgerEvent, UserTotp

PASSWORD = "correct horse battery staple"
# A key for the property test (Hypothesis runs many examples in one function call).
_BOX = SecretBox(Path(tempfile.mkdtemp()) / "keys" / "totp.key")


@pytest.fixture
def app(store: Store, settings: Settings) -> Iterator[Candour]:
    a = Candour(settings)
    yield a
    a.close()


def _enrol(app: Candour, identifier: str = "admin", password: str = PASSWORD) -> pyotp.TOTP:
    """Enrol and confirm a factor for `identifier` in a web session; its authenticator."""
    token = app.identity.sign_in(identifier, password, kind="web").token
    enrolment = app.identity.begin_second_factor(token, password)
    device = pyotp.TOTP(enrolment.secret)
    app.identity.confirm_second_factor(token, device.now())
    return device


def _events(app: Candour, action: str) -> list[dict[str, object]]:
    with app.store().reading() as s:
        rows = s.scalars(select(LedgerEvent).where(LedgerEvent.action == action)).all()
        return [json.loads(e.payload) for e in rows]


def test_enrol_then_sign_in_needs_a_fresh_code(app: Candour) -> None:
    token = app.identity.sign_in("admin", PASSWORD, kind="web").token
    assert not app.identity.second_factor(app.identity.actor(token))
    enrolment = app.identity.begin_second_factor(token, PASSWORD)
    uri = urlparse(enrolment.uri)
    assert uri.scheme == "otpauth" and parse_qs(uri.query)["secret"] == [enrolment.secret]
    assert "Candour" in parse_qs(uri.query)["issuer"]
    device = pyotp.TOTP(enrolment.secret)
    used = device.now()
    app.identity.confirm_second_factor(token, used)
    actor = app.identity.actor(token)
    assert actor.second_factor and app.identity.second_factor(actor)

    with pytest.raises(CodeNeeded):  # the password alone no longer signs in
        app.identity.sign_in("admin", PASSWORD)
    with pytest.raises(CodeNeeded):  # the code used to confirm is spent
        app.identity.sign_in("admin", PASSWORD, code=used)
    signed = app.identity.sign_in("admin", PASSWORD, code=device.at(time.time() + 30))
    assert signed.actor.second_factor
    assert {"kind": "cli", "second_factor": True} in _events(app, "sign_in")


def test_a_reused_code_is_refused(app: Candour) -> None:
    device = _enrol(app)
    code = device.at(time.time() + 30)
    app.identity.sign_in("admin", PASSWORD, code=code)
    with pytest.raises(CodeNeeded):
        app.identity.sign_in("admin", PASSWORD, code=code)


def test_a_wrong_code_is_refused_and_logged(app: Candour) -> None:
    device = _enrol(app)
    wrong = f"{(int(device.now()) + 1) % 1_000_000:06d}"
    before = len(_events(app, "sign_in_failed"))
    with pytest.raises(CodeNeeded) as err:
        app.identity.sign_in("admin", PASSWORD, code=wrong, kind="api")
    assert wrong not in str(err.value)
    failed = _events(app, "sign_in_failed")
    assert failed[before:] == [{"kind": "api", "factor": "totp"}]


def test_a_wrong_password_with_the_right_code_says_nothing_about_the_code(app: Candour) -> None:
    device = _enrol(app)
    with pytest.raises(AuthenticationError) as err:
        app.identity.sign_in("admin", "not the password", code=device.now())
    assert not isinstance(err.value, CodeNeeded)


def test_enrolling_asks_for_the_password_again(app: Candour) -> None:
    token = app.identity.sign_in("admin", PASSWORD, kind="web").token
    with pytest.raises(ValidationError):
        app.identity.begin_second_factor(token, "not the password")
    with pytest.raises(Exception, match="no second factor is being set up"):
        app.identity.confirm_second_factor(token, "123456")


def test_required_roles_are_held_to_enrolment(store: Store, settings: Settings) -> None:
    app = Candour(settings.model_copy(update={"require_second_factor": True}))
    try:
        with pytest.raises(SecondFactorRequired):  # no CLI or API session without one
            app.identity.sign_in("admin", PASSWORD, kind="api")
        assert _events(app, "sign_in_failed")[-1] == {"kind": "api", "factor": "none enrolled"}
        token = app.identity.sign_in("admin", PASSWORD, kind="web").token
        with pytest.raises(SecondFactorRequired):  # the web session may only enrol
            app.identity.actor(token)
        assert app.identity.actor(token, enrolling=True).identifier == "admin"
        enrolment = app.identity.begin_second_factor(token, PASSWORD)
        app.identity.confirm_second_factor(token, pyotp.TOTP(enrolment.secret).now())
        admin = app.identity.actor(token)  # confirmed in this session: released
        # Roles the setting does not name are not held.
        password = app.admin.create_user(admin, NewUser("PC1", "Sam Officer", "PC", "officer"))
        officer = app.identity.sign_in("PC1", password, kind="api")
        assert app.identity.actor(officer.token).identifier == "PC1"
    finally:
        app.close()


def test_an_administrator_resets_a_lost_factor(app: Candour) -> None:
    admin_token = app.identity.sign_in("admin", PASSWORD, kind="web").token
    admin = app.identity.actor(admin_token)
    password = app.admin.create_user(admin, NewUser("OV1", "Jo Oversight", "Staff", "oversight"))
    _enrol(app, "OV1", password)
    officer_pw = app.admin.create_user(admin, NewUser("PC2", "Kim Officer", "PC", "officer"))
    officer = app.identity.actor(app.identity.sign_in("PC2", officer_pw).token)
    with pytest.raises(PermissionDeniedError):
        app.identity.reset_second_factor(officer, "OV1")

    assert app.identity.reset_second_factor(admin, "OV1") is True
    assert app.identity.reset_second_factor(admin, "OV1") is False  # nothing left to end
    signed = app.identity.sign_in("OV1", password)  # the password alone, again
    assert not signed.actor.second_factor
    with app.store().reading() as s:
        resets = s.scalars(
            select(LedgerEvent).where(
                LedgerEvent.action == "second_factor", LedgerEvent.actor_id == admin.id
            )
        ).all()
    assert [json.loads(e.payload) for e in resets][-1] == {"change": "reset"}
    assert resets[-1].target_id == signed.actor.id
    assert app.ledger.verify(admin, None, None).intact


def test_the_key_file_is_private_and_the_database_holds_no_secret(
    app: Candour, settings: Settings
) -> None:
    token = app.identity.sign_in("admin", PASSWORD, kind="web").token
    secret = app.identity.begin_second_factor(token, PASSWORD).secret
    key = settings.effective_totp_key_file
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    with app.store().reading() as s:
        sealed = bytes(s.scalars(select(UserTotp.sealed_secret)).one())
    assert secret.encode() not in sealed and pyotp.TOTP(secret).now().encode() not in sealed
    # Another installation's key (a copy of the database without this home) opens nothing.
    other = SecretBox(key.parent / "other.key")
    other.seal("x")
    with pytest.raises(Exception, match="does not open"):
        other.open(sealed)
    assert SecretBox(key).open(sealed) == secret


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_nothing_but_a_current_code_is_accepted(code: str) -> None:
    secret = pyotp.random_base32()
    row = UserTotp(sealed_secret=_BOX.seal(secret), last_step=None)
    near = {pyotp.TOTP(secret).at(time.time() + d) for d in (-30, 0, 30)}
    assert _accept(_BOX, row, code) == (code.strip().replace(" ", "") in near)


def test_cli_login_with_a_code_and_an_administrators_totp_reset(
    tmp_path: Path, db_url: str
) -> None:
    from typer.testing import CliRunner

    from candour.cli import app as cli
    from tests.support.cli import ADMIN_PASSWORD, env_for, invoke

    home = tmp_path / "home"
    assert invoke(home, db_url, "init").exit_code == 0
    app = Candour(Settings(home=home, database_url=db_url))
    try:
        admin = app.identity.sign_in("admin", ADMIN_PASSWORD).actor
        password = app.admin.create_user(
            admin, NewUser("OV1", "Jo Oversight", "Staff", "oversight")
        )
        device = _enrol(app, "OV1", password)
    finally:
        app.close()
    env = {**env_for(home, db_url, "OV1"), "CANDOUR_PASSWORD": password}
    runner = CliRunner()
    login = ["login", "--user", "OV1"]
    r = runner.invoke(cli, login, env=env, input=device.at(time.time() + 30) + "\n")
    assert r.exit_code == 0 and "Code from your authenticator app" in r.output, r.output
    assert "signed in as OV1" in r.output
    r = runner.invoke(cli, [*login, "--code", "000000"], env=env)
    assert r.exit_code == 9 and "6-digit code" in r.output and "Code from" not in r.output
    r = invoke(home, db_url, "users", "totp-reset", "OV1")
    assert r.exit_code == 0 and "second factor of OV1 reset" in r.output, r.output
    r = runner.invoke(cli, login, env=env)  # the password alone, again
    assert r.exit_code == 0 and "Code from" not in r.output, r.output
    r = invoke(home, db_url, "users", "totp-reset", "OV1", user="OV1")
    assert r.exit_code == 6  # only administrators


def test_two_sign_ins_racing_with_one_code_spend_it_once(app: Candour, db_url: str) -> None:
    """The first sign-in holds the enrolment until it commits; the second, arriving meanwhile,
    then sees the code spent (PostgreSQL: SQLite has one writer at a time)."""
    import threading

    from candour.auth import totp
    from candour.store.people import get_user

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    device = _enrol(app)
    code = device.at(time.time() + 30)
    box = SecretBox(app.settings.effective_totp_key_file)
    outcome: list[object] = []

    def second() -> None:
        try:
            outcome.append(app.identity.sign_in("admin", PASSWORD, code=code))
        except CodeNeeded as exc:
            outcome.append(exc)

    with app.store().transaction() as s:
        assert totp.check(s, box, get_user(s, "admin"), code) is True
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(1.5)  # it waits on the held row
        assert racer.is_alive() and outcome == []
    racer.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], CodeNeeded)
