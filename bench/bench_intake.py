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
        for workers in (0, 2):
            _ingest_into_fresh_store(data, workers, result)
    result.add("district_scale", district_scale)
    result.add(
        "parallel_speedup",
        result.figures["structured_records_per_s_2_workers"]
        / result.figures["structured_records_per_s_in_process"],
    )
    result.notes.append(
        "Targets: >= 10,000 structured records/s; >= 50 documents/s "
        "(.txt/.html/.eml from the synthetic district). Each way on a fresh store; the "
        "in-process run (reading, validating and writing in one process) is the baseline; "
        "with 2 workers they read and validate while this process writes."
    )
    return result


def _ingest_into_fresh_store(data: Path, workers: int, result: Result) -> None:
    tag = "in_process" if workers == 0 else f"{workers}_workers"
    with fresh_store("sqlite") as (store, _):
        import_workforce(
            store,
            data / "workforce" / "agencies.csv",
            data / "workforce" / "users.csv",
            Actor.system(),
        )
        with timer() as t:
            s = ingest(store, [data / "records"], ADMIN, Options(), workers=workers)
        result.add("structured_records", s.ingested)
        result.add("structured_quarantined", s.quarantined)
        result.add("structured_mentions", s.mentions)
        result.add("structured_decisions", s.decisions)
        result.add(f"structured_seconds_{tag}", t())
        result.add(f"structured_records_per_s_{tag}", s.ingested / t())
        with timer() as t:
            d = ingest(store, [data / "documents"], ADMIN, Options(), workers=workers)
        result.add("documents", d.ingested)
        result.add("documents_quarantined", d.quarantined)
        result.add(f"documents_per_s_{tag}", d.ingested / t())
