"""Full verification: rebuild the tree from stored events and check it, the stored interior
nodes, the head, a signed checkpoint and every protected row of data against each other.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson
from sqlalchemy.orm import Session

from candour.ledger import merkle
from candour.ledger.log import NODE_LEVEL_SHIFT, STORED_MIN_LEVEL
from candour.ledger.note import Checkpoint
from candour.ledger.scan import ScanResult, build_levels, protected_rows, scan_range
from candour.store.digests import AGGREGATES, TABLE_EVENT, table_state
from candour.store.hashing import PROTECTED

MAX_FINDINGS = 50
BATCH = 20_000


@dataclass(frozen=True)
class Finding:
    """One divergence: which entry (event index, or table row) and what differs."""

    where: str
    what: str
    index: int | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class Report:
    events: int = 0
    size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    checkpoint: Checkpoint | None = None
    rows_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    #: What the result does not prove (no outside checkpoint): for the CLI to print.
    warnings: list[str] = field(default_factory=list)
    files_checked: int = 0

    @property
    def intact(self) -> bool:
        return not self.findings

    def add(self, finding: Finding) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)


Progress = Callable[[int], None]
PARALLEL_FROM = 200_000  # events; below this, one process is faster than starting workers
HASH = merkle.HASH_SIZE


CheckpointSource = Literal["file", "store", "none"]
NO_WITNESS = (
    "no outside checkpoint: this check trusts the store's own copy of the ledger, so it proves "
    "nothing against an insider who holds the signing key and rewrites the store; verify "
    "against a checkpoint held outside (--checkpoint FILE)"
)
STORE_WITNESS = (
    "the checkpoint came from the store itself, not from outside: it proves nothing against an "
    "insider who holds the signing key and rewrites the store; verify against a checkpoint "
    "held outside (--checkpoint FILE)"
)


def verify(
    session: Session,
    checkpoint: Checkpoint | None = None,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
    models_dir: Path | None = None,
    checkpoint_source: CheckpointSource | None = None,
) -> Report:
    """Rebuild the tree from the stored events and check it against everything that relies on it:
    the head, the stored interior nodes, a signed checkpoint, every protected row, the digests
    of the tables that change in bulk, the order of event times and (given `models_dir`) the
    model files that link runs named.

    `checkpoint_source` says where `checkpoint` came from: "file" (held outside, the default
    when one is given), "store" (the store's own latest copy) or "none"; unless it is "file",
    `Report.warnings` says that the result proves nothing against an insider with the key.

    On a large log two worker processes rebuild the leaves (and their halves of the tree) while
    this process hashes the protected data rows and reads the stored interior nodes, so all of
    the machine works at once. The store's URL must be one other processes can open. Damage
    found anywhere is a `Finding` naming the place, never an exception.
    """
    report = Report(checkpoint=checkpoint)
    source = checkpoint_source or ("file" if checkpoint is not None else "none")
    if checkpoint is None or source == "none":
        report.warnings.append(NO_WITNESS)
    elif source == "store":
        report.warnings.append(STORE_WITNESS)
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    stored_head = _read_head(session, report)
    size = stored_head[0] if stored_head else 0
    top = _max_index(session, report)
    hi = max(size, (top + 1) if top is not None else 0)
    n = workers if workers is not None else min(2, os.cpu_count() or 1)
    if hi < PARALLEL_FROM or n < 2:
        scans = [scan_range(url, 0, hi)]
        data, nodes = _hash_data(session), _stored_nodes(session, report)
        tables = _table_digests(session)
    else:
        mid = 1 << ((hi - 1).bit_length() - 1)  # a power of two: each half is whole subtrees
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
            futures = [
                pool.submit(scan_range, url, 0, mid, with_levels=True),
                pool.submit(scan_range, url, mid, hi, with_levels=True),
            ]
            data, nodes = _hash_data(session), _stored_nodes(session, report)
            tables = _table_digests(session)
            scans = [f.result() for f in futures]
    if progress:
        progress(sum(r.count for r in scans))
    leaves, latest = _combine(scans, report)
    levels = _merge_levels(scans, leaves)
    count = len(leaves) // HASH
    report.events = report.size = count
    report.root = _root(levels, count)
    _check_head(stored_head, report, levels, count)
    _check_checkpoint(report, checkpoint, levels)
    _compare_nodes(report, levels, nodes)
    _compare_data(report, latest, data)
    _compare_tables(report, latest, tables)
    if models_dir is not None:
        _check_model_files(report, models_dir, [run for scan in scans for run in scan.link_runs])
    return report


def _read_head(session: Session, report: Report) -> tuple[int, bytes] | None:
    """The head row as (size, frontier), or None with a finding if it is missing or garbage."""
    try:
        rows = session.connection().exec_driver_sql("SELECT size, frontier FROM ledger_head").all()
    except Exception as exc:  # a dropped or altered table: report it, do not crash
        report.add(Finding("ledger head", f"cannot be read ({type(exc).__name__})"))
        session.rollback()
        return None
    if not rows:
        report.add(Finding("ledger head", "missing"))
        return None
    if len(rows) > 1:
        report.add(Finding("ledger head", f"{len(rows)} head rows where there must be one"))
    size, frontier = rows[0]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        report.add(Finding("ledger head", "its size is not a count of events"))
        return None
    if not isinstance(frontier, bytes | bytearray | memoryview) or len(frontier) % HASH:
        report.add(Finding("ledger head", "its frontier is not a list of 32-byte hashes"))
        return None
    return size, bytes(frontier)


def _max_index(session: Session, report: Report) -> int | None:
    top = session.connection().exec_driver_sql("SELECT MAX(idx) FROM ledger_event").scalar()
    if top is None:
        return None
    try:
        return int(top)
    except (TypeError, ValueError):
        report.add(Finding("ledger", "an event's index is not a number"))
        return None


def _merge_levels(scans: list[ScanResult], leaves: bytes) -> list[bytes]:
    """Join the workers' subtree hashes level by level, then hash the levels above them."""
    if len(scans) == 1 or not all(scan.levels or scan.count <= 1 for scan in scans):
        return build_levels(leaves)
    if any(scan.gap_at is not None for scan in scans) or scans[0].count != scans[1].lo:
        return build_levels(leaves)
    depth = max(len(scan.levels) for scan in scans)
    levels = [leaves]
    for level in range(depth):
        levels.append(b"".join(scan.levels[level] for scan in scans if level < len(scan.levels)))
    current = levels[-1]
    while len(current) >= 64:
        current = build_levels(current)[1]
        levels.append(current)
    return levels


def _combine(
    scans: list[ScanResult], report: Report
) -> tuple[bytes, dict[tuple[str, str], tuple[str | None, int]]]:
    parts: list[bytes] = []
    latest: dict[tuple[str, str], tuple[str | None, int]] = {}
    marks = [scan.clock_mark for scan in scans if scan.clock_mark is not None]
    clock_from = max(marks) if marks else -1
    previous: str | None = None
    for scan in scans:
        for idx, what in scan.garbled:
            report.add(Finding(f"event {idx}", what, idx))
        for idx, action, etype, eid in scan.changed:
            report.add(Finding(f"event {idx}", _describe_leaf_change(action, etype, eid), idx))
        backwards = [i for i in scan.backwards if i > clock_from]
        # The first event of a worker's range is compared with the last of the range before.
        first = scan.first_ts
        if previous is not None and first is not None and first < previous and scan.lo > clock_from:
            backwards.insert(0, scan.lo)
        for idx in backwards:
            what = "time runs backwards (earlier than the event before it)"
            report.add(Finding(f"event {idx}", what, idx))
        previous = scan.last_ts or previous
        latest.update(scan.latest)
        parts.append(scan.leaves)
        if scan.gap_at is not None:
            # The tree cannot be rebuilt past a gap: later leaves would sit at wrong indices.
            what = (
                f"missing (next stored event is {scan.next_found})"
                if scan.next_found is not None
                else "missing"
            )
            report.add(Finding(f"event {scan.gap_at}", what, scan.gap_at))
            break
    return b"".join(parts), latest


def _node(levels: list[bytes], level: int, index: int) -> bytes | None:
    if level >= len(levels):
        return None
    h = levels[level][index * HASH : (index + 1) * HASH]
    return h if len(h) == HASH else None


def _plan_hashes(levels: list[bytes], size: int) -> list[bytes]:
    out = []
    for level, index in merkle.subtree_plan(0, size):
        h = _node(levels, level, index)
        assert h is not None
        out.append(h)
    return out


def _root(levels: list[bytes], size: int) -> bytes:
    return merkle.fold_plan(_plan_hashes(levels, size)) if size else merkle.EMPTY_ROOT


def _describe_leaf_change(action: str, entity_type: str, entity_id: str | None) -> str:
    return (
        f"stored columns of this '{action}' event on {entity_type} {entity_id} no longer match "
        "its leaf hash (altered after it was logged)"
    )


def _check_head(
    row: tuple[int, bytes] | None, report: Report, levels: list[bytes], count: int
) -> None:
    if row is None:
        return  # reported when read
    size, edge = row
    if size != count:
        what = "truncated" if size > count else "has events beyond the head"
        report.add(Finding("ledger", f"{what}: head says {size} events, {count} stored", count))
    elif edge != b"".join(_plan_hashes(levels, count)):
        report.add(Finding("ledger head", "right edge of the tree differs from the events"))


def _check_checkpoint(report: Report, cp: Checkpoint | None, levels: list[bytes]) -> None:
    if cp is None:
        return
    if cp.size > report.size:
        what = f"truncated: checkpoint covers {cp.size} events, only {report.size} stored"
        report.add(Finding("ledger", what, report.size))
    elif _root(levels, cp.size) != cp.root:
        what = "root hash differs from the tree rebuilt from stored events"
        report.add(Finding(f"checkpoint of size {cp.size}", what))


StoredLevel = tuple[list[bytes], list[tuple[int, bytes]]]


def _stored_nodes(session: Session, report: Report) -> dict[int, StoredLevel]:
    """Stored interior nodes by level: the hashes of indices 0, 1, 2 ... as long as they run
    on, then any others as (index, hash). Rows come in key order, so a whole healthy level is
    one run and costs one comparison and one append per row."""
    shift, mask = NODE_LEVEL_SHIFT, (1 << NODE_LEVEL_SHIFT) - 1
    out: dict[int, StoredLevel] = {}
    raw = session.connection().exec_driver_sql("SELECT key, hash FROM ledger_node ORDER BY key")
    expected = -1  # the key that continues the current run
    run: list[bytes] = []
    while rows := raw.fetchmany(BATCH):
        for key, h in rows:
            if key == expected and h.__class__ is bytes:
                run.append(h)
                expected += 1
                continue
            if not isinstance(key, int) or not isinstance(h, bytes | bytearray | memoryview):
                report.add(Finding("interior nodes", "a stored node is not a key and a hash"))
                continue
            run, extra = out.setdefault(int(key) >> shift, ([], []))
            index = int(key) & mask
            if index == len(run) and not extra:
                run.append(bytes(h))
                expected = int(key) + 1
            else:
                extra.append((index, bytes(h)))
                expected = -1
    return out


def _compare_nodes(report: Report, levels: list[bytes], nodes: dict[int, StoredLevel]) -> None:
    """A whole level compared at once; rows examined one by one only where a level differs."""
    for level in sorted(set(nodes) | set(range(STORED_MIN_LEVEL, len(levels)))):
        run, extra = nodes.get(level, ([], []))
        want = levels[level] if level < len(levels) else b""
        if not extra and b"".join(run) == want:
            continue
        expected = {i: want[i * HASH : (i + 1) * HASH] for i in range(len(want) // HASH)}
        for index, h in [*enumerate(run), *extra]:
            if index not in expected:
                report.add(Finding(f"interior node {level}/{index}", "not part of the tree"))
            elif expected.pop(index) != h:
                what = "differs from the tree rebuilt from events"
                report.add(Finding(f"interior node {level}/{index}", what))
        if expected:
            report.add(Finding(f"interior nodes at level {level}", f"{len(expected)} missing"))


DataHashes = dict[str, list[tuple[str, str, str]]]


def _hash_data(session: Session) -> DataHashes:
    """For each protected entity type: (key, stored content hash, recomputed hash) per row."""
    connection = session.connection()
    out: DataHashes = {}
    for entity_type, (table_name, key_column, hasher, columns) in PROTECTED.items():
        out[entity_type] = [
            (key, stored, _rehash(hasher, content))
            for key, stored, content in protected_rows(connection, table_name, key_column, columns)
        ]
    return out


def _rehash(hasher: Callable[[Any], str], content: dict[str, Any]) -> str:
    try:
        return hasher(content)
    except (TypeError, ValueError, orjson.JSONEncodeError):
        return "<a column holds a value that cannot be hashed>"


TableStates = dict[str, tuple[str, int]]


def _table_digests(session: Session) -> TableStates:
    """Each aggregate digest recomputed from its table's rows: (digest, rows)."""
    connection = session.connection()
    out: TableStates = {}
    for name, aggregate in AGGREGATES.items():
        state = table_state(connection, aggregate)
        out[name] = (state.hexdigest(), state.count)
    return out


def _compare_tables(
    report: Report, latest: dict[tuple[str, str], tuple[str | None, int]], tables: TableStates
) -> None:
    """A table that changes in bulk must hash to the digest its last `table` event logged."""
    for name, (actual, rows) in tables.items():
        logged = latest.get((TABLE_EVENT, name))
        where = f"table {AGGREGATES[name].table}" + (
            " (mention links)" if name == "mention_link" else ""
        )
        report.rows_checked += rows
        if logged is None:
            if rows:
                report.add(Finding(where, f"{rows} rows but no digest in the ledger (written "
                                          "outside Candour)"))  # fmt: skip
        elif logged[0] != actual:
            what = (
                f"rows differ from the digest event {logged[1]} logged (a row was altered, "
                "added or deleted after it was logged)"
            )
            report.add(Finding(where, what, logged[1]))


def model_file_findings(session: Session, models_dir: Path) -> list[Finding]:
    """Whether the link model files are the ones the committed link runs named (the store is
    the authority; the files are its cache): a run killed between writing its files and
    committing, or between committing and moving them into place, shows here."""
    from sqlalchemy import select

    from candour.store.models import LedgerEvent

    rows = session.execute(
        select(LedgerEvent.idx, LedgerEvent.entity_id, LedgerEvent.payload)
        .where(LedgerEvent.entity_type == "link_run")
        .order_by(LedgerEvent.idx)
    ).all()
    report = Report()
    _check_model_files(report, models_dir, [(i, e, p) for i, e, p in rows])
    return report.findings


def _check_model_files(
    report: Report, models_dir: Path, runs: list[tuple[int, str | None, str]]
) -> None:
    """The files link runs left must be the ones they named: present, and with their digests.

    A full run names every file it leaves and replaces the snapshot; an incremental run names
    the snapshot part it adds. Files from older full runs that are still present are checked
    too; a model or snapshot file no run named is reported."""
    named: dict[str, tuple[str, int]] = {}
    expected: set[str] = set()
    for idx, _, payload in runs:
        try:
            data = orjson.loads(payload)
            files = data.get("files") if isinstance(data, dict) else None
        except orjson.JSONDecodeError:
            report.add(Finding(f"event {idx}", "its payload is not JSON", idx))
            continue
        if not isinstance(files, dict):
            continue  # a run logged before model files were named
        if data.get("run") == "full":
            expected = set()
        for name, digest in files.items():
            if isinstance(name, str) and isinstance(digest, str):
                named[name] = (digest, idx)
                expected.add(name)
    present = (
        {p.name: p for p in models_dir.iterdir() if p.is_file()} if models_dir.is_dir() else {}
    )
    for name, (digest, idx) in sorted(named.items()):
        path = present.get(name)
        where = f"model file {name}"
        if path is None:
            if name in expected:
                report.add(Finding(where, f"named by event {idx} but missing", idx))
            continue
        report.files_checked += 1
        if _file_digest(path) != digest:
            what = f"differs from the digest event {idx} logged (altered after the run)"
            report.add(Finding(where, what, idx))
    if not named:
        return
    for name in sorted(present):
        if name not in named and _is_model_file(name):
            report.add(Finding(f"model file {name}", "not named by any link run in the ledger"))


def _is_model_file(name: str) -> bool:
    return name.endswith((".json", ".parquet")) and not name.startswith(".")


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _compare_data(
    report: Report, latest: dict[tuple[str, str], tuple[str | None, int]], data: DataHashes
) -> None:
    """Every protected row must match the hash its latest event logged, and vice versa."""
    for entity_type, rows in data.items():
        table_name = PROTECTED[entity_type][0]
        seen: set[str] = set()
        for key, stored, actual in rows:
            seen.add(key)
            report.rows_checked += 1
            logged = latest.get((entity_type, key))
            _check_row(report, f"{table_name} {key}", stored, actual, logged)
        for (etype, key), (_, idx) in latest.items():
            if etype == entity_type and key not in seen:
                what = f"logged by event {idx} but no longer stored (deleted)"
                report.add(Finding(f"{table_name} {key}", what, idx))


def _check_row(
    report: Report, where: str, stored: str, actual: str, logged: tuple[str | None, int] | None
) -> None:
    if logged is None:
        report.add(Finding(where, "has no ledger event (written outside Candour)"))
    elif logged[0] != actual:
        what = f"content differs from what event {logged[1]} logged (altered after it was logged)"
        report.add(Finding(where, what, logged[1]))
    elif stored != actual:
        report.add(Finding(where, "stored content hash does not match its content"))
