"""Intake end to end into SQLite (validation, records, mentions, decisions, ledger events)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import fresh_store
from bench.harness import Result, register, timer
from candour.intake import Options, import_workforce, ingest
from candour.store import Actor
from candour.synth import generate

ADMIN = Actor(1, "Staff", "admin")


@register("intake")
def bench_intake(scale: str) -> Result:
    result = Result("intake", scale)
    district_scale = "small" if scale == "quick" else "medium"
    with tempfile.TemporaryDirectory(prefix="candour-bench-district-") as tmp:
        data = Path(tmp)
        generate(data, seed=3, scale=district_scale)
        with fresh_store("sqlite") as (store, _):
            import_workforce(
                store,
                data / "workforce" / "agencies.csv",
                data / "workforce" / "users.csv",
                Actor.system(),
            )
            with timer() as t:
                s = ingest(store, [data / "records"], ADMIN, Options())
            result.add("structured_records", s.ingested)
            result.add("structured_quarantined", s.quarantined)
            result.add("structured_mentions", s.mentions)
            result.add("structured_decisions", s.decisions)
            result.add("structured_seconds", t())
            result.add("structured_records_per_s", s.ingested / t())
            with timer() as t:
                d = ingest(store, [data / "documents"], ADMIN, Options())
            result.add("documents", d.ingested)
            result.add("documents_quarantined", d.quarantined)
            result.add("documents_per_s", d.ingested / t())
    result.add("district_scale", district_scale)
    result.notes.append(
        "Targets: >= 10,000 structured records/s; >= 50 documents/s "
        "(.txt/.html/.eml from the synthetic district)."
    )
    return result
