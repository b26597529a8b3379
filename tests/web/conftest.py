"""A web app over the small test world, with a signed-in client per role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from candour.app import Candour
from candour.settings import Settings
from candour.store import NewUser, Store
from candour.web import create_app
from candour.web.security import SignInLimiter
from tests.support.world import World, build

ADMIN_PASSWORD = "correct horse battery staple"


@dataclass
class Site:
    app: Candour
    world: World
    passwords: dict[str, str]
    limiter: SignInLimiter
    clients: list[TestClient] = field(default_factory=list)

    def client(self) -> TestClient:
        c = TestClient(create_app(self.app, limiter=self.limiter), base_url="http://testserver")
        self.clients.append(c)
        return c

    def sign_in(self, identifier: str) -> TestClient:
        c = self.client()
        r = c.post(
            "/sign-in",
            data={
                "identifier": identifier,
                "password": self.passwords[identifier],
                "csrf": csrf_of(c),
                "next": "/work",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        return c

    def token(self, identifier: str) -> dict[str, str]:
        c = self.client()
        r = c.post(
            "/api/sessions",
            json={"identifier": identifier, "password": self.passwords[identifier]},
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}


def csrf_of(client: TestClient, path: str = "/sign-in") -> str:
    """The CSRF token a page's forms carry (fetching it also sets the cookie)."""
    html = client.get(path).text
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


@pytest.fixture
def site(store: Store, settings: Settings) -> Iterator[Site]:
    world = build(store)
    app = Candour(settings)
    admin = app.identity.actor(app.identity.sign_in("admin", ADMIN_PASSWORD).token)
    passwords = {"admin": ADMIN_PASSWORD}
    for ident in ("PC400", "PS300", "I200", "S100", "A500"):
        passwords[ident] = app.admin.reset_password(admin, ident)
    agency = world.pc.agency_id
    # An auditor, and an officer of another unit with no part in the world's records.
    passwords["AU600"] = app.admin.create_user(
        admin, NewUser("AU600", "Dale Auditor", "Staff", "auditor", agency)
    )
    passwords["PC700"] = app.admin.create_user(
        admin, NewUser("PC700", "Lee Stranger", "PC", "officer", agency, unit="North")
    )
    s = Site(app, world, passwords, SignInLimiter(max_failures=3))
    yield s
    for c in s.clients:
        c.close()
    app.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium through Playwright (make test runs it)"
    )
