"""A report as data: title, numbered sections of paragraphs and tables. Sources build one from
the store; redaction and suppression turn it into its publishable form; templates render it.
It is stored as JSON in a draft, so the review and the approval see the same document.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from candour.publish.suppress import suppress

Cell = str | int | None


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    #: Columns holding counts: suppressed below the threshold, with row and column totals.
    counts: list[int] = field(default_factory=list)
    note: str = ""


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Document:
    title: str
    source: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        sections = [
            Section(s["title"], list(s["paragraphs"]), [Table(**t) for t in s["tables"]])
            for s in d["sections"]
        ]
        return cls(d["title"], d["source"], d.get("subtitle", ""), sections)

    def texts(self) -> list[str]:
        """Every piece of free text, in reading order (what the redactor reads)."""
        out = [self.title, self.subtitle]
        for s in self.sections:
            out.append(s.title)
            out += s.paragraphs
            for t in s.tables:
                out.append(t.caption)
                out += [str(c) for r in t.rows for i, c in enumerate(r)
                        if isinstance(c, str) and i not in t.counts]  # fmt: skip
        return out


SUPPRESSED = "*"


def suppress_counts(table: Table, threshold: int) -> Table:
    """A count table with small numbers hidden and a totals row and column added."""
    if not table.counts or not table.rows:
        return table
    counts = [[int(r[j] or 0) for j in table.counts] for r in table.rows]
    s = suppress(counts, threshold)

    def show(v: int | None) -> Cell:
        return SUPPRESSED if v is None else v

    rows: list[list[Cell]] = []
    for i, r in enumerate(table.rows):
        row = list(r)
        for k, j in enumerate(table.counts):
            row[j] = show(s.cells[i][k])
        rows.append([*row, show(s.row_totals[i])] if len(table.counts) > 1 else row)
    total: list[Cell] = ["Total", *([""] * (len(table.columns) - 1))]
    for k, j in enumerate(table.counts):
        total[j] = show(s.column_totals[k])
    if len(table.counts) > 1:
        total.append(show(s.total))
    rows.append(total)
    columns = [*table.columns, "Total"] if len(table.counts) > 1 else list(table.columns)
    note = (
        f"{SUPPRESSED} a count below {threshold}, or a count hidden so that a total cannot "
        "reveal one."
    )
    return Table(table.caption, columns, rows, [], (table.note + " " + note).strip())
