"""What extraction produces: plain data, so that it crosses process boundaries and compares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Found:
    """A mention found in a text."""

    label: str
    start: int
    end: int
    text: str
    normalised: str
    confidence: float
    role: str = "unknown"
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Flag:
    """An indicator, a victim-blaming phrase, a disclosure cue or an age-gap flag."""

    kind: str  # indicator | language | disclosure | age_gap
    code: str
    start: int
    end: int
    text: str
    negated: bool = False
    hypothetical: bool = False
    suggestion: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def present(self) -> bool:
        return not (self.negated or self.hypothetical)


@dataclass
class Extraction:
    mentions: list[Found]
    flags: list[Flag]
    words: int

    def present(self, kind: str) -> set[str]:
        return {f.code for f in self.flags if f.kind == kind and f.present}
