"""The journey in a real browser: Playwright for Python driving Debian's Chromium
(/usr/bin/chromium, headless; never `playwright install`), against `uvicorn` on loopback.

Screenshots of every page visited go to CANDOUR_SCREENSHOTS (default .tmp/screenshots); axe-core
(from node_modules, when installed) checks each page for serious or critical violations."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import ADMIN_PASSWORD, Site

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]
SHOTS = Path(os.environ.get("CANDOUR_SCREENSHOTS", ".tmp/screenshots"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(site: Site) -> Iterator[str]:
    import uvicorn

    from candour.web import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(site.app, limiter=site.limiter), host="127.0.0.1", port=port, log_level="error"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield b
        b.close()


def _axe(page: Any) -> list[str]:
    """Serious or critical axe-core violations on the page (none checked without axe)."""
    from candour.web import assets

    axe = assets.available().get("axe.min.js")
    if axe is None:
        return []
    page.add_script_tag(path=str(axe))
    result = page.evaluate("async () => (await axe.run()).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def site_assets() -> dict[str, Path]:
    from candour.web import assets

    return assets.available()


def _visit(page: Any, name: str, problems: list[str]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    problems.extend(f"{name}: {v}" for v in _axe(page))


def _sign_in(page: Any, base: str, site: Site, ident: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Identifier").fill(ident)
    page.get_by_label("Password").fill(site.passwords[ident])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/work")


STORY = "Child D said a man outside the arcade gave her vodka and touched her."


def test_journey(site: Site, server: str, browser: Any) -> None:
    from candour.store import NewMention, add_mentions, ensure_entity
    from candour.store.records import current_version

    uid = site.world.record_uids[0]
    with site.app.store().transaction() as s:
        car = ensure_entity(s, "vehicle", "V-0001", "AB12 CDE")
        add_mentions(
            s,
            [NewMention(current_version(s, uid).id, "vehicle", "AB12 CDE", "field", "test",
                        entity_id=car.id)],
        )  # fmt: skip
    problems: list[str] = []
    # bypass_csp only so that the test can inject axe-core; the app's own pages load no
    # inline code (test_web checks the headers and the HTML).
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(f"{server}/sign-in")
    _visit(page, "sign-in", problems)

    # An officer files a report that discloses a sexual offence against a child.
    filed = _file_report(page, server, site, problems)
    # The supervisor sees its recording deadline in their queue.
    _sign_in(page, server, site, "PS300")
    row = _row(page, filed)
    assert "crime-recording decision" in row.inner_text() and "overdue" not in row.inner_text()
    _visit(page, "my-work", problems)
    # A day passes on the casework clock; the scheduled rules run finds the breach and raises an
    # escalation to the supervisor.
    admin = site.app.identity.sign_in("admin", ADMIN_PASSWORD).actor
    site.app.clock.advance(timedelta(hours=25))
    assert site.app.pipeline.run_rules(admin).raised == 1
    page.reload()
    assert "overdue" in row.inner_text()
    assert _row(page, filed, escalation=True).count() == 1
    _visit(page, "breached", problems)
    # Nobody acts for another day: it climbs to the inspector.
    site.app.clock.advance(timedelta(hours=24))
    assert site.app.pipeline.run_rules(admin).climbed == 1
    page.reload()
    assert _row(page, filed, escalation=True).count() == 0
    page.get_by_role("button", name="Sign out", exact=True).click()

    # The inspector acts on it, and the action shows in who-knew.
    _sign_in(page, server, site, "I200")
    esc = _row(page, filed, escalation=True)
    assert "overdue" in esc.inner_text() and "Insp" in esc.inner_text()
    _visit(page, "climbed", problems)
    esc.get_by_label("Rationale").fill("decision made late; officer spoken to")
    esc.get_by_label("Action").select_option("action")
    esc.get_by_role("button", name="Record").click()
    page.wait_for_selector("text=It shows in who-knew now")
    page.goto(f"{server}/records/{filed}?purpose=supervisory review")
    assert "arcade" in page.inner_text("main")
    _visit(page, "record", problems)
    page.get_by_role("link", name="Who knew about this record").click()
    page.get_by_label("Purpose").fill("checking the escalation")
    page.get_by_role("button", name="Open").click()
    assert "decision made late; officer spoken to" in page.inner_text("main")
    _visit(page, "who-knew", problems)
    page.goto(f"{server}/people/P-0001?purpose=analysis")
    if "cytoscape.min.js" in site_assets():
        page.wait_for_selector("#network canvas")
    _visit(page, "person", problems)
    page.goto(f"{server}/dashboards/demand")
    _visit(page, "demand", problems)
    page.goto(f"{server}/dashboards/recording")
    _visit(page, "recording-audit", problems)
    page.goto(f"{server}/dashboards/escalations")
    _visit(page, "escalations", problems)
    page.goto(f"{server}/search?q=child")
    _visit(page, "search", problems)
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(f"{server}/sign-in")

    # An officer without need-to-know is refused, then breaks glass with a reason.
    _sign_in(page, server, site, "PC700")
    page.goto(f"{server}/records/{uid}?purpose=enquiry")
    assert "Child A disclosed" not in page.content()
    _visit(page, "refused", problems)
    page.get_by_label("Reason for breaking glass").fill("child reported missing tonight")
    page.get_by_role("button", name="Break glass and read").click()
    assert "flagged for review" in page.inner_text("main")
    page.get_by_role("button", name="Sign out", exact=True).click()

    # The auditor sees it on the review list.
    _sign_in(page, server, site, "AU600")
    page.goto(f"{server}/access-reviews")
    assert "child reported missing tonight" in page.inner_text("main")
    _visit(page, "access-review", problems)
    page.get_by_role("button", name="Sign out", exact=True).click()

    # The watchdog's investigator opens the case about the force and its figures.
    case, inv_excluding = _oversight_case(site)
    _sign_in(page, server, site, "OV1")
    page.get_by_role("link", name="Oversight").click()
    page.get_by_role("link", name=case).click()
    assert "failure_to_safeguard" in page.inner_text("#main")
    _visit(page, "oversight-case", problems)
    page.goto(f"{server}/oversight/stats")
    assert inv_excluding in page.inner_text("#scope + table")
    _visit(page, "oversight-stats", problems)
    page.goto(f"{server}/oversight/suspects")
    page.get_by_role("button", name="Check the records now").click()
    assert "Checked: 0 user(s)" in page.inner_text("main")
    _visit(page, "oversight-suspects", problems)
    page.get_by_role("button", name="Sign out", exact=True).click()

    # The administrator sets up a second factor on the Account page.
    _second_factor(page, server, site, problems)
    ctx.close()
    assert problems == []


def _file_report(page: Any, server: str, site: Site, problems: list[str]) -> str:
    """An officer files the report through the form; returns the new record's id."""
    _sign_in(page, server, site, "PC400")
    page.get_by_role("link", name="File a report").click()
    received = site.app.clock.now().strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Received (date and time)").fill(received)
    page.get_by_label("What was reported").fill(STORY)
    page.get_by_label("Child's name").fill("Child D")
    page.get_by_label("Child's age").fill("13")
    page.get_by_label("Offence code").fill("19/1")
    page.get_by_label("Offence group").fill("sexual_offences")
    page.get_by_label("This report discloses an offence").check()
    _visit(page, "file", problems)
    page.get_by_role("button", name="File", exact=True).click()
    page.wait_for_url(re.compile(r".*/records/[^/?]+\?purpose="))
    assert "arcade" in page.inner_text("main")
    filed: str = page.url.split("/records/")[1].split("?")[0]
    page.get_by_role("button", name="Sign out", exact=True).click()
    return filed


def _row(page: Any, record: str, *, escalation: bool = False) -> Any:
    """The queue's row(s) on a record: its recording decision, or an escalation on it."""
    rows = page.locator("tbody tr").filter(has=page.locator(f'a[href^="/records/{record}?"]'))
    forms = page.locator("form")
    return rows.filter(has=forms) if escalation else rows.filter(has_not=forms)


def _second_factor(page: Any, server: str, site: Site, problems: list[str]) -> None:
    import pyotp

    _sign_in(page, server, site, "admin")
    page.get_by_role("link", name="Account").click()
    page.get_by_label("Your password, again").fill(site.passwords["admin"])
    page.get_by_role("button", name="Show a new key").click()
    key = page.inner_text("#totp-key").replace(" ", "")
    _visit(page, "account-second-factor", problems)
    page.get_by_label("The 6-digit code your app shows now").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Confirm").click()
    assert "Your second factor is set" in page.inner_text("main")
    page.goto(f"{server}/admin/users")
    _visit(page, "users", problems)


def _oversight_case(site: Site) -> tuple[str, str]:
    """A watchdog with jurisdiction over the district force, and a case about it."""
    from candour.auth.walls import add_jurisdiction
    from candour.store import Actor
    from tests.oversight.world import T0
    from tests.oversight.world import build as build_watchdog

    watchdog = build_watchdog(site.app.store())
    with site.app.store().transaction() as s:
        add_jurisdiction(s, "WDG", "SYP", Actor.system())
    admin = site.app.identity.actor(site.app.identity.sign_in("admin", ADMIN_PASSWORD).token)
    site.passwords["OV1"] = site.app.admin.reset_password(admin, "OV1")
    o, me = site.app.oversight, watchdog.investigator
    case = o.open_complaint(me, force="SYP", complainant="Complainant Wren",
                            received_at=T0, channel="letter")  # fmt: skip
    inv = o.open_investigation(me, case, mode="independent", terms="Who knew, and when.")
    alg = o.add_allegation(me, case, subject="I200", category="failure_to_safeguard",
                           investigation=inv)  # fmt: skip
    o.finding(me, alg, "misconduct", "knew and did not act", upheld=True)
    o.narrow_scope(me, inv, change="No officer above inspector.", reason="instruction",
                   approver="OV2", exclude_above="Insp")  # fmt: skip
    return case, inv


def test_pages_load_nothing_from_outside_and_obey_the_csp(
    site: Site, server: str, browser: Any
) -> None:
    ctx = browser.new_context()  # the CSP enforced, as users get it
    page = ctx.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(server) else None,
    )
    _sign_in(page, server, site, "PS300")
    for path in ("/work", "/dashboards/demand", "/search?q=child", "/people/P-0001?purpose=x"):
        page.goto(server + path)
    ctx.close()
    assert outside == []
    assert not [e for e in errors if "Content Security Policy" in e], errors
