"""The access layer: who you are (sessions, passwords), what your role may do (capabilities),
what you need to know (policy), and the one gate every read of personal data passes (consult).

Names are imported on first use, so that the store can hash passwords without import cycles.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Actor",
    "Capability",
    "Consulted",
    "Lifetimes",
    "NeedToKnowRule",
    "SignedIn",
    "allowed",
    "consult",
    "hash_password",
    "new_password",
    "permitted",
    "readable_roots",
    "refused",
    "register",
    "require",
    "rules",
    "verify_password",
]

_LAZY = {
    "Actor": "candour.store.access",
    "Capability": "candour.auth.capabilities",
    "allowed": "candour.auth.capabilities",
    "require": "candour.auth.capabilities",
    "Consulted": "candour.auth.gate",
    "consult": "candour.auth.gate",
    "permitted": "candour.auth.gate",
    "readable_roots": "candour.auth.gate",
    "refused": "candour.auth.gate",
    "hash_password": "candour.auth.passwords",
    "new_password": "candour.auth.passwords",
    "verify_password": "candour.auth.passwords",
    "NeedToKnowRule": "candour.auth.policy",
    "register": "candour.auth.policy",
    "rules": "candour.auth.policy",
    "Lifetimes": "candour.auth.sessions",
    "SignedIn": "candour.auth.sessions",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
