"""The linking stage over the store: person mentions -> persons, with a saved, versioned model.

A run trains the model on the mentions as they are (unsupervised), scores candidate pairs,
clusters them (see `cluster.py`), and writes the result: each cluster is a person entity
(`PER-<smallest mention id>`, so a person keeps its id while its first mention stays in it),
mentions point at their person, aliases list every way the person was written. Mentions are
never changed otherwise or removed. The run is a ledger event naming the model's digest and the
SHA-256 of every file it leaves in the models folder (the model JSON, the persons snapshot and
its term frequencies), which `ledger verify` checks; the files are written under a temporary
name and put in place only once that event is committed. The persons, the aliases and the
mention-to-person links are protected by aggregate digests (store/digests.py) updated in the
same transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from candour.errors import StoreError
from candour.ledger.log import EventDraft, append
from candour.ledger.log import lock as ledger_lock
from candour.link.cluster import Together, cluster_persons, dates_apart
from candour.link.company import by_company
from candour.link.coref import antecedents, with_coreferents
from candour.link.decisions import Constraints, constraints
from candour.link.engine import Trained, scored_pairs, train
from candour.link.frame import person_frame
from candour.link.model import MODEL_VERSION
from candour.link.profiles import Profiles, collapse
from candour.store.access import Actor
from candour.store.bulk import insert_many, update_many
from candour.store.db import Store
from candour.store.digests import AGGREGATES, Change, record_changes, rows_of
from candour.store.enums import EventAction
from candour.store.models import Entity, Mention, PersonAlias, table_of
from candour.store.records import allocate_ids
from candour.store.types import utcnow

#: Pairs less likely than this carry no weight in clustering (see cluster.cluster_persons).
PAIR_FLOOR = 0.01


@dataclass
class LinkReport:
    mentions: int = 0
    persons: int = 0
    multi: int = 0
    pairs: int = 0
    profiles: int = 0
    coreferent: int = 0
    model_file: Path | None = None
    model_digest: str = ""
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Resolved:
    """A full linkage of a frame of person mentions: every mention's cluster, and how."""

    clusters: dict[int, int]  # mention -> cluster id (its smallest mention)
    pairs: pd.DataFrame  # the scored pairs the clusters came from
    trained: Trained
    profiles: int  # distinct profiles linked
    coreferent: int  # mentions that took another mention of their own record as antecedent
    train_seconds: float
    frame: pd.DataFrame  # the mentions as linked (antecedents carry their coreferents' facts)


def resolve(
    frame: pd.DataFrame,
    *,
    engine: str = "duckdb",
    decided: Constraints | None = None,
    say: Callable[[str], None] | None = None,
) -> Resolved:
    """In-record coreference, then the model over distinct profiles, then clustering, then
    the company mentions keep (company.py)."""
    import time

    decided = decided or Constraints()
    keep = decided.mentions()
    antecedent = antecedents(frame, keep=keep)
    frame = with_coreferents(frame, antecedent)
    profiles = collapse(frame[~frame["unique_id"].isin(antecedent)], keep=keep)
    if say:
        say(
            f"training on {len(frame):,} person mentions "
            f"({len(profiles.frame):,} distinct; {engine})"
        )
    t = time.perf_counter()
    trained = train(profiles.frame, engine=engine)
    train_seconds = time.perf_counter() - t
    pairs = scored_pairs(trained, PAIR_FLOOR)
    clusters = profiles.expand(
        cluster_persons(
            profiles.frame,
            pairs,
            same=decided.same,
            different=decided.different,
            weight=profiles.weights(),
            together=_together(frame, profiles, antecedent),
        )
    )
    for mention, full in antecedent.items():
        clusters[mention] = clusters[full]
    clusters = by_company(frame, clusters, antecedent, keep=keep)
    return Resolved(
        clusters, pairs, trained, len(profiles.frame), len(antecedent), train_seconds, frame
    )


def _together(frame: pd.DataFrame, profiles: Profiles, antecedent: Mapping[int, int]) -> Together:
    """Which profiles are named in the same records (a coreferent mention counts as its full
    name's profile)."""
    rep = dict(zip(profiles.ids.tolist(), profiles.rep.tolist(), strict=True))
    rows = np.fromiter(
        (rep[antecedent.get(u, u)] for u in frame["unique_id"].astype(int).tolist()),
        dtype=np.int64,
        count=len(frame),
    )
    return Together(rows, frame["record_id"].astype(np.int64).to_numpy())


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
    t = time.perf_counter()
    done = resolve(frame, engine=engine, decided=decided, say=say)
    trained, pairs, clusters = done.trained, done.pairs, done.clusters
    report.timings["train"] = done.train_seconds
    report.timings["predict_cluster"] = time.perf_counter() - t - done.train_seconds
    report.pairs = len(pairs)
    report.profiles = done.profiles
    report.coreferent = done.coreferent
    model = trained.linker.misc.save_model_to_json()
    text = json.dumps(model, sort_keys=True)
    report.model_digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    models_dir.mkdir(parents=True, exist_ok=True)
    report.model_file = models_dir / f"{MODEL_VERSION}-{report.model_digest}.json"
    t = time.perf_counter()
    staging = models_dir / f".staging-{report.model_digest}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        (staging / report.model_file.name).write_text(text)
        _save_persons(staging, done.frame, clusters, report.model_file)
        files = {p.name: file_digest(p) for p in sorted(staging.iterdir())}
        with store.transaction() as session:
            _write(session, frame, pairs, clusters, report, actor)
            append(
                session,
                [
                    EventDraft(
                        EventAction.RESOLVE,
                        "link_run",
                        report.model_digest,
                        actor.id,
                        actor.rank,
                        purpose="person linkage",
                        payload={
                            "run": "full",
                            "model": MODEL_VERSION,
                            "engine": engine,
                            "mentions": report.mentions,
                            "persons": report.persons,
                            "pairs": report.pairs,
                            "coreferent": report.coreferent,
                            "files": files,
                        },
                    )
                ],
            )
        # Committed: the snapshot the event names replaces the old one.
        for old in models_dir.glob(PERSONS_GLOB):
            old.unlink()
        for path in staging.iterdir():
            path.replace(models_dir / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.timings["write"] = time.perf_counter() - t
    return report


def file_digest(path: Path) -> str:
    """SHA-256 of a file, as the link run's event names it."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _write(
    session: Session,
    frame: pd.DataFrame,
    pairs: pd.DataFrame,
    clusters: dict[int, int],
    report: LinkReport,
    actor: Actor,
) -> None:
    members: dict[int, list[int]] = defaultdict(list)
    for mention, cid in clusters.items():
        members[cid].append(mention)
    names = dict(zip(frame["unique_id"].astype(int), frame["text"], strict=True))
    strength = _strength(pairs, clusters)
    ledger_lock(session)  # the digests below are read and updated under the append lock
    before = {
        r["id"]: r for r in rows_of(session, AGGREGATES["entity"], "substr(uid, 1, 4) = 'PER-'")
    }
    existing = {r["uid"]: eid for eid, r in before.items()}
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
    changed: list[dict[str, Any]] = []
    for cid, ms in members.items():
        if cid in fresh_set:
            continue
        row = _entity_row(existing[f"PER-{cid}"], cid, ms, names, strength, now,
                          report.model_digest)  # fmt: skip
        old = before[row["id"]]
        if any(old[k] != row[k] for k in _ENTITY_CHANGES):
            changed.append({**old, **{k: row[k] for k in _ENTITY_CHANGES}})
    update_many(
        session,
        table_of(Entity),
        "id",
        [{k: r[k] for k in ("id", *_ENTITY_CHANGES)} for r in changed],
    )
    by_entity = [(existing[f"PER-{cid}"], m) for cid, ms in members.items() for m in ms]
    was = _links(session)
    moved = [(e, m) for e, m in by_entity if was.get(m) != e]
    _set_entities(session, moved)
    aliases = _aliases(session, members, names, existing)
    record_changes(
        session,
        {
            "entity": Change(
                added=[*new_rows, *changed], removed=[before[r["id"]] for r in changed]
            ),
            "mention_link": Change(
                added=[{"id": m, "entity_id": e} for e, m in moved],
                removed=[
                    {"id": m, "entity_id": was[m]} for _, m in moved if was.get(m) is not None
                ],
            ),
            "person_alias": Change(added=aliases),
        },
        actor.id,
        actor.rank,
        action="resolve",
        purpose="person linkage",
    )
    report.persons = len(members)
    report.multi = sum(1 for ms in members.values() if len(ms) > 1)


_ENTITY_CHANGES = ("display", "confidence", "attributes")


def _links(session: Session) -> dict[int, int | None]:
    """Every person mention's entity now (only the ones a run moves are written and re-hashed)."""
    rows = session.connection().exec_driver_sql(
        "SELECT id, entity_id FROM mention WHERE kind = 'person'"
    )
    return {int(m): (None if e is None else int(e)) for m, e in rows}


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
) -> list[dict[str, Any]]:
    """Add the ways each person was written that are new; returns the rows added."""
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
    return rows


# Incremental ------------------------------------------------------------------------------

PERSONS_GLOB = "persons-*.parquet"
TF_COLUMNS = ("full_name", "family")


def _save_persons(models_dir: Path, frame: pd.DataFrame, clusters: dict[int, int],
                  model_file: Path | None) -> None:  # fmt: skip
    """The linked mentions, ready to be compared with new ones without reading the store
    (written into a fresh folder, from which the run moves them into place)."""
    from candour.link.engine import prepare

    table = prepare(frame)
    table["person"] = [f"PER-{clusters[int(u)]}" for u in table["unique_id"]]
    table.to_parquet(models_dir / "persons-0000.parquet", index=False)
    for col in TF_COLUMNS:
        # Term frequencies as the full run saw them, so that an incremental run need not
        # count a million names again.
        tf = table[col].value_counts(normalize=True).rename_axis(col).reset_index(name=f"tf_{col}")
        tf.to_parquet(models_dir / f"tf-{col}.parquet", index=False)
    (models_dir / "latest.json").write_text(
        json.dumps({"model": model_file.name if model_file else None})
    )


def _files_as_committed(session: Session, models_dir: Path) -> None:
    """Refuse model files that are not the ones the committed link runs named."""
    from candour.ledger.integrity import model_file_findings

    findings = model_file_findings(session, models_dir)
    if findings:
        raise StoreError(
            f"{models_dir}: the link model files are not those of the last committed link run "
            f"({findings[0].where}: {findings[0].what}; an interrupted run?): run 'candour "
            "link' for a full run"
        )


@dataclass
class IncrementalReport:
    new_mentions: int = 0
    joined: int = 0
    new_persons: int = 0
    seconds: float = 0.0


def run_incremental(store: Store, actor: Actor, models_dir: Path) -> IncrementalReport:
    """Match mentions not linked yet against the stored persons, with the saved model.

    Only pairs between new and existing mentions are scored (Splink's predict_between); a new
    mention joins the person it links to best when that link is likely (>= 0.5) and clearly
    better than the next person, respects analysts' decisions and dates of birth, and
    otherwise starts a person of its own. A full run later reconsiders everything.
    """
    import time

    from candour.errors import NotFoundError
    from candour.link.engine import db_api, prepare

    t0 = time.perf_counter()
    report = IncrementalReport()
    latest = models_dir / "latest.json"
    if not latest.exists() or not list(models_dir.glob(PERSONS_GLOB)):
        raise NotFoundError("no linked persons yet: run 'candour link' (a full run) first")
    with store.reading() as session:
        _files_as_committed(session, models_dir)
        new = person_frame(session, unlinked_only=True)
        decided = constraints(session)
    report.new_mentions = len(new)
    if new.empty:
        report.seconds = time.perf_counter() - t0
        return report
    # A mention that repeats a name of its own record (a partial name, a full name in the text)
    # goes where that name goes, and lends it what it says (a date of birth, a phone).
    antecedent = antecedents(new, keep=decided.mentions())
    new = with_coreferents(new, antecedent)
    own = new[~new["unique_id"].isin(antecedent)]
    model_file = models_dir / json.loads(latest.read_text())["model"]
    choice = _match_new(own, models_dir, model_file, db_api, prepare, decided)
    digest = model_file.stem.rsplit("-", 1)[-1]
    fresh: dict[int, list[int]] = {}  # a new person (its first mention) -> its mentions
    assigned: dict[int, str] = {}
    for u in own["unique_id"].astype(int):
        if u in choice:
            assigned[u] = choice[u]
        else:
            fresh[u] = [u]
    for u, full in sorted(antecedent.items()):
        if full in assigned:
            assigned[u] = assigned[full]
        else:
            fresh[full].append(u)
    report.joined = len(assigned)
    report.new_persons = len(fresh)
    table = prepare(new)
    person_of = {m: f"PER-{c}" for c, ms in fresh.items() for m in ms}
    table["person"] = [assigned.get(int(u)) or person_of[int(u)] for u in table["unique_id"]]
    n = len(list(models_dir.glob(PERSONS_GLOB)))
    part = models_dir / f"persons-{n:04d}.parquet"
    staged = models_dir / f".{part.name}.staged"
    table.to_parquet(staged, index=False)
    try:
        with store.transaction() as session:
            _write_incremental(session, new, assigned, fresh, digest, actor)
            append(
                session,
                [
                    EventDraft(
                        EventAction.RESOLVE, "link_run", digest, actor.id, actor.rank,
                        purpose="incremental person linkage",
                        payload={"run": "incremental", "new_mentions": report.new_mentions,
                                 "joined": report.joined, "new_persons": report.new_persons,
                                 "files": {part.name: file_digest(staged)}},
                    )
                ],
            )  # fmt: skip
        staged.replace(part)
    finally:
        staged.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - t0
    return report


def _match_new(
    new: pd.DataFrame, models_dir: Path, model_file: Path, db_api: Any, prepare: Any,
    decided: Any, prefilter: bool = True,
) -> dict[int, str]:  # fmt: skip
    """New mention -> the existing person it clearly belongs to.

    `prefilter=False` hands Splink every stored mention (the slow way, kept as the baseline
    that the benchmark checks the pre-filter against)."""
    import logging

    from splink import Linker

    api = db_api()
    con = api._con
    model = json.loads(model_file.read_text())
    prepared = prepare(new)
    stored = f"read_parquet('{models_dir.as_posix()}/{PERSONS_GLOB}', union_by_name=true)"
    found = candidate_filter(model, prepared) if prefilter else None
    if found is None:  # a rule this filter cannot read: compare with everything stored
        con.execute(f"create table existing as select * from {stored}")
    else:
        where, params = found
        if not params:
            return {}
        # One pass over the stored copy picks every mention a blocking rule could pair with a
        # new one, so Splink then blocks and scores a handful of rows, not a million.
        con.execute(f"create table existing as select * from {stored} where {where}", params)
    ((count,),) = con.execute("select count(*) from existing").fetchall()
    if not count:
        return {}
    existing = api.register("existing", table_name="existing_persons")
    fresh = api.register(prepared, table_name="new_mentions")
    # The saved model was validated against these very columns when it was trained; checking
    # again parses every comparison's SQL and is a third of the time of a one-mention match.
    linker = Linker(fresh, model, log_level=logging.ERROR, validate_settings=False)
    for col in TF_COLUMNS:
        # Only the frequencies of names that can meet in a pair: a million mentions have
        # hundreds of thousands of distinct names, which Splink would otherwise join every time.
        values = [str(v) for v in prepared[col].dropna().unique()]
        con.execute(
            f"create table tf_{col}_lookup as select * from "
            f"read_parquet('{(models_dir / f'tf-{col}.parquet').as_posix()}') "
            f'where "{col}" in (select "{col}" from existing) '
            f'or list_contains(?::VARCHAR[], "{col}")',
            [values],
        )
        tf = api.register(f"tf_{col}_lookup", table_name=f"tf_{col}_registered")
        linker.table_management.register_term_frequency_lookup(tf, col)
    pairs = linker.inference.predict_between(fresh, existing, threshold_match_probability=0.3)
    rows = con.execute(
        f"""
        select p.unique_id_l, p.unique_id_r, p.match_probability, e.person, e.dob, e.unique_id
        from {pairs.physical_name} p
        join existing e on e.unique_id = p.unique_id_r or e.unique_id = p.unique_id_l
        """
    ).fetchall()
    new_ids = set(new["unique_id"].astype(int))
    born = {int(u): str(d) for u, d in zip(new["unique_id"], new["dob"], strict=True) if d}
    banned: dict[int, set[int]] = {}
    for a, b in decided.different:
        banned.setdefault(a, set()).add(b)
        banned.setdefault(b, set()).add(a)
    forced = {a: b for a, b in decided.same} | {b: a for a, b in decided.same}
    best: dict[int, dict[str, float]] = {}
    excluded: dict[int, set[str]] = {}
    for left, right, prob, person, dob, eid in rows:
        u = int(left) if int(left) in new_ids and int(eid) != int(left) else int(right)
        if u not in new_ids or int(eid) == u:
            continue
        if int(eid) in banned.get(u, set()) or (
            u in born
            and dob
            and (abs(int(str(dob)[:4]) - int(born[u][:4])) > 1 or dates_apart(str(dob), born[u]))
        ):
            excluded.setdefault(u, set()).add(person)
            continue
        if forced.get(u) == int(eid):
            prob = 1.0
        best.setdefault(u, {})[person] = max(best.get(u, {}).get(person, 0.0), float(prob))
    out: dict[int, str] = {}
    for u, options in best.items():
        ranked = sorted(
            ((p, pr) for p, pr in options.items() if p not in excluded.get(u, set())),
            key=lambda x: -x[1],
        )
        if (
            ranked
            and ranked[0][1] >= 0.5
            and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= 0.2)
        ):
            out[u] = ranked[0][0]
    return out


_EQUALITY = re.compile(r'l\."?(\w+)"?\s*=\s*r\."?(\w+)"?')
_GLUE = re.compile(r"(?i)[()\s]|\band\b")


def candidate_filter(model: Mapping[str, Any], new: pd.DataFrame) -> tuple[str, list[Any]] | None:
    """A condition on stored mentions (with its parameters) that holds for every one that some
    prediction blocking rule of `model` could pair with a row of `new`: the rules' equalities
    with the new rows' values put in, both ways round, empty values left out (they never
    match). None if a rule is anything but equalities joined by AND."""
    clauses: list[str] = []
    params: list[Any] = []
    seen: set[str] = set()
    rows = new.to_dict("records")
    for rule in model.get("blocking_rules_to_generate_predictions", []):
        sql = rule["blocking_rule"]
        pairs = _EQUALITY.findall(sql)
        if not pairs or _GLUE.sub("", _EQUALITY.sub("", sql)):
            return None
        arrays = set(rule.get("arrays_to_explode") or [])
        for orientation in (pairs, [(b, a) for a, b in pairs]):
            for row in rows:
                clause, values = _clause(orientation, row, arrays)
                key = repr((clause, values))
                if clause is not None and key not in seen:  # symmetric rules give it twice
                    seen.add(key)
                    clauses.append(clause)
                    params.extend(values)
    return (" or ".join(clauses) or "false"), params


def _clause(
    pairs: Sequence[tuple[str, str]], row: Mapping[str, Any], arrays: set[str]
) -> tuple[str | None, list[Any]]:
    parts: list[str] = []
    values: list[Any] = []
    for new_col, stored_col in pairs:
        value = row.get(new_col)
        if new_col in arrays:
            items = [str(v) for v in (value if value is not None else []) if v is not None]
            if not items:
                return None, []
            parts.append(f'list_has_any("{stored_col}", ?::VARCHAR[])')
            values.append(items)
            continue
        if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
            return None, []
        parts.append(f'"{stored_col}" = ?')
        values.append(value.item() if hasattr(value, "item") else value)
    return "(" + " and ".join(parts) + ")", values


def _write_incremental(
    session: Session, new: pd.DataFrame, assigned: dict[int, str], fresh: dict[int, list[int]],
    digest: str, actor: Actor,
) -> None:  # fmt: skip
    names = dict(zip(new["unique_id"].astype(int), new["text"], strict=True))
    ids = {
        uid: eid
        for uid, eid in session.execute(
            select(Entity.uid, Entity.id).where(Entity.uid.in_(sorted(set(assigned.values()))))
        )
    }
    now = utcnow()
    rows = []
    for cid, eid in zip(fresh, allocate_ids(session, "entity", len(fresh)), strict=True):
        ids[f"PER-{cid}"] = eid
        rows.append(_entity_row(eid, cid, fresh[cid], names, {}, now, digest))
    insert_many(session, table_of(Entity), rows)
    pairs = [(ids[p], m) for m, p in assigned.items() if p in ids]
    pairs += [(ids[f"PER-{c}"], m) for c, ms in fresh.items() for m in ms]
    _set_entities(session, pairs)
    members: dict[int, list[int]] = defaultdict(list)
    for m, p in assigned.items():
        if p in ids:
            members[int(p[4:])].append(m)
    for c, ms in fresh.items():
        members[c].extend(ms)
    aliases = _aliases(session, members, names, ids)
    # The mentions matched were not linked (person_frame's unlinked_only): nothing to remove.
    record_changes(
        session,
        {
            "entity": Change(added=rows),
            "mention_link": Change(added=[{"id": m, "entity_id": e} for e, m in pairs]),
            "person_alias": Change(added=aliases),
        },
        actor.id,
        actor.rank,
        action="resolve",
        purpose="incremental person linkage",
    )
