"""The time casework is judged at: deadlines in the work queue, rules runs (breaches, raising
and climbing escalations), recording decisions and the escalations dashboard.

It is the system clock shifted by the setting `time_offset_hours` (0 in service). A
demonstration or a test sets it forward to let a deadline pass and an escalation climb without
waiting a day, through the application object (`app.clock.advance`), never by patching
`datetime`. Ledger events, sessions and sign-in lockouts keep the system clock: the log's
order and a session's lifetime are facts about the real world."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from candour.store.types import utcnow


class Clock:
    def __init__(self, offset: timedelta | None = None) -> None:
        self._offset = offset or timedelta()
        self._lock = threading.Lock()

    @property
    def offset(self) -> timedelta:
        """How far casework time is from the system clock (zero in service)."""
        return self._offset

    @property
    def shifted(self) -> bool:
        return bool(self._offset)

    def now(self) -> datetime:
        return utcnow() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move casework time on (never back: deadlines already judged stay judged); returns
        the new now."""
        if delta < timedelta():
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += delta
        return self.now()
