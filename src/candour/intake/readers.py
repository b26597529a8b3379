"""Readers turn files into items: a validated record, or a rejection with where and why.

One reader per format, registered by name (`READERS`) and chosen by file suffix. `split` cuts a
file into units as it goes (a large file streams with bounded memory) and `reread` turns one
unit into an item, anywhere, so a bad row never stops the good ones.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
from pydantic import ValidationError as PydanticError

from candour.intake.documents import EXTRACTORS, Document, IntakeError, Limits
from candour.intake.schema import CSV_COLUMNS, CSV_REQUIRED, RecordIn, csv_row_to_record

MAX_LINE_BYTES = 16 * 1024 * 1024
# What bytes that are not UTF-8 decode to with errors="surrogateescape".
_UNDECODED = re.compile("[\udc80-\udcff]")
LINE_BLOCK = 256 * 1024
CSV_RUN = 500  # records
MAX_DEPTH = 32  # levels of JSON nesting: no record needs more


@dataclass
class Accepted:
    source: str
    locator: str | None
    raw: bytes
    record: RecordIn | None = None
    document: Document | None = None
    data: dict[str, Any] | None = None  # the record as the source wrote it


@dataclass
class Rejected:
    source: str
    locator: str | None
    message: str
    raw: bytes
    field: str | None = None
    reader: str = ""


Item = Accepted | Rejected


@dataclass
class Unit:
    """A piece of a file that its reader can read on its own (a line, a CSV row, a document):
    cheap to cut out, so the costly parse and validation can run in another process."""

    reader: str
    source: str
    locator: str | None
    raw: bytes


@dataclass
class Lines:
    """A run of whole lines of a JSON Lines file, from line `first`: the writer cuts a file into
    runs with one search per block, and the worker that reads a run splits it into lines."""

    reader: str
    source: str
    first: int
    raw: bytes
    count: int

    def units(self) -> Iterator[Unit]:
        for n, line in enumerate(self.raw.split(b"\n"), self.first):
            fitted = _fit(line)
            if fitted.strip():
                yield Unit(self.reader, self.source, f"line {n}", fitted)

    def items(self, limits: Limits) -> Iterator[Item]:
        reader = READERS[self.reader]
        for u in self.units():
            yield reader.reread(u.source, u.locator, u.raw, limits)


class Reader(Protocol):
    name: str
    suffixes: tuple[str, ...]

    def split(self, path: Path, limits: Limits) -> Iterator[Unit | Lines | Rows | Rejected]: ...

    def reread(self, source: str, locator: str | None, raw: bytes, limits: Limits) -> Item: ...


def _pydantic_reason(exc: PydanticError) -> tuple[str, str]:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    msg = first["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    extra = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return where, f"{msg}{extra}"


def validate_record(data: Any, source: str, locator: str, raw: bytes, reader: str) -> Item:
    if not isinstance(data, dict):
        return Rejected(source, locator, "expected a JSON object", raw, reader=reader)
    if b"\\u0000" in raw or b"\x00" in raw:
        where = _nul_at(data)
        if where is not None:
            message = "contains a NUL character, which no text field can hold"
            return Rejected(source, locator, message, raw, field=where, reader=reader)
    try:
        return Accepted(source, locator, raw, record=RecordIn.model_validate(data), data=data)
    except PydanticError as exc:
        where, msg = _pydantic_reason(exc)
        return Rejected(source, locator, msg, raw, field=where, reader=reader)


def _nul_at(value: Any, path: str = "") -> str | None:
    """The path of the first key or string holding a NUL character, if any."""
    if isinstance(value, str):
        return path or "." if "\x00" in value else None
    items: Any = ()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    for key, item in items:
        here = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and "\x00" in key:
            return here
        found = _nul_at(item, here)
        if found is not None:
            return found
    return None


class JsonLinesReader:
    name: str = "jsonl"
    suffixes: tuple[str, ...] = (".jsonl", ".ndjson")

    def split(self, path: Path, limits: Limits) -> Iterator[Lines]:
        source = str(path)
        with path.open("rb") as fh:
            for first, run, count in _line_runs(fh):
                yield Lines(self.name, source, first, run, count)

    def reread(self, source: str, locator: str | None, raw: bytes, limits: Limits) -> Item:
        loc = locator or "line ?"
        if len(raw) > MAX_LINE_BYTES:
            return Rejected(source, loc, "line longer than 16 MiB", raw[:65536], reader=self.name)
        if raw.count(b"{") + raw.count(b"[") > MAX_DEPTH:
            where = _too_deep_at(raw)
            if where is not None:
                message = f"nested deeper than {MAX_DEPTH} levels"
                return Rejected(source, loc, message, raw, field=where or None, reader=self.name)
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                message = f"invalid UTF-8 at byte {bad.start}"
            else:
                message = f"not JSON: {exc.msg} at column {exc.colno}"
            return Rejected(source, loc, message, raw, reader=self.name)
        return validate_record(data, source, loc, raw, self.name)


def _line_runs(fh: io.BufferedReader) -> Iterator[tuple[int, bytes, int]]:
    """Runs of whole lines of a binary file (first line number, bytes, how many lines), a
    block at a time: the writer cuts every file, so it only looks for the block's last newline
    and leaves splitting to the workers. A line longer than MAX_LINE_BYTES comes alone, cut
    there, and the rest of it is skipped, so memory stays bounded and the reader can reject it.
    """
    first, carry, skipping = 1, b"", False
    while block := fh.read(LINE_BLOCK):
        if skipping:
            end = block.find(b"\n")
            if end < 0:
                continue
            skipping, block, first = False, block[end + 1 :], first + 1
        data = carry + block if carry else block
        end = data.rfind(b"\n")
        if end < 0:
            carry = data
        else:
            run, carry = data[:end], data[end + 1 :]
            count = run.count(b"\n") + 1
            yield first, run, count
            first += count
        if len(carry) > MAX_LINE_BYTES:
            yield first, carry[: MAX_LINE_BYTES + 1], 1
            carry, skipping = b"", True
    if carry and not skipping:
        yield first, carry, 1


_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}:]')


def _too_deep_at(raw: bytes) -> str | None:
    """The top-level field under which a JSON text nests deeper than MAX_DEPTH ("" if at the
    top), or None. Deep nesting is refused before it is parsed: parsers, validators and the
    store each recurse, and each has its own limit (orjson 1024, its writer 254)."""
    depth, key, field = 0, b"", b""
    for m in _JSON_TOKEN.finditer(raw):
        token = m.group()
        if token in (b"{", b"["):
            depth += 1
            if depth == 2:
                field = key
            if depth > MAX_DEPTH:
                return field[1:-1].decode("utf-8", errors="replace") if field else ""
        elif token in (b"}", b"]"):
            depth -= 1
        elif token == b":":
            continue
        elif depth == 1:
            key = token
    return None


def _fit(line: bytes) -> bytes:
    return line[: MAX_LINE_BYTES + 1] if len(line) > MAX_LINE_BYTES else line.rstrip(b"\r")


def _lines(fh: io.BufferedReader) -> Iterator[bytes]:
    """Lines of a binary file (runaway lines cut at MAX_LINE_BYTES + 1)."""
    for _, run, _ in _line_runs(fh):
        for line in run.split(b"\n"):
            yield _fit(line)


class CsvReader:
    name: str = "csv"
    suffixes: tuple[str, ...] = (".csv",)

    def split(self, path: Path, limits: Limits) -> Iterator[Rows | Rejected]:
        source = str(path)
        data = path.read_bytes()
        if not data.strip():
            yield Rejected(source, None, "empty file", data, reader=self.name)
            return
        text = data.decode("utf-8-sig", errors="surrogateescape")
        feed = _Feed(io.StringIO(text, newline=""))
        reader = csv.reader(feed)
        try:
            header = next(reader, [])
        except csv.Error as exc:
            header, reason, field = [], f"unreadable header: {exc}", None
        else:
            reason, field = _header_fault(header)
        if reason:
            yield Rejected(source, "header", reason, data[:65536], field=field, reader=self.name)
            return
        yield from self._runs(source, header, reader, feed, 1 + len(feed.taken))

    def _runs(
        self, source: str, header: list[str], reader: Any, feed: _Feed, line: int
    ) -> Iterator[Rows | Rejected]:
        """Whole records, CSV_RUN at a time: the csv module's C reader finds where each ends
        (quoted fields may hold newlines), and the run's lines go to a worker as they are.

        A record that spans lines but is not well-formed CSV on its own is a quote that never
        closed: its first line is refused and reading resumes on the next line, so the rows
        after it are rows, not its text."""
        run: list[str] = []
        first, count = line, 0
        while True:
            feed.taken.clear()
            try:
                next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if count:
                    yield Rows(self.name, source, header, first, _join(run), count)
                bad = _join(feed.taken)[:65536]
                yield Rejected(source, f"row {line - 1}", f"unreadable CSV: {exc}", bad,
                               reader=self.name)  # fmt: skip
                line += len(feed.taken)
                run, first, count = [], line, 0
                continue
            lines = list(feed.taken)
            if len(lines) > 1 and not _well_formed(lines):
                if count:
                    yield Rows(self.name, source, header, first, _join(run), count)
                yield Rejected(
                    source,
                    f"row {line - 1}",
                    "unclosed quote: a quoted value opens here and never closes",
                    _join(lines[:1]),
                    field=_open_quote_field(lines[0], header),
                    reader=self.name,
                )
                feed.push_back(lines[1:])
                line += 1
                run, first, count = [], line, 0
                continue
            run.extend(lines)
            line, count = line + len(lines), count + 1
            if count >= CSV_RUN:
                yield Rows(self.name, source, header, first, _join(run), count)
                run, first, count = [], line, 0
        if count:
            yield Rows(self.name, source, header, first, _join(run), count)

    def _row(self, source: str, loc: str, row: dict[str, Any], raw: bytes) -> Item:
        if None in row:
            return Rejected(source, loc, "more values than columns", raw, reader=self.name)
        for k, v in row.items():
            if isinstance(v, str) and not v.isascii() and _UNDECODED.search(v):
                return Rejected(source, loc, "invalid UTF-8", raw, field=k, reader=self.name)
        return validate_record(csv_row_to_record(row), source, loc, raw, self.name)

    def reread(self, source: str, locator: str | None, raw: bytes, limits: Limits) -> Item:
        text = raw.decode("utf-8", errors="surrogateescape")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        if len(rows) != 1:
            return Rejected(source, locator, "expected a header and one row", raw, reader=self.name)
        return self._row(source, locator or "row ?", rows[0], raw)


class _Feed:
    """Physical lines for the csv reader, remembering the ones it has taken since the last
    record, and able to give some back (to read again after a refused line)."""

    def __init__(self, lines: Iterator[str] | io.StringIO) -> None:
        self._lines = iter(lines)
        self._back: deque[str] = deque()
        self.taken: list[str] = []

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self._back.popleft() if self._back else next(self._lines)
        self.taken.append(line)
        return line

    def push_back(self, lines: list[str]) -> None:
        self._back.extendleft(reversed(lines))


def _header_fault(header: list[str]) -> tuple[str, str | None]:
    """Why a header cannot be read as columns, and the column at fault ("" when it can)."""
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        return f"wrong columns: missing {', '.join(missing)}", missing[0]
    seen: set[str] = set()
    for n, name in enumerate(header, 1):
        if name in seen:
            # A column the schema knows is named; any other is counted, since a header may
            # really be a row of data.
            if name in CSV_COLUMNS:
                return f"column '{name}' appears twice", name
            return f"column {n} repeats an earlier column's name", None
        seen.add(name)
    return "", None


def _well_formed(lines: list[str]) -> bool:
    """Whether a record's lines are one strict CSV record: a quote opened and never closed
    either runs to the end of the file or closes at some later row's quote, with text after."""
    try:
        rows = list(csv.reader(io.StringIO("".join(lines), newline=""), strict=True))
    except csv.Error:
        return False
    return len(rows) == 1


def _open_quote_field(line: str, header: Sequence[str]) -> str | None:
    """The column whose quoted value opens on this line and is still open at its end."""
    column, quoted, at_start, i = 0, False, True, 0
    while i < len(line):
        c = line[i]
        if quoted:
            if c == '"' and line[i + 1 : i + 2] == '"':
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"' and at_start:
            quoted = True
        elif c == ",":
            column, at_start = column + 1, True
            i += 1
            continue
        at_start = False
        i += 1
    return header[column] if quoted and column < len(header) else None


def _join(lines: list[str]) -> bytes:
    return "".join(lines).encode("utf-8", errors="surrogateescape")


@dataclass
class Rows:
    """A run of whole CSV records from physical line `first` (the header is line 1), with the
    file's header: cut by the writer without building a row, read by a worker."""

    reader: str
    source: str
    header: list[str]
    first: int
    raw: bytes
    count: int

    def items(self, limits: Limits) -> Iterator[Item]:
        csv_reader = READERS[self.reader]
        assert isinstance(csv_reader, CsvReader)
        text = self.raw.decode("utf-8", errors="surrogateescape")
        rows = csv.DictReader(io.StringIO(text, newline=""), fieldnames=self.header)
        for row in rows:
            locator = f"row {self.first - 2 + rows.line_num}"
            yield csv_reader._row(self.source, locator, row, _row_bytes(self.header, row))


def _row_bytes(header: Sequence[str], row: dict[str, Any]) -> bytes:
    """A self-contained CSV (header + this row): what quarantine keeps, and what retry reads."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerow([row.get(h, "") for h in header] + list(row.get(None) or []))  # type: ignore[call-overload]
    return out.getvalue().encode("utf-8", errors="surrogateescape")


class DocumentReader:
    name: str = "document"
    suffixes: tuple[str, ...] = tuple(EXTRACTORS)

    def split(self, path: Path, limits: Limits) -> Iterator[Unit | Rejected]:
        yield Unit(self.name, str(path), None, path.read_bytes())

    def reread(self, source: str, locator: str | None, raw: bytes, limits: Limits) -> Item:
        suffix = Path(source if locator is None else locator).suffix.lower()
        extractor = EXTRACTORS.get(suffix)
        if extractor is None:
            return Rejected(
                source, locator, f"unsupported document type '{suffix}'", raw, reader=self.name
            )
        try:
            doc = extractor(raw, limits)
        except IntakeError as exc:
            return Rejected(source, locator, str(exc), raw, field=exc.field, reader=self.name)
        except RecursionError:
            return Rejected(source, locator, "document nested too deeply", raw, reader=self.name)
        # Text taken out of a PDF, a .docx or a mail can carry NUL characters, which no text
        # column can hold (PostgreSQL refuses them); the raw file stays addressable by its hash.
        doc.text = doc.text.replace("\x00", "\ufffd")
        if doc.title is not None:
            doc.title = doc.title.replace("\x00", "\ufffd")
        return Accepted(source, locator, raw, document=doc)


_BUILT_IN: tuple[Reader, ...] = (JsonLinesReader(), CsvReader(), DocumentReader())
READERS: dict[str, Reader] = {r.name: r for r in _BUILT_IN}
BY_SUFFIX: dict[str, Reader] = {s: r for r in READERS.values() for s in r.suffixes}


def reader_for(path: Path) -> Reader | None:
    return BY_SUFFIX.get(path.suffix.lower())
