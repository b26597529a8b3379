"""Officers as suspects on the synthetic district: a detective files a child's disclosure naming
a constable of the district (with his collar number) as the man who assaulted her; extraction
walls him from it at once; the conduct office is alerted; after linking, the conduct
investigator sees his earlier break-glass read of another record about the same child."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from candour.app import Candour
from candour.errors import PermissionDeniedError
from candour.oversight.suspects import RULE
from candour.settings import Settings
from candour.store.models import Mention, Record, User
from candour.synth import generate


@pytest.mark.slow
def test_a_constable_named_by_a_child_is_walled_and_his_earlier_read_shown(
    tmp_path: Path,
) -> None:
    data, home = tmp_path / "district", tmp_path / "home"
    generate(data, seed=7, scale="small", years=1)
    app = Candour(Settings(home=home, database_url=f"sqlite:///{home / 'candour.db'}"))
    try:
        _run(app, data)
    finally:
        app.close()


def _run(app: Candour, data: Path) -> None:
    init = app.admin.initialise("admin", "Administrator", None)
    assert init.password is not None
    admin = app.identity.sign_in("admin", init.password).actor
    workforce = data / "workforce"
    app.admin.import_workforce(admin, workforce / "agencies.csv", workforce / "users.csv")
    app.admin.add_jurisdiction(admin, "OPC", "SDP")
    service = app.identity.actor(app.admin.service_token(admin, "SVC-PIPE"))
    app.pipeline.ingest(service, [data / "records", data / "documents"], None, None)
    app.pipeline.extract(service, workers=0)
    app.pipeline.link(service)
    with app.store().reading() as s:
        child, earlier = s.execute(
            select(Mention.text, Record.uid)
            .join(Record, Record.id == Mention.record_id)
            .where(Mention.role == "victim", Mention.source == "field",
                   Mention.entity_id.is_not(None), Record.about_child.is_(True))
            .order_by(Record.id)
        ).first()  # fmt: skip
        pc, pc_name = s.execute(
            select(User.identifier, User.name).where(User.rank == "PC").order_by(User.id)
        ).first()  # fmt: skip
        conduct = s.execute(select(User.identifier).where(User.role == "oversight")).scalar_one()

    def actor(ident: str):  # type: ignore[no-untyped-def]
        password = app.admin.reset_password(admin, ident)
        return app.identity.sign_in(ident, password).actor

    suspect, detective, investigator = actor(pc), actor("SDP1007"), actor(conduct)
    app.casefile.record(suspect, earlier, "enquiry", break_glass="she is missing tonight")
    first, last = pc_name.split(" ", 1)
    collar = "".join(ch for ch in pc if ch.isdigit())
    filed = app.filing.file(
        detective,
        {"kind": "crime_report", "received_at": "2024-06-01T10:00:00+00:00",
         "title": "Disclosure", "disclosure": True, "child_name": child,
         "suspect_name": f"{last.upper()}, {first}",
         "text": f"{child} disclosed that PC {collar} {first} {last.upper()}, whom she met "
                 "while he was off duty, assaulted her."},
    )  # fmt: skip
    assert filed.uid and not filed.errors
    app.pipeline.extract(service, workers=0)  # walls him at the end of the run
    with pytest.raises(PermissionDeniedError):
        app.casefile.record(suspect, filed.uid, "my case", break_glass="urgent")
    assert app.casefile.record(detective, filed.uid, "my case").uid == filed.uid
    alerts = [i for i in app.work.queue(investigator) if i.record == filed.uid]
    assert [i.what for i in alerts] == [RULE]
    app.pipeline.link_incremental(service)  # the child in the new record joins her person
    (hit,) = app.oversight.suspects(investigator)
    assert hit.user == pc and hit.records == [filed.uid] and hit.alerted == [conduct]
    assert earlier in hit.children_records
    assert [(r.record, r.purpose) for r in hit.reads] == [(earlier, "enquiry")]
