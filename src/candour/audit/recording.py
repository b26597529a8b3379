"""Crime-data-integrity audit, in the style of the police inspectorate's: recording rates by
offence group, unit and month; every disclosure without a crime record; time to decision;
breaches of the 24-hour rule and who was responsible.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.store.models import Decision, Disclosure, Escalation, Record, User
from candour.store.types import iso

BUCKETS = (
    (timedelta(hours=1), "<=1h"),
    (timedelta(hours=6), "<=6h"),
    (timedelta(hours=24), "<=24h"),
    (timedelta(hours=72), "<=72h"),
    (timedelta(days=7), "<=7d"),
)
DEADLINE = timedelta(hours=24)


@dataclass
class Row:
    record: str
    ref: str | None
    received_at: datetime
    offence_code: str | None
    offence_group: str
    unit: str
    responsible: str | None
    recorded: bool
    first_decision: datetime | None
    last_outcome: str | None
    last_reason: str | None
    decided_by: str | None

    @property
    def breach(self) -> bool:
        return self.first_decision is None or self.first_decision - self.received_at > DEADLINE


@dataclass
class Audit:
    rows: list[Row]
    period: tuple[datetime | None, datetime | None]
    escalations: dict[str, Escalation] = field(default_factory=dict)  # by record uid

    @property
    def recorded_rate(self) -> float:
        return sum(r.recorded for r in self.rows) / len(self.rows) if self.rows else 1.0

    @property
    def unrecorded(self) -> list[Row]:
        return [r for r in self.rows if not r.recorded]

    @property
    def breaches(self) -> list[Row]:
        return [r for r in self.rows if r.breach]

    def rate_by(self, key: str) -> list[tuple[str, int, int, float]]:
        totals: Counter[str] = Counter()
        recorded: Counter[str] = Counter()
        for r in self.rows:
            k = r.received_at.strftime("%Y-%m") if key == "month" else str(getattr(r, key))
            totals[k] += 1
            recorded[k] += r.recorded
        return [(k, totals[k], recorded[k], recorded[k] / totals[k]) for k in sorted(totals)]

    def time_to_decision(self) -> list[tuple[str, int]]:
        counts: Counter[str] = Counter()
        for r in self.rows:
            if r.first_decision is None:
                counts["never"] += 1
                continue
            took = r.first_decision - r.received_at
            counts[next((label for limit, label in BUCKETS if took <= limit), ">7d")] += 1
        order = [label for _, label in BUCKETS] + [">7d", "never"]
        return [(label, counts[label]) for label in order]


def run_audit(
    session: Session, start: datetime | None = None, end: datetime | None = None
) -> Audit:
    stmt = select(Disclosure, Record.uid, Record.fields).join(
        Record, Record.id == Disclosure.record_id
    )
    if start:
        stmt = stmt.where(Disclosure.received_at >= start)
    if end:
        stmt = stmt.where(Disclosure.received_at < end)
    users = {u.id: u for u in session.scalars(select(User))}
    decisions: dict[int, list[Decision]] = defaultdict(list)
    for d in session.scalars(
        select(Decision).where(Decision.kind == "crime_recording").order_by(Decision.decided_at)
    ):
        decisions[d.record_id].append(d)
    rows = []
    for disclosure, uid, fields in session.execute(stmt):
        ds = decisions.get(disclosure.record_id, [])
        last = ds[-1] if ds else None
        person = users.get(disclosure.responsible_id) if disclosure.responsible_id else None
        rows.append(
            Row(
                record=uid,
                ref=(fields or {}).get("ref"),
                received_at=disclosure.received_at,
                offence_code=disclosure.offence_code,
                offence_group=disclosure.offence_group or "unknown",
                unit=person.unit or "unknown" if person else "unknown",
                responsible=person.identifier if person else None,
                recorded=any(d.outcome == "recorded" for d in ds),
                first_decision=ds[0].decided_at if ds else None,
                last_outcome=last.outcome if last else None,
                last_reason=last.reason if last else None,
                decided_by=users[last.decided_by].identifier
                if last and last.decided_by in users
                else None,
            )
        )
    escalations = {
        str(e.evidence["record"]): e
        for e in session.scalars(select(Escalation).where(Escalation.rule_id.is_not(None)))
        if "record" in (e.evidence or {})
    }
    return Audit(rows, (start, end), escalations)


def write_audit(audit: Audit, out: Path) -> list[Path]:
    """CSV files and charts; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for key in ("offence_group", "unit", "month"):
        path = out / f"recording_rate_by_{key}.csv"
        _csv(
            path,
            [key, "disclosures", "recorded", "rate"],
            [(k, n, rec, f"{rate:.3f}") for k, n, rec, rate in audit.rate_by(key)],
        )
        written.append(path)
    cols = [
        "record",
        "ref",
        "received_at",
        "offence_code",
        "offence_group",
        "unit",
        "responsible",
        "last_outcome",
        "last_reason",
        "decided_by",
    ]
    path = out / "disclosures_without_crime_record.csv"
    _csv(path, cols, [_fields(r, cols) for r in audit.unrecorded])
    written.append(path)
    path = out / "time_to_decision.csv"
    _csv(path, ["time_to_decision", "disclosures"], audit.time_to_decision())
    written.append(path)
    path = out / "breaches.csv"
    bcols = [
        "record",
        "ref",
        "received_at",
        "offence_group",
        "unit",
        "responsible",
        "first_decision",
        "escalation",
        "escalation_owner_rank",
        "escalation_status",
    ]
    brows = [[*_fields(r, bcols[:7]), *_escalation(audit, r)] for r in audit.breaches]
    _csv(path, bcols, brows)
    written.append(path)
    written.extend(_charts(audit, out))
    return written


def _escalation(audit: Audit, row: Row) -> list[Any]:
    e = audit.escalations.get(row.record)
    return [e.id, e.target_rank, e.status] if e else ["", "", ""]


def _fields(r: Row, cols: list[str]) -> list[Any]:
    out = []
    for c in cols:
        v = getattr(r, c)
        out.append(iso(v) if isinstance(v, datetime) else ("" if v is None else v))
    return out


def _csv(path: Path, header: list[str], rows: Any) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def _charts(audit: Audit, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    months = audit.rate_by("month")
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot([m[0] for m in months], [m[3] * 100 for m in months], marker="o", linewidth=1)
    ax.set_ylabel("disclosures recorded as crimes (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Crime-recording rate by month of receipt")
    ax.tick_params(axis="x", labelrotation=90, labelsize=6)
    fig.tight_layout()
    paths.append(out / "recording_rate_by_month.png")
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)
    ttd = audit.time_to_decision()
    fig, ax = plt.subplots(figsize=(7, 4))
    colours = ["#3a7" if label in ("<=1h", "<=6h", "<=24h") else "#c33" for label, _ in ttd]
    ax.bar([label for label, _ in ttd], [n for _, n in ttd], color=colours)
    ax.set_ylabel("disclosures")
    ax.set_title("Time from receipt to crime-recording decision (red: breach of 24h)")
    fig.tight_layout()
    paths.append(out / "time_to_decision.png")
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)
    return paths
