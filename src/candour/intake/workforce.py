"""Importing agencies and users (the workforce) from CSV, before the records that name them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from candour.errors import ValidationError
from candour.store import Actor, NewUser, Store, create_agency, create_user
from candour.store.models import Agency, User

AGENCY_COLUMNS = ("code", "name", "kind")
USER_COLUMNS = ("identifier", "name", "rank", "role", "agency", "unit", "supervisor")


@dataclass
class WorkforceSummary:
    agencies: int = 0
    users: int = 0
    already_present: int = 0


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise ValidationError(
                    f"wrong columns: missing {', '.join(missing)}",
                    source=str(path),
                    row=1,
                    field=missing[0],
                )
            return list(reader)
    except UnicodeDecodeError as exc:
        raise ValidationError(f"invalid UTF-8 at byte {exc.start}", source=str(path)) from None
    except OSError as exc:
        raise ValidationError(f"cannot read ({exc.strerror})", source=str(path)) from None


def import_workforce(
    store: Store, agencies: Path | None, users: Path | None, actor: Actor
) -> WorkforceSummary:
    """Agencies, then users (supervisors before the people they supervise). Re-runnable."""
    summary = WorkforceSummary()
    with store.transaction() as session:
        if agencies is not None:
            known = set(session.scalars(select(Agency.code)))
            for n, row in enumerate(_rows(agencies, AGENCY_COLUMNS), 2):
                if row["code"] in known:
                    summary.already_present += 1
                    continue
                _with_row(
                    lambda r=row: create_agency(session, r["code"], r["name"], r["kind"], actor),
                    agencies,
                    n,
                )
                summary.agencies += 1
        if users is not None:
            codes = {a.code: a.id for a in session.scalars(select(Agency))}
            ids = {u.identifier: u.id for u in session.scalars(select(User))}
            pending = _rows(users, USER_COLUMNS)
            for n, row in _supervisors_first(pending):
                if row["identifier"] in ids:
                    summary.already_present += 1
                    continue
                if row["agency"] and row["agency"] not in codes:
                    raise ValidationError(
                        "unknown agency (import agencies first)",
                        source=str(users),
                        row=n,
                        field="agency",
                    )
                new = NewUser(
                    row["identifier"],
                    row["name"],
                    row["rank"],
                    row["role"],
                    codes.get(row["agency"]),
                    row["unit"] or None,
                    ids.get(row["supervisor"]) if row["supervisor"] else None,
                )
                user = _with_row(lambda new=new: create_user(session, new, actor), users, n)
                ids[user.identifier] = user.id
                summary.users += 1
    return summary


def _with_row(fn, path: Path, row: int):  # type: ignore[no-untyped-def]
    try:
        return fn()
    except ValidationError as exc:
        raise ValidationError(
            exc.message.split(": ", 1)[-1], source=str(path), row=row, field=exc.field
        ) from None


def _supervisors_first(rows: list[dict[str, str]]) -> list[tuple[int, dict[str, str]]]:
    numbered = list(enumerate(rows, 2))
    by_id = {r["identifier"]: (n, r) for n, r in numbered}
    ordered: list[tuple[int, dict[str, str]]] = []
    done: set[str] = set()

    def visit(ident: str, depth: int = 0) -> None:
        if ident in done or ident not in by_id or depth > 50:
            return
        n, r = by_id[ident]
        if r["supervisor"]:
            visit(r["supervisor"], depth + 1)
        done.add(ident)
        ordered.append((n, r))

    for _, r in numbered:
        visit(r["identifier"])
    return ordered
