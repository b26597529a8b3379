"""Which pages the navigation offers a role. Only a convenience for the menu: every service
still checks its own capability, so a page not offered is refused if opened anyway."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from candour.store.access import Actor

_OFFERS = {
    "reports": {"supervisor", "safeguarding_lead", "analyst", "senior", "oversight", "auditor"},
    "review": {"auditor"},
    "ledger": {
        "admin",
        "supervisor",
        "safeguarding_lead",
        "analyst",
        "senior",
        "oversight",
        "auditor",
    },
    "admin": {"admin"},
    "oversight": {"oversight", "auditor"},
    "file": {"officer", "supervisor", "safeguarding_lead", "oversight"},
}


def offers(actor: Actor, need: str) -> bool:
    return actor.role in _OFFERS.get(need, set())
