"""Person mentions as the rows Splink compares: names split and keyed, with what comes with them.

Each row is one person mention (from a structured field or from text; officers are left out).
Besides the name it carries what the record says about that person (date of birth, age,
phone, address, e-mail) and, as weaker evidence, the phones, vehicles and postcodes named
anywhere in the same record. Protected characteristics are never columns here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from candour.extract.domain import _phone
from candour.link.variants import canonical, clean, variant_groups
from candour.store.models import Extraction, Mention, Record

_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")
COLUMNS = [
    "unique_id", "record_id", "source", "field_name", "text", "start", "given", "family",
    "full_name", "given_key", "family_key", "given_groups", "family_groups", "initial",
    "initials", "dob",
    "birth_year", "postcode", "email", "phones", "rec_phones", "rec_vehicles", "rec_postcodes",
]  # fmt: skip


def split_name(normalised: str) -> tuple[str | None, str | None]:
    """'JOHN PAUL SMITH' -> ('JOHN', 'SMITH'); 'M. GRANT' -> ('M', 'GRANT'); 'RAJ' -> ('RAJ',)."""
    if "," in normalised:
        family, _, given = normalised.partition(",")
        normalised = f"{given} {family}"
    words = [clean(w) for w in normalised.replace(".", " ").split()]
    words = [w for w in words if w]
    if not words:
        return None, None
    if len(words) == 1:
        return words[0], None
    return words[0], words[-1]


def _all_variants(given: str | None) -> list[str]:
    """Every name in the given name's groups (Anthony -> Tony, Antony, Ant ...)."""
    from candour.link.variants import members

    if not given or len(given) == 1:
        return [given] if given else []
    return [m for g in variant_groups(given) for m in members(g)]


def _postcode(text: str | None) -> str | None:
    if not text:
        return None
    m = _POSTCODE.search(text.upper())
    return f"{m[1]} {m[2]}" if m else None


def _current(stmt: Any) -> Any:
    """Field mentions, and text mentions from each record's current extraction only."""
    return stmt.outerjoin(Extraction, Extraction.id == Mention.extraction_id).where(
        or_(Mention.extraction_id.is_(None), Extraction.current.is_(True))
    )


def person_frame(
    session: Session, *, unlinked_only: bool = False, mention_ids: list[int] | None = None
) -> pd.DataFrame:
    """Every person mention (or only those not yet linked, or these) with its comparison columns."""
    stmt = _current(
        select(
            Mention.id, Mention.record_id, Mention.source, Mention.field_name, Mention.text,
            Mention.normalised, Mention.start, Mention.attributes, Record.received_at,
        )
        .join(Record, Record.id == Mention.record_id)
        .where(Mention.kind == "person", or_(Mention.label.is_(None), Mention.label != "OFFICER"))
    ).order_by(Mention.id)  # fmt: skip
    if unlinked_only:
        stmt = stmt.where(Mention.entity_id.is_(None))
    if mention_ids is not None:
        stmt = stmt.where(Mention.id.in_(mention_ids))
    found = list(session.execute(stmt))
    some = unlinked_only or mention_ids is not None
    ctx = _record_context(session, {int(r.record_id) for r in found} if some else None)
    rows = [_row(r, ctx.get(r.record_id, {})) for r in found]
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(r: Any, rec: dict[str, set[str]]) -> dict[str, Any]:
    from candour.extract.people import normalise_name

    attrs: dict[str, Any] = r.attributes or {}
    given, family = split_name(r.normalised or normalise_name(r.text))
    dob = attrs.get("dob")
    birth_year = None
    if dob:
        birth_year = int(str(dob)[:4])
    elif isinstance(attrs.get("age"), int):
        received: datetime = r.received_at
        birth_year = received.year - int(attrs["age"]) - 1  # born in this year or the next
    phone = _phone(str(attrs["phone"])) if attrs.get("phone") else None
    return {
        "unique_id": int(r.id),
        "record_id": int(r.record_id),
        "source": r.source,
        "field_name": r.field_name,
        "text": r.text,
        "start": r.start,
        "given": given,
        "family": family,
        "full_name": " ".join(x for x in (given, family) if x) or None,
        "given_key": canonical(given) if given and len(given) > 1 else given,
        "family_key": canonical(family),
        "given_groups": variant_groups(given) if given and len(given) > 1 else [],
        "family_groups": variant_groups(family),
        "initial": given[0] if given else None,
        "initials": sorted({n[0] for n in variant_groups(given) + _all_variants(given)})
        if given
        else [],
        "dob": str(dob) if dob else None,
        "birth_year": birth_year,
        "postcode": _postcode(attrs.get("address")),
        "email": str(attrs["email"]).lower() if attrs.get("email") else None,
        "phones": [phone] if phone else [],
        "rec_phones": sorted(rec.get("phone", ())),
        "rec_vehicles": sorted(rec.get("vehicle", ())),
        "rec_postcodes": sorted(rec.get("postcode", ())),
    }


def _record_context(
    session: Session, records: set[int] | None = None
) -> dict[int, dict[str, set[str]]]:
    """Phones, vehicles and postcodes named anywhere in each record (or in these records)."""
    ctx: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    stmt = _current(
        select(
            Mention.record_id, Mention.kind, Mention.text, Mention.normalised, Mention.attributes
        ).where(Mention.kind.in_(["phone", "vehicle", "location"]))
    )
    if records is not None:
        if not records:
            return ctx
        stmt = stmt.where(Mention.record_id.in_(sorted(records)))
    for rid, kind, text, norm, attrs in session.execute(stmt):
        if kind == "phone":
            value = _phone(text)
            if value:
                ctx[rid]["phone"].add(value)
        elif kind == "vehicle":
            plate = re.sub(r"\s", "", (norm or text)).upper().rstrip("*")
            if len(plate) >= 5:
                ctx[rid]["vehicle"].add(plate)
        else:
            pc = (attrs or {}).get("postcode") or _postcode(text)
            if pc:
                ctx[rid]["postcode"].add(pc)
    return ctx
