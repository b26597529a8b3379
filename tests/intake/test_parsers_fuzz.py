"""Parsers never crash: any bytes give an accepted item or a rejection with a reason."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from candour.intake.documents import Limits
from candour.intake.readers import READERS, Accepted, Rejected

LIMITS = Limits(max_unpacked_bytes=1024 * 1024)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([".txt", ".html", ".eml", ".docx", ".pdf", ".md"]))
def test_any_bytes_into_any_document_reader(data: bytes, suffix: str) -> None:
    item = READERS["document"].reread(f"fuzz{suffix}", None, data, LIMITS)
    assert isinstance(item, Accepted | Rejected)
    if isinstance(item, Rejected):
        assert item.message and "\n" not in item.message


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_a_jsonl_line(data: bytes) -> None:
    item = READERS["jsonl"].reread("fuzz.jsonl", "line 1", data, LIMITS)
    assert isinstance(item, Accepted | Rejected)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "schema",
                "kind",
                "ref",
                "received_at",
                "people",
                "text",
                "decisions",
                "agency",
                "extra",
            ]
        ),
        json_values,
    )
)
def test_any_json_object_validates_or_names_a_field(obj: dict) -> None:
    item = READERS["jsonl"].reread("fuzz.jsonl", "line 1", json.dumps(obj).encode(), LIMITS)
    if isinstance(item, Rejected):
        assert item.field or item.message


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=12), min_size=1, max_size=4))
def test_any_csv_rows(rows: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows([["schema", "kind", "ref", "received_at", "text"], *rows])
    item = READERS["csv"].reread("fuzz.csv", "row 1", out.getvalue().encode(), LIMITS)
    assert isinstance(item, Accepted | Rejected)
