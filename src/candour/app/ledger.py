"""The ledger's services: checkpoints, verification, proofs, export and who-knew.

Proofs and exports show who read which record and why, so they pass the gate like any read:
a proof consults the record its event names; an export is a disclosure of every record it
names, logged on each of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from candour.auth.capabilities import Capability, require
from candour.auth.gate import consult, refused
from candour.store.enums import EventAction

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.ledger.integrity import Report
    from candour.ledger.note import Checkpoint
    from candour.ledger.whoknew import Knew
    from candour.store.access import Actor
    from candour.store.enums import Rank


@dataclass
class WhoKnew:
    target: str
    kind: str
    rows: list[Knew]
    proofs: dict[int, dict[str, Any]]


class LedgerService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def checkpoint(self, actor: Actor) -> tuple[Checkpoint, str]:
        from candour.ledger.checkpoint import make_checkpoint

        require(actor, Capability.SIGN_CHECKPOINT)
        signer = self.app.signer()
        with self.app.store().transaction() as session:
            return make_checkpoint(session, signer, self.app.settings.ledger_origin)

    def load_checkpoint(self, path: Path | None, key: Path | None) -> Checkpoint | None:
        """A checkpoint from a file (an outside body's copy), else the store's latest."""
        from candour.ledger.checkpoint import latest_note, read_checkpoint_file
        from candour.ledger.keys import load_verifier
        from candour.ledger.note import open_checkpoint

        verifier = load_verifier(self.app.settings, key)
        if path is not None:
            return read_checkpoint_file(path, verifier)
        with self.app.store().reading() as session:
            note = latest_note(session)
        return open_checkpoint(note, verifier) if note else None

    def latest_note(self, actor: Actor) -> str | None:
        """The latest signed checkpoint as its note text (what an outside body keeps)."""
        from candour.ledger.checkpoint import latest_note

        require(actor, Capability.VERIFY_LEDGER)
        with self.app.store().reading() as session:
            return latest_note(session)

    def size(self) -> int:
        from candour.ledger.log import head

        with self.app.store().reading() as session:
            return head(session)[0]

    def verify(
        self,
        actor: Actor,
        checkpoint_file: Path | None,
        key: Path | None,
        progress: Callable[[int], None] | None = None,
    ) -> Report:
        """Full verification; the report warns when it could only check the store's own copy
        of a checkpoint (which proves nothing against an insider who holds the signing key)."""
        from candour.ledger.integrity import CheckpointSource, verify

        require(actor, Capability.VERIFY_LEDGER)
        cp = self.load_checkpoint(checkpoint_file, key)
        source: CheckpointSource = "file" if checkpoint_file else ("store" if cp else "none")
        with self.app.store().reading() as session:
            return verify(
                session, cp, progress, models_dir=self.app.models_dir, checkpoint_source=source
            )

    def prove(self, actor: Actor, event: int, size: int | None, purpose: str) -> dict[str, Any]:
        """An inclusion proof of one event; if the event names a record, that is a read of it."""
        from candour.ledger.log import inclusion_proof

        with self.app.store().transaction() as session:
            uid = _record_of(session, event)
            if uid is not None:
                consult(session, actor, [uid], purpose)
            elif not _may_see_unattached(actor):
                raise refused()
            return inclusion_proof(session, event, size)

    def consistency(self, actor: Actor, old: int, new: int) -> dict[str, Any]:
        from candour.ledger.log import consistency_proof

        require(actor, Capability.VERIFY_LEDGER)
        with self.app.store().reading() as session:
            return consistency_proof(session, old, new)

    def export(self, actor: Actor, out: Path, purpose: str) -> int:
        """Every event's leaf bytes, one per line; a disclosure of each record named."""
        from sqlalchemy import select

        from candour.ledger.log import row_leaf_bytes
        from candour.store.models import LedgerEvent, Record

        require(actor, Capability.EXPORT_LEDGER)
        n = 0
        with self.app.store().transaction() as session:
            uids = list(session.scalars(select(Record.uid)))
            if uids:
                consult(session, actor, uids, purpose, action=EventAction.DISCLOSE)
            stmt = select(LedgerEvent).order_by(LedgerEvent.idx)
            with out.open("wb") as fh:
                for ev in session.scalars(stmt.execution_options(yield_per=20_000)):
                    fh.write(row_leaf_bytes(ev) + b"\n")
                    n += 1
        return n

    def who_knew(
        self,
        actor: Actor,
        target: str,
        purpose: str,
        *,
        before: datetime | None = None,
        min_rank: Rank | None = None,
        proofs: bool = False,
        break_glass: str | None = None,
    ) -> WhoKnew:
        """Who knew about a record or a person: a consultation of each record it covers (of a
        person, the records the user may see)."""
        from candour.ledger.log import inclusion_proof
        from candour.ledger.whoknew import records_named, who_knew

        with self.app.store().transaction() as session:
            kind, uids = records_named(session, target)
            if not uids:
                raise refused()
            seen = consult(
                session, actor, uids, purpose, break_glass=break_glass, partial=kind == "person"
            )
            rows = who_knew(
                session,
                sorted({r.root_uid for r in seen.records}),
                before=before,
                min_rank=min_rank,
                record_ids=seen.version_ids,
            )
            out = WhoKnew(target, kind, rows, {})
            if proofs:
                for row in rows:
                    if row.event not in out.proofs:
                        out.proofs[row.event] = inclusion_proof(session, row.event)
            return out


def _record_of(session: Any, event: int) -> str | None:
    from sqlalchemy import select

    from candour.store.models import LedgerEvent, Record

    stmt = select(Record.uid).join(LedgerEvent, LedgerEvent.record_id == Record.id)
    uid: str | None = session.execute(stmt.where(LedgerEvent.idx == event)).scalar_one_or_none()
    return uid


def _may_see_unattached(actor: Actor) -> bool:
    """Events about no record (sign-ins, rule loads, user changes) are for ledger roles."""
    from candour.auth.capabilities import allowed

    return allowed(actor, Capability.VERIFY_LEDGER)
