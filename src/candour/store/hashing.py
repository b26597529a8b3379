"""Canonical content and hashes of the rows the ledger protects.

Each protected row stores `content_hash`, and the ledger event that created or changed it carries
the same hash as `subject_hash`. Verification recomputes the hash from the row's columns, so an
edit made with plain SQL shows up as a mismatch. Surrogate integer ids are left out: they are
assigned by the database, while uids and references are part of the content.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import orjson

from candour.store.types import iso

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def canonical_json(value: Any) -> str:
    """Deterministic JSON (RFC 8259, UTF-8): sorted keys, no spaces, timestamps as `iso()`.

    orjson's compact output is the canonical form; it is an order of magnitude faster than the
    standard library, which matters because every write and every verification hashes rows.
    """
    return orjson.dumps(value, option=_OPTIONS, default=_enc).decode()


def _enc(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"cannot hash a value of type {type(value).__name__}")


def digest(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


RECORD_COLUMNS = (
    "uid",
    "root_uid",
    "version",
    "supersedes_id",
    "kind",
    "agency_id",
    "source_ref",
    "received_at",
    "created_at",
    "created_by",
    "title",
    "body",
    "fields",
    "about_child",
)
DECISION_COLUMNS = (
    "record_id",
    "kind",
    "outcome",
    "offence_code",
    "reason",
    "decided_by",
    "rank_at_decision",
    "decided_at",
    "supersedes_id",
)
ESCALATION_COLUMNS = (
    "record_id",
    "rule_id",
    "rule_version",
    "dedup_key",
    "raised_by",
    "owner_id",
    "target_rank",
    "reason",
    "evidence",
    "status",
    "deadline",
    "created_at",
    "updated_at",
)
ASSIGNMENT_COLUMNS = ("record_id", "user_id", "assigned_by", "assigned_at", "ended_at")
DISCLOSURE_COLUMNS = (
    "record_id",
    "source",
    "offence_code",
    "offence_group",
    "received_at",
    "responsible_id",
    "detector",
    "created_at",
)
RULE_VERSION_COLUMNS = ("rule_id", "version", "kind", "sha256", "text", "loaded_at", "loaded_by")
LINK_DECISION_COLUMNS = (
    "kind",
    "verdict",
    "mention_a",
    "mention_b",
    "reason",
    "decided_by",
    "rank_at_decision",
    "decided_at",
)
QUARANTINE_COLUMNS = (
    "source",
    "locator",
    "field",
    "message",
    "reader",
    "raw",
    "raw_size",
    "kind_hint",
    "agency_hint",
    "status",
    "resolved_uid",
    "created_at",
    "updated_at",
)


def _hasher(columns: tuple[str, ...]) -> Callable[[Mapping[Any, Any]], str]:
    def content_hash(row: Mapping[Any, Any]) -> str:
        return digest({c: row.get(c) for c in columns})

    return content_hash


record_hash = _hasher(RECORD_COLUMNS)
decision_hash = _hasher(DECISION_COLUMNS)


def decision_text(row: Mapping[Any, Any]) -> str:
    """The canonical text `decision_hash` hashes."""
    return canonical_json({c: row.get(c) for c in DECISION_COLUMNS})


escalation_hash = _hasher(ESCALATION_COLUMNS)
USER_COLUMNS = (
    "identifier",
    "name",
    "agency_id",
    "unit",
    "rank",
    "role",
    "supervisor_id",
    "password_hash",
    "active",
)
user_hash = _hasher(USER_COLUMNS)
assignment_hash = _hasher(ASSIGNMENT_COLUMNS)
disclosure_hash = _hasher(DISCLOSURE_COLUMNS)
rule_version_hash = _hasher(RULE_VERSION_COLUMNS)
link_decision_hash = _hasher(LINK_DECISION_COLUMNS)


def quarantine_hash(row: Mapping[Any, Any]) -> str:
    """A quarantined item's raw bytes enter its hash as their SHA-256."""
    content = {c: row.get(c) for c in QUARANTINE_COLUMNS}
    raw = content["raw"]
    content["raw"] = None if raw is None else hashlib.sha256(bytes(raw)).hexdigest()
    return digest(content)


TOTP_COLUMNS = ("user_id", "sealed_secret", "created_at", "created_by", "confirmed_at", "ended_at")


def totp_hash(row: Mapping[Any, Any]) -> str:
    """A TOTP enrolment's sealed secret enters its hash as its SHA-256."""
    content = {c: row.get(c) for c in TOTP_COLUMNS}
    sealed = content["sealed_secret"]
    content["sealed_secret"] = None if sealed is None else hashlib.sha256(bytes(sealed)).hexdigest()
    return digest(content)


#: How rule events name a rule version ("<rule id>@<version>"), as SQL over `rule_version`.
RULE_KEY = "rule_id || '@' || CAST(version AS VARCHAR(20))"

# entity_type in the ledger -> (table name, the column (or SQL expression) that names a row in
# events, hasher, columns). Tables that change in bulk have aggregate digests instead
# (store/digests.py).
PROTECTED: dict[str, tuple[str, str, Callable[[Mapping[Any, Any]], str], tuple[str, ...]]] = {
    "record": ("record", "uid", record_hash, RECORD_COLUMNS),
    "decision": ("decision", "id", decision_hash, DECISION_COLUMNS),
    "escalation": ("escalation", "id", escalation_hash, ESCALATION_COLUMNS),
    "assignment": ("assignment", "id", assignment_hash, ASSIGNMENT_COLUMNS),
    "disclosure": ("disclosure", "id", disclosure_hash, DISCLOSURE_COLUMNS),
    "rule": ("rule_version", RULE_KEY, rule_version_hash, RULE_VERSION_COLUMNS),
    "link_decision": ("link_decision", "id", link_decision_hash, LINK_DECISION_COLUMNS),
    "quarantine": ("quarantine", "id", quarantine_hash, QUARANTINE_COLUMNS),
    "user": ("app_user", "id", user_hash, USER_COLUMNS),
    "totp": ("user_totp", "id", totp_hash, TOTP_COLUMNS),
}

OVERSIGHT_COMPLAINT_COLUMNS = (
    "uid",
    "force_id",
    "complainant",
    "received_at",
    "channel",
    "record_uid",
    "investigation_set",
    "created_by",
    "created_at",
)
OVERSIGHT_INVESTIGATION_COLUMNS = (
    "uid",
    "complaint_id",
    "mode",
    "investigator_id",
    "investigation_set",
    "opened_at",
    "created_by",
    "created_at",
)
OVERSIGHT_ALLEGATION_COLUMNS = (
    "uid",
    "complaint_id",
    "investigation_id",
    "subject_id",
    "rank_at_time",
    "category",
    "created_by",
    "created_at",
)
OVERSIGHT_DECISION_COLUMNS = (
    "uid",
    "kind",
    "complaint_id",
    "investigation_id",
    "allegation_id",
    "version",
    "value",
    "text",
    "reason",
    "detail",
    "decided_by",
    "rank_at_decision",
    "approved_by",
    "decided_at",
)
oversight_complaint_hash = _hasher(OVERSIGHT_COMPLAINT_COLUMNS)
oversight_investigation_hash = _hasher(OVERSIGHT_INVESTIGATION_COLUMNS)
oversight_allegation_hash = _hasher(OVERSIGHT_ALLEGATION_COLUMNS)
oversight_decision_hash = _hasher(OVERSIGHT_DECISION_COLUMNS)
PROTECTED["oversight_complaint"] = (
    "oversight_complaint",
    "uid",
    oversight_complaint_hash,
    OVERSIGHT_COMPLAINT_COLUMNS,
)
PROTECTED["oversight_investigation"] = (
    "oversight_investigation",
    "uid",
    oversight_investigation_hash,
    OVERSIGHT_INVESTIGATION_COLUMNS,
)
PROTECTED["oversight_allegation"] = (
    "oversight_allegation",
    "uid",
    oversight_allegation_hash,
    OVERSIGHT_ALLEGATION_COLUMNS,
)
PROTECTED["oversight_decision"] = (
    "oversight_decision",
    "uid",
    oversight_decision_hash,
    OVERSIGHT_DECISION_COLUMNS,
)
