"""Small-number suppression with secondary suppression, as a pure function.

A table of counts is published with its row totals, column totals and grand total. A count
from 1 to threshold-1 is suppressed (primary). Then, in every line (a row with its total, a
column with its total, the totals row and the totals column with the grand total), a line that
hides anything must hide at least two cells whose sum is at least the threshold; otherwise the
total would give the hidden cell back. The smallest visible cells are hidden first (secondary),
non-zero before zero, body cells before totals, until every line holds. Zeros are published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Cell = tuple[int, int]


@dataclass(frozen=True)
class Suppressed:
    """The published table: None where a count is hidden."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None
    primary: frozenset[Cell]
    secondary: frozenset[Cell]


def _lines(rows: int, cols: int) -> list[list[Cell]]:
    """Every additive line of the table extended by its margins (index rows/cols = total)."""
    lines = [[(i, j) for j in range(cols + 1)] for i in range(rows + 1)]
    lines += [[(i, j) for i in range(rows + 1)] for j in range(cols + 1)]
    return lines


def suppress(table: Sequence[Sequence[int]], threshold: int = 5) -> Suppressed:
    """Suppress small counts and enough others that no line's total reveals them."""
    rows = len(table)
    cols = len(table[0]) if rows else 0
    if any(len(r) != cols for r in table):
        raise ValueError("every row of a table needs the same number of columns")
    if any(v < 0 for r in table for v in r):
        raise ValueError("counts cannot be negative")
    value: dict[Cell, int] = {(i, j): table[i][j] for i in range(rows) for j in range(cols)}
    for i in range(rows):
        value[(i, cols)] = sum(table[i])
    for j in range(cols):
        value[(rows, j)] = sum(table[i][j] for i in range(rows))
    value[(rows, cols)] = sum(value[(i, cols)] for i in range(rows))
    primary = {c for c, v in value.items() if 0 < v < threshold}
    hidden = set(primary)
    lines = _lines(rows, cols)
    changed = True
    while changed:
        changed = False
        for line in lines:
            gone = [c for c in line if c in hidden]
            if not gone or (len(gone) >= 2 and sum(value[c] for c in gone) >= threshold):
                continue
            visible = [c for c in line if c not in hidden]
            if not visible:
                continue
            pick = min(
                visible,
                key=lambda c: (value[c] == 0, c[0] == rows or c[1] == cols, value[c], c),
            )
            hidden.add(pick)
            changed = True

    def show(c: Cell) -> int | None:
        return None if c in hidden else value[c]

    return Suppressed(
        cells=[[show((i, j)) for j in range(cols)] for i in range(rows)],
        row_totals=[show((i, cols)) for i in range(rows)],
        column_totals=[show((rows, j)) for j in range(cols)],
        total=show((rows, cols)),
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
    )
