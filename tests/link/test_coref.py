"""In-record coreference: a partial name takes the one full name it fits in its own record."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from candour.link.coref import antecedents
from candour.link.frame import COLUMNS, _row


def _frame(rows: list[tuple[int, int, str, dict[str, Any]]]) -> pd.DataFrame:
    """(mention id, record id, name as written, attributes) -> the linkage frame."""
    made = []
    for uid, rid, text, attrs in rows:
        r = SimpleNamespace(
            id=uid, record_id=rid, source="text", field_name=None, text=text, normalised=None,
            start=0, attributes=attrs, received_at=datetime(2024, 5, 1),
        )  # fmt: skip
        made.append(_row(r, {}))
    return pd.DataFrame(made, columns=COLUMNS)


def test_a_given_name_or_initial_in_a_note_is_the_full_name_it_repeats() -> None:
    frame = _frame([
        (1, 10, "Jessica Clarke", {}), (2, 10, "Jessica", {}), (3, 10, "J. Clarke", {}),
        (4, 10, "Clarke", {}), (5, 10, "Jessie", {}),  # a nickname of the same name
        (6, 11, "Jessica", {}),  # another record that names no Jessica in full
    ])  # fmt: skip
    assert antecedents(frame) == {2: 1, 3: 1, 4: 1, 5: 1}


def test_nothing_is_decided_when_two_full_names_fit() -> None:
    frame = _frame([
        (1, 10, "Jonathan Brown", {}), (2, 10, "Jessica Brown", {}), (3, 10, "J. Brown", {}),
        (4, 10, "Brown", {}), (5, 10, "Jessica", {}),
    ])  # fmt: skip
    assert antecedents(frame) == {5: 2}


def test_a_different_birth_year_or_family_name_does_not_fit() -> None:
    frame = _frame([
        (1, 10, "Imran Gill", {"dob": "1961-04-29"}), (2, 10, "I. Gill", {"dob": "1994-01-01"}),
        (3, 10, "I. Hall", {}), (4, 10, "Omar", {}),
    ])  # fmt: skip
    assert antecedents(frame) == {}


def test_a_mention_an_analyst_decided_on_is_left_to_the_linkage() -> None:
    frame = _frame([(1, 10, "Jessica Clarke", {}), (2, 10, "Jessica", {})])
    assert antecedents(frame, keep={2}) == {}


NAMES = ["Jessica Clarke", "Jessica", "J. Clarke", "Clarke", "Jonathan Clarke", "Jo", "Omar",
         "Omar Ali", "O. Ali", "Ali"]  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(NAMES)), max_size=20))
def test_an_antecedent_is_a_full_name_of_the_same_record(rows: list[tuple[int, str]]) -> None:
    frame = _frame([(uid, rid, text, {}) for uid, (rid, text) in enumerate(rows, 1)])
    found = antecedents(frame)
    by_id = frame.set_index("unique_id")
    for part, full in found.items():
        assert by_id.loc[part, "record_id"] == by_id.loc[full, "record_id"]
        assert len(str(by_id.loc[full, "given"])) > 1 and by_id.loc[full, "family"]
        assert part not in found.values()  # a full name is never itself referred on
