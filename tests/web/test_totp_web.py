"""The second factor in the browser and the API: enrolling on the Account page, signing in with
a code, required roles held to enrolment, and an administrator's reset from the users page."""

from __future__ import annotations

import html
import json
import re
import time

import pyotp
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from candour.store.models import LedgerEvent
from tests.web.conftest import Site, csrf_of


def _enrol(site: Site, c: TestClient, identifier: str) -> pyotp.TOTP:
    """Enrol on the Account page as a user would: password, key shown once, confirm."""
    r = c.post(
        "/account/second-factor",
        data={"password": site.passwords[identifier], "csrf": csrf_of(c, "/account")},
    )
    assert r.status_code == 200, r.text[:300]
    key = re.search(r'<code id="totp-key">([A-Z2-7 ]+)</code>', r.text)
    uri = re.search(r'<code id="totp-uri" class="wrap">([^<]+)</code>', r.text)
    assert key and uri and uri.group(1).startswith("otpauth://totp/")
    secret = key.group(1).replace(" ", "")
    assert f"secret={secret}" in html.unescape(uri.group(1))
    device = pyotp.TOTP(secret)
    r = c.post(
        "/account/second-factor/confirm",
        data={"code": device.now(), "csrf": csrf_of(c, "/account")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/account?done=true"
    return device


def _sign_in(site: Site, identifier: str, code: str = "") -> tuple[TestClient, Response]:
    c = site.client()
    form = {"identifier": identifier, "password": site.passwords[identifier], "code": code}
    r = c.post("/sign-in", data=form | {"csrf": csrf_of(c)}, follow_redirects=False)
    return c, r


def test_enrol_on_the_account_page_then_sign_in_with_a_code(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site.limiter, "max_failures", 10)  # each refusal below counts
    c = site.sign_in("PS300")
    page = c.get("/account")
    assert page.status_code == 200 and "No second factor is set" in page.text
    assert 'for="factor-password"' in page.text  # labelled
    device = _enrol(site, c, "PS300")
    done = c.get("/account?done=true").text
    assert "A second factor is set" in done and "totp-key" not in done  # the key is not re-shown

    _, r = _sign_in(site, "PS300")  # the password alone
    assert r.status_code == 401 and "6-digit code" in r.text
    _, r = _sign_in(site, "PS300", device.now())  # spent on confirmation
    assert r.status_code == 401
    # The API takes the code too.
    api = site.client()
    body = {"identifier": "PS300", "password": site.passwords["PS300"]}
    r = api.post("/api/sessions", json=body)
    assert r.status_code == 401 and "code" in r.json()["detail"]
    assert r.headers["content-type"].startswith("application/problem+json")
    fresh = device.at(time.time() + 30)
    r = api.post("/api/sessions", json=body | {"code": fresh})
    assert r.status_code == 200, r.text
    _, r = _sign_in(site, "PS300", fresh)  # once only
    assert r.status_code == 401


def test_a_wrong_code_at_confirmation_keeps_the_factor_unset(site: Site) -> None:
    c = site.sign_in("A500")
    c.post(
        "/account/second-factor",
        data={"password": site.passwords["A500"], "csrf": csrf_of(c, "/account")},
    )
    r = c.post("/account/second-factor/confirm", data={"code": "12345x", "csrf": csrf_of(c)})
    assert r.status_code == 400 and "does not match" in r.text
    assert "No second factor is set" in r.text
    wrong = c.post(
        "/account/second-factor",
        data={"password": "not it at all", "csrf": csrf_of(c, "/account")},
    )
    assert wrong.status_code == 400 and "password is wrong" in wrong.text
    _, signed = _sign_in(site, "A500")
    assert signed.status_code == 303


def test_required_roles_are_held_to_the_account_page(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = site.token("admin")  # a token from before the setting
    monkeypatch.setattr(site.app.settings, "require_second_factor", True)
    c, r = _sign_in(site, "admin")
    assert r.status_code == 303 and r.headers["location"] == "/account"
    for path in ("/work", "/admin/users", "/ledger", "/docs"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/account", path
    r = c.post("/ledger/verify", data={"csrf": csrf_of(c, "/account")}, follow_redirects=False)
    assert r.headers["location"] == "/account"
    account = c.get("/account").text
    assert "must sign in with a second factor" in account
    assert 'href="/account"' in account  # the menu offers Account alone
    assert 'href="/admin/users"' not in account and 'href="/search"' not in account
    for response in (
        site.client().post(
            "/api/sessions", json={"identifier": "admin", "password": site.passwords["admin"]}
        ),
        site.client().get("/api/me", headers=before),
    ):
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "second factor" in response.json()["detail"]
    # Other roles are not held.
    _, r = _sign_in(site, "PC400")
    assert r.headers["location"] == "/work"
    _enrol(site, c, "admin")
    assert c.get("/admin/users").status_code == 200
    r = c.post("/sign-out", data={"csrf": csrf_of(c, "/account")}, follow_redirects=False)
    assert r.status_code == 303


def test_an_administrator_resets_a_factor_from_the_users_page(site: Site) -> None:
    analyst = site.sign_in("A500")
    device = _enrol(site, analyst, "A500")
    analyst, r = _sign_in(site, "A500", device.at(time.time() + 30))  # with a code, on the web
    assert r.status_code == 303 and analyst.get("/work").status_code == 200
    admin = site.sign_in("admin")
    listing = admin.get("/admin/users").text
    assert 'aria-label="Reset the second factor of A500"' in listing
    refused = analyst.post(
        "/admin/users/A500/second-factor/reset", data={"csrf": csrf_of(analyst, "/account")}
    )
    assert refused.status_code == 403
    r = admin.post(
        "/admin/users/A500/second-factor/reset",
        data={"csrf": csrf_of(admin, "/admin/users")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/users?reset=A500"
    page = admin.get(r.headers["location"]).text
    assert "The second factor of A500 is reset" in page
    assert 'aria-label="Reset the second factor of A500"' not in page
    assert analyst.get("/work", follow_redirects=False).status_code == 303  # signed out
    _, signed = _sign_in(site, "A500")  # the password alone, again
    assert signed.status_code == 303
    admin_id = site.app.identity.actor(admin.cookies["candour_session"]).id
    with site.app.store().reading() as s:
        event = s.scalars(
            select(LedgerEvent)
            .where(LedgerEvent.action == "second_factor", LedgerEvent.actor_id == admin_id)
            .order_by(LedgerEvent.idx.desc())
        ).first()
    assert event is not None and json.loads(event.payload) == {"change": "reset"}
