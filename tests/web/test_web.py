"""The web app in process: sign-in, CSRF, lockout, headers, every route for every role, a
refused read that leaks nothing, break-glass to the auditor's review, and acting on an
escalation showing in who-knew."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from candour.store.casework import NewEscalation, raise_escalation
from candour.store.people import get_user
from candour.store.types import utcnow
from tests.web.conftest import Site, csrf_of

CHILD_TEXT = "Child A disclosed"
ROLES = {
    "officer": "PC400",
    "supervisor": "PS300",
    "senior": "S100",
    "analyst": "A500",
    "auditor": "AU600",
    "admin": "admin",
}


def test_web_imports_no_database_layer() -> None:
    code = (
        "import sys, candour.web, candour.web.app, candour.web.api\n"
        "from candour.web.pages import auth, casework, reports, admin\n"
        "bad = [m for m in sys.modules\n"
        "       if m.startswith('sqlalchemy') or m == 'candour.store.models']\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    from pathlib import Path

    import candour.web

    for f in Path(candour.web.__file__).parent.rglob("*.py"):
        text = f.read_text()
        assert "sqlalchemy" not in text and "store.models" not in text, f.name
        assert ".transaction()" not in text and ".reading()" not in text, f.name
        assert "candour.auth" not in text, f"{f.name} decides access itself"


def test_sign_in_sets_a_strict_http_only_cookie(site: Site) -> None:
    c = site.client()
    r = c.post(
        "/sign-in",
        data={"identifier": "PC400", "password": site.passwords["PC400"], "csrf": csrf_of(c)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/work"
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie")
    assert cookie.startswith("candour_session=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain http here; https sets Secure
    assert c.get("/work").status_code == 200


def test_secure_cookie_over_tls(site: Site) -> None:
    c = TestClient(c_app := site.client().app, base_url="https://testserver")
    site.clients.append(c)
    assert c_app is not None
    r = c.post(
        "/sign-in",
        data={"identifier": "PC400", "password": site.passwords["PC400"], "csrf": csrf_of(c)},
        follow_redirects=False,
    )
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie")
    assert "Secure" in cookie


def test_wrong_password_is_refused_without_saying_which(site: Site) -> None:
    c = site.client()
    r = c.post("/sign-in", data={"identifier": "PC400", "password": "nope", "csrf": csrf_of(c)})
    assert r.status_code == 401
    assert "do not match an active account" in r.text
    assert c.get("/work", follow_redirects=False).status_code == 303


def test_forms_without_the_csrf_token_are_refused(site: Site) -> None:
    c = site.client()
    csrf_of(c)
    r = c.post("/sign-in", data={"identifier": "PC400", "password": site.passwords["PC400"]})
    assert r.status_code == 403
    r = c.post(
        "/sign-in",
        data={"identifier": "PC400", "password": site.passwords["PC400"], "csrf": "forged"},
    )
    assert r.status_code == 403
    signed = site.sign_in("PS300")
    r = signed.post("/work/escalations/1", data={"action": "acknowledge", "rationale": "x"})
    assert r.status_code == 403 and "expired" in r.text
    r = signed.post("/sign-out", data={}, follow_redirects=False)
    assert r.status_code == 403
    assert signed.get("/work").status_code == 200  # still signed in


def test_failed_sign_ins_lock_the_account_for_a_while(site: Site) -> None:
    c = site.client()
    token = csrf_of(c)
    for _ in range(site.limiter.max_failures):
        r = c.post("/sign-in", data={"identifier": "PC400", "password": "x", "csrf": token})
        assert r.status_code == 401
    right = {"identifier": "PC400", "password": site.passwords["PC400"], "csrf": token}
    r = c.post("/sign-in", data=right)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    r = c.post("/api/sessions", json={"identifier": "PC400", "password": "x"})
    assert r.status_code == 429
    assert r.headers["content-type"].startswith("application/problem+json")
    site.limiter.clock = lambda: 10_000_000.0  # the lockout has passed
    assert c.post("/sign-in", data=right, follow_redirects=False).status_code == 303


def test_sign_out_and_sign_out_everywhere(site: Site) -> None:
    a = site.sign_in("PC400")
    b = site.sign_in("PC400")
    api = site.token("PC400")
    r = a.post("/sign-out", data={"csrf": csrf_of(a, "/work")}, follow_redirects=False)
    assert r.status_code == 303
    assert a.get("/work", follow_redirects=False).status_code == 303
    assert b.get("/work").status_code == 200
    r = b.post("/sign-out", data={"csrf": csrf_of(b, "/work"), "everywhere": "true"})
    assert b.get("/work", follow_redirects=False).status_code == 303
    assert site.client().get("/api/me", headers=api).status_code == 401


def test_security_headers_on_every_page(site: Site) -> None:
    c = site.sign_in("PC400")
    uid = site.world.record_uids[0]
    for path in ("/sign-in", "/work", f"/records/{uid}?purpose=case", "/health"):
        h = c.get(path).headers
        csp = h["content-security-policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert h["cache-control"] == "no-store"


def test_pages_have_no_inline_script_or_style(site: Site) -> None:
    c = site.sign_in("PS300")
    uid = site.world.record_uids[0]
    paths = ("/work", f"/records/{uid}?purpose=review", "/dashboards/demand", "/search?q=child")
    for path in paths:
        html = c.get(path).text
        assert "<script>" not in html and "style=" not in html and "<style" not in html
        assert " on" + "click=" not in html


# Every page and API route, and who may use it (the policy: capabilities and need-to-know).
def _routes(site: Site) -> list[tuple[str, str, set[str]]]:
    uid = site.world.record_uids[0]
    everyone = set(ROLES)
    reports = {"supervisor", "senior", "analyst", "auditor"}
    # Record 0 is about a child: its author/assignee, his supervisory chain, the same-agency
    # analyst, and the auditor; not the administrator.
    readers = {"officer", "supervisor", "senior", "analyst", "auditor"}
    return [
        ("GET", "/work", everyone),
        ("GET", f"/records/{uid}?purpose=case", readers),
        ("GET", f"/who-knew/{uid}?purpose=case", readers),
        ("GET", "/people/P-0001?purpose=case", readers),
        ("GET", "/search?q=child", everyone),
        ("GET", "/dashboards/demand", reports),
        ("GET", "/dashboards/recording", reports),
        ("GET", "/dashboards/escalations", reports),
        ("GET", "/access-reviews", {"auditor"}),
        ("GET", "/admin/users", {"admin"}),
        ("GET", "/account", everyone),
        ("GET", "/ledger", everyone - {"officer"}),
        ("GET", "/docs", everyone),
        ("GET", "/api/me", everyone),
        ("GET", f"/api/records/{uid}?purpose=case", readers),
        ("GET", f"/api/who-knew/{uid}?purpose=case", readers),
        ("GET", "/api/people/P-0001?purpose=case", readers),
        ("GET", "/api/work", everyone),
        ("GET", "/api/search?q=child", everyone),
        ("GET", "/api/reports/demand", reports),
        ("GET", "/api/access-reviews", {"auditor"}),
        ("GET", "/api/admin/users", {"admin"}),
        ("GET", "/openapi.json", everyone),
    ]


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_route_for_every_role(site: Site, role: str) -> None:
    ident = ROLES[role]
    page = site.sign_in(ident)
    bearer = site.token(ident)
    for method, path, allowed in _routes(site):
        api = path.startswith("/api/")
        r = page.request(method, path, headers=bearer if api else None)
        expected = 200 if role in allowed else 403
        assert r.status_code == expected, (role, path, r.status_code, r.text[:300])
        if api and expected == 403:
            assert r.headers["content-type"].startswith("application/problem+json")


def test_no_route_without_a_session_but_sign_in_and_health(site: Site) -> None:
    c = site.client()
    public = {"/sign-in", "/health", "/api/sessions", "/static", "/assets/{name}", "/"}
    checked = 0
    for path, methods in _all_routes(c):
        if path in public:
            continue
        concrete = path.replace("{uid}", "R-x").replace("{person}", "P-x")
        concrete = concrete.replace("{target}", "R-x").replace("{escalation}", "1")
        concrete = concrete.replace("{event}", "1")
        for method in methods - {"HEAD"}:
            data = {"csrf": csrf_of(c)} if not path.startswith("/api") else None
            r = c.request(method, concrete, data=data, follow_redirects=False)
            assert r.status_code in (401, 303), (method, path, r.status_code)
            if r.status_code == 303:
                assert r.headers["location"].startswith("/sign-in"), path
            checked += 1
    assert checked >= 25
    assert c.get("/health").json() == {"status": "ok"}


def _all_routes(c: TestClient) -> list[tuple[str, set[str]]]:
    """Every route of the app, routers included (FastAPI keeps included routers nested)."""
    from candour.web import api

    out = []
    for route in c.app.routes:  # type: ignore[attr-defined]
        inner = getattr(route, "original_router", None)
        if inner is None:
            out.append((getattr(route, "path", ""), getattr(route, "methods", None) or {"GET"}))
            continue
        prefix = "/api" if inner is api.router else ""
        out += [(prefix + r.path, set(r.methods)) for r in inner.routes]
    return out


def test_api_takes_bearer_tokens_not_cookies(site: Site) -> None:
    c = site.sign_in("PC400")
    assert c.get("/api/me").status_code == 401  # the session cookie alone is not enough
    r = c.get("/api/me", headers=site.token("PC400"))
    assert r.json()["identifier"] == "PC400"
    r = c.get("/api/me", headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.headers["content-type"].startswith("application/problem+json")


def _ledger_size(site: Site) -> int:
    return site.app.ledger.size()


def test_a_refused_read_leaks_nothing(site: Site) -> None:
    uid = site.world.record_uids[0]
    c = site.sign_in("PC700")
    before = _ledger_size(site)
    refused = c.get(f"/records/{uid}?purpose=curious")
    missing = c.get("/records/R-doesnotexist?purpose=curious")
    assert refused.status_code == missing.status_code == 403
    assert CHILD_TEXT not in refused.text and "Adult One" not in refused.text
    assert refused.text.replace(uid, "X") == missing.text.replace("R-doesnotexist", "X")
    assert _ledger_size(site) == before  # nothing was read, so nothing logged
    api = c.get(f"/api/records/{uid}?purpose=curious", headers=site.token("PC700"))
    gone = c.get("/api/records/R-doesnotexist?purpose=curious", headers=site.token("PC700"))
    assert api.status_code == gone.status_code == 403 and api.json() == gone.json()
    # Search counts only what the user may read.
    hits = c.get("/api/search?q=Child A", headers=site.token("PC700")).json()
    assert hits["total"] == 0 and hits["items"] == []
    assert "0 records you may read" in c.get("/search?q=Child A").text


def test_assigned_officer_sees_the_record_once_logged(site: Site) -> None:
    uid = site.world.record_uids[0]
    c = site.sign_in("PC400")
    before = _ledger_size(site)
    r = c.get(f"/records/{uid}?purpose=working my case")
    assert r.status_code == 200 and CHILD_TEXT in r.text
    assert "Disclosure of sexual assault" in r.text  # the decision
    assert _ledger_size(site) == before + 1
    assert "Ledger events on this record" not in r.text  # officers do not see consultations
    s = site.sign_in("PS300")
    assert "Ledger events on this record" in s.get(f"/records/{uid}?purpose=review").text


def test_record_without_purpose_asks_for_one_and_reads_nothing(site: Site) -> None:
    uid = site.world.record_uids[0]
    c = site.sign_in("PC400")
    before = _ledger_size(site)
    r = c.get(f"/records/{uid}")
    assert r.status_code == 200 and "Why are you looking?" in r.text
    assert CHILD_TEXT not in r.text and _ledger_size(site) == before


def test_break_glass_lands_on_the_auditors_review_page(site: Site) -> None:
    uid = site.world.record_uids[0]
    c = site.sign_in("PC700")
    refused = c.get(f"/records/{uid}?purpose=urgent")
    assert "Break glass" in refused.text
    token = csrf_of(c, "/work")
    empty = c.post(f"/records/{uid}/break-glass", data={"csrf": token, "purpose": "urgent"})
    assert empty.status_code == 400 and CHILD_TEXT not in empty.text
    r = c.post(
        f"/records/{uid}/break-glass",
        data={"csrf": token, "purpose": "urgent", "reason": "child reported missing tonight"},
    )
    assert r.status_code == 200 and CHILD_TEXT in r.text and "flagged for review" in r.text
    auditor = site.sign_in("AU600")
    page = auditor.get("/access-reviews")
    assert "child reported missing tonight" in page.text and "PC700" in page.text
    event = site.app.admin.reviews(site.app.identity.actor(_token(site, "AU600")))[0].event
    r = auditor.post(
        f"/access-reviews/{event}",
        data={"csrf": csrf_of(auditor, "/access-reviews"), "outcome": "justified",
              "note": "missing-person search"},
    )  # fmt: skip
    assert r.status_code == 200
    assert "No break-glass reads are waiting" in r.text
    assert "justified" in auditor.get("/access-reviews?all=true").text


def _token(site: Site, ident: str) -> str:
    return site.app.identity.sign_in(ident, site.passwords[ident], kind="api").token


def test_acting_on_an_escalation_shows_in_who_knew(site: Site) -> None:
    uid = site.world.record_uids[0]
    store = site.app.store()
    with store.transaction() as s:
        ps = get_user(s, "PS300")
        from candour.store import actor_for

        esc = raise_escalation(
            s,
            NewEscalation(
                "recording deadline missed",
                "PS",
                utcnow() - timedelta(hours=1),
                record_uid=uid,
                owner_id=ps.id,
                rule_id="ncrs-24h",
            ),
            actor_for(ps),
        )
        esc_id = esc.id
    c = site.sign_in("PS300")
    work = c.get("/work")
    assert "ncrs-24h" in work.text and "overdue" in work.text
    token = csrf_of(c, "/work")
    r = c.post(f"/work/escalations/{esc_id}", data={"csrf": token, "action": "action"})
    assert r.status_code == 400 and "rationale" in r.text
    r = c.post(
        f"/work/escalations/{esc_id}",
        data={"csrf": token, "action": "action", "rationale": "decision made, NCRS met late"},
    )
    assert r.status_code == 200 and "It shows in who-knew now" in r.text
    assert "ncrs-24h" not in r.text  # actioned: off the queue
    knew = c.get(f"/who-knew/{uid}?purpose=check")
    assert "actioned escalation" in knew.text and "decision made, NCRS met late" in knew.text
    # Someone the escalation does not reach cannot act on it.
    other = site.sign_in("PC400")
    r = other.post(
        f"/work/escalations/{esc_id}",
        data={"csrf": csrf_of(other, "/work"), "action": "acknowledge", "rationale": "x"},
    )
    assert r.status_code == 403


def test_who_knew_downloads(site: Site) -> None:
    uid = site.world.record_uids[0]
    c = site.sign_in("PS300")
    csv_ = c.get(f"/who-knew/{uid}?purpose=audit&format=csv")
    assert csv_.headers["content-type"].startswith("text/csv")
    assert csv_.text.splitlines()[0].startswith("time,user,name,rank,action")
    assert "attachment" in csv_.headers["content-disposition"]
    js = c.get(f"/who-knew/{uid}?purpose=audit&format=json").json()
    assert js["kind"] == "record" and js["rows"]
    assert all(row["proof"] for row in js["rows"])
    assert c.get(f"/who-knew/{uid}?purpose=audit&format=xml").status_code == 422


def test_ledger_page_verifies_and_offers_the_checkpoint(site: Site) -> None:
    c = site.sign_in("AU600")
    auditor = site.app.identity.actor(_token(site, "AU600"))
    site.app.ledger.checkpoint(auditor)
    assert "Download the checkpoint" in c.get("/ledger").text
    assert c.get("/ledger/checkpoint.txt").text.splitlines()[1].isdigit()
    r = c.post("/ledger/verify", data={"csrf": csrf_of(c, "/ledger")})
    assert r.status_code == 200 and "Intact" in r.text


def test_dashboards_have_tables_beside_charts(site: Site) -> None:
    c = site.sign_in("S100")
    for path in ("/dashboards/demand", "/dashboards/recording", "/dashboards/escalations"):
        html = c.get(path).text
        assert '<svg role="img"' in html and "<title" in html
        assert "<table>" in html and "<caption>" in html


def test_escalations_dashboard_counts_by_age_and_rank(site: Site) -> None:
    """An overdue escalation raised five days ago at PS and a fresh one at Insp show in their
    age bands and ranks; actioned ones are not counted; no record is named."""
    from candour.store import actor_for

    uid = site.world.record_uids[0]
    c = site.sign_in("S100")
    with site.app.store().reading() as s:
        senior = actor_for(get_user(s, "S100"))
    before = site.app.reports.escalations(senior)
    with site.app.store().transaction() as s:
        ps = get_user(s, "PS300")
        old = raise_escalation(
            s, NewEscalation("zq-reason", "PS", utcnow() - timedelta(days=4), record_uid=uid),
            actor_for(ps),
        )  # fmt: skip
        old.created_at = utcnow() - timedelta(days=5)
        raise_escalation(
            s, NewEscalation("new", "Insp", utcnow() + timedelta(hours=5)), actor_for(ps)
        )
    after = site.app.reports.escalations(senior)
    age_b, age_a = dict(before["by_age"]), dict(after["by_age"])
    assert age_a["3 to 7 days"] == [age_b["3 to 7 days"][0] + 1, age_b["3 to 7 days"][1] + 1]
    assert age_a["under a day"][0] == age_b["under a day"][0] + 1
    rank_b, rank_a = dict(before["by_rank"]), dict(after["by_rank"])
    assert rank_a["PS"][1] == rank_b.get("PS", [0, 0])[1] + 1
    assert rank_a["Insp"][0] == rank_b.get("Insp", [0, 0])[0] + 1
    html = c.get("/dashboards/escalations").text
    assert "<caption>Open escalations by age since raised</caption>" in html
    assert '<th scope="row">Insp</th>' in html and uid not in html and "zq-reason" not in html
    assert "number of escalations" in html


def test_the_app_starts_without_node_modules(
    site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("CANDOUR_NODE_MODULES", "/nonexistent")
    c = site.sign_in("PC400")
    html = c.get("/work").text
    assert "htmx" not in html and "/static/candour.css" in html
    assert c.get("/assets/htmx.min.js").status_code == 404


def test_library_assets_are_served_from_node_modules(site: Site) -> None:
    from candour.web import assets

    if "htmx.min.js" not in assets.available():
        pytest.skip("node_modules is not installed (npm ci)")
    c = site.client()
    assert c.get("/assets/htmx.min.js").status_code == 200
    assert c.get("/assets/..%2Fpackage.json").status_code == 404


def test_a_decision_from_the_record_page(site: Site) -> None:
    uid = site.world.record_uids[1]
    c = site.sign_in("PS300")
    page = c.get(f"/records/{uid}?purpose=review")
    assert "Record a decision" in page.text
    token = csrf_of(c, "/work")
    form = {"csrf": token, "kind": "crime_recording", "outcome": "recorded", "offence_code": ""}
    bad = c.post(f"/records/{uid}/decisions", data={**form, "reason": "assault disclosed"})
    assert bad.status_code == 400 and "offence code" in bad.text
    ok = c.post(
        f"/records/{uid}/decisions",
        data={**form, "offence_code": "19/1", "reason": "assault disclosed in the meeting"},
    )
    assert ok.status_code == 200 and "assault disclosed in the meeting" in ok.text
    stranger = site.sign_in("PC700")
    r = stranger.post(
        f"/records/{uid}/decisions",
        data={**form, "csrf": csrf_of(stranger, "/work"), "offence_code": "19/1",
              "reason": "not mine"},
    )  # fmt: skip
    assert r.status_code == 403
    assert "Record a decision" not in site.sign_in("A500").get(f"/records/{uid}?purpose=x").text


def test_filing_a_report_that_discloses_a_sexual_offence_against_a_child(site: Site) -> None:
    c = site.sign_in("PC400")
    token = csrf_of(c, "/file")
    form = {"csrf": token, "kind": "crime_report", "received_at": "2099-01-01T10:00",
            "text": "", "child_name": "Child B", "child_age": "200"}  # fmt: skip
    bad = c.post("/file", data=form)
    assert bad.status_code == 400
    assert "received_at" in bad.text and "child_age" in bad.text and "text" in bad.text
    form |= {"received_at": utcnow().strftime("%Y-%m-%dT%H:%M"), "child_age": "13",
             "text": "Child B said a man at the taxi rank touched her.", "disclosure": "true",
             "offence_code": "19/1", "offence_group": "sexual_offences"}  # fmt: skip
    ok = c.post("/file", data=form)
    assert ok.status_code == 200, ok.text[-800:]
    assert "Child B said a man" in ok.text and "about a child" in ok.text
    # The supervisor's queue shows its recording deadline.
    work = site.sign_in("PS300").get("/work").text
    assert "crime-recording decision (sexual_offences)" in work
    assert site.sign_in("A500").get("/file").status_code == 200  # the form; filing is refused
    analyst = site.sign_in("A500")
    r = analyst.post("/file", data={**form, "csrf": csrf_of(analyst, "/file")})
    assert r.status_code == 403
