"""Intake's hardening against input written to break it: deep nesting, broken CSV quoting,
duplicated columns, forwarded mail, and the same bad input seen again. A bad row never loses the
good ones, and nothing is dropped unseen."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from candour.intake import ingest
from candour.store import Store
from candour.store.models import LedgerEvent, QuarantineItem, Record
from tests.intake.test_intake import ADMIN, count, good, reasons, write_jsonl

HEAD = "schema,kind,ref,agency,received_at,author,title,child_name,child_dob,child_age,text\n"
ROW = "candour.record/1,referral,REF/{n},EDU,2012-01-02T10:00:00Z,,Referral,Amy Reid,,13,{t}\n"


def nested(depth: int) -> object:
    value: object = "deep"
    for _ in range(depth):
        value = {"k": value}
    return value


@pytest.mark.parametrize("depth", [40, 254, 1000, 5000])
def test_deeply_nested_json_is_quarantined_and_the_run_goes_on(
    workforce: Store, tmp_path: Path, depth: int
) -> None:
    # Written by hand: the standard library's own writer gives up near 1,000 levels.
    deep = (
        json.dumps(good("CR/2"))[:-1]
        + ', "extra": '
        + '{"k": ' * depth
        + '"deep"'
        + "}" * depth
        + "}"
    )
    files = [
        write_jsonl(tmp_path / "a.jsonl", [good("CR/1"), deep, good("CR/3", text="third")]),
        write_jsonl(tmp_path / "b.jsonl", [good(f"CR/b{n}", text=f"t{n}") for n in range(50)]),
    ]
    s = ingest(workforce, files, ADMIN)
    assert (s.ingested, s.quarantined) == (52, 1)
    ((locator, field, message),) = reasons(workforce)
    assert locator == "line 2" and field == "extra" and "nested deeper than 32 levels" in message


def test_shallow_nesting_is_kept(workforce: Store, tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "a.jsonl", [good("CR/1", extra=nested(20))])
    assert ingest(workforce, [f], ADMIN).ingested == 1


def test_unclosed_quote_does_not_swallow_the_next_rows(workforce: Store, tmp_path: Path) -> None:
    f = tmp_path / "quote.csv"
    f.write_text(
        HEAD
        + ROW.format(n=1, t="Worried.")
        + ROW.format(n=2, t='"She said it started')
        + ROW.format(n=3, t="Still worried.")
        + ROW.format(n=4, t="Again.")
    )
    s = ingest(workforce, [f], ADMIN)
    with workforce.reading() as session:
        refs = sorted(r.fields["ref"] for r in session.scalars(select(Record)))
    # Row 2's quote opens a field that never closes: the rows after it are not its text.
    assert refs == ["REF/1", "REF/3", "REF/4"]
    assert s.quarantined == 1
    ((locator, field, message),) = reasons(workforce)
    assert locator == "row 2" and field == "text" and "unclosed quote" in message


def test_quoted_newlines_are_still_one_field(workforce: Store, tmp_path: Path) -> None:
    f = tmp_path / "multi.csv"
    f.write_text(HEAD + ROW.format(n=1, t='"Line one\nline two, with a comma"'))
    assert ingest(workforce, [f], ADMIN).ingested == 1
    with workforce.reading() as session:
        rec = session.scalars(select(Record)).one()
        assert "line two, with a comma" in (rec.body or "")


def test_duplicated_column_refuses_the_file_naming_it(workforce: Store, tmp_path: Path) -> None:
    f = tmp_path / "dup.csv"
    f.write_text(HEAD.rstrip("\n") + ",text\n" + ROW.format(n=1, t="first,second"))
    s = ingest(workforce, [f], ADMIN)
    assert (s.ingested, s.quarantined) == (0, 1)
    ((locator, field, message),) = reasons(workforce)
    assert locator == "header" and field == "text" and "column 'text' appears twice" in message


def _forward(tmp_path: Path) -> Path:
    inner = EmailMessage()
    inner["From"] = "worker@example.org"
    inner["Subject"] = "Concern about a child"
    inner.set_content("She was seen getting into a car outside school.")
    inner.add_attachment(b"Notes from the visit.", maintype="text", subtype="plain",
                         filename="visit.txt")  # fmt: skip
    outer = EmailMessage()
    outer["From"] = "manager@example.org"
    outer["Subject"] = "Fwd: Concern about a child"
    outer.set_content("Forwarding for your attention.")
    outer.add_attachment(inner)  # message/rfc822
    folder = tmp_path / "referrals"
    folder.mkdir()
    path = folder / "fwd.eml"
    path.write_bytes(outer.as_bytes())
    return path


def test_forwarded_mail_and_its_inner_attachment_become_records(
    workforce: Store, tmp_path: Path
) -> None:
    s = ingest(workforce, [_forward(tmp_path)], ADMIN)
    assert s.quarantined == 0
    with workforce.reading() as session:
        bodies = [r.body or "" for r in session.scalars(select(Record).order_by(Record.id))]
    joined = "\n".join(bodies)
    assert "Forwarding for your attention." in joined
    assert "getting into a car outside school" in joined
    assert "Notes from the visit." in joined
    assert len(bodies) == 3


def test_the_same_bad_input_is_one_quarantine_item(workforce: Store, tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "a.jsonl", [good("CR/1"), "{not json"])
    for _ in range(3):
        ingest(workforce, [f], ADMIN)
    with workforce.reading() as session:
        (item,) = session.scalars(select(QuarantineItem)).all()
        assert item.sightings == 3
        events = session.execute(
            select(func.count()).select_from(LedgerEvent).where(LedgerEvent.action == "quarantine")
        ).scalar_one()
    assert events == 1
    assert count(workforce, Record) == 1


def test_mail_forwarded_inside_mail_stops_at_a_depth_and_says_so(
    workforce: Store, tmp_path: Path
) -> None:
    msg = EmailMessage()
    msg["Subject"] = "Innermost"
    msg.set_content("The innermost text.")
    for level in range(12):
        outer = EmailMessage()
        outer["Subject"] = f"Fwd {level}"
        outer.set_content(f"Level {level}.")
        outer.add_attachment(msg)
        msg = outer
    folder = tmp_path / "referrals"
    folder.mkdir()
    (folder / "deep.eml").write_bytes(msg.as_bytes())
    s = ingest(workforce, [folder], ADMIN)
    assert (s.ingested, s.quarantined) == (9, 1)
    ((_, _, message),) = reasons(workforce)
    assert "nested deeper than 8 levels" in message


def test_large_refused_input_keeps_an_excerpt_and_its_hash(
    workforce: Store, tmp_path: Path
) -> None:
    import hashlib

    from candour.intake import Options

    bad = b'{"schema": "candour.record/1", "text": "' + b"x" * 200_000 + b'"'  # unclosed
    f = tmp_path / "big.jsonl"
    f.write_bytes(bad + b"\n")
    ingest(workforce, [f], ADMIN, Options(keep_bytes=4096))
    with workforce.reading() as session:
        (item,) = session.scalars(select(QuarantineItem)).all()
    assert len(item.raw) == 4096 and item.raw_size == len(bad)
    assert item.raw_hash == hashlib.sha256(bad).hexdigest()
    f.unlink()  # the source is gone: an excerpt is never retried as if it were the input
    from candour.errors import ValidationError
    from candour.intake import retry

    with pytest.raises(ValidationError, match="keeps only an excerpt"):
        retry(workforce, item.id, ADMIN)


def test_a_corrected_item_seen_again_is_a_new_item(workforce: Store, tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "a.jsonl", ["{not json"])
    ingest(workforce, [f], ADMIN)
    write_jsonl(f, ["{still not json"])
    ingest(workforce, [f], ADMIN)
    with workforce.reading() as session:
        assert [i.sightings for i in session.scalars(select(QuarantineItem))] == [1, 1]


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from(['"', ",", "\n", "\r", "'"]),
    max_size=60,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(_TEXT.filter(lambda t: t.strip()), min_size=1, max_size=6))
def test_any_well_formed_csv_is_read_whole(
    workforce: Store, tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    """Whatever quotes, commas and line breaks a text holds, CSV written by a CSV writer is
    never mistaken for an unclosed quote: every row is a record with its text intact."""
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEAD.strip().split(","))
    for n, t in enumerate(texts):
        w.writerow(["candour.record/1", "referral", f"P/{n}", "EDU", "2012-01-02T10:00:00Z",
                    "", "Referral", "", "", "", t])  # fmt: skip
    f = tmp_path_factory.mktemp("csv") / "p.csv"
    f.write_text(out.getvalue(), newline="")
    s = ingest(workforce, [f], ADMIN)
    assert s.quarantined == 0, reasons(workforce)
    with workforce.reading() as session:
        got = {r.fields["ref"]: r.body for r in session.scalars(select(Record))}
    for n, t in enumerate(texts):
        assert " ".join((got[f"P/{n}"] or "").split()) == " ".join(t.split())
