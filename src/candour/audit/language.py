"""Victim-blaming language about children, counted per author and unit for supervisors.

Counts come from the current extraction of every record: a phrase flagged by the language
check (see the text lexicon), the record's author and the author's unit, and the wording the
lexicon suggests instead. Reports name authors, not children: no record text is shown.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.store.models import Extraction, Finding, Record, User


@dataclass(frozen=True)
class LanguageRow:
    unit: str
    author: str
    term: str
    count: int
    suggestion: str


@dataclass
class LanguageReport:
    rows: list[LanguageRow]
    by_unit: dict[str, int]
    total: int
    records: int
    authors: int


def language_report(session: Session) -> LanguageReport:
    stmt = (
        select(Finding.record_id, Finding.code, Finding.suggestion, User.identifier, User.unit)
        .join(Extraction, Extraction.id == Finding.extraction_id)
        .join(Record, Record.id == Finding.record_id)
        .outerjoin(User, User.id == Record.created_by)
        .where(Finding.kind == "language", Extraction.current.is_(True))
    )
    counts: Counter[tuple[str, str, str]] = Counter()
    suggestion: dict[str, str] = {}
    records: set[int] = set()
    for rid, code, sugg, author, unit in session.execute(stmt):
        key = (unit or "(no unit)", author or "(unknown author)", code)
        counts[key] += 1
        suggestion[code] = sugg or ""
        records.add(rid)
    rows = [
        LanguageRow(unit, author, term, n, suggestion[term])
        for (unit, author, term), n in counts.most_common()
    ]
    by_unit: Counter[str] = Counter()
    for r in rows:
        by_unit[r.unit] += r.count
    return LanguageReport(
        rows, dict(by_unit), sum(counts.values()), len(records), len({r.author for r in rows})
    )


def write_language(report: LanguageReport, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "language-by-author.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["unit", "author", "term", "count", "suggestion"])
        for r in report.rows:
            w.writerow([r.unit, r.author, r.term, r.count, r.suggestion])
    with (out / "language-by-unit.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["unit", "count"])
        for unit, n in sorted(report.by_unit.items(), key=lambda x: -x[1]):
            w.writerow([unit, n])
