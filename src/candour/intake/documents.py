"""Text out of documents (.txt .md .html .eml .docx .pdf), each with its own guard rails.

Every failure is an `IntakeError` with one line a user can act on; sizes are checked before
anything is unpacked, so a zip bomb or a huge file costs bounded memory and time.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from candour.errors import CandourError


class IntakeError(CandourError):
    """Why one file or row could not be taken in (goes to quarantine, never crashes a run)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Limits:
    max_file_bytes: int = 200 * 1024 * 1024
    max_unpacked_bytes: int = 500 * 1024 * 1024
    max_compression_ratio: int = 200
    max_pdf_pages: int = 5_000


@dataclass
class Document:
    text: str
    title: str | None = None
    received_at: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


def decode_text(data: bytes) -> str:
    if not data.strip():
        raise IntakeError("empty file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IntakeError(f"invalid UTF-8 at byte {exc.start}") from None
    if "\x00" in text:
        at = data.index(b"\x00")
        raise IntakeError(f"NUL byte at byte {at}: UTF-16 or a binary file, not UTF-8 text")
    return text


def _plain(data: bytes, limits: Limits) -> Document:
    return Document(decode_text(data))


_BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "pre",
    "table",
    "ul",
    "ol",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
}


class _HTMLText(HTMLParser):
    """Text as a reader sees it: one line per block element, scripts and styles skipped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: str | None = None
        self._skip = 0
        self._in_title = False
        self._open_block = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self._open_block = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in _BLOCKS and tag != "br":
            self.parts.append("\n")
            self._open_block = False

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title = (self.title or "") + data.strip()
            return
        if not self._open_block and not data.strip():
            return  # layout whitespace between blocks
        self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str | None]:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts), parser.title


def _html(data: bytes, limits: Limits) -> Document:
    text, title = html_to_text(decode_text(data))
    if not text.strip():
        raise IntakeError("HTML document has no text")
    return Document(text, title)


def _eml(data: bytes, limits: Limits) -> Document:
    if not data.strip():
        raise IntakeError("empty file")
    msg = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(msg, EmailMessage) or not (msg["From"] or msg["Subject"] or msg["Date"]):
        raise IntakeError("not an e-mail message (no From, Subject or Date header)")
    body = msg.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = body.get_content()
        text = html_to_text(content)[0] if body.get_content_subtype() == "html" else content
    received = None
    if msg["Date"]:
        try:
            received = parsedate_to_datetime(str(msg["Date"]))
        except (TypeError, ValueError):
            raise IntakeError("unreadable Date header", field="Date") from None
        if received.tzinfo is None:
            received = received.replace(tzinfo=UTC)
    meta = {k.lower(): str(msg[k]) for k in ("From", "To", "Message-ID") if msg[k]}
    subject = str(msg["Subject"]) if msg["Subject"] else None
    return Document(text, subject, received, meta, _mail_attachments(msg))


def _mail_attachments(msg: EmailMessage) -> list[tuple[str, bytes]]:
    """Every attachment as (name, bytes); a forwarded message (message/rfc822) comes as an
    .eml of its own, so its body and its own attachments become records too, never dropped."""
    out = []
    for n, part in enumerate(msg.iter_attachments(), 1):
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                out.append((f"forwarded-{n}.eml", inner.as_bytes(policy=policy.default)))
                continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            out.append((part.get_filename() or "attachment.bin", payload))
        else:  # a part that is itself multipart: kept whole, so intake shows what it made of it
            out.append((f"part-{n}.eml", part.as_bytes(policy=policy.default)))
    return out


def _check_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise IntakeError("corrupt .docx (not a readable zip archive)") from None
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_compression_ratio or total > limits.max_unpacked_bytes:
            raise IntakeError("refused: archive unpacks far larger than it is (zip bomb?)")
    return archive


def _docx(data: bytes, limits: Limits) -> Document:
    if not data:
        raise IntakeError("empty file")
    _check_zip(data, limits)
    import docx  # python-docx, loaded only when a .docx arrives

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for broken parts
        raise IntakeError(f"corrupt .docx ({type(exc).__name__})") from None
    text = "\n".join(p.text for p in document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            text += "\n" + " | ".join(c.text for c in row.cells)
    title = document.core_properties.title or None
    if not text.strip():
        raise IntakeError(".docx has no text")
    return Document(text, title)


def _pdf(data: bytes, limits: Limits) -> Document:
    if not data:
        raise IntakeError("empty file")
    if not data.lstrip()[:5] == b"%PDF-":
        raise IntakeError("not a PDF (no %PDF header)")
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IntakeError("encrypted PDF: give the unencrypted file")
        if len(reader.pages) > limits.max_pdf_pages:
            raise IntakeError(f"PDF has more than {limits.max_pdf_pages} pages")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        title = reader.metadata.title if reader.metadata else None
    except IntakeError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise IntakeError(f"truncated or corrupt PDF ({type(exc).__name__})") from None
    except Exception as exc:  # pypdf's internal failures on hostile input
        if "crypt" in str(exc).lower():
            raise IntakeError("encrypted PDF: give the unencrypted file") from None
        raise IntakeError(f"truncated or corrupt PDF ({type(exc).__name__})") from None
    if not text.strip():
        raise IntakeError("PDF has no text layer (scanned?): needs OCR before intake")
    return Document(text, title)


Extractor = Callable[[bytes, Limits], Document]

EXTRACTORS: dict[str, Extractor] = {
    ".txt": _plain,
    ".md": _plain,
    ".html": _html,
    ".htm": _html,
    ".eml": _eml,
    ".docx": _docx,
    ".pdf": _pdf,
}

_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def date_from_name(name: str) -> datetime | None:
    m = _DATE_IN_NAME.search(name)
    if not m:
        return None
    try:
        return datetime(int(m[1]), int(m[2]), int(m[3]), 12, 0, tzinfo=UTC)
    except ValueError:
        return None
