"""Oversight statistics: a pure function over facts drawn from the model, so the same figures
come out of the CLI, the web page and a test that builds a data set by hand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from candour.oversight.vocab import Finding, Outcome, rank_band

#: An investigation open this many days without a finding on every allegation is overdue.
OVERDUE_DAYS = 365


@dataclass(frozen=True)
class InvestigationFacts:
    uid: str
    case: str
    force: str
    mode: str
    received_at: datetime
    opened_at: datetime
    investigation_set: str | None = None
    exclude_above: str | None = None
    scope_narrowings: int = 0


@dataclass(frozen=True)
class AllegationFacts:
    uid: str
    case: str
    investigation: str | None
    complainant: str
    subject: str
    rank: str
    category: str
    finding: str | None = None
    upheld: bool | None = None
    outcome: str | None = None
    finding_at: datetime | None = None
    outcome_at: datetime | None = None


@dataclass(frozen=True)
class DecisionFacts:
    """Labels and commissioner requests and answers, for the counts beside the figures."""

    kind: str
    case: str
    force: str
    value: str | None
    investigation_set: str | None = None


@dataclass
class OversightStats:
    investigation_set: str | None
    investigations: int = 0
    allegations: int = 0
    complainants: int = 0
    officers: int = 0
    #: Officers by their most serious finding (Linden's "eight officers ... misconduct").
    officers_by_finding: dict[str, int] = field(default_factory=dict)
    allegations_by_finding: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    by_rank_band: dict[str, dict[str, int]] = field(default_factory=dict)
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)
    by_mode: dict[str, int] = field(default_factory=dict)
    scope_excludes_rank: list[dict[str, Any]] = field(default_factory=list)
    timeliness: dict[str, float | int | None] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    #: Complainant labels per investigation (uid -> label -> count): a label sits on the case,
    #: so it counts for each investigation of that case.
    labels_by_investigation: dict[str, dict[str, int]] = field(default_factory=dict)
    commissioner: dict[str, int] = field(default_factory=dict)
    #: The overdue investigations themselves, oldest first: uid, case, days open.
    overdue: list[dict[str, Any]] = field(default_factory=list)

    @property
    def misconduct(self) -> int:
        return self.officers_by_finding.get(Finding.MISCONDUCT.value, 0)

    @property
    def gross_misconduct(self) -> int:
        return self.officers_by_finding.get(Finding.GROSS_MISCONDUCT.value, 0)

    @property
    def dismissals(self) -> int:
        return self.outcomes.get(Outcome.DISMISSAL.value, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "investigation_set": self.investigation_set,
            "investigations": self.investigations,
            "allegations": self.allegations,
            "complainants": self.complainants,
            "officers": self.officers,
            "officers_by_finding": self.officers_by_finding,
            "allegations_by_finding": self.allegations_by_finding,
            "outcomes": self.outcomes,
            "by_rank_band": self.by_rank_band,
            "by_category": self.by_category,
            "by_mode": self.by_mode,
            "scope_excludes_rank": self.scope_excludes_rank,
            "timeliness": self.timeliness,
            "labels": self.labels,
            "labels_by_investigation": self.labels_by_investigation,
            "commissioner": self.commissioner,
            "overdue": self.overdue,
        }

    def rows(self) -> list[tuple[str, str, str | int | float | None]]:
        """(section, key, value) rows: the table and CSV forms."""
        out: list[tuple[str, str, str | int | float | None]] = [
            ("total", "investigations", self.investigations),
            ("total", "allegations", self.allegations),
            ("total", "complainants", self.complainants),
            ("total", "subject officers", self.officers),
            ("officers", "case to answer: misconduct", self.misconduct),
            ("officers", "case to answer: gross misconduct", self.gross_misconduct),
            ("outcomes", "dismissal", self.dismissals),
        ]
        out += [("allegations by finding", k, v) for k, v in self.allegations_by_finding.items()]
        out += [("outcomes", k, v) for k, v in self.outcomes.items() if k != Outcome.DISMISSAL]
        for section, table in (("rank band", self.by_rank_band), ("category", self.by_category)):
            for key, counts in table.items():
                out += [(f"{section}: {key}", k, v) for k, v in counts.items()]
        out += [("mode", k, v) for k, v in self.by_mode.items()]
        out += [
            ("scope excludes rank", str(s["investigation"]), str(s["exclude_above"]))
            for s in self.scope_excludes_rank
        ]
        out += [("timeliness", k, v) for k, v in self.timeliness.items()]
        out += [("complainant labels", k, v) for k, v in self.labels.items()]
        for inv, counts in self.labels_by_investigation.items():
            out += [(f"complainant labels: {inv}", k, v) for k, v in counts.items()]
        out += [("overdue", str(o["investigation"]), o["days_open"]) for o in self.overdue]
        out += [("commissioner", k, v) for k, v in self.commissioner.items()]
        return out


def _days(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds() / 86400


def _median(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(median(kept), 1) if kept else None


def oversight_stats(
    investigations: Iterable[InvestigationFacts],
    allegations: Iterable[AllegationFacts],
    decisions: Iterable[DecisionFacts] = (),
    *,
    investigation_set: str | None = None,
    now: datetime,
) -> OversightStats:
    """The figures for one investigation set (or all): counts, breakdowns, timeliness."""
    invs = [
        i
        for i in investigations
        if investigation_set is None or i.investigation_set == investigation_set
    ]
    by_uid = {i.uid: i for i in invs}
    cases = {i.case for i in invs}
    algs = [
        a
        for a in allegations
        if (a.investigation in by_uid)
        or (investigation_set is None and a.investigation is None)
        or (a.investigation is None and a.case in cases)
    ]
    st = OversightStats(investigation_set)
    st.investigations = len(invs)
    st.allegations = len(algs)
    st.complainants = len({a.complainant for a in algs})
    st.officers = len({a.subject for a in algs})

    worst: dict[str, Finding] = {}
    for a in algs:
        if a.finding is None:
            continue
        f = Finding(a.finding)
        if a.subject not in worst or f.severity > worst[a.subject].severity:
            worst[a.subject] = f
    st.officers_by_finding = {f.value: sum(1 for w in worst.values() if w is f) for f in Finding}
    st.allegations_by_finding = dict(Counter(a.finding or "pending" for a in algs))
    st.outcomes = {o.value: 0 for o in Outcome} | dict(
        Counter(a.outcome for a in algs if a.outcome)
    )

    def breakdown(key: str) -> dict[str, dict[str, int]]:
        table: dict[str, Counter[str]] = {}
        for a in algs:
            k = rank_band(a.rank).value if key == "band" else a.category
            c = table.setdefault(k, Counter())
            c["allegations"] += 1
            c[a.finding or "pending"] += 1
            if a.outcome:
                c[a.outcome] += 1
        return {k: dict(v) for k, v in sorted(table.items())}

    st.by_rank_band = breakdown("band")
    st.by_category = breakdown("category")
    st.by_mode = dict(Counter(i.mode for i in invs))
    st.scope_excludes_rank = [
        {"investigation": i.uid, "case": i.case, "exclude_above": i.exclude_above}
        for i in invs
        if i.exclude_above
    ]

    pending: dict[str, int] = Counter(
        a.investigation for a in algs if a.finding is None and a.investigation
    )
    overdue = sorted(
        (i for i in invs if pending.get(i.uid) and (_days(i.opened_at, now) or 0) > OVERDUE_DAYS),
        key=lambda i: i.opened_at,
    )
    st.overdue = [
        {"investigation": i.uid, "case": i.case, "days_open": int(_days(i.opened_at, now) or 0)}
        for i in overdue
    ]
    st.timeliness = {
        "median days received to investigation": _median(
            _days(i.received_at, i.opened_at) for i in invs
        ),
        "median days investigation to finding": _median(
            _days(by_uid[a.investigation].opened_at, a.finding_at)
            for a in algs
            if a.investigation in by_uid
        ),
        "median days finding to outcome": _median(_days(a.finding_at, a.outcome_at) for a in algs),
        "allegations awaiting a finding": sum(1 for a in algs if a.finding is None),
        f"investigations overdue (over {OVERDUE_DAYS} days)": len(overdue),
    }
    kept = [
        d
        for d in decisions
        if investigation_set is None or d.case in cases or d.investigation_set == investigation_set
    ]
    st.labels = dict(
        Counter(f"{d.force}: {d.value}" for d in kept if d.kind == "complainant_label")
    )
    per_case: dict[str, list[str]] = {}
    for i in invs:
        per_case.setdefault(i.case, []).append(i.uid)
    by_inv: dict[str, Counter[str]] = {}
    for d in kept:
        if d.kind == "complainant_label":
            for inv in per_case.get(d.case, []):
                by_inv.setdefault(inv, Counter())[str(d.value)] += 1
    st.labels_by_investigation = {k: dict(v) for k, v in sorted(by_inv.items())}
    st.commissioner = dict(
        Counter(
            "requests" if d.kind == "commissioner_request" else f"answers: {d.value}"
            for d in kept
            if d.kind.startswith("commissioner_")
        )
    )
    return st
