"""Loading rule versions (each a ledger event) and finding the versions in force at a time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import ValidationError
from candour.ledger.log import EventDraft, append
from candour.rules.model import AnyRule, HarmWeights, TextLexicon, parse_rule
from candour.store.access import Actor
from candour.store.enums import EventAction
from candour.store.hashing import rule_version_hash
from candour.store.models import RuleVersion
from candour.store.types import utcnow


@dataclass(frozen=True)
class Loaded:
    rule_id: str
    version: int
    new: bool


def load_rule(session: Session, text: str, source: str, actor: Actor) -> Loaded:
    """Store a rule version; the same version twice is a no-op, a changed one is refused."""
    rule = parse_rule(text, source)
    sha = hashlib.sha256(text.encode()).hexdigest()
    found = session.execute(
        select(RuleVersion).where(
            RuleVersion.rule_id == rule.id, RuleVersion.version == rule.version
        )
    ).scalar_one_or_none()
    if found is not None:
        if found.sha256 != sha:
            raise ValidationError(
                f"rule '{rule.id}' version {rule.version} is already loaded with "
                "different content: give the change a new version",
                source=source,
                field="version",
            )
        return Loaded(rule.id, rule.version, False)
    values = {
        "rule_id": rule.id,
        "version": rule.version,
        "kind": rule.kind,
        "sha256": sha,
        "text": text,
        "loaded_at": utcnow(),
        "loaded_by": actor.id,
    }
    # A rule version is a protected row: raising a deadline in its stored text with plain SQL
    # would mean fewer escalations, so verification checks the row against this event's hash.
    row = RuleVersion(**values, content_hash=rule_version_hash(values))
    session.add(row)
    session.flush()
    append(
        session,
        [
            EventDraft(
                EventAction.RULE_CHANGE,
                "rule",
                f"{rule.id}@{rule.version}",
                actor.id,
                actor.rank,
                subject_hash=row.content_hash,
                payload={
                    "kind": rule.kind,
                    "version": rule.version,
                    "effective_from": rule.effective_from.isoformat(),
                    "sha256": sha,
                },
            )
        ],
    )
    return Loaded(rule.id, rule.version, True)


def load_defaults(session: Session, actor: Actor) -> list[Loaded]:
    """The bundled rules (NCRS 24-hour decision, harm weights), if not loaded yet."""
    folder = resources.files("candour.rules") / "defaults"
    return [
        load_rule(session, f.read_text(encoding="utf-8"), f"defaults/{f.name}", actor)
        for f in sorted(folder.iterdir(), key=lambda p: p.name)
        if f.name.endswith(".yaml")
    ]


def rules_in_force(session: Session, at: datetime | None = None) -> list[AnyRule]:
    """For each rule id, the newest version whose effective date has come by `at`."""
    at = at or datetime.now(UTC)
    best: dict[str, AnyRule] = {}
    for row in session.scalars(select(RuleVersion).order_by(RuleVersion.version)):
        rule = parse_rule(row.text, f"{row.rule_id}@{row.version}")
        if rule.effective_from <= at.date():
            best[rule.id] = rule
    return list(best.values())


def harm_weights(session: Session, at: datetime | None = None) -> HarmWeights:
    for rule in rules_in_force(session, at):
        if isinstance(rule, HarmWeights):
            return rule
    raise ValidationError("no harm-weights rule is loaded: run 'candour rules load-defaults'")


def text_lexicon(session: Session, at: datetime | None = None) -> TextLexicon:
    """The lexicon extraction uses: the one in force, else the bundled default."""
    for rule in rules_in_force(session, at):
        if isinstance(rule, TextLexicon):
            return rule
    return default_lexicon()


def default_lexicon() -> TextLexicon:
    """The bundled lexicon, for evaluation and for stores that have not loaded rules yet."""
    text = (resources.files("candour.rules") / "defaults" / "exploitation-lexicon.yaml").read_text(
        encoding="utf-8"
    )
    rule = parse_rule(text, "defaults/exploitation-lexicon.yaml")
    assert isinstance(rule, TextLexicon)
    return rule
