"""The API's documented shapes: problem documents, pages of a list, and the list items.

Declaring them puts them in the OpenAPI schema, so a client (and the schemathesis contract
tests) can check every answer against it. Lists are cut into pages by `limit` and an opaque
`cursor`; the order behind each list is stable (the service's order, then a unique key), so
walking the cursors visits every item once."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from candour.errors import ValidationError

T = TypeVar("T")
MAX_LIMIT = 100


class Problem(BaseModel):
    """RFC 9457 problem details; `detail` names the field or row, never a person."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    fields: list[str] | None = None


PROBLEM = "application/problem+json"
_PROBLEM_CONTENT = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": _PROBLEM_CONTENT, "model": Problem}
    for status, text in (
        (400, "Input the service refused (names the field)"),
        (401, "No bearer token, or it has ended"),
        (403, "Not permitted for this caller (nothing about the target is revealed)"),
        (404, "No such thing (or one the caller may not know of)"),
        (409, "Conflicts with the current state"),
        (422, "Parameters that do not fit the schema (names the fields)"),
        (429, "Too many failed sign-ins"),
        (503, "The store is not reachable"),
    )
}

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
Cursor = Annotated[
    str | None,
    Query(max_length=64, description="`next_cursor` of the previous page; omit for the first."),
]


class Page(BaseModel, Generic[T]):
    """One page of a list. `total` is given where counting reveals nothing the caller may not
    see (the list is already cut to what they may read)."""

    items: list[T]
    limit: int
    next_cursor: str | None = None
    total: int | None = None


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        offset = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        offset = -1
        kind = ""
    if kind != "o" or offset < 0:
        raise ValidationError("not a cursor this API issued", field="cursor")
    return offset


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def paginate(
    items: Sequence[Any], limit: int, cursor: str | None, *, total: bool = True
) -> dict[str, Any]:
    """A page of `items` (already in their stable order) from `cursor`."""
    start = _offset(cursor)
    end = start + limit
    return {
        "items": list(items[start:end]),
        "limit": limit,
        "next_cursor": _cursor(end) if end < len(items) else None,
        "total": len(items) if total else None,
    }


class WorkItemOut(BaseModel):
    kind: str = Field(description="escalation or recording")
    escalation: int | None
    record: str | None
    what: str
    status: str
    target_rank: str | None
    deadline: datetime
    overdue: bool


class HitOut(BaseModel):
    uid: str
    kind: str
    received_at: datetime
    title: str | None
    snippet: str


class SearchPage(BaseModel):
    """Search results, newest first, by page: `total` counts only records the caller may
    read (matches are cut to readable records before counting)."""

    query: str
    items: list[HitOut]
    page: int
    per_page: int
    next_page: int | None = None
    total: int


class ReviewOut(BaseModel):
    event: int
    record: str | None
    user: str
    rank: str | None
    reason: str
    at: datetime
    outcome: str | None
    reviewed_by: str | None


class AccountOut(BaseModel):
    identifier: str
    name: str
    rank: str
    role: str
    agency: str | None
    unit: str | None
    active: bool
    second_factor: bool = False


class WhoKnewRow(BaseModel):
    time: str | datetime | None = None
    user: str | None = None
    name: str | None = None
    rank: str | None = None
    action: str | None = None
    record: str | None = None
    purpose: str | None = None
    break_glass: Any = None
    event: int | None = None
    leaf_hash: str | None = None
    logged: Any = None
    proof: dict[str, Any] | None = None


class WhoKnewPage(BaseModel):
    target: str
    kind: str
    items: list[WhoKnewRow]
    limit: int
    next_cursor: str | None = None
    total: int


class CountRow(BaseModel):
    label: str
    count: int
    overdue: int


class EscalationSummary(BaseModel):
    by_age: list[CountRow]
    by_rank: list[CountRow]


class DemandRow(BaseModel):
    group: str
    volume: int
    harm: float
    share_of_volume: float
    share_of_harm: float


class Demand(BaseModel):
    categories: list[DemandRow]
    total_volume: int
    total_harm: float
    source: str | None


class RateRow(BaseModel):
    label: str
    disclosures: int
    recorded: int
    rate: float


class Band(BaseModel):
    label: str
    count: int


class RecordingIntegrity(BaseModel):
    disclosures: int
    recorded_rate: float
    breaches: int
    by_offence_group: list[RateRow]
    by_unit: list[RateRow]
    time_to_decision: list[Band]


class LedgerStatus(BaseModel):
    size: int
    checkpoint: str | None


class Filed(BaseModel):
    uid: str | None
    errors: dict[str, str]
    quarantined: list[str]
