"""The accountability ledger: an RFC 6962 Merkle log of every action and every read.

Pure parts (hashing, proofs, signed checkpoints) import nothing heavy, so the standalone
verifier (`python -m candour.ledger.verify`) needs no database. The store-backed parts are
imported on first use. What shows personal data (who-knew, as-of) is not exported: it is reached
through the application object, whose services consult the access gate first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from candour.ledger.merkle import ProofError, verify_consistency, verify_inclusion
from candour.ledger.note import Checkpoint, Signer, Verifier

if TYPE_CHECKING:
    from candour.ledger.checkpoint import make_checkpoint
    from candour.ledger.integrity import Report, verify
    from candour.ledger.log import EventDraft, append, consistency_proof, head, inclusion_proof
    from candour.ledger.whoknew import Knew

__all__ = [
    "Checkpoint",
    "EventDraft",
    "Knew",
    "ProofError",
    "Report",
    "Signer",
    "Verifier",
    "append",
    "consistency_proof",
    "head",
    "inclusion_proof",
    "make_checkpoint",
    "verify",
    "verify_consistency",
    "verify_inclusion",
]

_LAZY = {
    "make_checkpoint": "candour.ledger.checkpoint",
    "Report": "candour.ledger.integrity",
    "verify": "candour.ledger.integrity",
    "EventDraft": "candour.ledger.log",
    "append": "candour.ledger.log",
    "consistency_proof": "candour.ledger.log",
    "head": "candour.ledger.log",
    "inclusion_proof": "candour.ledger.log",
    "Knew": "candour.ledger.whoknew",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
