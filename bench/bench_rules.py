"""`rules run` over many records: the 24-hour recording rule, escalations and climbing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bench.common import fresh_store
from bench.harness import Result, register, timer
from candour.rules import run_rules
from candour.store import Actor, NewDecision, NewRecord, add_decisions, add_records
from candour.store.disclosures import add_disclosures

ADMIN = Actor(1, "Staff", "admin")


@register("rules_run")
def bench_rules(scale: str) -> Result:
    n = 100_000 if scale == "quick" else 1_000_000
    batch = 10_000
    rng = random.Random(5)
    result = Result("rules_run", scale)
    t0 = datetime(2010, 1, 1, tzinfo=UTC)
    with fresh_store("sqlite") as (store, _):
        with timer() as build:
            for start in range(0, n, batch):
                size = min(batch, n - start)
                received = [t0 + timedelta(minutes=7 * (start + i)) for i in range(size)]
                recs = [
                    NewRecord(
                        "crime_report",
                        received[i],
                        body=f"Report {start + i}",
                        fields={"ref": f"CR/{start + i}"},
                    )
                    for i in range(size)
                ]
                with store.transaction() as s:
                    ids = add_records(s, recs, ADMIN)
                    rows = [
                        {
                            "record_id": rid,
                            "source": "field",
                            "offence_code": "19C",
                            "offence_group": "sexual_offences",
                            "received_at": at,
                            "responsible_id": None,
                            "detector": "bench",
                        }
                        for rid, at in zip(ids, received, strict=True)
                    ]
                    add_disclosures(s, rows, ADMIN, purpose="bench")
                    decided = [
                        (
                            rid,
                            NewDecision(
                                "crime_recording",
                                "recorded",
                                "recorded",
                                "19C",
                                decided_at=at + timedelta(hours=rng.uniform(1, 20)),
                            ),
                            ADMIN,
                        )
                        for rid, at in zip(ids, received, strict=True)
                        if rng.random() < 0.9
                    ]
                    add_decisions(s, decided)
        result.add("records", n)
        result.add("build_seconds", build())
        with timer() as t, store.transaction() as s:
            report = run_rules(s, ADMIN)
        result.add("rules_run_seconds", t())
        result.add("evaluated", report.evaluated)
        result.add("breaches", report.breaches)
        result.add("escalations_raised", report.raised)
        result.add("escalations_climbed", report.climbed)
        with timer() as t, store.transaction() as s:
            again = run_rules(s, ADMIN)
        result.add("rerun_seconds", t())
        result.add("rerun_raised", again.raised)
    result.notes.append(
        "Every record discloses a sexual offence; 10% get no decision. The run "
        "raises one escalation per breach and climbs each overdue one to the "
        "ceiling rank, every step a ledger event. Target <= 60 s at 1,000,000."
    )
    return result
