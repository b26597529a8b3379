"""What a report is built from, as documents, and the identifiers the store holds for every
person in them (for the redactor to remove and the residual check to look for).

Each source is a function registered by name; its input has already passed the gate (the
audit and who-knew services consult every record they cover), and the identifiers are read
only for records that were consulted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from candour.publish.document import Document, Section, Table
from candour.publish.redact import Known

SOURCES = ("recording-audit", "who-knew")
#: Sources the issue asks for that cannot be built yet, and why.
NOT_YET = {
    "oversight-findings": "the oversight model (investigations and findings) does not exist yet",
    "network-review": "not built in this version: use who-knew per person",
}


@dataclass
class Built:
    document: Document
    known: list[Known]
    records: list[str]


def audit_document(audit: Any) -> Document:
    """The crime-recording audit: rates by offence group and unit, and the decisions not to
    record with the reasons given (which are free text, and redacted)."""
    rows = audit.rows
    start, end = audit.period
    period = f"{start:%d %B %Y} to {end:%d %B %Y}" if start and end else "all records"
    intro = Section(
        "About this report",
        [
            f"This report covers disclosures of crime received in the period: {period}.",
            f"{len(rows)} disclosures were audited; {sum(r.recorded for r in rows)} were "
            "recorded as crimes.",
            "Counts below the threshold are suppressed, with further cells hidden where a total "
            "would give them back. People are named by pseudonym throughout.",
        ],
    )
    by_group: dict[str, Counter[bool]] = {}
    for r in rows:
        by_group.setdefault(r.offence_group, Counter())[r.recorded] += 1
    group_table = Table(
        "Disclosures by offence group and outcome",
        ["Offence group", "Recorded", "Not recorded"],
        [[g, c[True], c[False]] for g, c in sorted(by_group.items())],
        counts=[1, 2],
    )
    by_unit: dict[str, Counter[bool]] = {}
    for r in rows:
        by_unit.setdefault(r.unit, Counter())[r.recorded] += 1
    unit_table = Table(
        "Disclosures by unit and outcome",
        ["Unit", "Recorded", "Not recorded"],
        [[u, c[True], c[False]] for u, c in sorted(by_unit.items())],
        counts=[1, 2],
    )
    rates = Section("Recording rates", [], [group_table, unit_table])
    decisions = Table(
        "Disclosures not recorded as crimes",
        ["Reference", "Received", "Offence group", "Decided by", "Reason given"],
        [
            [
                r.ref or r.record,
                f"{r.received_at:%Y-%m-%d}",
                r.offence_group,
                r.decided_by or "no decision",
                r.last_reason or "",
            ]
            for r in audit.unrecorded
        ],
    )
    unrecorded = Section(
        "Decisions not to record",
        ["Each disclosure that was not recorded as a crime, with the reason given."],
        [decisions],
    )
    return Document("Crime-recording audit", "recording-audit", period, [intro, rates, unrecorded])


def who_knew_document(answer: Any, target_label: str) -> Document:
    """A who-knew timeline: every user who created, read, was assigned, was escalated to or
    decided on the records, with rank, time and the ledger event that proves it."""
    rows = answer.rows
    intro = Section(
        "About this timeline",
        [
            f"Who knew about {target_label}: {len(rows)} events in the ledger, "
            f"{len({r.user for r in rows})} users.",
            "Each row names the ledger event that proves it; a reader holding the checkpoint "
            "stated on the title page can ask for its inclusion proof.",
        ],
    )
    table = Table(
        "Timeline",
        ["Time", "User", "Rank", "Action", "Record", "Ledger event"],
        [
            [
                r.time[:16].replace("T", " "),
                r.name or r.user,
                r.rank or "",
                r.action,
                r.record,
                str(r.event),
            ]
            for r in rows
        ],
    )
    actions: Counter[str] = Counter(r.action for r in rows)
    summary = Table(
        "Events by action", ["Action", "Events"], [[a, n] for a, n in sorted(actions.items())], [1]
    )
    return Document(
        f"Who knew: {target_label}",
        "who-knew",
        "",
        [intro, Section("Timeline", [], [table]), Section("Summary", [], [summary])],
    )


def known_identifiers(session: Any, record_uids: Iterable[str]) -> list[Known]:
    """Every identifier the store holds for the people in these records: their names,
    aliases and attributes (date of birth, address, phones, e-mail), and every vehicle, phone,
    place and postcode mentioned in the records."""
    from sqlalchemy import select

    from candour.store.models import Entity, Mention, PersonAlias, Record

    uids = list(record_uids)
    if not uids:
        return []
    rec_ids = list(session.scalars(select(Record.id).where(Record.uid.in_(uids))))
    if not rec_ids:
        return []
    mentions = session.execute(
        select(Mention.kind, Mention.text, Mention.role, Mention.entity_id).where(
            Mention.record_id.in_(rec_ids)
        )
    ).all()
    entity_ids = {m.entity_id for m in mentions if m.entity_id is not None}
    entities = (
        session.execute(
            select(Entity.id, Entity.uid, Entity.kind, Entity.display, Entity.attributes).where(
                Entity.id.in_(entity_ids)
            )
        ).all()
        if entity_ids
        else []
    )
    roles: dict[int, str] = {}
    for m in mentions:
        if m.entity_id is not None and m.role != "unknown":
            roles.setdefault(m.entity_id, m.role)
    out: list[Known] = []
    by_id = {e.id: e for e in entities}
    for e in entities:
        if e.kind != "person":
            continue
        role = roles.get(e.id, "unknown")
        out.append(Known(e.uid, "name", e.display, role))
        for key, value in (e.attributes or {}).items():
            kind = _ATTRIBUTE_KIND.get(key)
            for v in value if isinstance(value, list) else [value]:
                if kind and isinstance(v, str) and v.strip():
                    forms = _dob_forms(v) if kind == "dob" else [v]
                    out += [Known(e.uid, kind, f, role) for f in forms]
    aliases = (
        session.execute(
            select(PersonAlias.entity_id, PersonAlias.alias).where(
                PersonAlias.entity_id.in_(entity_ids)
            )
        ).all()
        if entity_ids
        else []
    )
    for a in aliases:
        if a.entity_id in by_id:
            ent = by_id[a.entity_id]
            out.append(Known(ent.uid, "alias", a.alias, roles.get(a.entity_id, "unknown")))
    for m in mentions:
        kind = _MENTION_KIND.get(m.kind)
        if kind is None:
            continue
        owner = by_id.get(m.entity_id) if m.entity_id is not None else None
        person = owner.uid if owner is not None and owner.kind == "person" else f"mention:{kind}"
        out.append(Known(person, kind, m.text, m.role))
    return _dedupe(out)


_ATTRIBUTE_KIND = {
    "dob": "dob", "date_of_birth": "dob", "address": "address", "phone": "phone",
    "phones": "phone", "email": "email", "postcode": "postcode", "vehicle": "vehicle",
    "vehicles": "vehicle", "aliases": "alias",
}  # fmt: skip
_MENTION_KIND = {
    "person": "name", "vehicle": "vehicle", "phone": "phone", "location": "address",
    "postcode": "postcode", "email": "email", "handle": "alias",
}  # fmt: skip


def _dob_forms(value: str) -> list[str]:
    """A stored date of birth as it may be written: ISO, 03/08/2011, 3 August 2011."""
    from datetime import date

    try:
        d = date.fromisoformat(value[:10])
    except ValueError:
        return [value]
    return [value, f"{d:%d/%m/%Y}", f"{d.day} {d:%B %Y}", f"{d:%d.%m.%Y}", f"{d:%d-%m-%Y}"]


def _dedupe(known: list[Known]) -> list[Known]:
    seen: set[tuple[str, str]] = set()
    out: list[Known] = []
    for k in sorted(known, key=lambda k: (k.person.startswith("mention:"), -len(k.value))):
        key = (k.kind, "".join(ch for ch in k.value.lower() if ch.isalnum()))
        if key[1] and key not in seen and len(key[1]) >= 2:
            seen.add(key)
            out.append(k)
    return out


SourceBuilder = Callable[..., Built]
