"""The extraction stage over the store: incremental, parallel, and kept as history.

A record is extracted when it has no current extraction by this extractor version (new records,
or every record after the model, the lexicon or the code changed), or on `--rerun`. Earlier
extractions stay, marked not current, with their mentions and findings. A text that discloses a
sexual offence, in a record with no structured disclosure, becomes a disclosure: that starts the
24-hour recording clock. Workers parse; the main process writes, one transaction per chunk.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from candour.extract.pipeline import Extractor
from candour.extract.types import Extraction
from candour.ledger.log import EventDraft, append
from candour.rules.model import TextLexicon
from candour.store.access import Actor
from candour.store.bulk import insert_many
from candour.store.db import Store
from candour.store.digests import Change, record_changes
from candour.store.disclosures import add_disclosures
from candour.store.entities import NewMention, add_mentions
from candour.store.enums import EventAction
from candour.store.models import Disclosure, Finding, Record, table_of
from candour.store.models import Extraction as ExtractionRow
from candour.store.records import allocate_ids
from candour.store.types import utcnow

KIND_OF_LABEL = {
    "PERSON": "person",
    "OFFICER": "person",
    "VEHICLE": "vehicle",
    "PHONE": "phone",
    "POSTCODE": "location",
    "LOCATION": "location",
    "BUSINESS": "organisation",
    "ORG": "organisation",
    "EMAIL": "identifier",
    "HANDLE": "identifier",
    "BADGE": "identifier",
}
#: Labels kept as findings (attributes of people, not things to link in their own right).
FINDING_LABELS = {"AGE": "age", "DOB": "dob"}
CHUNK = 400


@dataclass
class ExtractReport:
    extractor: str
    records: int = 0
    words: int = 0
    mentions: int = 0
    findings: int = 0
    text_disclosures: int = 0
    superseded: int = 0
    by_label: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    record_id: int
    text: str


def pending(
    session: Session, version: str, since: datetime | None = None, rerun: bool = False
) -> list[Pending]:
    """Records whose text this extractor version has not read yet (all of them with rerun)."""
    stmt = select(Record.id, Record.body).where(Record.body.is_not(None)).order_by(Record.id)
    if since is not None:
        stmt = stmt.where(Record.received_at >= since)
    if not rerun:
        done = exists().where(
            ExtractionRow.record_id == Record.id,
            ExtractionRow.current.is_(True),
            ExtractionRow.extractor == version,
        )
        stmt = stmt.where(~done)
    return [Pending(int(r[0]), str(r[1])) for r in session.execute(stmt) if r[1]]


# One extractor per worker process, built once by the pool's initializer.
_WORKER: Extractor | None = None


def _init_worker(lexicon_json: str, model: str) -> None:
    global _WORKER
    _WORKER = Extractor(TextLexicon.model_validate_json(lexicon_json), model)


def _work(texts: list[str]) -> list[Extraction]:
    assert _WORKER is not None
    return list(_WORKER.extract(texts))


def extract_all(
    texts: Sequence[str], lexicon: TextLexicon, model: str, workers: int
) -> Iterator[list[Extraction]]:
    """Results chunk by chunk, in order; in `workers` processes when more than one."""
    chunks = [list(texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)]
    if workers <= 1 or len(chunks) <= 1:
        ex = Extractor(lexicon, model)
        for chunk in chunks:
            yield list(ex.extract(chunk))
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(lexicon.model_dump_json(), model),
    ) as pool:
        yield from pool.map(_work, chunks)


def run_extraction(
    store: Store,
    actor: Actor,
    lexicon: TextLexicon,
    model: str,
    *,
    since: datetime | None = None,
    rerun: bool = False,
    workers: int = 2,
    on_progress: Callable[[int, int], None] | None = None,
) -> ExtractReport:
    """Extract every pending record's text and store mentions, findings and text disclosures."""
    version = Extractor.version_for(lexicon, model)
    with store.reading() as session:
        todo = pending(session, version, since, rerun)
    report = ExtractReport(version)
    done = 0
    for results in extract_all([p.text for p in todo], lexicon, model, workers):
        batch = todo[done : done + len(results)]
        with store.transaction() as session:
            _store(session, batch, results, version, actor, report, lexicon)
        done += len(results)
        if on_progress is not None:
            on_progress(done, len(todo))
    if report.records:
        with store.transaction() as session:
            append(
                session,
                [
                    EventDraft(
                        EventAction.SYSTEM,
                        "extraction",
                        None,
                        actor.id,
                        actor.rank,
                        purpose="extraction stage",
                        payload={
                            "extractor": version,
                            "records": report.records,
                            "mentions": report.mentions,
                            "findings": report.findings,
                            "text_disclosures": report.text_disclosures,
                        },
                    )
                ],
            )
    return report


def _store(
    session: Session,
    batch: Sequence[Pending],
    results: Sequence[Extraction],
    version: str,
    actor: Actor,
    report: ExtractReport,
    lexicon: TextLexicon,
) -> None:
    ids = [p.record_id for p in batch]
    old = session.execute(
        update(ExtractionRow)
        .where(ExtractionRow.record_id.in_(ids), ExtractionRow.current.is_(True))
        .values(current=False)
    )
    report.superseded += int(old.rowcount or 0)  # type: ignore[attr-defined]
    now = utcnow()
    ext_ids = allocate_ids(session, "extraction", len(batch))
    rows = []
    mentions: list[NewMention] = []
    findings: list[dict[str, Any]] = []
    for p, res, eid in zip(batch, results, ext_ids, strict=True):
        rows.append(
            {
                "id": eid,
                "record_id": p.record_id,
                "extractor": version,
                "text_hash": hashlib.sha256(p.text.encode()).hexdigest(),
                "words": res.words,
                "current": True,
                "created_at": now,
            }
        )
        report.words += res.words
        for m in res.mentions:
            report.by_label[m.label] = report.by_label.get(m.label, 0) + 1
            kind = KIND_OF_LABEL.get(m.label)
            if kind is not None:
                mentions.append(
                    NewMention(
                        record_id=p.record_id,
                        kind=kind,
                        text=m.text[:500],
                        source="text",
                        extractor="extract",  # the full version is on the extraction row
                        role=m.role,
                        normalised=m.normalised[:500],
                        start=m.start,
                        end=m.end,
                        label=m.label,
                        confidence=m.confidence,
                        attributes=dict(m.attrs),
                        extraction_id=eid,
                    )
                )
            elif m.label in FINDING_LABELS:
                findings.append(_finding(eid, p.record_id, FINDING_LABELS[m.label], m.normalised,
                                         m.start, m.end, m.text))  # fmt: skip
        for f in res.flags:
            row = _finding(eid, p.record_id, f.kind, f.code, f.start, f.end, f.text)
            row.update(
                negated=f.negated,
                hypothetical=f.hypothetical,
                suggestion=f.suggestion,
                attributes=dict(f.attrs),
            )
            findings.append(row)
    insert_many(session, table_of(ExtractionRow), rows)
    report.mentions += add_mentions(session, mentions)
    if findings:
        for row, fid in zip(findings, allocate_ids(session, "finding", len(findings)), strict=True):
            row["id"] = fid
        insert_many(session, table_of(Finding), findings)
        record_changes(
            session,
            {"finding": Change(added=findings)},
            actor.id,
            actor.rank,
            action="create",
            purpose="findings of extraction",
        )
    report.findings += len(findings)
    report.records += len(batch)
    report.text_disclosures += _disclosures(session, batch, results, actor, lexicon)


def _finding(
    eid: int, record_id: int, kind: str, code: str, start: int, end: int, text: str
) -> dict[str, Any]:
    return {
        "extraction_id": eid,
        "record_id": record_id,
        "kind": kind,
        "code": code,
        "start": start,
        "end": end,
        "text": text[:500],
        "negated": False,
        "hypothetical": False,
        "suggestion": None,
        "attributes": {},
    }


def _disclosures(
    session: Session,
    batch: Sequence[Pending],
    results: Sequence[Extraction],
    actor: Actor,
    lexicon: TextLexicon,
) -> int:
    """A disclosure in the text of a record with none yet starts the 24-hour clock."""
    candidates = {
        p.record_id: res for p, res in zip(batch, results, strict=True) if res.present("disclosure")
    }
    if not candidates:
        return 0
    have = set(
        session.scalars(
            select(Disclosure.record_id).where(Disclosure.record_id.in_(list(candidates)))
        )
    )
    fresh = [rid for rid in candidates if rid not in have]
    if not fresh:
        return 0
    records = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(fresh)))}
    rows = []
    payloads = []
    for rid in fresh:
        cue = next(f for f in candidates[rid].flags if f.kind == "disclosure" and f.present)
        offence = lexicon.disclosures.get(cue.code)
        rec = records[rid]
        rows.append(
            {
                "record_id": rid,
                "source": "text",
                "offence_code": offence.offence_code if offence else None,
                "offence_group": offence.offence_group if offence else "sexual_offences",
                "received_at": rec.received_at,
                "responsible_id": rec.created_by,
                "detector": "extract",
            }
        )
        payloads.append({"cue": cue.code, "lexicon": f"{lexicon.id}@{lexicon.version}"})
    add_disclosures(
        session, rows, actor, purpose="disclosure found in the record's text", payloads=payloads
    )
    return len(rows)
