"""The casework clock: a report's recording deadline passes when the application's clock is set
forward, the rules run raises an escalation to the supervisor, it climbs to the inspector when
it goes unanswered, and the inspector's action shows in who-knew (in process, both databases)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from candour.store.access import Actor
from tests.web.conftest import ADMIN_PASSWORD, Site, csrf_of

STORY = "Child D said a man outside the arcade gave her vodka and touched her."


def _file(site: Site, pc: TestClient, text: str) -> str:
    form = {
        "kind": "crime_report",
        "received_at": site.app.clock.now().strftime("%Y-%m-%dT%H:%M"),
        "text": text,
        "child_name": "Child D",
        "child_age": "13",
        "disclosure": "true",
        "offence_code": "19/1",
        "offence_group": "sexual_offences",
        "csrf": csrf_of(pc, "/file"),
    }
    r = pc.post("/file", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[-500:]
    found = re.match(r"/records/([^?]+)\?", r.headers["location"])
    assert found
    return found.group(1)


def _mine(site: Site, identifier: str, uid: str) -> list[tuple[str, bool, str | None]]:
    """What the user's queue holds on `uid`: (kind, overdue, rank aimed at)."""
    actor = site.app.identity.sign_in(identifier, site.passwords[identifier]).actor
    queue = site.app.work.queue(actor)
    return [(i.kind, i.overdue, i.target_rank) for i in queue if i.record == uid]


def _run(site: Site, admin: Actor) -> tuple[int, int]:
    report = site.app.pipeline.run_rules(admin)
    return report.raised, report.climbed


def test_a_breach_escalates_climbs_and_is_acted_on(site: Site) -> None:
    admin = site.app.identity.sign_in("admin", ADMIN_PASSWORD).actor
    pc = site.sign_in("PC400")
    silent = _file(site, pc, STORY)
    late = _file(site, pc, "Child D said the same man took her to a flat.")
    assert _mine(site, "PS300", silent) == [("recording", False, None)]  # due, not overdue
    assert _run(site, admin) == (0, 0)

    site.app.clock.advance(timedelta(hours=25))  # a day passes
    ps = site.sign_in("PS300")
    work = ps.get("/work").text
    assert 'id="clock-shifted"' in work and "overdue" in work
    decision = {"kind": "crime_recording", "outcome": "recorded", "offence_code": "19/1",
                "reason": "recorded a day late", "csrf": csrf_of(ps, "/work")}  # fmt: skip
    assert ps.post(f"/records/{late}/decisions", data=decision).status_code == 200
    assert _run(site, admin) == (2, 0)  # no decision, and a decision made after the deadline
    assert ("escalation", False, "PS") in _mine(site, "PS300", silent)
    assert ("escalation", False, "PS") not in _mine(site, "I200", silent)

    site.app.clock.advance(timedelta(hours=24))  # the supervisor does nothing for a day
    assert _run(site, admin)[1] == 2
    assert [k for k, *_ in _mine(site, "PS300", silent)] == ["recording"]  # escalation left
    assert ("escalation", True, "Insp") in _mine(site, "I200", silent)

    insp = site.sign_in("I200")
    assert silent in insp.get("/work").text
    inspector = site.app.identity.sign_in("I200", site.passwords["I200"]).actor
    queue = site.app.work.queue(inspector)
    ident = next(i.escalation for i in queue if i.record == silent and i.kind == "escalation")
    r = insp.post(
        f"/work/escalations/{ident}",
        data={
            "action": "action",
            "rationale": "officer briefed; decision recorded today",
            "csrf": csrf_of(insp, "/work"),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    knew = insp.get(f"/who-knew/{silent}?purpose=checking the escalation").text
    assert "officer briefed; decision recorded today" in knew


def test_the_clock_only_moves_forward(site: Site) -> None:
    before = site.app.clock.now()
    with pytest.raises(ValueError):
        site.app.clock.advance(timedelta(hours=-1))
    assert site.app.clock.advance(timedelta(hours=2)) - before >= timedelta(hours=2)
    assert 'id="clock-shifted"' in site.sign_in("PC400").get("/work").text
