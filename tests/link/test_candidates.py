"""The incremental pre-filter: it must keep every stored mention a blocking rule could pair
with a new one (or the incremental match would silently miss people), and may drop the rest."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candour.link.service import candidate_filter

# The prediction rules of the person model, as Splink saves them.
MODEL = {
    "blocking_rules_to_generate_predictions": [
        {"blocking_rule": 'l."family_block" = r."family_block"'},
        {"blocking_rule": "l.given_key = r.family_key and l.family_key = r.given_key"},
        {"blocking_rule": '(l."given_key" = r."given_key") AND (l."family_key" = r."family_key")'},
        {
            "blocking_rule": '(l."family_key" = r."family_key") AND '
            '(l."birth_year" = r."birth_year")'
        },
        {"blocking_rule": 'l."phones" = r."phones"', "arrays_to_explode": ["phones"]},
        {"blocking_rule": 'l."dob" = r."dob"'},
    ]
}
NAMES = st.none() | st.sampled_from(["ali", "amy", "khan", "reid"])
PERSON = st.fixed_dictionaries(
    {
        "family_block": NAMES,
        "given_key": NAMES,
        "family_key": NAMES,
        "birth_year": st.none() | st.sampled_from([1990, 1991]),
        "phones": st.none() | st.lists(st.sampled_from(["07700900001", "07700900002"]), max_size=2),
        "dob": st.none() | st.sampled_from(["1990-01-01", "1991-02-02"]),
    }
)


def _pairs(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """Whether any rule pairs the two, in either order, as Splink's blocking would."""

    def eq(a: str, b: str, x: dict[str, Any], y: dict[str, Any]) -> bool:
        return x[a] is not None and y[b] is not None and x[a] == y[b]

    for x, y in ((new, old), (old, new)):
        if (
            eq("family_block", "family_block", x, y)
            or (eq("given_key", "family_key", x, y) and eq("family_key", "given_key", x, y))
            or (eq("given_key", "given_key", x, y) and eq("family_key", "family_key", x, y))
            or (eq("family_key", "family_key", x, y) and eq("birth_year", "birth_year", x, y))
            or bool(set(x["phones"] or []) & set(y["phones"] or []))
            or eq("dob", "dob", x, y)
        ):
            return True
    return False


def _selected(stored: list[dict[str, Any]], new: list[dict[str, Any]]) -> set[int]:
    found = candidate_filter(MODEL, pd.DataFrame(new))
    assert found is not None
    where, params = found
    con = duckdb.connect()
    frame = pd.DataFrame([{"unique_id": i, **row} for i, row in enumerate(stored)])
    frame["birth_year"] = frame["birth_year"].astype("Int64")
    con.register("stored_frame", frame)
    con.execute(
        "create table stored as select unique_id, family_block, given_key, family_key, "
        "birth_year, cast(phones as varchar[]) as phones, dob from stored_frame"
    )
    if not params:
        return set()
    return {
        i for (i,) in con.execute(f"select unique_id from stored where {where}", params).fetchall()
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PERSON, min_size=1, max_size=12), st.lists(PERSON, min_size=1, max_size=3))
def test_the_filter_keeps_exactly_the_mentions_a_rule_could_pair(
    stored: list[dict[str, Any]], new: list[dict[str, Any]]
) -> None:
    expected = {i for i, old in enumerate(stored) if any(_pairs(n, old) for n in new)}
    assert _selected(stored, new) == expected


def test_a_rule_it_cannot_read_means_no_filter() -> None:
    odd = {
        "blocking_rules_to_generate_predictions": [{"blocking_rule": "levenshtein(l.a, r.a) < 2"}]
    }
    assert candidate_filter(odd, pd.DataFrame([{"a": "x"}])) is None


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA])
def test_unknown_values_never_select_anything(value: object) -> None:
    person = {"family_block": value, "given_key": value, "family_key": value, "birth_year": value,
              "phones": None, "dob": value}  # fmt: skip
    assert candidate_filter(MODEL, pd.DataFrame([person])) == ("false", [])
