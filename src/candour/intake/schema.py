"""The versioned import schema `candour.record/1` (JSONL and CSV), validated by pydantic.

Documented with an example per record kind in docs/intake.md. Unknown top-level keys are kept in
the record's `fields` (nothing is dropped); wrong types, impossible or future dates are errors that
name the field.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from candour.store.enums import DecisionKind, PersonRole, RecordKind

SCHEMA_V1 = "candour.record/1"
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    """In UTC, as `datetime.UTC` itself: the same instant, and the store's fast paths apply."""
    if value.tzinfo is UTC:
        return value
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


_clock: list[Any] = [0.0, datetime.now(UTC) + timedelta(days=1)]


def _latest() -> datetime:
    """The latest time a field may hold (a day from now, for clocks and zones a little off),
    re-read at most once a second: validation runs per field, per row."""
    tick = time.monotonic()
    if tick - _clock[0] > 1.0:
        _clock[0], _clock[1] = tick, datetime.now(UTC) + timedelta(days=1)
    latest: datetime = _clock[1]
    return latest


def check_time(value: datetime, *, now: datetime | None = None) -> datetime:
    value = _aware(value)
    if value < EARLIEST:
        raise ValueError(f"impossible date {value.date()} (before 1900)")
    if value > (_latest() if now is None else now + timedelta(days=1)):
        raise ValueError("a date in the future")
    return value


def check_date(value: date) -> date:
    """`check_time` for a calendar date (a date of birth)."""
    if value < _EARLIEST_DAY:
        raise ValueError(f"impossible date {value} (before 1900)")
    if value > _latest().date():
        raise ValueError("a date in the future")
    return value


_EARLIEST_DAY = EARLIEST.date()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonIn(_Strict):
    name: str = Field(min_length=1, max_length=300)
    role: PersonRole = PersonRole.UNKNOWN
    dob: date | None = None
    age: int | None = Field(default=None, ge=0, le=120)
    phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=200)

    @field_validator("dob")
    @classmethod
    def _dob(cls, v: date | None) -> date | None:
        return None if v is None else check_date(v)


class VehicleIn(_Strict):
    registration: str = Field(min_length=2, max_length=20)
    make: str | None = None
    colour: str | None = None


class LocationIn(_Strict):
    address: str | None = Field(default=None, max_length=500)
    postcode: str | None = Field(default=None, max_length=10)


class OffenceIn(_Strict):
    code: str = Field(min_length=1, max_length=16)
    description: str | None = None
    group: str | None = None


class DecisionIn(_Strict):
    kind: DecisionKind
    outcome: Literal["recorded", "not_recorded", "transferred"] | None = None
    offence_code: str | None = None
    reason: str = Field(min_length=1)
    by: str = Field(min_length=1, description="identifier of the user who decided")
    at: datetime

    @field_validator("at")
    @classmethod
    def _at(cls, v: datetime) -> datetime:
        return check_time(v)


class RecordIn(BaseModel):
    """One structured record. Extra keys are allowed and kept as fields."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    schema_: Literal["candour.record/1"] = Field(alias="schema")
    kind: RecordKind
    ref: str = Field(min_length=1, max_length=200)
    received_at: datetime
    agency: str | None = Field(default=None, max_length=32)
    author: str | None = Field(default=None, max_length=64)
    title: str | None = Field(default=None, max_length=500)
    text: str | None = Field(default=None, max_length=1_000_000)
    disclosure: bool = False
    offence: OffenceIn | None = None
    people: list[PersonIn] = Field(default_factory=list, max_length=500)
    vehicles: list[VehicleIn] = Field(default_factory=list, max_length=200)
    phones: list[str] = Field(default_factory=list, max_length=200)
    locations: list[LocationIn] = Field(default_factory=list, max_length=200)
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=100)

    @field_validator("received_at")
    @classmethod
    def _received(cls, v: datetime) -> datetime:
        return check_time(v)

    def extra_fields(self) -> dict[str, Any]:
        return dict(self.__pydantic_extra__ or {})


# CSV carries one child per row (the layout partner agencies' exports use).
CSV_COLUMNS = (
    "schema",
    "kind",
    "ref",
    "agency",
    "received_at",
    "author",
    "title",
    "child_name",
    "child_dob",
    "child_age",
    "text",
)
CSV_REQUIRED = ("schema", "kind", "ref", "received_at")


def csv_row_to_record(row: dict[str, str]) -> dict[str, Any]:
    """Map a CSV row onto the JSON shape, so one validator serves both."""
    out: dict[str, Any] = {
        k: v for k, v in row.items() if k in CSV_COLUMNS and not k.startswith("child_") and v != ""
    }
    if row.get("child_name"):
        person: dict[str, Any] = {"name": row["child_name"], "role": "victim"}
        if row.get("child_dob"):
            person["dob"] = row["child_dob"]
        if row.get("child_age"):
            person["age"] = row["child_age"]
        out["people"] = [person]
    for k, v in row.items():
        if k not in CSV_COLUMNS and v != "" and k is not None:
            out[k] = v
    return out
