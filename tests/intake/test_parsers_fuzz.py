"""Parsers never crash: any bytes give an accepted item or a rejection with a reason."""

from __future__ import annotations

import json

import pytest
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


def _lines_one_by_one(data: bytes, limit: int) -> list[bytes]:
    """What a JSONL file's lines are: split at newlines, '\\r' before one dropped, a line over
    `limit` bytes cut to limit + 1 (so the reader rejects it)."""
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    return [p[: limit + 1] if len(p) > limit else p.rstrip(b"\r") for p in pieces]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([b"\n", b"\r", b"a", b"{}", b"xyzxyzxyz"]), max_size=60),
    st.integers(1, 9),
    st.integers(1, 12),
)
def test_jsonl_lines_read_in_blocks_are_the_lines_of_the_file(
    pieces: list[bytes], block: int, limit: int
) -> None:
    """Lines come the same whatever the block size, however long (runaway lines are cut)."""
    import io

    from candour.intake import readers

    data = b"".join(pieces)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(readers, "LINE_BLOCK", block)
        mp.setattr(readers, "MAX_LINE_BYTES", limit)
        got = list(readers._lines(io.BufferedReader(io.BytesIO(data))))  # type: ignore[arg-type]
    assert got == _lines_one_by_one(data, limit)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([b"\n", b"\r", b" ", b"{}", b"xyzxyzxyz"]), max_size=60),
    st.integers(1, 9),
    st.integers(1, 12),
)
def test_jsonl_runs_the_writer_cuts_give_every_line_its_number(
    pieces: list[bytes], block: int, limit: int
) -> None:
    """The writer hands workers runs of lines; split there, they are the file's non-blank lines,
    each with the line number it has in the file, whatever the block size."""
    import tempfile
    from pathlib import Path

    from candour.intake import readers

    data = b"".join(pieces)
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(readers, "LINE_BLOCK", block)
        mp.setattr(readers, "MAX_LINE_BYTES", limit)
        path = Path(tmp) / "f.jsonl"
        path.write_bytes(data)
        got = [
            (u.locator, u.raw)
            for run in READERS["jsonl"].split(path, LIMITS)
            for u in run.units()  # type: ignore[union-attr]
        ]
    expected = [
        (f"line {n}", line)
        for n, line in enumerate(_lines_one_by_one(data, limit), 1)
        if line.strip()
    ]
    assert got == expected


_CSV_HEADER = "schema,kind,ref,received_at,text\n"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet='ab ,"\n\r', max_size=8), min_size=0, max_size=7),
        max_size=30,
    ),
    st.integers(1, 6),
)
def test_csv_runs_the_writer_cuts_give_every_row_its_place_and_bytes(
    rows: list[list[str]], run: int
) -> None:
    """The writer hands workers runs of whole CSV records (found by the csv module, so quoted
    newlines stay inside their field); read there, every row comes with the locator and the
    bytes one reader over the whole file gives, whatever the run length."""
    import csv
    import io
    import tempfile
    from pathlib import Path

    from candour.intake import readers

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    text = _CSV_HEADER + out.getvalue()
    whole = csv.DictReader(io.StringIO(text, newline=""))
    header = whole.fieldnames or []
    expected = [(f"row {whole.line_num - 1}", readers._row_bytes(header, row)) for row in whole]
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(readers, "CSV_RUN", run)
        path = Path(tmp) / "f.csv"
        path.write_text(text, newline="")
        got = [
            (item.locator, item.raw)
            for part in READERS["csv"].split(path, LIMITS)
            for item in part.items(LIMITS)  # type: ignore[union-attr]
        ]
    assert got == expected
