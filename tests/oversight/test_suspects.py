"""Officers as suspects: a user named as a suspect in a record, with their collar number, is
walled from it at once (even against break-glass) while colleagues still read it; the force's
standards staff and the watchdog find an alert in their work queue; the report lists the
user's earlier reads of records about the same child. A namesake is left alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from candour.app import Candour
from candour.auth.walls import add_jurisdiction
from candour.errors import PermissionDeniedError
from candour.ledger.log import head
from candour.oversight.suspects import READS_PURPOSE, RULE
from candour.settings import Settings
from candour.store import (
    Actor,
    NewMention,
    NewRecord,
    NewUser,
    Store,
    actor_for,
    add_mentions,
    add_records,
    assign,
    create_agency,
    create_user,
    ensure_entity,
)
from candour.store.models import LedgerEvent, Record
from tests.oversight.world import T0
from tests.oversight.world import build as build_watchdog
from tests.support.world import build as build_district


@dataclass
class Scene:
    app: Candour
    suspect: Actor
    colleague: Actor
    standards: Actor
    watchdog: Actor
    namesake: Actor
    earlier: str  # a record about Child B that the suspect read before
    named: str  # the record naming him as a suspect


@pytest.fixture
def scene(store: Store, settings: Settings) -> Iterator[Scene]:
    district = build_district(store)
    w = build_watchdog(store)
    system = Actor.system()
    with store.transaction() as s:
        add_jurisdiction(s, "WDG", "SYP", system)
        syp = district.pc.agency_id
        other = create_agency(s, "NFP", "Northern Force Police", "police", system).id
        hale = create_user(
            s,
            NewUser("SYP7311", "Dominic Hale", "PC", "officer", syp, supervisor_id=district.ps.id),
            system,
        )
        namesake = create_user(s, NewUser("NF42", "Dominic Hale", "PC", "officer", other), system)
        psd = create_user(s, NewUser("PSD1", "Ren Halvorsen", "DCI", "oversight", syp), system)
        child = ensure_entity(s, "person", "P-0002", "Child B")
        ids = add_records(
            s,
            [
                NewRecord("crime_report", T0, body="Child B missing overnight.", agency_id=syp,
                          source_ref="t:e", about_child=True),
                NewRecord("crime_report", T0, agency_id=syp, source_ref="t:n", about_child=True,
                          body="Child B said the man was PC 7311 Dominic HALE, off duty."),
            ],
            actor_for(district.pc),
        )  # fmt: skip
        add_mentions(
            s,
            [
                *(NewMention(i, "person", "Child B", "field", "t", role="victim",
                             entity_id=child.id) for i in ids),
                NewMention(ids[1], "person", "HALE, Dominic", "text", "t", role="suspect"),
                NewMention(ids[1], "person", "PC DOMINIC HALE", "text", "t", label="OFFICER",
                           attributes={"collar": "7311", "name": "DOMINIC HALE"}),
            ],
        )  # fmt: skip
        earlier, named = (s.get_one(Record, i).uid for i in ids)
        assign(s, earlier, hale, actor_for(district.ps))
        assign(s, named, district.pc, actor_for(district.ps))
        actors = [actor_for(u) for u in (hale, district.ps, psd, namesake)]
    app = Candour(settings)
    app.casefile.record(actors[0], earlier, "looking for Child B")
    yield Scene(app, actors[0], actors[1], actors[2], w.investigator, actors[3], earlier, named)
    app.close()


def test_an_officer_named_as_a_suspect_is_walled_and_reported(scene: Scene) -> None:
    app = scene.app
    with pytest.raises(PermissionDeniedError):  # only the pipeline or oversight may run it
        app.oversight.officers_as_suspects(scene.colleague)
    with app.store().reading() as s:
        before = head(s)[0]
    (hit,) = app.oversight.officers_as_suspects(scene.watchdog)
    assert hit.user == "SYP7311"  # the namesake in another force, without the collar, is not
    assert sorted(hit.alerted) == ["OV1", "OV2", "PCC1", "PSD1"]  # standards and watchdog
    assert [r.record for r in hit.reads] == [scene.earlier]
    assert hit.reads[0].purpose == "looking for Child B"
    with app.store().reading() as s:  # the watchdog's look at those reads is itself logged
        events = s.scalars(select(LedgerEvent).where(LedgerEvent.idx >= before)).all()
    looked = [e for e in events if e.action == "read" and e.actor_id == scene.watchdog.id]
    assert looked and all(e.purpose == READS_PURPOSE for e in looked)
    # walled from the naming record at once, even by break-glass; colleagues still read it
    for glass in (None, "I need to see it"):
        with pytest.raises(PermissionDeniedError):
            app.casefile.record(scene.suspect, scene.named, "my case", break_glass=glass)
    assert app.casefile.record(scene.colleague, scene.named, "supervision").uid == scene.named
    # the alert is in the standards officer's and the watchdog's work queue, on the record
    for who in (scene.standards, scene.watchdog):
        items = [i for i in app.work.queue(who) if i.record == scene.named]
        assert items and items[0].what == RULE, who.identifier
    assert not [i for i in app.work.queue(scene.namesake) if i.record == scene.named]
    # running again changes nothing: no second wall, no second alert
    again = app.oversight.officers_as_suspects(scene.watchdog)
    assert [h.user for h in again] == ["SYP7311"]
    assert len([i for i in app.work.queue(scene.standards) if i.record == scene.named]) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the page over the service
def test_the_suspects_page_for_the_watchdog_and_the_standards_staff(scene: Scene) -> None:
    from candour.web.security import SignInLimiter
    from tests.web.conftest import ADMIN_PASSWORD, Site, csrf_of

    app = scene.app
    admin = app.identity.actor(app.identity.sign_in("admin", ADMIN_PASSWORD).token)
    people = ("OV1", "PSD1", "SYP7311", "PS300")
    site = Site(app, None, {i: app.admin.reset_password(admin, i) for i in people},  # type: ignore[arg-type]
                SignInLimiter())  # fmt: skip
    ov, psd = site.sign_in("OV1"), site.sign_in("PSD1")
    assert "No user is walled" in ov.get("/oversight/suspects").text
    r = ov.post("/oversight/suspects", data={"csrf": csrf_of(ov, "/oversight/suspects")})
    assert "Checked: 1 user(s)" in r.text
    page = ov.get("/oversight/suspects").text
    assert "SYP7311" in page and scene.named in page
    assert scene.earlier in page and "looking for Child B" in page  # his earlier read
    assert "SYP7311" in psd.get("/oversight/suspects").text  # the force's own standards staff
    for ident in ("SYP7311", "PS300"):
        assert site.sign_in(ident).get("/oversight/suspects").status_code == 403
    for c in site.clients:
        c.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the walls are tested on both
def test_extraction_walls_the_officer_it_finds_named_as_a_suspect(
    store: Store, settings: Settings
) -> None:
    from candour.store.models import Wall

    district = build_district(store)
    with store.transaction() as s:
        service = actor_for(
            create_user(s, NewUser("SVC1", "Pipeline", "Staff", "service"), Actor.system())
        )
        syp = district.pc.agency_id
        hale = actor_for(
            create_user(s, NewUser("SYP7311", "Dominic Hale", "PC", "officer", syp), Actor.system())
        )
        (rid,) = add_records(
            s,
            [NewRecord("crime_report", T0, agency_id=syp, about_child=True, source_ref="t:x",
                       body="Child B (14) disclosed that she was raped by PC 7311 Dominic HALE, "
                       "who she met while he was off duty. Suspect: HALE, Dominic.")],
            actor_for(district.pc),
        )  # fmt: skip
        uid = s.get_one(Record, rid).uid
    app = Candour(settings)
    try:
        app.pipeline.extract(service, workers=0)
        with store.reading() as s:
            walls = s.scalars(select(Wall).where(Wall.user_id == hale.id)).all()
        assert [w.resource_id for w in walls] == [uid]
        with pytest.raises(PermissionDeniedError):
            app.casefile.record(hale, uid, "curious", break_glass="urgent")
    finally:
        app.close()
