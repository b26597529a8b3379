"""In-record coreference: a partial name takes the one full name it fits in its own record, a
full name in a note the same name in a field, and the linked mention what its record says."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from candour.link.cluster import birth_years
from candour.link.coref import antecedents, with_coreferents
from candour.link.frame import COLUMNS, _row


def _frame(
    rows: list[tuple[int, int, str, dict[str, Any]]], fields: AbstractSet[int] = frozenset()
) -> pd.DataFrame:
    """(mention id, record id, name as written, attributes) -> the linkage frame; the ids in
    `fields` come from a record's fields, the others from its text."""
    made = []
    for uid, rid, text, attrs in rows:
        src = "field" if uid in fields else "text"
        r = SimpleNamespace(
            id=uid, record_id=rid, source=src, field_name=None, text=text, normalised=None,
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


def test_a_full_name_in_a_note_is_the_same_name_in_a_field_of_its_record() -> None:
    frame = _frame(
        [
            (1, 10, "WOOD, Anthony", {"dob": "1976-02-23"}), (2, 10, "Tony Wood", {}),
            (3, 10, "Anthony", {}),  # a partial: to the note's full name, and on to the field
            (4, 11, "Anthony Wood", {}),  # no field names him in record 11
            (5, 12, "WOOD, Anthony", {}), (6, 12, "WOOD, Alan", {}), (7, 12, "A. Wood", {}),
        ],
        fields={1, 5, 6},
    )  # fmt: skip
    assert antecedents(frame) == {2: 1, 3: 1}


def test_a_name_written_several_ways_in_a_note_is_one_name() -> None:
    frame = _frame(
        [
            (1, 10, "Anthony Wood", {}), (2, 10, "Antony WOOD", {}), (3, 10, "Wood Anthony", {}),
            (4, 10, "Athony Wod", {}),  # misspelt twice
            (5, 10, "Alan Woodhouse", {}),  # another man
            (6, 10, "A. Wood", {}),  # the initial fits one name, however it was written
            (7, 20, "Chinedu MWANGI", {}), (8, 20, "MWAGI, Chinedu", {"dob": "1977-05-01"}),
        ],
        fields={8},
    )  # fmt: skip
    assert antecedents(frame) == {2: 1, 3: 1, 4: 1, 6: 1, 7: 8}


def test_the_linked_mention_carries_what_its_record_says_of_the_person() -> None:
    # A note names Anthony Wood in full; the record's field gives only "A. WOOD", born 1976,
    # with a phone. Linked alone, the note's mention would say nothing of his birth.
    frame = _frame(
        [
            (1, 10, "A. WOOD", {"dob": "1976-02-23", "phone": "07700 900123"}),
            (2, 10, "Anthony Wood", {}),
            (3, 20, "Anthony Wood", {}), (4, 20, "Anthony", {"age": 14}),  # text lends nothing
        ],
        fields={1},
    )  # fmt: skip
    found = antecedents(frame)
    assert found == {1: 2, 4: 3}
    out = with_coreferents(frame, found).set_index("unique_id")
    assert out.loc[2, "dob"] == "1976-02-23" and out.loc[2, "birth_year"] == 1976
    assert list(out.loc[2, "phones"]) == list(out.loc[1, "phones"]) != []
    assert pd.isna(out.loc[3, "birth_year"])
    years = birth_years(out.reset_index()).tolist()
    assert years[1] == 1976  # clustering trusts the field's year on the note's mention
    assert frame.set_index("unique_id").loc[2, "dob"] is None  # the input is not changed


NAMES = ["Jessica Clarke", "Jessica", "J. Clarke", "Clarke", "Jonathan Clarke", "Jo", "Omar",
         "Omar Ali", "O. Ali", "Ali"]  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(NAMES), st.booleans()), max_size=20))
def test_an_antecedent_is_a_full_name_of_the_same_record(
    rows: list[tuple[int, str, bool]],
) -> None:
    frame = _frame(
        [(uid, rid, text, {}) for uid, (rid, text, _) in enumerate(rows, 1)],
        fields={uid for uid, (_, _, field) in enumerate(rows, 1) if field},
    )
    found = antecedents(frame)
    by_id = frame.set_index("unique_id")
    full = {
        u for u in by_id.index if len(str(by_id.loc[u, "given"])) > 1 and by_id.loc[u, "family"]
    }
    for part, to in found.items():
        assert by_id.loc[part, "record_id"] == by_id.loc[to, "record_id"]
        assert to in full
        assert to not in found  # chains are followed to their end
        if part in full:  # only a note's full name refers on (a form lists people apart)
            assert by_id.loc[part, "source"] == "text"
            assert by_id.loc[to, "source"] == "field" or to < part
