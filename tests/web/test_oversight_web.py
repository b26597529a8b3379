"""The oversight pages in process: every route for every role (the force under investigation,
whatever its users' rank or role, finds no case), the case page in full and in time order, the
forms that run a case landing on the timeline and the ledger, and the statistics page showing
the figures the CLI prints."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from candour.app import Candour
from candour.auth.walls import add_jurisdiction
from candour.oversight.evidence import check_bundle
from candour.settings import Settings
from candour.store import Actor, NewUser, Store, create_agency
from candour.store.models import LedgerEvent
from candour.store.people import get_agency
from tests.oversight.world import T0
from tests.oversight.world import build as build_watchdog
from tests.support.world import build as build_district
from tests.web.conftest import ADMIN_PASSWORD, Site, csrf_of

COMPLAINANT = "Complainant Wren"
TERMS = "Every officer who knew of the disclosures."
REASON = "told not to pursue senior officers"

# role -> identifier. The case is about the district force (SYP): its officers, supervisors,
# senior officers, analyst, auditor and even its own professional-standards (oversight role)
# staff are walled from it. WDG is the watchdog over SYP; NWB a body with no jurisdiction.
ROLES = {
    "force officer": "PC400",
    "force supervisor": "PS300",
    "force senior (complained about)": "S100",
    "force analyst": "A500",
    "force auditor": "AU600",
    "force standards (oversight role)": "PSD1",
    "administrator": "admin",
    "other force's chief": "CC1",
    "other body's investigator": "OB1",
    "watchdog investigator": "OV1",
    "watchdog lead": "OV2",
    "commissioner's officer": "PCC1",
    "watchdog auditor": "WAU1",
    "auditor of no body": "AUD1",
}
WATCHDOG = {"OV1", "OV2", "PCC1"}
VIEWERS = WATCHDOG | {"WAU1", "AUD1"}
OVERSIGHT_ROLE = VIEWERS | {"PSD1", "OB1", "AU600"}  # may open the oversight pages
WALLED = {"PSD1", "OB1", "AU600"}  # may see oversight cases, but not this one


@dataclass
class OSite:
    site: Site
    case: str
    investigation: str
    late: str  # an investigation opened a day after the complaint, its allegation pending
    allegation: str
    request: str
    record: str

    @property
    def app(self) -> Candour:
        return self.site.app

    def actor(self, ident: str) -> Actor:
        token = self.app.identity.sign_in(ident, self.site.passwords[ident]).token
        return self.app.identity.actor(token)


class _Passwords(dict[str, str]):
    """One-time passwords, set on first use: hashing one costs a tenth of a second."""

    def __init__(self, app: Candour, admin: Actor) -> None:
        super().__init__()
        self.app, self.admin = app, admin

    def __missing__(self, ident: str) -> str:
        self[ident] = self.app.admin.reset_password(self.admin, ident)
        return self[ident]


SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def osite(store: Store, settings: Settings) -> Iterator[OSite]:
    district = build_district(store)
    build_watchdog(store)
    system = Actor.system()
    with store.transaction() as s:
        add_jurisdiction(s, "WDG", "SYP", system)
        create_agency(s, "NWB", "Northern Watch Board", "oversight", system)
        syp, nwb, wdg = (get_agency(s, a).id for a in ("SYP", "NWB", "WDG"))
    app = Candour(settings)
    admin = app.identity.actor(app.identity.sign_in("admin", ADMIN_PASSWORD).token)
    passwords = _Passwords(app, admin)
    passwords["admin"] = ADMIN_PASSWORD
    for new in (
        NewUser("AU600", "Dale Auditor", "Staff", "auditor", syp),
        NewUser("PSD1", "Ren Halvorsen", "DCI", "oversight", syp),
        NewUser("OB1", "Ola Brekke", "Investigator", "oversight", nwb),
        NewUser("WAU1", "Wen Aukland", "Staff", "auditor", wdg),
    ):
        passwords[new.identifier] = app.admin.create_user(admin, new)
    from candour.web.security import SignInLimiter

    site = Site(app, district, passwords, SignInLimiter(max_failures=3))
    o = OSite(site, "", "", "", "", "", district.record_uids[0])
    me, ov = o.actor("OV1"), app.oversight
    o.case = ov.open_complaint(
        me,
        force="SYP",
        complainant=COMPLAINANT,
        received_at=T0,
        channel="letter",
        record_uid=o.record,
    )
    o.investigation = ov.open_investigation(me, o.case, mode="independent", terms=TERMS)
    o.allegation = ov.add_allegation(
        me, o.case, subject="I200", category="failure_to_safeguard", investigation=o.investigation
    )
    ov.finding(me, o.allegation, "misconduct", "knew and did not act", upheld=True)
    o.late = ov.open_investigation(
        me, o.case, mode="directed", terms="The superintendent.", opened_at=T0 + timedelta(1)
    )
    ov.add_allegation(me, o.case, subject="S100", category="neglect_of_duty", investigation=o.late)
    ov.narrow_scope(
        me,
        o.investigation,
        change="No officer above inspector.",
        reason=REASON,
        approver="OV2",
        exclude_above="Insp",
    )
    o.request = ov.commissioner_request(
        o.actor("PCC1"), o.case, asked="the report on senior officers", reason="public duty"
    )
    ov.commissioner_answer(
        o.actor("OV2"),
        o.request,
        answer="refused",
        reason="personal information",
        why_not_redacted="the officers are named on every page",
    )
    ov.attach_evidence(me, o.case, [o.record], "the disclosure the complaint is about")
    app.ledger.checkpoint(o.actor("AUD1"))
    yield o
    for c in site.clients:
        c.close()
    app.close()


def _routes(o: OSite) -> list[tuple[str, str, dict[str, str], set[str], set[str]]]:
    """(method, path, form, who succeeds, who finds nothing). Everyone else is refused (403)."""
    case = f"/oversight/cases/{o.case}"
    approval = {"reason": "r", "approver": "OV2"}
    lead_approves = WATCHDOG - {"OV2"}  # the approver must be someone other than the author
    return [
        ("GET", "/oversight", {}, OVERSIGHT_ROLE, set()),
        ("GET", "/oversight/stats", {}, OVERSIGHT_ROLE, set()),
        ("GET", "/oversight/suspects", {}, OVERSIGHT_ROLE, set()),
        # looking for officers named as suspects: oversight staff, or whoever runs the pipeline
        ("POST", "/oversight/suspects", {}, WATCHDOG | {"PSD1", "OB1", "admin"}, set()),
        ("GET", case, {}, VIEWERS, WALLED),
        ("GET", "/oversight/cases/case-0000000000000000", {}, set(), VIEWERS | WALLED),
        (
            "POST",
            "/oversight/complaints",
            {"force": "SYP", "complainant": "C2", "received": "2023-02-01", "channel": "email"},
            WATCHDOG,
            set(),
        ),
        (
            "POST",
            f"{case}/investigations",
            {"mode": "local", "terms": "t"},
            WATCHDOG,
            WALLED - {"AU600"},
        ),
        (
            "POST",
            f"{case}/allegations",
            {"subject": "PS300", "category": "neglect_of_duty"},
            WATCHDOG,
            WALLED - {"AU600"},
        ),
        (
            "POST",
            f"{case}/investigations/{o.investigation}/terms",
            {"terms": "t2", "reason": "r"},
            WATCHDOG,
            WALLED - {"AU600"},
        ),
        (
            "POST",
            f"{case}/investigations/{o.investigation}/scope",
            {"change": "c", **approval},
            lead_approves,
            WALLED - {"AU600"},
        ),
        (
            "POST",
            f"{case}/allegations/{o.allegation}/finding",
            {"finding": "no_case_to_answer", "reason": "r"},
            WATCHDOG,
            WALLED - {"AU600"},
        ),
        (
            "POST",
            f"{case}/allegations/{o.allegation}/outcome",
            {"outcome": "management_advice", "reason": "r"},
            WATCHDOG,
            WALLED - {"AU600"},
        ),
        (
            "POST",
            f"{case}/label",
            {"label": "persistent", "notice": "Dear complainant", **approval},
            lead_approves,
            WALLED - {"AU600"},
        ),
        (
            "POST",
            f"{case}/requests",
            {"asked": "the report", "reason": "r"},
            WATCHDOG,
            WALLED - {"AU600"},
        ),
        (
            "POST",
            f"{case}/requests/{o.request}/answer",
            {"answer": "redacted", "reason": "r"},
            WATCHDOG,
            WALLED - {"AU600"},
        ),
        (
            "POST",
            f"{case}/evidence",
            {"targets": o.record, "reason": "r"},
            WATCHDOG,
            WALLED - {"AU600"},
        ),
        # the bundle reads the attached child's record: the watchdog's auditor may (the
        # watchdog has jurisdiction), an auditor of no body may see the case but not the record
        ("POST", f"{case}/bundle", {"purpose": "oversight"}, VIEWERS - {"AUD1"}, WALLED),
    ]


def test_every_oversight_route_for_every_role(osite: OSite) -> None:
    secrets = (COMPLAINANT, TERMS, REASON, "personal information")
    for role, ident in ROLES.items():
        c = osite.site.sign_in(ident)
        token = csrf_of(c, "/work")
        for method, path, form, ok, missing in _routes(osite):
            r = c.request(method, path, data={"csrf": token, **form}, follow_redirects=False)
            good = 303 if method == "POST" and not path.endswith("/bundle") else 200
            expected = good if ident in ok else 404 if ident in missing else 403
            assert r.status_code == expected, (role, method, path, r.status_code, r.text[-400:])
            if expected != good:
                assert not any(s in r.text for s in secrets), (role, path)
            elif method == "POST" and good == 303 and "/cases/" in path:
                assert r.headers["location"].startswith("/oversight/cases/case-")


def test_the_walled_find_nothing_and_leave_no_read(osite: OSite) -> None:
    """A walled case is answered exactly as one that does not exist, lists and figures leave it
    out, and the attempt reads (so logs) nothing."""
    for ident in sorted(WALLED):
        c = osite.site.sign_in(ident)
        before = _reads(osite, ident)
        walled = c.get(f"/oversight/cases/{osite.case}")
        gone = c.get("/oversight/cases/case-0000000000000000")
        assert walled.status_code == gone.status_code == 404
        assert walled.text.replace(osite.case, "X") == gone.text.replace(
            "case-0000000000000000", "X"
        )
        assert osite.case not in c.get("/oversight").text
        assert _figure(c.get("/oversight/stats").text, "total|investigations") == "0"
        assert _reads(osite, ident) == before


@SQLITE_ONLY
def test_the_case_owner_lets_a_liaison_officer_through_the_wall(osite: OSite) -> None:
    from candour.store.models import Wall

    c = osite.site.sign_in("PC400")
    case = f"/oversight/cases/{osite.case}"
    assert c.get(case).status_code == 403
    with osite.app.store().reading() as s:
        wall = s.scalars(select(Wall.id).where(Wall.resource_id == osite.case)).one()
    osite.app.admin.grant(osite.actor("OV1"), wall, "PC400", "liaison for the investigation")
    before = _reads(osite, "PC400")
    r = c.get(case)
    assert r.status_code == 200 and COMPLAINANT in r.text
    assert _reads(osite, "PC400") == before + 1
    assert "Run the case" not in r.text  # seeing is not running
    form = {"csrf": csrf_of(c, "/work"), "asked": "the report", "reason": "r"}
    assert c.post(f"{case}/requests", data=form).status_code == 403


def _reads(o: OSite, ident: str) -> int:
    with o.app.store().reading() as s:
        rows = s.scalars(
            select(LedgerEvent).where(
                LedgerEvent.action == "read", LedgerEvent.entity_type == "oversight_complaint"
            )
        )
        who = o.actor(ident).id
        return sum(1 for e in rows if e.actor_id == who)


def _rows(page: str, anchor: str) -> list[list[str]]:
    """The body rows of the first table after the heading `anchor`, as cell texts."""
    part = page.split(f'id="{anchor}"', 1)[1]
    body = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


@SQLITE_ONLY  # rendering over the service: the service is tested on both
def test_the_case_page_in_full_and_in_time_order(osite: OSite) -> None:
    c = osite.site.sign_in("OV2")
    before = _reads(osite, "OV2")
    page = c.get(f"/oversight/cases/{osite.case}").text
    assert COMPLAINANT in page and _reads(osite, "OV2") == before + 1  # a logged read
    algs = _rows(page, "allegations")
    assert [a[1:6] for a in algs] == [
        ["I200", "Insp", "failure_to_safeguard", "misconduct", "yes"],
        ["S100", "Supt", "neglect_of_duty", "pending", ""],
    ]
    scope = _rows(page, "scope")
    narrowed = [r for r in scope if r[2] == "scope narrowed"]
    assert len(narrowed) == 1 and narrowed[0][4] == "Insp" and narrowed[0][6] == "OV2"
    assert REASON in narrowed[0][7]
    # terms of reference: version 1 on opening, version 2 saying what the narrowing did
    versions = [(r[0], r[1]) for r in scope if r[2] == "terms of reference"]
    assert (osite.investigation, "1") in versions and (osite.investigation, "2") in versions
    timeline = _rows(page, "timeline")
    whens = [r[0] for r in timeline]
    assert whens == sorted(whens)
    whats = [r[1] for r in timeline]
    assert whats[0] == "complaint received" and whats[1] == "investigation opened"  # T0, T0+1
    for stage in ("allegation", "finding", "scope", "commissioner request", "evidence"):
        assert stage in whats, stage
    assert whats.index("finding") > whats.index("allegation")
    assert whats.index("commissioner answer") > whats.index("commissioner request")
    assert "the officers are named on every page" in page  # why redaction was not enough


def _form_actions(page: str) -> set[str]:
    return set(re.findall(r'<form method="post" action="([^"]+)"', page))


def test_the_forms_run_a_case_onto_its_timeline_and_the_ledger(osite: OSite) -> None:
    c = osite.site.sign_in("OV1")
    case = f"/oversight/cases/{osite.case}"
    opened = c.post(
        "/oversight/complaints",
        data={
            "csrf": csrf_of(c, "/oversight"),
            "force": "SYP",
            "complainant": "Complainant Ash",
            "received": "2024-05-02",
            "channel": "email",
            "record": osite.record,
        },
        follow_redirects=False,
    )
    assert opened.status_code == 303
    case = opened.headers["location"].split("?")[0]
    uid = case.rsplit("/", 1)[1]

    def submit(action: str, **form: str) -> str:
        page = c.get(case).text
        assert action in _form_actions(page), action  # the page offers this form
        r = c.post(action, data={"csrf": csrf_of(c, case), **form}, follow_redirects=False)
        assert r.status_code == 303, (action, r.text[-400:])
        done = str(r.headers["location"].split("done=", 1)[1])
        assert f"Recorded: {done}" in c.get(r.headers["location"]).text
        return done

    inv = submit(
        f"{case}/investigations", mode="independent", terms="Who knew.", investigator="OV1"
    )
    alg = submit(
        f"{case}/allegations", subject="PS300", category="neglect_of_duty", investigation=inv
    )
    made = [
        submit(f"{case}/investigations/{inv}/terms", terms="Who knew, and when.", reason="wider"),
        submit(
            f"{case}/investigations/{inv}/scope",
            change="Sergeants only.",
            reason=REASON,
            approver="OV2",
            exclude_above="PS",
        ),
        submit(
            f"{case}/allegations/{alg}/finding",
            finding="gross_misconduct",
            reason="ignored the disclosure",
            upheld="yes",
        ),
        submit(f"{case}/allegations/{alg}/outcome", outcome="dismissal", reason="hearing"),
        submit(
            f"{case}/label",
            label="persistent",
            reason="daily calls",
            approver="OV2",
            notice="Dear Complainant Ash, we write to tell you ...",
        ),
        submit(f"{case}/evidence", targets=osite.record, reason="the disclosure"),
    ]
    req = submit(f"{case}/requests", asked="the final report", reason="public duty")
    made += [
        req,
        submit(
            f"{case}/requests/{req}/answer",
            answer="refused",
            reason="named officers",
            why_not_redacted="redaction would leave nothing",
        ),
    ]
    # a refusal that does not say why redaction was not enough is refused, and names the field
    bad = c.post(
        f"{case}/requests/{req}/answer",
        data={"csrf": csrf_of(c, case), "answer": "refused", "reason": "r"},
    )
    assert bad.status_code == 400 and "why_not_redacted" in bad.text
    page = c.get(case).text
    whats = [r[1] for r in _rows(page, "timeline")]
    for stage in (
        "complaint received",
        "investigation opened",
        "allegation",
        "terms of reference",
        "scope",
        "finding",
        "outcome",
        "complainant label",
        "evidence",
        "commissioner request",
        "commissioner answer",
    ):
        assert stage in whats, stage
    assert "dismissal" in page and "Dear Complainant Ash" in page
    with osite.app.store().reading() as s:
        events = list(s.scalars(select(LedgerEvent).where(LedgerEvent.action == "oversight")))
    logged = {e.entity_id for e in events if json.loads(e.payload or "{}").get("case") == uid}
    assert {uid, inv, alg, *made} <= logged
    # the bundle downloads and verifies offline; its who-knew shows this investigator's read
    osite.app.ledger.checkpoint(osite.actor("AUD1"))
    r = c.post(f"{case}/bundle", data={"csrf": csrf_of(c, case), "purpose": "oversight"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert "events of case " + uid in check_bundle(io.BytesIO(r.content).getvalue())
    audit = osite.site.sign_in("WAU1")
    knew = audit.get(f"/who-knew/{osite.record}?purpose=audit&format=json").json()
    assert any(row["user"] == "OV1" for row in knew["rows"])


def _figure(page: str, key: str) -> str | None:
    found = re.search(rf'data-figure="{re.escape(html.escape(key))}">([^<]*)<', page)
    return html.unescape(found.group(1)) if found else None


@SQLITE_ONLY  # rendering over the service: the service is tested on both
def test_the_statistics_page_shows_the_figures_the_cli_prints(osite: OSite) -> None:
    c = osite.site.sign_in("PCC1")
    page = c.get("/oversight/stats").text
    st = osite.app.oversight.stats(osite.actor("PCC1"))
    rows = st.rows()
    assert len(rows) > 30
    for section, key, value in rows:
        shown = _figure(page, f"{section}|{key}")
        assert shown == ("—" if value is None else str(value)), (section, key, shown)
    assert (st.investigations, st.allegations, st.officers, st.misconduct) == (2, 2, 2, 1)
    assert _figure(page, f"scope excludes rank|{osite.investigation}") == "Insp"
    assert _figure(page, f"overdue|{osite.late}") is not None  # open since 2023, pending
    assert _figure(page, "commissioner|answers: refused") == "1"
    log = _rows(page, "commissioner")
    assert [r[2] for r in log] == ["request: the report on senior officers", "answer: refused"]
    assert "the officers are named on every page" in log[1][4]
