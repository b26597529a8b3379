"""Publication: a draft from a source (its reads pass the gate through the report services),
a review that adds or undoes redactions, an approval that is a ledger event naming the
reviewer, and files written only after it, each stating the ledger checkpoint it was built
from. The unredacted source and the identifiers searched for stay in the store."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from candour.auth.capabilities import Capability, require
from candour.errors import NotFoundError, PermissionDeniedError, ValidationError
from candour.store.enums import EventAction

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.publish.document import Document
    from candour.publish.redact import Known, Redactor
    from candour.store.access import Actor


@dataclass
class Draft:
    uid: str
    source: str
    title: str
    status: str
    document: Document
    log: list[dict[str, Any]]
    kept: list[dict[str, Any]]
    residual: list[str]
    checkpoint: tuple[int, str]
    changes: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    approval_event: int | None = None


class PublishService:
    def __init__(self, app: Candour) -> None:
        self.app = app
        self._redactor: Any = None

    def redactor(
        self, known: list[Known] | None = None, allow: list[Any] | None = None
    ) -> Redactor:
        """A redactor over the installed spaCy model (loaded once per application)."""
        from candour.publish.redact import Redactor

        if self._redactor is None:
            from candour.extract.pipeline import Extractor
            from candour.rules.registry import default_lexicon

            self._redactor = Redactor(Extractor(default_lexicon(), self.app.settings.spacy_model))
        base: Redactor = self._redactor
        return base.with_identifiers(known or [], allow or [])

    # -- drafting -------------------------------------------------------------------------

    def draft(
        self,
        actor: Actor,
        source: str,
        purpose: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        target: str | None = None,
        threshold: int = 5,
    ) -> Draft:
        from candour.publish import sources
        from candour.publish.redact import Known

        require(actor, Capability.VIEW_REPORTS)
        if source == "recording-audit":
            audit = self.app.reports.recording_audit(actor, start, end, purpose)
            doc = sources.audit_document(audit)
            records = [r.record for r in audit.rows]
            users = {u for r in audit.rows for u in (r.decided_by, r.responsible) if u}
            officers = [Known(f"user:{u}", "name", u, "officer") for u in sorted(users)]
        elif source == "who-knew":
            if not target:
                raise ValidationError("who-knew needs a person or record", field="target")
            answer = self.app.ledger.who_knew(actor, target, purpose)
            doc = sources.who_knew_document(answer, target)
            records = sorted({r.record for r in answer.rows})
            officers = [Known(f"user:{r.user}", "name", r.name or r.user, "officer")
                        for r in answer.rows]  # fmt: skip
        elif source in sources.NOT_YET:
            raise ValidationError(f"source '{source}': {sources.NOT_YET[source]}", field="source")
        else:
            raise ValidationError(f"unknown source '{source}'", field="source")
        with self.app.store().reading() as session:
            known = officers + sources.known_identifiers(session, records)
            if target:
                known += _target_names(session, target)
            size, root = _checkpoint(session)
        draft = self._redact(doc, known, {"add": [], "undo": []}, threshold)
        return self._store_new(actor, source, doc, draft, known, (size, root), threshold)

    def _redact(
        self, doc: Document, known: list[Known], changes: dict[str, Any], threshold: int
    ) -> tuple[Document, list[dict[str, Any]], list[dict[str, Any]], list[str]]:
        from candour.publish.document import Document, Section, Table, suppress_counts
        from candour.publish.pseudonyms import Pseudonyms
        from candour.publish.redact import AllowEntry, Known
        from candour.publish.residual import residual

        added = [Known("reviewer", "name", c["text"], "unknown") for c in changes["add"]]
        allow = [AllowEntry(c["text"], c["reason"]) for c in changes["undo"]]
        redactor = self.redactor(known + added, allow)
        names = Pseudonyms()
        log: list[dict[str, Any]] = []
        kept: list[dict[str, Any]] = []

        def clean(text: str, place: str) -> str:
            if not text:
                return text
            out = redactor.redact(text, names)
            log.extend(r.as_dict() | {"place": place} for r in out.removals)
            kept.extend(r.as_dict() | {"place": place} for r in out.kept)
            return out.text

        sections = []
        for i, s in enumerate(doc.sections, 1):
            paragraphs = [
                clean(p, f"section {i} paragraph {j}") for j, p in enumerate(s.paragraphs, 1)
            ]
            tables = []
            for t_i, t in enumerate(s.tables, 1):
                rows = [
                    [c if (j in t.counts or not isinstance(c, str))
                     else clean(c, f"table {i}.{t_i} row {r_i} column '{t.columns[j]}'")
                     for j, c in enumerate(row)]
                    for r_i, row in enumerate(t.rows, 1)
                ]  # fmt: skip
                table = Table(clean(t.caption, f"table {i}.{t_i} caption"), list(t.columns), rows,
                              list(t.counts), t.note)  # fmt: skip
                tables.append(suppress_counts(table, threshold))
            sections.append(Section(clean(s.title, f"section {i} title"), paragraphs, tables))
        out = Document(clean(doc.title, "title"), doc.source, clean(doc.subtitle, "subtitle"),
                       sections)  # fmt: skip
        return out, log, kept, residual(out, known + added)

    def _store_new(
        self,
        actor: Actor,
        source: str,
        doc: Document,
        redacted: tuple[Document, list[dict[str, Any]], list[dict[str, Any]], list[str]],
        known: list[Known],
        checkpoint: tuple[int, str],
        threshold: int,
    ) -> Draft:
        from candour.ledger.log import EventDraft, append
        from candour.store.models import PublicationDraft

        out, log, kept, left = redacted
        uid = "pub-" + secrets.token_hex(6)
        with self.app.store().transaction() as session:
            session.add(
                PublicationDraft(
                    uid=uid,
                    source=source,
                    title=out.title,
                    created_by=actor.id,
                    created_at=datetime.now(UTC),
                    checkpoint_size=checkpoint[0],
                    checkpoint_root=checkpoint[1],
                    source_document=doc.as_dict(),
                    redacted_document=out.as_dict(),
                    redaction_log={"removed": log, "kept": kept},
                    known={"identifiers": [k.__dict__ for k in known], "threshold": threshold},
                    changes={"add": [], "undo": []},
                    status="draft",
                )
            )
            append(session, [EventDraft(
                action=EventAction.PUBLICATION_DRAFT.value, entity_type="publication",
                entity_id=uid, actor_id=actor.id, actor_rank=actor.rank,
                payload={"source": source, "removed": len(log), "checkpoint_size": checkpoint[0]},
            )])  # fmt: skip
        return Draft(uid, source, out.title, "draft", out, log, kept, left, checkpoint,
                     {"add": [], "undo": []})  # fmt: skip

    # -- review ---------------------------------------------------------------------------

    def review(self, actor: Actor, uid: str) -> Draft:
        require(actor, Capability.VIEW_REPORTS)
        with self.app.store().reading() as session:
            row = _draft_row(session, uid)
            return _as_draft(row, self._known(row))

    def change(
        self, actor: Actor, uid: str, *, add: str | None = None, undo: str | None = None,
        reason: str = "",
    ) -> Draft:  # fmt: skip
        """Add a redaction (text to remove wherever it is written) or undo one (text kept,
        with a reason, as an allow-list entry); the document is redacted again from source."""
        from candour.publish.document import Document

        require(actor, Capability.VIEW_REPORTS)
        if undo is not None and not reason.strip():
            raise ValidationError("undoing a redaction needs a reason", field="reason")
        with self.app.store().transaction() as session:
            row = _draft_row(session, uid)
            if row.status != "draft":
                raise ValidationError(f"draft {uid} is {row.status}", field="id")
            changes = {"add": list(row.changes["add"]), "undo": list(row.changes["undo"])}
            if add:
                changes["add"].append({"text": add, "reason": reason, "by": str(actor.id)})
            if undo:
                changes["undo"].append({"text": undo, "reason": reason, "by": str(actor.id)})
            known = self._known(row)
            threshold = int(row.known.get("threshold", 5))
            out, log, kept, left = self._redact(
                Document.from_dict(row.source_document), known, changes, threshold
            )
            row.changes = changes
            row.redacted_document = out.as_dict()
            row.redaction_log = {"removed": log, "kept": kept}
            row.title = out.title
            return _as_draft(row, known, left)

    def approve(
        self, actor: Actor, uid: str, reviewer: str, out: Path, formats: list[str]
    ) -> list[Path]:
        """Approve a draft (a ledger event naming the reviewer) and write its files; refused
        while the residual check finds an identifier, naming where."""
        from candour.ledger.log import EventDraft, append
        from candour.publish.document import Document
        from candour.publish.render import RENDERERS, Stamp
        from candour.publish.residual import residual

        require(actor, Capability.VIEW_REPORTS)
        bad = [f for f in formats if f not in RENDERERS]
        if bad:
            raise ValidationError(f"unknown format '{bad[0]}' (md, html, pdf)", field="format")
        if not reviewer.strip():
            raise ValidationError("approval needs the reviewer's name", field="reviewer")
        with self.app.store().transaction() as session:
            row = _draft_row(session, uid)
            if row.status != "draft":
                raise ValidationError(f"draft {uid} is already {row.status}", field="id")
            if row.created_by is not None and row.created_by == actor.id:
                raise PermissionDeniedError("a draft is approved by someone other than its author")
            doc = Document.from_dict(row.redacted_document)
            left = residual(doc, self._known(row) + _added(row))
            if left:
                raise ValidationError(
                    f"draft {uid} still shows identifiers at: " + "; ".join(left[:10]),
                    field="document",
                )
            [event] = append(session, [EventDraft(
                action=EventAction.PUBLICATION_APPROVE.value, entity_type="publication",
                entity_id=uid, actor_id=actor.id, actor_rank=actor.rank,
                purpose="approve a redacted report for publication",
                payload={"reviewer": reviewer, "checkpoint_size": row.checkpoint_size,
                         "checkpoint_root": row.checkpoint_root,
                         "removed": len(row.redaction_log["removed"])},
            )])  # fmt: skip
            row.status, row.approved_by, row.approval_event = "approved", actor.id, event
            row.approved_at = datetime.now(UTC)
            stamp = Stamp(self.app.settings.ledger_origin, row.checkpoint_size,
                          row.checkpoint_root, reviewer, event,
                          f"{row.approved_at:%d %B %Y}")  # fmt: skip
            rendered = {f: RENDERERS[f](doc, stamp) for f in formats}
        return _write(out, uid, rendered)

    def _known(self, row: Any) -> list[Known]:
        from candour.publish.redact import Known

        return [Known(**k) for k in row.known.get("identifiers", [])]


def _added(row: Any) -> list[Known]:
    from candour.publish.redact import Known

    return [Known("reviewer", "name", c["text"]) for c in row.changes.get("add", [])]


def _write(out: Path, uid: str, rendered: dict[str, bytes]) -> list[Path]:
    """Each file under a temporary name first, moved into place once complete."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt, data in rendered.items():
        path = out / f"{uid}.{fmt}"
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        paths.append(path)
    return paths


def _draft_row(session: Any, uid: str) -> Any:
    from sqlalchemy import select

    from candour.store.models import PublicationDraft

    row = session.scalars(select(PublicationDraft).where(PublicationDraft.uid == uid)).first()
    if row is None:
        raise NotFoundError(f"no publication draft {uid}")
    return row


def _as_draft(row: Any, known: list[Known], left: list[str] | None = None) -> Draft:
    from candour.publish.document import Document
    from candour.publish.residual import residual

    doc = Document.from_dict(row.redacted_document)
    if left is None:
        left = residual(doc, known + _added(row))
    return Draft(
        row.uid, row.source, row.title, row.status, doc, list(row.redaction_log["removed"]),
        list(row.redaction_log["kept"]), left, (row.checkpoint_size, row.checkpoint_root),
        dict(row.changes), row.approval_event,
    )  # fmt: skip


def _checkpoint(session: Any) -> tuple[int, str]:
    from candour.ledger.log import head

    size, root = head(session)
    return size, root.hex()


def _target_names(session: Any, target: str) -> list[Known]:
    from sqlalchemy import select

    from candour.publish.redact import Known
    from candour.store.models import Entity

    display = session.execute(select(Entity.display).where(Entity.uid == target)).scalar()
    out = [Known(target, "name", target)]
    if display:
        out.append(Known(target, "name", str(display)))
    return out
