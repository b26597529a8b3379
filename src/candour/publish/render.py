"""Markdown, HTML and PDF from a published document (Jinja2 templates; WeasyPrint for PDF,
imported only when a PDF is asked for)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from candour.publish.document import Document

FORMATS = ("md", "html", "pdf")


@dataclass(frozen=True)
class Stamp:
    """What the title page states: the checkpoint the report was built from, the approval."""

    origin: str
    size: int
    root: str
    reviewer: str
    approval_event: int
    published: str


def _env() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("candour.publish", "templates"),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )
    env.filters["md"] = lambda v: (
        str(v if v is not None else "").replace("|", "\\|").replace("\n", " ")
    )
    return env


def _context(doc: Document, stamp: Stamp) -> dict[str, Any]:
    return {
        "doc": doc,
        "checkpoint": {"origin": stamp.origin, "size": stamp.size, "root": stamp.root},
        "reviewer": stamp.reviewer,
        "approval_event": stamp.approval_event,
        "published": stamp.published,
    }


def markdown(doc: Document, stamp: Stamp) -> bytes:
    return str(_env().get_template("report.md.j2").render(**_context(doc, stamp))).encode()


def html(doc: Document, stamp: Stamp) -> bytes:
    return str(_env().get_template("report.html.j2").render(**_context(doc, stamp))).encode()


def pdf(doc: Document, stamp: Stamp) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    out: bytes = HTML(string=html(doc, stamp).decode()).write_pdf()
    return out


RENDERERS: dict[str, Callable[[Document, Stamp], bytes]] = {
    "md": markdown,
    "html": html,
    "pdf": pdf,
}
