"""The linking stage over the store: person mentions -> persons, with a saved, versioned model.

A run trains the model on the mentions as they are (unsupervised), scores candidate pairs,
clusters them (see `cluster.py`), and writes the result: each cluster is a person entity
(`PER-<smallest mention id>`, so a person keeps its id while its first mention stays in it),
mentions point at their person, aliases list every way the person was written. Mentions are
never changed otherwise or removed. The run is a ledger event naming the model's digest, and
the model is saved as JSON next to the store.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from candour.ledger.log import EventDraft, append
from candour.link.cluster import two_stage
from candour.link.decisions import constraints
from candour.link.engine import predict, train
from candour.link.frame import person_frame
from candour.link.model import MODEL_VERSION
from candour.store.access import Actor
from candour.store.bulk import insert_many
from candour.store.db import Store
from candour.store.models import Entity, Mention, PersonAlias, table_of
from candour.store.records import allocate_ids
from candour.store.types import utcnow

CORE = 0.1
ATTACH = 0.3


@dataclass
class LinkReport:
    mentions: int = 0
    persons: int = 0
    multi: int = 0
    pairs: int = 0
    model_file: Path | None = None
    model_digest: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def run_link(
    store: Store,
    actor: Actor,
    models_dir: Path,
    *,
    engine: str = "duckdb",
    say: Callable[[str], None] | None = None,
) -> LinkReport:
    import time

    report = LinkReport()
    t = time.perf_counter()
    with store.reading() as session:
        frame = person_frame(session)
        decided = constraints(session)
    report.mentions = len(frame)
    report.timings["frame"] = time.perf_counter() - t
    if frame.empty:
        return report
    if say:
        say(f"training on {len(frame):,} person mentions ({engine})")
    t = time.perf_counter()
    trained = train(frame, engine=engine)
    report.timings["train"] = time.perf_counter() - t
    t = time.perf_counter()
    pairs, _ = predict(trained, 0.5)
    report.pairs = len(pairs)
    clusters = two_stage(
        frame, pairs, core=CORE, attach=ATTACH, same=decided.same, different=decided.different
    )
    report.timings["predict_cluster"] = time.perf_counter() - t
    model = trained.linker.misc.save_model_to_json()
    text = json.dumps(model, sort_keys=True)
    report.model_digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    models_dir.mkdir(parents=True, exist_ok=True)
    report.model_file = models_dir / f"{MODEL_VERSION}-{report.model_digest}.json"
    report.model_file.write_text(text)
    t = time.perf_counter()
    with store.transaction() as session:
        _write(session, frame, pairs, clusters, report)
        append(
            session,
            [
                EventDraft(
                    "resolve",
                    "link_run",
                    report.model_digest,
                    actor.id,
                    actor.rank,
                    purpose="person linkage",
                    payload={
                        "model": MODEL_VERSION,
                        "engine": engine,
                        "mentions": report.mentions,
                        "persons": report.persons,
                        "pairs": report.pairs,
                    },
                )
            ],
        )
    report.timings["write"] = time.perf_counter() - t
    return report


def _write(
    session: Session,
    frame: pd.DataFrame,
    pairs: pd.DataFrame,
    clusters: dict[int, int],
    report: LinkReport,
) -> None:
    members: dict[int, list[int]] = defaultdict(list)
    for mention, cid in clusters.items():
        members[cid].append(mention)
    names = dict(zip(frame["unique_id"].astype(int), frame["text"], strict=True))
    strength = _strength(pairs, clusters)
    existing = {
        uid: eid
        for uid, eid in session.execute(
            select(Entity.uid, Entity.id).where(Entity.uid.like("PER-%"))
        )
    }
    now = utcnow()
    fresh = [cid for cid in members if f"PER-{cid}" not in existing]
    new_rows = []
    for cid, eid in zip(fresh, allocate_ids(session, "entity", len(fresh)), strict=True):
        existing[f"PER-{cid}"] = eid
        new_rows.append(
            _entity_row(eid, cid, members[cid], names, strength, now, report.model_digest)
        )
    insert_many(session, table_of(Entity), new_rows)
    fresh_set = set(fresh)
    for cid, ms in members.items():
        if cid in fresh_set:
            continue
        row = _entity_row(
            existing[f"PER-{cid}"], cid, ms, names, strength, now, report.model_digest
        )
        session.execute(
                update(Entity)
                .where(Entity.id == row["id"])
                .values(display=row["display"], confidence=row["confidence"],
                        attributes=row["attributes"])
            )  # fmt: skip
    by_entity = [(existing[f"PER-{cid}"], m) for cid, ms in members.items() for m in ms]
    _set_entities(session, by_entity)
    _aliases(session, members, names, existing)
    report.persons = len(members)
    report.multi = sum(1 for ms in members.values() if len(ms) > 1)


def _entity_row(
    eid: int,
    cid: int,
    ms: list[int],
    names: dict[int, str],
    strength: dict[int, float],
    now: Any,
    digest: str,
) -> dict[str, Any]:
    written = Counter(names[m] for m in ms)
    display = max(written.items(), key=lambda kv: (_full(kv[0]), kv[1], kv[0]))[0]
    conf = min((strength.get(m, 1.0) for m in ms), default=1.0) if len(ms) > 1 else 1.0
    return {
        "id": eid,
        "uid": f"PER-{cid}",
        "kind": "person",
        "display": display[:300],
        "key": None,
        "confidence": round(conf, 4),
        "attributes": {"mentions": len(ms), "model": MODEL_VERSION, "digest": digest},
        "created_at": now,
    }


def _full(name: str) -> bool:
    """A name with a given name spelt out and a family name ("Pavel Ionescu", not "P. Ionescu")."""
    words = name.replace(",", " ").replace(".", " ").split()
    return len(words) > 1 and all(len(w) > 1 for w in words)


def _strength(pairs: pd.DataFrame, clusters: dict[int, int]) -> dict[int, float]:
    """Each mention's strongest link inside its own cluster (its confidence of belonging)."""
    best: dict[int, float] = {}
    for a, b, p in zip(
        pairs["unique_id_l"], pairs["unique_id_r"], pairs["match_probability"], strict=True
    ):
        a, b = int(a), int(b)
        if clusters.get(a) == clusters.get(b):
            best[a] = max(best.get(a, 0.0), float(p))
            best[b] = max(best.get(b, 0.0), float(p))
    return best


def _set_entities(session: Session, by_entity: list[tuple[int, int]]) -> None:
    from sqlalchemy import bindparam

    stmt = (
        update(table_of(Mention))
        .where(table_of(Mention).c.id == bindparam("mid"))
        .values(entity_id=bindparam("eid"))
    )
    conn = session.connection()
    for start in range(0, len(by_entity), 20_000):
        chunk = by_entity[start : start + 20_000]
        conn.execute(stmt, [{"eid": e, "mid": m} for e, m in chunk])


def _aliases(
    session: Session,
    members: dict[int, list[int]],
    names: dict[int, str],
    ids: dict[str, int],
) -> None:
    have = {(e, a) for e, a in session.execute(select(PersonAlias.entity_id, PersonAlias.alias))}
    rows = []
    for cid, ms in members.items():
        eid = ids[f"PER-{cid}"]
        for alias in sorted({names[m][:300] for m in ms}):
            if (eid, alias) not in have:
                have.add((eid, alias))
                rows.append({"entity_id": eid, "alias": alias})
    if rows:
        for row, aid in zip(rows, allocate_ids(session, "person_alias", len(rows)), strict=True):
            row["id"] = aid
        insert_many(session, table_of(PersonAlias), rows)
