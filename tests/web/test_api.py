"""The JSON API's write routes and its pages: what a client integrating with Candour relies on."""

from __future__ import annotations

from candour.store.types import utcnow
from tests.web.conftest import Site


def _report(**extra: object) -> dict[str, object]:
    return {
        "kind": "crime_report",
        "received_at": utcnow().strftime("%Y-%m-%dT%H:%M"),
        "text": "Child C said a man at the bus station touched her.",
        "child_name": "Child C",
        "child_age": "12",
        "disclosure": True,
        "offence_code": "19/1",
        "offence_group": "sexual_offences",
    } | extra


def test_filing_through_the_api_lands_a_record_the_filer_can_read(site: Site) -> None:
    c = site.client()
    pc = site.token("PC400")
    r = c.post("/api/reports", json=_report(), headers=pc)
    assert r.status_code == 201, r.text
    uid = r.json()["uid"]
    case = c.get(f"/api/records/{uid}?purpose=follow up", headers=pc)
    assert case.status_code == 200 and "bus station" in case.text
    # The supervisor's queue now holds its recording decision.
    work = c.get("/api/work?limit=100", headers=site.token("PS300")).json()
    assert any(i["record"] == uid and i["kind"] == "recording" for i in work["items"])


def test_a_refused_report_names_its_fields_not_their_values(site: Site) -> None:
    c = site.client()
    r = c.post(
        "/api/reports",
        json=_report(child_age="200", received_at="2099-01-01T10:00", text=""),
        headers=site.token("PC400"),
    )
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert {"child_age", "received_at", "text"} <= set(body["fields"])
    assert "Child C" not in r.text and "200" not in body["detail"]


def test_an_analyst_cannot_file_and_a_stranger_cannot_decide(site: Site) -> None:
    c = site.client()
    assert c.post("/api/reports", json=_report(), headers=site.token("A500")).status_code == 403
    uid = site.world.record_uids[1]
    decision = {"kind": "crime_recording", "outcome": "recorded", "offence_code": "19/1",
                "reason": "assault disclosed"}  # fmt: skip
    stranger = c.post(f"/api/records/{uid}/decisions", json=decision, headers=site.token("PC700"))
    assert stranger.status_code == 403
    ok = c.post(f"/api/records/{uid}/decisions", json=decision, headers=site.token("PS300"))
    assert ok.status_code == 201, ok.text
    missing = c.post(
        f"/api/records/{uid}/decisions",
        json={**decision, "offence_code": ""},
        headers=site.token("PS300"),
    )
    assert missing.status_code == 400 and "offence code" in missing.json()["detail"]


def test_lists_page_through_every_item_once_in_a_stable_order(site: Site) -> None:
    c = site.client()
    admin = site.token("admin")
    everyone = c.get("/api/admin/users?limit=100", headers=admin).json()
    assert everyone["next_cursor"] is None and everyone["total"] == len(everyone["items"])
    seen: list[str] = []
    cursor = None
    while True:
        url = "/api/admin/users?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = c.get(url, headers=admin).json()
        assert len(page["items"]) <= 2
        seen += [a["identifier"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [a["identifier"] for a in everyone["items"]] and seen == sorted(seen)


def test_a_forged_cursor_or_limit_is_a_clear_400(site: Site) -> None:
    c = site.client()
    admin = site.token("admin")
    for query in ("cursor=not-a-cursor", "limit=0", "limit=100000"):
        r = c.get(f"/api/admin/users?{query}", headers=admin)
        assert r.status_code in (400, 422), (query, r.status_code)
        assert r.headers["content-type"].startswith("application/problem+json")
