"""The store: the core model on SQLite (embedded default) or PostgreSQL, append-only by API.

Every service function takes the caller's `Session` so that a change and its ledger event commit
together; open one with `Store.transaction()`.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Actor",
    "History",
    "NewDecision",
    "NewEscalation",
    "NewMention",
    "NewRecord",
    "NewUser",
    "Store",
    "actor_for",
    "add_decision",
    "add_decisions",
    "add_mentions",
    "add_record",
    "add_records",
    "amend_record",
    "assign",
    "change_rank",
    "create_agency",
    "create_user",
    "current_revision",
    "ensure_entity",
    "existing_uids",
    "get_entity",
    "get_user",
    "head_revision",
    "masked",
    "raise_escalation",
    "require_current",
    "table_counts",
    "update_escalation",
    "upgrade",
]

# Imported on first use, so that stages (the ledger among them) can import store modules
# without import cycles, and `import candour.store` stays cheap.
_LAZY = {
    "Actor": "candour.store.access",
    "History": "candour.store.records",
    "NewDecision": "candour.store.casework",
    "NewEscalation": "candour.store.casework",
    "NewMention": "candour.store.entities",
    "NewRecord": "candour.store.records",
    "NewUser": "candour.store.people",
    "Store": "candour.store.db",
    "actor_for": "candour.store.people",
    "add_decision": "candour.store.casework",
    "add_decisions": "candour.store.casework",
    "add_mentions": "candour.store.entities",
    "add_record": "candour.store.records",
    "add_records": "candour.store.records",
    "amend_record": "candour.store.records",
    "assign": "candour.store.casework",
    "change_rank": "candour.store.people",
    "create_agency": "candour.store.people",
    "create_user": "candour.store.people",
    "current_revision": "candour.store.db",
    "ensure_entity": "candour.store.entities",
    "existing_uids": "candour.store.records",
    "get_entity": "candour.store.entities",
    "get_user": "candour.store.people",
    "head_revision": "candour.store.db",
    "masked": "candour.store.db",
    "raise_escalation": "candour.store.casework",
    "require_current": "candour.store.db",
    "table_counts": "candour.store.status",
    "update_escalation": "candour.store.casework",
    "upgrade": "candour.store.db",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
