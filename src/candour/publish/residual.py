"""The residual check before release: every identifier the store holds for the people in a
report's sources is looked for in the published document, whatever its case or spacing. A hit
names the place (section, paragraph or table, row and column), never the value."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from candour.publish.document import Document
from candour.publish.redact import Known, flexible

_COMMON = {"road", "street", "lane", "house", "flat", "close", "park", "unknown", "none"}


def _forms(k: Known) -> Iterator[str]:
    yield k.value
    if k.kind in ("name", "alias"):
        words = [w for w in k.value.replace(",", " ").split() if w.isalpha()]
        for w in words:
            if len(w) >= 4 and w.lower() not in _COMMON:
                yield w


def places(doc: Document) -> Iterator[tuple[str, str]]:
    """(place, text) for every piece of text in a document."""
    yield "title", doc.title
    yield "subtitle", doc.subtitle
    for i, s in enumerate(doc.sections, 1):
        yield f"section {i} title", s.title
        for j, p in enumerate(s.paragraphs, 1):
            yield f"section {i} paragraph {j}", p
        for t_i, t in enumerate(s.tables, 1):
            yield f"table {i}.{t_i} caption", t.caption
            for r_i, row in enumerate(t.rows, 1):
                for c_i, cell in enumerate(row):
                    col = t.columns[c_i] if c_i < len(t.columns) else str(c_i + 1)
                    yield f"table {i}.{t_i} row {r_i} column '{col}'", str(cell)


def residual(doc: Document, known: Sequence[Known]) -> list[str]:
    """Where an identifier of a person in the sources is still readable: '<place>: <kind>'."""
    patterns = []
    for k in known:
        for form in _forms(k):
            if sum(ch.isalnum() for ch in form) >= 4:
                p = flexible(form)
                if p is not None:
                    patterns.append((k.kind, p))
    hits: list[str] = []
    for place, text in places(doc):
        for kind, p in patterns:
            if p.search(text):
                hits.append(f"{place}: a {kind} of a person in the sources")
    return sorted(set(hits))
