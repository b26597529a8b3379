"""Small-number suppression: primary cells hidden, and no line's total gives one back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from candour.publish.suppress import Suppressed, suppress

tables = st.integers(1, 5).flatmap(
    lambda cols: st.lists(
        st.lists(st.integers(0, 30), min_size=cols, max_size=cols), min_size=1, max_size=6
    )
)


def _extended(t: list[list[int]], s: Suppressed) -> list[list[int | None]]:
    rows = [[*list(r), tot] for r, tot in zip(s.cells, s.row_totals, strict=True)]
    return [*rows, [*list(s.column_totals), s.total]]


def _values(t: list[list[int]]) -> list[list[int]]:
    rows = [[*list(r), sum(r)] for r in t]
    cols = [sum(r[j] for r in t) for j in range(len(t[0]))]
    return [*rows, [*cols, sum(cols)]]


@settings(max_examples=300, deadline=None)
@given(tables, st.integers(2, 10))
def test_no_line_reveals_a_hidden_cell(t: list[list[int]], threshold: int) -> None:
    s = suppress(t, threshold)
    shown = _extended(t, s)
    values = _values(t)
    lines = [list(range(len(shown[0])))]
    for i, row in enumerate(shown):
        hidden = [j for j, v in enumerate(row) if v is None]
        if hidden and len(hidden) < len(row):
            assert len(hidden) >= 2
            assert sum(values[i][j] for j in hidden) >= threshold
    for j in range(len(shown[0])):
        col = [shown[i][j] for i in range(len(shown))]
        hidden = [i for i, v in enumerate(col) if v is None]
        if hidden and len(hidden) < len(col):
            assert len(hidden) >= 2
            assert sum(values[i][j] for i in hidden) >= threshold
    assert lines


@settings(max_examples=300, deadline=None)
@given(tables, st.integers(2, 10))
def test_small_counts_hidden_and_the_rest_true(t: list[list[int]], threshold: int) -> None:
    s = suppress(t, threshold)
    shown = _extended(t, s)
    values = _values(t)
    for i, row in enumerate(shown):
        for j, v in enumerate(row):
            if 0 < values[i][j] < threshold:
                assert v is None
            if v is not None:
                assert v == values[i][j]


def test_a_single_small_cell_takes_a_neighbour_with_it() -> None:
    s = suppress([[3, 40, 12]], threshold=5)
    assert s.cells[0][0] is None
    assert s.cells[0][2] is None  # the smallest other cell: else 55 - 40 - 12 gives 3 back
    assert s.cells[0][1] == 40
    assert (0, 0) in s.primary and (0, 2) in s.secondary


def test_nothing_small_nothing_hidden() -> None:
    s = suppress([[10, 20], [0, 7]])
    assert s.cells == [[10, 20], [0, 7]] and s.total == 37
    assert not s.primary and not s.secondary
