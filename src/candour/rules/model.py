"""Rules are data: YAML validated by pydantic, one model per rule kind."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic import ValidationError as PydanticError

from candour.errors import ValidationError
from candour.store.enums import Rank


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,100}$")
    version: int = Field(ge=1)
    description: str = ""
    effective_from: date = date(2000, 1, 1)


class AppliesTo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notifiable: bool = True
    groups: list[str] = Field(default_factory=list)


class RecordingDeadline(_Rule):
    kind: Literal["recording_deadline"]
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    deadline_hours: float = Field(gt=0, le=24 * 365)
    escalate_to: Literal["supervisor"] = "supervisor"
    fallback_rank: str = "PS"
    escalation_deadline_hours: float = Field(default=24, gt=0)
    climb_every_hours: float = Field(default=24, gt=0)
    climb_max_rank: str = "ChSupt"

    def model_post_init(self, _context: object) -> None:
        for rank in (self.fallback_rank, self.climb_max_rank):
            Rank.parse(rank)


class HarmWeights(_Rule):
    kind: Literal["harm_weights"]
    source: str = Field(min_length=3)
    default_weight: float = Field(default=1, ge=0)
    codes: dict[str, float] = Field(default_factory=dict)
    groups: dict[str, float] = Field(default_factory=dict)

    def weight(self, code: str | None, group: str | None) -> float:
        if code and code in self.codes:
            return self.codes[code]
        if group and group in self.groups:
            return self.groups[group]
        return self.default_weight


class Indicator(BaseModel):
    """One exploitation indicator: phrases (matched on lower case) and spaCy token patterns."""

    model_config = ConfigDict(extra="forbid")
    description: str = ""
    phrases: list[str] = Field(default_factory=list)
    patterns: list[list[dict[str, Any]]] = Field(default_factory=list)


class LanguageTerm(BaseModel):
    """Victim-blaming language about a child, and what to write instead."""

    model_config = ConfigDict(extra="forbid")
    phrases: list[str] = Field(default_factory=list)
    patterns: list[list[dict[str, Any]]] = Field(default_factory=list)
    suggestion: str = Field(min_length=3)
    needs: Literal["always", "child", "adult_partner"] = "always"


class DisclosureCue(BaseModel):
    """Words that disclose a notifiable offence in free text, and the offence they point to."""

    model_config = ConfigDict(extra="forbid")
    phrases: list[str] = Field(default_factory=list)
    patterns: list[list[dict[str, Any]]] = Field(default_factory=list)
    offence_code: str
    offence_group: str


class NegationTerms(BaseModel):
    """NegEx term sets (negspacy): what negates or makes hypothetical what follows or precedes."""

    model_config = ConfigDict(extra="forbid")
    pseudo_negations: list[str] = Field(default_factory=list)
    preceding_negations: list[str] = Field(default_factory=list)
    following_negations: list[str] = Field(default_factory=list)
    termination: list[str] = Field(default_factory=list)


class TextLexicon(_Rule):
    """What extraction looks for in free text: indicators, victim-blaming language, disclosures."""

    kind: Literal["text_lexicon"]
    source: str = Field(min_length=3)
    indicators: dict[str, Indicator]
    language: dict[str, LanguageTerm] = Field(default_factory=dict)
    disclosures: dict[str, DisclosureCue] = Field(default_factory=dict)
    negation: NegationTerms
    hypothetical: NegationTerms
    age_gap_years: int = Field(default=5, ge=1)


class LinkedPattern(_Rule):
    """A pattern over linked data that needs a senior officer's attention.

    adult_with_children: an adult named as suspect or associate in records about at least
    `threshold` different children; adult_at_missing: an adult named in at least `threshold`
    missing-episode records; thing_with_children: a vehicle or phone in records about at least
    `threshold` children; network_children: a network (community) with at least `threshold`
    children.
    """

    kind: Literal["linked_pattern"]
    pattern: Literal[
        "adult_with_children", "adult_at_missing", "thing_with_children", "network_children"
    ]
    threshold: int = Field(ge=1, le=1000)
    adult_roles: list[str] = Field(default_factory=lambda: ["suspect", "associate"])
    escalate_to_rank: str = "DI"
    deadline_hours: float = Field(default=72, gt=0)

    def model_post_init(self, _context: object) -> None:
        Rank.parse(self.escalate_to_rank)


AnyRule = RecordingDeadline | HarmWeights | TextLexicon | LinkedPattern
Rule = Annotated[AnyRule, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[AnyRule] = TypeAdapter(Rule)


def parse_rule(text: str, source: str = "rule") -> AnyRule:
    """Parse and validate one rule file; errors name the file and the field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise ValidationError("not valid YAML", source=source, row=line) from None
    if not isinstance(data, dict):
        raise ValidationError("a rule is a YAML mapping", source=source)
    try:
        return _ADAPTER.validate_python(data)
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:] or first["loc"])
        raise ValidationError(first["msg"], source=source, field=where) from None
    except ValueError as exc:
        raise ValidationError(str(exc), source=source) from None
