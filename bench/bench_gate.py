"""The cost of the one gate: who-knew for a person, and a 1,000-record bulk read, through
`consult` (need-to-know checked, one read event per record) against today's unchecked calls
on the same store in the same run."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from bench.common import fresh_store
from bench.harness import Result, register
from candour.app import Candour
from candour.auth.gate import consult
from candour.ledger.log import EventDraft, append
from candour.ledger.whoknew import records_named, who_knew
from candour.store import (
    Actor,
    NewMention,
    NewRecord,
    NewUser,
    actor_for,
    add_mentions,
    add_records,
    create_agency,
    create_user,
    ensure_entity,
)
from candour.store.models import Record

PURPOSE = "benchmark"


def _median_ms(fn: Callable[[], object], n: int = 7) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


@register("gate")
def bench_gate(scale: str) -> Result:
    n_records = 5_000 if scale == "quick" else 100_000
    result = Result("gate", scale)
    rng = random.Random(3)
    with fresh_store("sqlite") as (store, settings):
        with store.transaction() as s:
            agency = create_agency(s, "BEN", "Bench Police", "police", Actor.system())
            sup = create_user(
                s,
                NewUser("PS1", "Synthetic Sergeant", "PS", "supervisor", agency.id, "CID"),
                Actor.system(),
            )
            pc = create_user(
                s,
                NewUser("PC1", "Synthetic Constable", "PC", "officer", agency.id, "CID", sup.id),
                Actor.system(),
            )
            for i in range(50):  # a realistic workforce for the supervisory-chain walk
                create_user(
                    s,
                    NewUser(
                        f"PC{100 + i}", "Synthetic", "PC", "officer", agency.id, "Response", sup.id
                    ),
                    Actor.system(),
                )
            officer = actor_for(pc)
        t0 = NewRecord("intelligence", datetime(2020, 1, 1, tzinfo=UTC))
        for start in range(0, n_records, 5_000):
            with store.transaction() as s:
                recs = [
                    NewRecord(
                        "intelligence",
                        t0.received_at,
                        body=f"synthetic {i}",
                        agency_id=agency.id,
                        about_child=True,
                        source_ref=f"b:{i}",
                    )
                    for i in range(start, min(n_records, start + 5_000))
                ]
                add_records(s, recs, officer)
        with store.transaction() as s:
            ids = list(s.scalars(select(Record.id)))
            person = ensure_entity(s, "person", "P-BENCH", "Synthetic Person")
            named = rng.sample(ids, 100)
            add_mentions(
                s,
                [
                    NewMention(
                        r,
                        "person",
                        "Synthetic Person",
                        "field",
                        "bench",
                        role="suspect",
                        entity_id=person.id,
                    )
                    for r in named
                ],
            )
            uids = list(s.scalars(select(Record.uid).where(Record.id.in_(rng.sample(ids, 1000)))))
            # background reads, so the ledger is not trivially small
            append(
                s,
                [
                    EventDraft(
                        "read",
                        "record",
                        None,
                        officer.id,
                        officer.rank,
                        record_id=r,
                        purpose="casework",
                    )
                    for r in rng.choices(ids, k=20_000)
                ],
            )
        app = Candour(settings)

        def who_knew_unchecked() -> None:
            with store.reading() as s:
                _, named_uids = records_named(s, "P-BENCH")
                who_knew(s, named_uids)

        def who_knew_gated() -> None:
            app.ledger.who_knew(officer, "P-BENCH", PURPOSE)

        def bulk_unchecked() -> None:  # what graph commands did: select, then log every read
            with store.transaction() as s:
                rows = list(s.scalars(select(Record).where(Record.uid.in_(uids))))
                append(
                    s,
                    [
                        EventDraft(
                            "read",
                            "record",
                            r.uid,
                            officer.id,
                            officer.rank,
                            record_id=r.id,
                            purpose=PURPOSE,
                        )
                        for r in rows
                    ],
                )

        def bulk_select_only() -> None:
            with store.reading() as s:
                list(s.scalars(select(Record).where(Record.uid.in_(uids))))

        def bulk_gated() -> None:
            with store.transaction() as s:
                consult(s, officer, uids, PURPOSE)

        # Each gated call adds read events that later who-knew calls list, so the two are
        # interleaved call by call (order alternating) and see the same ledger.
        pairs = (
            ("who_knew_gated_ms", who_knew_gated, "who_knew_unchecked_ms", who_knew_unchecked),
            ("bulk_1000_gated_ms", bulk_gated, "bulk_1000_unchecked_logged_ms", bulk_unchecked),
            ("bulk_1000_gated_ms_", bulk_gated, "bulk_1000_select_only_ms", bulk_select_only),
        )
        figures: dict[str, list[float]] = {}
        for name_a, fn_a, name_b, fn_b in pairs:
            for i in range(15):
                order = (
                    ((name_a, fn_a), (name_b, fn_b)) if i % 2 else ((name_b, fn_b), (name_a, fn_a))
                )
                for name, fn in order:
                    figures.setdefault(name, []).append(_median_ms(fn, 1))
        figures["bulk_1000_gated_ms"] += figures.pop("bulk_1000_gated_ms_")
        app.close()
    for name, values in figures.items():
        result.add(name, statistics.median(values))
    f = result.figures
    result.add("records", n_records)
    result.add("who_knew_ratio", f["who_knew_gated_ms"] / f["who_knew_unchecked_ms"])
    result.add("bulk_ratio_vs_logged", f["bulk_1000_gated_ms"] / f["bulk_1000_unchecked_logged_ms"])
    result.add("bulk_ratio_vs_select_only", f["bulk_1000_gated_ms"] / f["bulk_1000_select_only_ms"])
    result.notes.append(
        "who-knew unchecked = records_named + who_knew, reading only (what `who-knew` did: no "
        "check, no read events); gated = the application's who-knew: need-to-know for each of the "
        "person's 100 records and one read event per record, committed"
    )
    result.notes.append(
        "bulk unchecked = select 1,000 records and append their read events (what the graph "
        "commands did); gated = consult(): facts, policy and the same events"
    )
    return result
