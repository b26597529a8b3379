"""Intake through the service: good rows land, bad rows are quarantined with a reason, nothing is
lost, re-ingest is idempotent, and retry works after a fix."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from candour.intake import Limits, Options, import_workforce, ingest, list_items, retry
from candour.store import Actor, Store
from candour.store.models import Decision, Mention, QuarantineItem, Record
from tests.intake.conftest import AGENCIES, USERS

ADMIN = Actor(1, "Staff", "admin")


def good(ref: str = "CR/1", **extra: object) -> dict:
    rec = {
        "schema": "candour.record/1",
        "kind": "crime_report",
        "ref": ref,
        "agency": "SDP",
        "received_at": "2012-03-04T14:22:00Z",
        "author": "SDP1",
        "disclosure": True,
        "text": "Child A disclosed that a man assaulted her.",
        "offence": {
            "code": "19C",
            "description": "Rape of a female child under 16",
            "group": "sexual_offences",
        },
        "people": [
            {"name": "Amy CLARKE", "role": "victim", "age": 14},
            {"name": "Tom Reid", "role": "suspect", "dob": "1980-02-01", "phone": "07700 900123"},
        ],
        "vehicles": [{"registration": "QA12 BCD"}],
        "decisions": [
            {
                "kind": "crime_recording",
                "outcome": "recorded",
                "offence_code": "19C",
                "reason": "Disclosure recorded.",
                "by": "SDP2",
                "at": "2012-03-04T18:00:00Z",
            }
        ],
    }
    rec.update(extra)
    return rec


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def count(store: Store, model: type) -> int:
    with store.reading() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def reasons(store: Store) -> list[tuple[str | None, str | None, str]]:
    with store.reading() as s:
        return [(q.locator, q.field, q.message) for q in list_items(s)]


def test_good_rows_land_with_mentions_decisions_and_events(
    workforce: Store, tmp_path: Path
) -> None:
    f = write_jsonl(tmp_path / "a.jsonl", [good("CR/1"), good("CR/2", text="Another report.")])
    s = ingest(workforce, [f], ADMIN)
    assert (s.read, s.ingested, s.quarantined, s.decisions) == (2, 2, 0, 2)
    with workforce.reading() as session:
        kinds = sorted(m.kind for m in session.scalars(select(Mention)))
    assert kinds == ["person"] * 4 + ["phone"] * 2 + ["vehicle"] * 2
    with workforce.reading() as session:
        rec = session.scalars(select(Record).order_by(Record.id)).first()
        assert rec is not None and rec.about_child and rec.fields["ref"] == "CR/1"
        d = session.scalars(select(Decision)).first()
        assert d is not None and d.rank_at_decision == "PS" and d.decided_at.year == 2012


def test_reingest_is_idempotent(workforce: Store, tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "a.jsonl", [good("CR/1"), good("CR/2", text="x")])
    ingest(workforce, [f], ADMIN)
    again = ingest(workforce, [f], ADMIN)
    assert (again.ingested, again.already_present) == (0, 2)
    assert count(workforce, Record) == 2


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("{not json", None, "not JSON"),
        ("[1, 2]", None, "expected a JSON object"),
        (json.dumps(good(kind="gossip")), "kind", "Input should be"),
        (json.dumps(good(received_at="2999-01-01T00:00:00Z")), "received_at", "in the future"),
        (json.dumps(good(received_at="1850-01-01T00:00:00Z")), "received_at", "impossible date"),
        (json.dumps(good(received_at="2012-02-30T00:00:00Z")), "received_at", "valid datetime"),
        (json.dumps(good(people=[{"name": "A", "age": "old"}])), "people.0.age", "valid integer"),
        (json.dumps(good(people="Amy")), "people", "valid list"),
        (json.dumps(good(agency="Amy Clarke")), "agency", "unknown agency (import it first)"),
        (json.dumps(good(author="Tom Reid")), "author", "unknown author (import users first)"),
        (
            json.dumps(good(decisions=[{**good()["decisions"][0], "by": "Tom Reid"}])),
            "decisions.0.by",
            "unknown user (import users first)",
        ),
        (
            json.dumps(good(decisions=[{**good()["decisions"][0], "offence_code": None}])),
            "decisions.0.offence_code",
            "a recorded crime needs an offence code",
        ),
        (
            json.dumps(good(decisions=[{**good()["decisions"][0], "outcome": None}])),
            "decisions.0.outcome",
            "a crime-recording decision needs an outcome",
        ),
        (json.dumps({k: v for k, v in good().items() if k != "ref"}), "ref", "Field required"),
        (json.dumps(good(text="a\u0000b")), "text", "NUL character"),
        (json.dumps(good(people=[{"name": "A\u0000"}])), "people.0.name", "NUL character"),
    ],
)
def test_bad_rows_are_quarantined_and_good_ones_kept(
    workforce: Store, tmp_path: Path, row: str, field: str | None, message: str
) -> None:
    f = write_jsonl(tmp_path / "mixed.jsonl", [good("CR/1"), row, good("CR/3", text="third")])
    s = ingest(workforce, [f], ADMIN)
    assert (s.ingested, s.quarantined) == (2, 1)
    ((locator, got_field, got_message),) = reasons(workforce)
    assert locator == "line 2" and got_field == field and message in got_message
    # Messages name where, never the value (values are personal data).
    for value in ("Amy Clarke", "Tom Reid", "2999"):
        assert value not in got_message


def test_invalid_utf8_line_is_quarantined_with_its_bytes(workforce: Store, tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_bytes(json.dumps(good()).encode() + b"\n" + b'{"schema": "\xff\xfe"}\n')
    s = ingest(workforce, [f], ADMIN)
    assert (s.ingested, s.quarantined) == (1, 1)
    with workforce.reading() as session:
        q = session.scalars(select(QuarantineItem)).one()
        assert q.message.startswith("invalid UTF-8") and q.raw == b'{"schema": "\xff\xfe"}'


def test_csv_wrong_columns_and_bad_rows(workforce: Store, tmp_path: Path) -> None:
    (tmp_path / "wrong.csv").write_text("name,when\nAmy,yesterday\n")
    ok = tmp_path / "ok.csv"
    ok.write_text(
        "schema,kind,ref,agency,received_at,author,title,child_name,child_dob,child_age,text\n"
        "candour.record/1,referral,REF/1,EDU,2012-01-02T10:00:00Z,,Referral,Amy Reid,,13,Worried.\n"
        "candour.record/1,referral,REF/2,EDU,not a date,,Referral,Jo Shaw,,12,Worried.\n"
    )
    s = ingest(workforce, [tmp_path / "wrong.csv", ok], ADMIN)
    assert (s.ingested, s.quarantined) == (1, 2)
    got = reasons(workforce)
    assert ("header", "schema", "wrong columns: missing schema, kind, ref, received_at") in got
    assert any(loc == "row 2" and fld == "received_at" for loc, fld, _ in got)


def _docx(text: str) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf(text: str, *, encrypt: bool = False) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    w = PdfWriter()
    page = w.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): w._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = w._add_object(stream)
    if encrypt:
        w.encrypt("secret")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def test_documents_of_every_type(workforce: Store, tmp_path: Path) -> None:
    folder = tmp_path / "minutes"
    folder.mkdir()
    (folder / "2012-05-01-meeting.txt").write_text("Meeting notes about Amy CLARKE.\n")
    (folder / "2012-05-02-meeting.md").write_text("# Notes\nTom Reid was named.\n")
    (folder / "2012-05-03-meeting.html").write_text(
        "<html><head><title>Minutes</title></head><body><p>Line one</p>\n<p>Line two</p>"
        "<script>x=1</script></body></html>"
    )
    (folder / "2012-05-04-meeting.docx").write_bytes(_docx("Word minutes naming Tom Reid."))
    (folder / "2012-05-05-meeting.pdf").write_bytes(_pdf("PDF minutes naming Tom Reid"))
    s = ingest(workforce, [folder], ADMIN)
    assert (s.ingested, s.quarantined) == (5, 0), reasons(workforce)
    with workforce.reading() as session:
        recs = {r.fields["source_name"]: r for r in session.scalars(select(Record))}
    assert recs["2012-05-03-meeting.html"].body == "Line one\nLine two\n"
    assert recs["2012-05-03-meeting.html"].title == "Minutes"
    assert "Word minutes" in (recs["2012-05-04-meeting.docx"].body or "")
    assert "PDF minutes" in (recs["2012-05-05-meeting.pdf"].body or "")
    assert all(r.kind == "minutes" for r in recs.values())
    assert recs["2012-05-01-meeting.txt"].received_at.day == 1


def test_email_with_attachment_becomes_two_records(workforce: Store, tmp_path: Path) -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "teacher@edu.example.org"
    msg["To"] = "mash@csc.example.org"
    msg["Subject"] = "Referral: Amy"
    msg["Date"] = "Mon, 02 Jan 2012 10:00:00 +0000"
    msg.set_content("Amy has been missing from school.")
    msg.add_attachment(
        _docx("Attached chronology."),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="chronology.docx",
    )
    folder = tmp_path / "referrals"
    folder.mkdir()
    (folder / "ref.eml").write_bytes(msg.as_bytes())
    s = ingest(workforce, [folder], ADMIN)
    assert (s.ingested, s.quarantined) == (2, 0), reasons(workforce)
    with workforce.reading() as session:
        bodies = sorted(r.body or "" for r in session.scalars(select(Record)))
    assert bodies[0].startswith("Amy has been missing")
    assert "Attached chronology." in bodies[1]


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("latin1.txt", "caf\u00e9".encode("latin-1"), "invalid UTF-8 at byte 3"),
        ("trunc.pdf", None, "truncated or corrupt PDF"),
        ("locked.pdf", None, "encrypted PDF"),
        ("notpdf.pdf", b"hello", "not a PDF"),
        ("broken.docx", b"PK\x03\x04garbage", "corrupt .docx"),
        ("bomb.docx", None, "zip bomb"),
        ("empty.eml", b"   ", "empty file"),
        ("notes.xyz", b"data", "unsupported file type"),
        ("utf16.txt", "hi".encode("utf-16-le"), "NUL byte at byte 1"),
    ],
)
def test_malformed_documents_are_quarantined(
    workforce: Store, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    if content is None:
        content = {
            "trunc.pdf": lambda: _pdf("x")[:200],
            "locked.pdf": lambda: _pdf("x", encrypt=True),
            "bomb.docx": _zip_bomb,
        }[name]()
    folder = tmp_path / "minutes"
    folder.mkdir()
    (folder / name).write_bytes(content)
    (folder / "2012-01-01-fine.txt").write_text("A good document.")
    s = ingest(workforce, [folder], ADMIN)
    assert (s.ingested, s.quarantined) == (1, 1)
    ((_, _, got),) = reasons(workforce)
    assert message in got


def test_oversized_file_is_refused_without_reading_it(workforce: Store, tmp_path: Path) -> None:
    big = tmp_path / "minutes"
    big.mkdir()
    with (big / "huge.txt").open("wb") as fh:
        fh.seek(3 * 1024 * 1024 - 1)  # sparse: 3 MiB on paper, nothing on disk
        fh.write(b"x")
    s = ingest(workforce, [big], ADMIN, Options(limits=Limits(max_file_bytes=1024 * 1024)))
    assert s.quarantined == 1
    ((_, _, got),) = reasons(workforce)
    assert "over the 1 MiB limit" in got


def test_retry_after_fixing_the_source(workforce: Store, tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "a.jsonl", [good("CR/1"), json.dumps(good("CR/2", agency="CSC"))])
    ingest(workforce, [f], ADMIN)
    with workforce.reading() as session:
        (item,) = list_items(session)
    ok, message = retry(workforce, item.id, ADMIN)
    assert not ok and "unknown agency" in message
    write_jsonl(f, [good("CR/1"), good("CR/2", agency="SDP")])
    ok, message = retry(workforce, item.id, ADMIN)
    assert ok and message.startswith("ingested as R-")
    with workforce.reading() as session:
        assert list_items(session) == []
        assert list_items(session, status="resolved")[0].resolved_uid == message.split()[-1]
    assert count(workforce, Record) == 2


def test_retry_with_a_corrected_file(workforce: Store, tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "a.jsonl", ["{broken"])
    ingest(workforce, [f], ADMIN)
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(good("CR/9")))
    with workforce.reading() as session:
        (item,) = list_items(session)
    ok, _ = retry(workforce, item.id, ADMIN, fixed)
    assert ok and count(workforce, Record) == 1


def test_workers_store_exactly_what_one_process_stores(
    workforce: Store, settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parallel intake is only faster: the same records in the same order with the same ids,
    the same rejections in the same places, and a ledger that verifies."""
    from candour.intake import service
    from candour.ledger.integrity import verify
    from candour.settings import Settings
    from candour.store.bootstrap import initialise

    monkeypatch.setattr(service, "CHUNK_UNITS", 4)  # many chunks from a small input
    rows: list = [good(f"CR/{i}", text=f"Report {i}.") for i in range(30)]
    rows[7], rows[19] = "{not json", json.dumps(good(agency="MI5"))
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", rows)
    (folder / "b.csv").write_text(
        "schema,kind,ref,agency,received_at,child_name\n"
        "candour.record/1,referral,REF/1,EDU,2012-01-02T09:00:00Z,Amy CLARKE\n"
        "candour.record/1,referral,REF/2,EDU,2012-01-03T09:00:00Z,Bea Khan,extra\n"
    )
    (folder / "2012-05-01-minutes.txt").write_text("Minutes naming Tom Reid.\n")

    def outcome(store: Store, workers: int) -> tuple[object, ...]:
        s = ingest(store, [folder], ADMIN, Options(kind="minutes"), workers=workers)
        with store.reading() as session:
            records = [(r.id, r.uid) for r in session.scalars(select(Record).order_by(Record.id))]
            assert verify(session).intact
        return (s.read, s.ingested, s.quarantined, s.mentions, records, reasons(store))

    assert isinstance(settings, Settings)
    home = tmp_path / "other"
    other = Settings(home=home, database_url=f"sqlite:///{home / 'candour.db'}")
    second = Store.connect(other.effective_database_url)
    initialise(second, other, "admin", "Administrator", "correct horse battery staple")
    (tmp_path / "agencies.csv").write_text(AGENCIES)
    (tmp_path / "users.csv").write_text(USERS)
    try:
        import_workforce(second, tmp_path / "agencies.csv", tmp_path / "users.csv", Actor.system())
        serial, parallel = outcome(workforce, 0), outcome(second, 2)
    finally:
        second.dispose()
    assert serial == parallel
    assert serial[:3] == (33, 30, 3)


def test_unreadable_csv_row_is_quarantined_and_the_rows_around_it_kept(
    workforce: Store, tmp_path: Path
) -> None:
    head = "schema,kind,ref,agency,received_at,author,title,child_name,child_dob,child_age,text\n"
    row = "candour.record/1,referral,REF/{n},EDU,2012-01-02T10:00:00Z,,Referral,Amy Reid,,13,{t}\n"
    f = tmp_path / "big.csv"
    f.write_text(
        head
        + row.format(n=1, t="Worried.")
        + row.format(n=2, t="x" * 200_000)
        + row.format(n=3, t="Still worried.")
    )
    s = ingest(workforce, [f], ADMIN)
    assert (s.ingested, s.quarantined) == (2, 1)
    ((locator, _, message),) = reasons(workforce)
    assert locator == "row 2" and message.startswith(
        "unreadable CSV: field larger than field limit"
    )
