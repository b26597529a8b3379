"""Verifying the ledger while others write reads one consistent state (no false alarm)."""

from __future__ import annotations

import threading

import pytest

from candour.ledger.integrity import verify
from candour.ledger.log import EventDraft, append
from candour.store import Store


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_verify_during_writes_finds_the_log_intact(store: Store) -> None:
    for _ in range(20):
        with store.transaction() as s:
            append(s, [EventDraft("system", "bench", None, payload={}) for _ in range(50)])
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            with store.transaction() as s:
                append(s, [EventDraft("system", "bench", None, payload={}) for _ in range(20)])

    writer = threading.Thread(target=write)
    writer.start()
    try:
        reports = []
        for _ in range(8):
            with store.reading() as s:
                reports.append(verify(s, workers=1))
    finally:
        stop.set()
        writer.join()
    assert [r.findings for r in reports] == [[]] * len(reports)
