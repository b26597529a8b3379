"""Full verification: rebuild the tree from stored events and check it, the stored interior
nodes, the head, a signed checkpoint and every protected row of data against each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.ledger import merkle
from candour.ledger.log import NODE_LEVEL_SHIFT, STORED_MIN_LEVEL, leaf_bytes
from candour.ledger.note import Checkpoint
from candour.store.hashing import PROTECTED
from candour.store.models import Base, LedgerEvent, LedgerHead, LedgerNode
from candour.store.types import iso

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

    @property
    def intact(self) -> bool:
        return not self.findings

    def add(self, finding: Finding) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)


Progress = Callable[[int], None]


class _Levels:
    """Interior node hashes recomputed during the scan, one flat buffer per level."""

    def __init__(self) -> None:
        self.buffers: list[bytearray] = []

    def add(self, level: int, index: int, h: bytes) -> None:
        if level < STORED_MIN_LEVEL:
            return
        while len(self.buffers) <= level - STORED_MIN_LEVEL:
            self.buffers.append(bytearray())
        self.buffers[level - STORED_MIN_LEVEL] += h

    def get(self, level: int, index: int) -> bytes | None:
        if not 0 <= level - STORED_MIN_LEVEL < len(self.buffers):
            return None
        buf = self.buffers[level - STORED_MIN_LEVEL]
        return bytes(buf[index * 32 : index * 32 + 32]) if len(buf) >= index * 32 + 32 else None

    def count(self) -> int:
        return sum(len(b) // 32 for b in self.buffers)


def verify(
    session: Session, checkpoint: Checkpoint | None = None, progress: Progress | None = None
) -> Report:
    report = Report(checkpoint=checkpoint)
    levels = _Levels()
    frontier = merkle.Frontier()
    latest: dict[tuple[str, str], tuple[str | None, int]] = {}
    cp_root = _scan_events(session, report, frontier, levels, latest, checkpoint, progress)
    report.size, report.root = frontier.size, frontier.root()
    _check_head(session, report, frontier)
    _check_checkpoint(report, checkpoint, cp_root)
    _check_nodes(session, report, levels)
    _check_data(session, report, latest)
    return report


def _scan_events(
    session: Session,
    report: Report,
    frontier: merkle.Frontier,
    levels: _Levels,
    latest: dict[tuple[str, str], tuple[str | None, int]],
    checkpoint: Checkpoint | None,
    progress: Progress | None,
) -> bytes | None:
    e = LedgerEvent
    stmt = select(
        e.idx,
        e.ts,
        e.action,
        e.actor_id,
        e.actor_rank,
        e.target_id,
        e.target_rank,
        e.record_id,
        e.entity_type,
        e.entity_id,
        e.subject_hash,
        e.purpose,
        e.payload,
        e.leaf_hash,
    ).order_by(e.idx)
    sha = hashlib.sha256
    push = frontier.push
    on_node = levels.add
    cp_size = checkpoint.size if checkpoint else -1
    cp_root = merkle.EMPTY_ROOT if cp_size == 0 else None
    expected = 0
    for rows in session.execute(stmt.execution_options(yield_per=BATCH)).partitions():
        for r in rows:
            idx = r[0]
            if idx != expected:
                report.add(
                    Finding(f"event {expected}", f"missing (next stored event is {idx})", expected)
                )
                # The tree cannot be rebuilt past a gap: later leaves would sit at wrong indices.
                return cp_root
            data = leaf_bytes(idx, iso(r[1]) or "", *r[2:13])  # type: ignore[arg-type]
            leaf = sha(b"\x00" + data).digest()
            if leaf != bytes(r[13]):
                report.add(Finding(f"event {idx}", _describe_leaf_change(r[2], r[8], r[9]), idx))
            if r[8] in PROTECTED and r[9] is not None:
                latest[(r[8], r[9])] = (r[10], idx)
            push(leaf, on_node)
            expected += 1
            if expected == cp_size:
                cp_root = frontier.root()
        report.events = expected
        if progress:
            progress(expected)
    return cp_root


def _describe_leaf_change(action: str, entity_type: str, entity_id: str | None) -> str:
    return (
        f"stored columns of this '{action}' event on {entity_type} {entity_id} no longer match "
        "its leaf hash (altered after it was logged)"
    )


def _check_head(session: Session, report: Report, frontier: merkle.Frontier) -> None:
    row = session.execute(select(LedgerHead.size, LedgerHead.frontier)).one_or_none()
    if row is None:
        report.add(Finding("ledger head", "missing"))
        return
    size, edge = int(row[0]), bytes(row[1])
    if size != frontier.size:
        what = "truncated" if size > frontier.size else "has events beyond the head"
        report.add(
            Finding(
                "ledger", f"{what}: head says {size} events, {frontier.size} stored", frontier.size
            )
        )
    elif edge != frontier.to_bytes():
        report.add(Finding("ledger head", "right edge of the tree differs from the events"))


def _check_checkpoint(report: Report, cp: Checkpoint | None, cp_root: bytes | None) -> None:
    if cp is None:
        return
    if cp.size > report.size:
        report.add(
            Finding(
                "ledger",
                f"truncated: checkpoint covers {cp.size} events, only {report.size} stored",
                report.size,
            )
        )
    elif cp_root != cp.root:
        what = "root hash differs from the tree rebuilt from stored events"
        report.add(Finding(f"checkpoint of size {cp.size}", what))


def _check_nodes(session: Session, report: Report, levels: _Levels) -> None:
    mask = (1 << NODE_LEVEL_SHIFT) - 1
    seen = 0
    stmt = select(LedgerNode.key, LedgerNode.hash).order_by(LedgerNode.key)
    for rows in session.execute(stmt.execution_options(yield_per=BATCH)).partitions():
        for key, h in rows:
            level, index = int(key) >> NODE_LEVEL_SHIFT, int(key) & mask
            want = levels.get(level, index)
            if want is None:
                report.add(Finding(f"interior node {level}/{index}", "not part of the tree"))
            elif want != bytes(h):
                report.add(
                    Finding(
                        f"interior node {level}/{index}",
                        "differs from the tree rebuilt from events",
                    )
                )
            seen += 1
    if seen != levels.count():
        report.add(Finding("interior nodes", f"{levels.count() - seen} missing"))


def _check_data(
    session: Session, report: Report, latest: dict[tuple[str, str], tuple[str | None, int]]
) -> None:
    """Every protected row must match the hash its latest event logged, and vice versa."""
    for entity_type, (table_name, key_column, hasher, columns) in PROTECTED.items():
        tbl = Base.metadata.tables[table_name]
        cols = [tbl.c[key_column], tbl.c["content_hash"], *(tbl.c[c] for c in columns)]
        stmt = select(*cols).order_by(tbl.c[key_column]).execution_options(yield_per=BATCH)
        seen: set[str] = set()
        for rows in session.execute(stmt).partitions():
            for row in rows:
                m = row._mapping
                key = str(m[key_column])
                seen.add(key)
                report.rows_checked += 1
                _check_row(
                    report, f"{table_name} {key}", m, hasher(m), latest.get((entity_type, key))
                )
        for (etype, key), (_, idx) in latest.items():
            if etype == entity_type and key not in seen:
                what = f"logged by event {idx} but no longer stored (deleted)"
                report.add(Finding(f"{table_name} {key}", what, idx))


def _check_row(
    report: Report, where: str, row: Any, actual: str, logged: tuple[str | None, int] | None
) -> None:
    if logged is None:
        report.add(Finding(where, "has no ledger event (written outside Candour)"))
    elif logged[0] != actual:
        what = f"content differs from what event {logged[1]} logged (altered after it was logged)"
        report.add(Finding(where, what, logged[1]))
    elif row["content_hash"] != actual:
        report.add(Finding(where, "stored content hash does not match its content"))
