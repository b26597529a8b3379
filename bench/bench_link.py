"""Person linkage at 100k, 300k and 1M mentions: training, scoring and clustering.

Mentions come from the large synthetic district's ground truth (names as written, dates of
birth and ages, phones), built into the frame the stage links; reading the store is not
timed. Each size runs in a fresh process so that its peak memory is its own.
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import Result, register

SIZES = {"quick": [20_000], "full": [100_000, 300_000, 1_000_000]}


def _sizes(scale: str) -> list[int]:
    """BENCH_LINK_SIZES=100000,300000 runs only those sizes (the full ladder takes long)."""
    import os

    given = os.environ.get("BENCH_LINK_SIZES")
    return [int(x) for x in given.split(",")] if given else SIZES[scale]


def _baseline_max() -> int:
    """The plain model runs beside sizes up to BENCH_LINK_BASELINE_MAX (default 100,000): its
    pairs grow with the square of how often a name repeats, and at 300,000 mentions it passed
    20 GB after six minutes on the project's machine (stopped by hand)."""
    import os

    return int(os.environ.get("BENCH_LINK_BASELINE_MAX", "100000"))


def _frame_rows(district: Path, limit: int) -> list[dict[str, Any]]:
    """Person mentions with what the records say about them, in record order."""
    from candour.extract.domain import _phone
    from candour.extract.people import normalise_name
    from candour.link.frame import split_name
    from candour.link.variants import canonical, members, variant_groups

    people: dict[tuple[str, str], dict[str, Any]] = {}
    for src in sorted((district / "records").glob("*.jsonl")):
        for line in src.open():
            rec = json.loads(line)
            for i, p in enumerate(rec.get("people", [])):
                people[(rec["ref"], f"people[{i}].name")] = {**p, "year": rec["received_at"][:4]}
    rows = []
    with (district / "ground_truth" / "mentions.jsonl").open() as f:
        for n, line in enumerate(f):
            g = json.loads(line)
            if g["kind"] != "person":
                continue
            attrs = people.get((g["record"], g.get("field", "")), {})
            given, family = split_name(normalise_name(g["text"]))
            dob = attrs.get("dob")
            by = int(dob[:4]) if dob else (
                int(attrs["year"]) - attrs["age"] - 1 if attrs.get("age") else None)  # fmt: skip
            groups = variant_groups(given) if given and len(given) > 1 else []
            phone = _phone(attrs["phone"]) if attrs.get("phone") else None
            rows.append({
                "unique_id": n, "record_id": hash(g["record"]) % 10**9, "source": g["source"],
                "field_name": g.get("field"), "text": g["text"], "start": g.get("start"),
                "given": given, "family": family,
                "full_name": " ".join(x for x in (given, family) if x) or None,
                "given_key": canonical(given) if given and len(given) > 1 else given,
                "family_key": canonical(family), "given_groups": groups,
                "family_groups": variant_groups(family), "initial": given[0] if given else None,
                "initials": sorted({m[0] for grp in groups for m in members(grp)} | (
                    {given[0]} if given else set())),
                "dob": dob, "birth_year": by, "postcode": None, "email": attrs.get("email"),
                "phones": [phone] if phone else [], "rec_phones": [], "rec_vehicles": [],
                "rec_postcodes": [],
            })  # fmt: skip
            if len(rows) >= limit:
                break
    return rows


def _one(district: str, size: int, out: Any) -> None:
    import pandas as pd

    from candour.link.service import resolve

    frame = pd.DataFrame(_frame_rows(Path(district), size))
    t = time.perf_counter()
    done = resolve(frame)
    total = time.perf_counter() - t
    out.put({
        "mentions": len(frame), "seconds": total, "train_seconds": done.train_seconds,
        "distinct_profiles": done.profiles, "coreferent": done.coreferent,
        "pairs_scored": len(done.pairs), "persons": len(set(done.clusters.values())),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })  # fmt: skip


def _plain_settings() -> Any:
    """A plain Splink model as Splink's own tutorials build one: default name comparisons on
    the raw names, date of birth, the same other evidence, and blocking on exact name or name
    and date of birth (the eval baseline blocks on birth year as well, which at this size gives
    billions of pairs)."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    from candour.link.model import _evidence

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("given", "family"),
            block_on("family", "dob"),
            block_on("given", "dob"),
            block_on("phones", arrays_to_explode=["phones"]),
            block_on("email"),
        ],
        comparisons=[cl.NameComparison("given"), cl.NameComparison("family"), *_evidence()],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _baseline(district: str, size: int, out: Any) -> None:
    """The named baseline: the plain Splink model, every mention scored, Splink's connected
    components at 0.5 (no distinct profiles, no name variants, no two-stage clustering)."""
    import logging

    import pandas as pd
    from splink import Linker, block_on

    from candour.link.engine import db_api, prepare, query, register

    frame = pd.DataFrame(_frame_rows(Path(district), size))
    t = time.perf_counter()
    api = db_api("duckdb")
    table = register(api, prepare(frame), "persons")
    linker = Linker(table, _plain_settings(), log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given", "family"), block_on("dob")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in (block_on("given", "family"), block_on("dob")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pairs = linker.inference.predict(threshold_match_probability=0.01)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, 0.5)
    (scored,) = query(api, f"select count(*) as n from {pairs.physical_name}")["n"].tolist()
    (persons,) = query(
        api, f"select count(distinct cluster_id) as n from {clusters.physical_name}"
    )["n"].tolist()
    out.put({
        "seconds": time.perf_counter() - t, "pairs_scored": int(scored), "persons": int(persons),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })  # fmt: skip


def _in_child(ctx: Any, target: Any, args: tuple[Any, ...]) -> dict[str, Any]:
    """Run one measurement in its own process (so peak memory is its own); a child that dies,
    e.g. killed when the machine runs out of memory, is reported instead of waited for."""
    import queue

    q = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, q))
    proc.start()
    while True:
        try:
            fig: dict[str, Any] = q.get(timeout=5)
            break
        except queue.Empty:
            if not proc.is_alive():
                return {"died": f"exit code {proc.exitcode} (-9: killed, out of memory)"}
    proc.join()
    return fig


@register("link")
def bench_link(scale: str) -> Result:
    from candour.synth import generate

    result = Result("link", scale)
    with tempfile.TemporaryDirectory(prefix="candour-bench-link-") as tmp:
        district = Path(tmp) / "district"
        generate(district, seed=5, scale="large" if scale == "full" else "medium")
        ctx = multiprocessing.get_context("spawn")
        for size in _sizes(scale):
            fig = _in_child(ctx, _one, (str(district), size))
            if "died" in fig:
                result.add(f"{size // 1000}k_did_not_finish", fig["died"])
                continue
            tag = f"{fig['mentions'] // 1000}k"
            for k, v in fig.items():
                if k != "mentions":
                    result.add(f"{tag}_{k}", v)
            result.add(f"{tag}_mentions", fig["mentions"])
            if size > _baseline_max():
                continue
            base = _in_child(ctx, _baseline, (str(district), size))
            if "died" in base:
                result.add(f"{tag}_baseline_did_not_finish", base["died"])
                continue
            for k, v in base.items():
                result.add(f"{tag}_baseline_{k}", v)
            result.add(f"{tag}_time_vs_baseline", fig["seconds"] / base["seconds"])
            result.add(f"{tag}_memory_vs_baseline", fig["peak_rss_mb"] / base["peak_rss_mb"])
    result.notes.append(
        "Target: 1,000,000 person mentions linked and clustered (training included) in <= 180 s "
        "with peak memory <= 6 GB on 2 cores, at most ~2x a plain Splink model (the baseline, "
        "run beside each size). Reading the store is not timed; peak memory includes it."
    )
    return result


def _incremental(district: str, size: int, samples: int, out: Any) -> None:
    """Per-mention latency of `link --incremental` with `size` mentions already linked."""
    import statistics

    import pandas as pd

    from candour.link.decisions import Constraints
    from candour.link.engine import db_api, prepare, train
    from candour.link.service import PERSONS_GLOB, TF_COLUMNS, _match_new

    rows = _frame_rows(Path(district), size + samples)
    frame = pd.DataFrame(rows[:size])
    new = pd.DataFrame(rows[size:])
    with tempfile.TemporaryDirectory(prefix="candour-bench-inc-") as tmp:
        models = Path(tmp)
        trained = train(frame.head(20_000))
        model_file = models / "person-1-bench.json"
        model_file.write_text(json.dumps(trained.linker.misc.save_model_to_json()))
        table = prepare(frame)
        table["person"] = [f"PER-{u}" for u in table["unique_id"]]
        table.to_parquet(models / PERSONS_GLOB.replace("*", "0000"), index=False)
        for col in TF_COLUMNS:
            tf = table[col].value_counts(normalize=True).rename_axis(col)
            tf.reset_index(name=f"tf_{col}").to_parquet(models / f"tf-{col}.parquet", index=False)
        times: dict[bool, list[float]] = {True: [], False: []}
        choices: dict[bool, list[dict[int, str]]] = {True: [], False: []}
        for i in range(len(new)):
            for prefilter in (True, False):
                t = time.perf_counter()
                choices[prefilter].append(
                    _match_new(new.iloc[[i]], models, model_file, db_api, prepare,
                               Constraints(), prefilter=prefilter)
                )  # fmt: skip
                times[prefilter].append(time.perf_counter() - t)
    fast, slow = statistics.median(times[True]), statistics.median(times[False])
    out.put({
        "stored_mentions": size, "median_seconds_per_mention": fast,
        "max_seconds_per_mention": max(times[True]),
        "baseline_median_seconds_unfiltered": slow, "speedup_vs_unfiltered": slow / fast,
        "same_choices_as_unfiltered": choices[True] == choices[False],
        "joined_of_samples": sum(len(c) for c in choices[True]),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })  # fmt: skip


@register("link_incremental")
def bench_link_incremental(scale: str) -> Result:
    from candour.synth import generate

    result = Result("link_incremental", scale)
    size = 1_000_000 if scale == "full" else 50_000
    with tempfile.TemporaryDirectory(prefix="candour-bench-link-") as tmp:
        district = Path(tmp) / "district"
        generate(district, seed=5, scale="large" if scale == "full" else "medium")
        ctx = multiprocessing.get_context("spawn")
        fig = _in_child(ctx, _incremental, (str(district), size, 20))
    for k, v in fig.items():
        result.add(k, v)
    result.notes.append(
        "Target: <= 0.5 s per new record's mentions with 1,000,000 mentions stored. Measured "
        "one new mention at a time (candidates picked from the Parquet copy of the stored "
        "mentions by the blocking rules' keys, then Splink's blocking and scoring); writing to "
        "the store is not included. Baseline: the same call handing Splink every stored "
        "mention, which must choose the same persons."
    )
    return result
