"""Making, storing and reading signed checkpoints of the store-backed log."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import LedgerError
from candour.ledger import log
from candour.ledger.note import Checkpoint, Signer, Verifier, open_checkpoint
from candour.store.models import LedgerCheckpoint
from candour.store.types import iso, utcnow


def make_checkpoint(session: Session, signer: Signer, origin: str) -> tuple[Checkpoint, str]:
    """Sign the current head and keep a copy in the store; returns the checkpoint and its note."""
    size, root = log.head(session)
    now = utcnow()
    cp = Checkpoint(origin, size, root, (iso(now) or "")[:19] + "Z")
    note = signer.sign(cp.body())
    session.add(LedgerCheckpoint(size=size, root_hash=root, created_at=now, note=note))
    return cp, note


def latest_note(session: Session) -> str | None:
    stmt = select(LedgerCheckpoint.note).order_by(LedgerCheckpoint.id.desc()).limit(1)
    return session.execute(stmt).scalar_one_or_none()


def read_checkpoint_file(path: Path, verifier: Verifier) -> Checkpoint:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LedgerError(f"{path}: cannot read checkpoint ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise LedgerError(f"{path}: checkpoint is not UTF-8 text") from None
    return open_checkpoint(text, verifier)
