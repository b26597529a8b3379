"""Filing a report or referral from a form: validated field by field with the import schema
(`candour.record/1`), then stored through intake like any other record, so that the same
checks, quarantine, disclosure deadlines and ledger events apply."""

from __future__ import annotations

import json
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from candour.auth.capabilities import Capability, require

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.store.access import Actor

FORM_KINDS = ("crime_report", "referral", "intelligence", "missing_episode")


@dataclass
class Filed:
    """The stored record's id, or what was wrong: field -> message, or why intake refused."""

    uid: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    quarantined: list[str] = field(default_factory=list)


class FilingService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def file(self, actor: Actor, form: dict[str, Any]) -> Filed:
        """`form`: kind, received_at, title, text, child_name, child_age, suspect_name,
        offence_code, offence_group, disclosure (the fields of the web form)."""
        from pydantic import ValidationError as PydanticError
        from sqlalchemy import select

        from candour.intake.schema import RecordIn
        from candour.store.models import Agency, Record

        require(actor, Capability.INGEST)
        ref = f"web-{secrets.token_hex(8)}"
        with self.app.store().reading() as session:
            agency = (
                session.execute(select(Agency.code).where(Agency.id == actor.agency_id)).scalar()
                if actor.agency_id
                else None
            )
        data = _record(form, ref, agency, actor.identifier)
        errors: dict[str, str] = {}
        if form.get("kind") not in FORM_KINDS:
            errors["kind"] = "choose the kind of report"
        try:
            RecordIn.model_validate(data)
        except PydanticError as exc:
            for e in exc.errors():
                errors.setdefault(_form_field(e["loc"]), e["msg"])
        if not (form.get("text") or "").strip():
            errors["text"] = "say what was reported"
        if errors:
            return Filed(errors=errors)
        with tempfile.TemporaryDirectory(prefix="candour-web-") as tmp:
            path = Path(tmp) / f"{ref}.jsonl"
            path.write_text(json.dumps(data) + "\n")
            summary = self.app.pipeline.ingest(actor, [path], None, None)
        if summary.quarantined:
            return Filed(quarantined=sorted(summary.reasons))
        with self.app.store().reading() as session:
            uid = session.execute(
                select(Record.uid).where(Record.source_ref.like(f"%{ref}%"))
            ).scalar()
        return Filed(uid=uid)


def _record(form: dict[str, Any], ref: str, agency: str | None, author: str | None) -> Any:
    def text(name: str) -> str | None:
        value = str(form.get(name) or "").strip()
        return value or None

    data: dict[str, Any] = {
        "schema": "candour.record/1",
        "kind": text("kind"),
        "ref": ref,
        "received_at": text("received_at"),
        "agency": agency,
        "author": author,
        "title": text("title"),
        "text": text("text"),
        "disclosure": bool(form.get("disclosure")),
    }
    people = []
    if text("child_name"):
        child: dict[str, Any] = {"name": text("child_name"), "role": "victim"}
        if text("child_age"):
            child["age"] = text("child_age")
        people.append(child)
    if text("suspect_name"):
        people.append({"name": text("suspect_name"), "role": "suspect"})
    data["people"] = people
    if text("offence_code"):
        data["offence"] = {"code": text("offence_code"), "group": text("offence_group")}
    return {k: v for k, v in data.items() if v is not None}


def _form_field(loc: tuple[Any, ...]) -> str:
    if loc and loc[0] == "people" and len(loc) > 2:
        who = "child" if loc[1] == 0 else "suspect"
        return f"{who}_{loc[2]}" if loc[2] != "name" else f"{who}_name"
    if loc and loc[0] == "offence":
        return "offence_code" if len(loc) < 2 or loc[1] == "code" else f"offence_{loc[1]}"
    return str(loc[0]) if loc else "form"
