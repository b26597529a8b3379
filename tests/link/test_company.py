"""The company a mention keeps: namesakes told apart, and lone names given their person."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pandas as pd

from candour.link.company import by_company
from candour.link.frame import COLUMNS, _row

#: Mentions whose record gives a date of birth (the rest say nothing but a name).
BORN = {1: "1980-03-01", 2: "1980-03-01", 3: "1995-06-02", 4: "1995-06-02", 5: "1962-11-09",
        6: "1962-11-09", 7: "1994-01-20", 8: "1994-01-20"}  # fmt: skip


def _frame(rows: list[tuple[int, int, str]], born: dict[int, str] = BORN) -> pd.DataFrame:
    """(mention id, record id, name as written), from notes; some give a date of birth."""
    made = []
    for uid, rid, text in rows:
        attributes = {"dob": born[uid]} if uid in born else {}
        r = SimpleNamespace(
            id=uid, record_id=rid, source="text", field_name=None, text=text, normalised=None,
            start=0, attributes=attributes, received_at=datetime(2024, 5, 1),
        )  # fmt: skip
        made.append(_row(r, {}))
    return pd.DataFrame(made, columns=COLUMNS)


# Two men named Mohammed Ahmed: one (1, 2; born 1980) is named with Amy Shaw, the other
# (5, 6; born 1962) with Lucy Brown. Then a note about Amy says only "Mohammed" (9), and a
# note about Lucy says "Mohammed Ahmed" (11) and nothing else, which the clustering gave to
# the first man.
ROWS = [
    (1, 10, "Mohammed Ahmed"), (3, 10, "Amy Shaw"), (2, 11, "Mohammed Ahmed"), (4, 11, "Amy Shaw"),
    (5, 20, "Mohammed Ahmed"), (7, 20, "Lucy Brown"), (6, 21, "Mohamed Ahmed"),
    (8, 21, "Lucy Brown"),
    (9, 30, "Mohammed"), (10, 30, "Amy Shaw"),
    (11, 31, "Mohammed Ahmed"), (12, 31, "Lucy Brown"),
    (13, 40, "Mohammed"), (14, 40, "Kofi Osei"),  # nobody he is named with is known
]  # fmt: skip
CLUSTERS = {1: 1, 2: 1, 3: 3, 4: 3, 10: 3, 5: 5, 6: 5, 7: 7, 8: 7, 12: 7, 9: 9, 11: 1, 13: 13,
            14: 14}  # fmt: skip


def test_a_lone_given_name_joins_the_man_its_child_is_named_with() -> None:
    out = by_company(_frame(ROWS), CLUSTERS, {})
    assert out[9] == out[1] == out[2]
    assert out[13] == 13  # no company to go by: stays on its own, for an analyst


def test_a_bare_full_name_goes_to_the_namesake_its_company_points_to() -> None:
    out = by_company(_frame(ROWS), CLUSTERS, {})
    assert out[11] == out[5] == out[6] != out[1]


def test_when_the_company_points_to_both_namesakes_alike_nothing_moves() -> None:
    # Amy is named with the second man as often as with the first: her company no longer
    # tells them apart.
    rows = [*ROWS, (15, 50, "Mohammed Ahmed"), (16, 50, "Amy Shaw"), (17, 51, "Mohammed Ahmed"),
            (18, 51, "Amy Shaw")]  # fmt: skip
    clusters = {**CLUSTERS, 15: 5, 16: 3, 17: 5, 18: 3}
    born = {**BORN, 15: BORN[5], 16: BORN[3], 17: BORN[5], 18: BORN[3]}
    out = by_company(_frame(rows, born), clusters, {})
    assert out[9] == 9
    # Named with the first man twice as often as with the second, she points to him.
    rows = [*ROWS, (15, 50, "Mohammed Ahmed"), (16, 50, "Amy Shaw")]
    out = by_company(_frame(rows, born), {**CLUSTERS, 15: 5, 16: 3}, {})
    assert out[9] == out[1]


def test_mentions_in_question_do_not_vouch_for_each_other() -> None:
    # Three more bare notes name "Mohammed Ahmed" beside Amy, and the clustering gave all
    # three to the second man. Counted as places he is named, each would make Amy's company
    # point to him as often as to the first man, and all three would stay where they are.
    rows = [*ROWS, (15, 50, "Mohammed Ahmed"), (16, 50, "Amy Shaw"), (17, 51, "Mohammed Ahmed"),
            (18, 51, "Amy Shaw"), (19, 52, "Mohammed Ahmed"), (20, 52, "Amy Shaw")]  # fmt: skip
    clusters = {**CLUSTERS, 15: 5, 16: 3, 17: 5, 18: 3, 19: 5, 20: 3}
    born = {**BORN, 16: BORN[3], 18: BORN[3], 20: BORN[3]}
    out = by_company(_frame(rows, born), clusters, {})
    assert out[15] == out[17] == out[19] == out[1] != out[5]


def test_analysts_decisions_and_repeated_names_are_respected() -> None:
    frame = _frame([*ROWS, (17, 31, "M. Ahmed")])
    clusters = {**CLUSTERS, 17: 1}  # "M. Ahmed" repeats "Mohammed Ahmed" (11) in its note
    out = by_company(frame, clusters, {17: 11})
    assert out[17] == out[11] == out[5]
    kept = by_company(frame, clusters, {17: 11}, keep={11})
    assert kept[11] == kept[17] == kept[1]  # an analyst decided on it: it does not move


def test_every_cluster_is_named_by_its_smallest_mention() -> None:
    out = by_company(_frame(ROWS), CLUSTERS, {})
    for c in set(out.values()):
        assert c == min(v for v, d in out.items() if d == c) and out[c] == c
