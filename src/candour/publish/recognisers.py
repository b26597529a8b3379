"""Candour's recognisers, in the shape Presidio's registry takes (PatternRecognizer and
EntityRecognizer subclasses), and the registry they make with the few Presidio built-ins that
fit UK data. Presidio is imported here only, and only when a redactor is built.

Nothing here reaches the network: the spaCy model is the installed package named by the
settings (Presidio downloads only models that are not installed, and we check first), and
Presidio's e-mail and URL recognisers (which call tldextract, which fetches the public suffix
list) are never registered; e-mail addresses use the shared pattern in `candour.normalise`.
"""

from __future__ import annotations

import re
from typing import Any

from presidio_analyzer import (
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    NhsRecognizer,
    SpacyRecognizer,
    UkNinoRecognizer,
)

from candour import normalise

#: Presidio entity names used in Candour's redaction log.
PERSON = "PERSON"
LOCATION = "LOCATION"
ORGANIZATION = "ORGANIZATION"
PHONE = "UK_PHONE"
POSTCODE = "UK_POSTCODE"
VEHICLE = "UK_VEHICLE"
EMAIL = "EMAIL_ADDRESS"
DOB = "DATE_OF_BIRTH"
HANDLE = "SOCIAL_HANDLE"
BADGE = "TAXI_BADGE"
OFFICER = "OFFICER"
NHS = "UK_NHS"
NINO = "UK_NINO"

# Ranks that a force has one or a handful of: kept, they would name the officer.
IDENTIFYING_RANKS = {"CC", "DCC", "ACC", "ChSupt", "DChSupt"}

# The extractor's labels as Presidio entities.
_FROM_EXTRACTOR = {
    "PERSON": PERSON,
    "LOCATION": LOCATION,
    "ORG": ORGANIZATION,
    "BUSINESS": ORGANIZATION,
    "VEHICLE": VEHICLE,
    "DOB": DOB,
    "HANDLE": HANDLE,
    "BADGE": BADGE,
    "PHONE": PHONE,
    "POSTCODE": POSTCODE,
    "EMAIL": EMAIL,
}


class _KeyedPatternRecognizer(PatternRecognizer):
    """A pattern recogniser whose hits must have a key under the shared normaliser."""

    key_kind = ""

    def validate_result(self, pattern_text: str) -> bool | None:
        return normalise.identifier_key(self.key_kind, pattern_text) is not None


class UkPhoneRecognizer(_KeyedPatternRecognizer):
    key_kind = "phone"

    def __init__(self) -> None:
        super().__init__(
            supported_entity=PHONE,
            name="CandourUkPhone",
            patterns=[Pattern("uk-phone", normalise.PHONE.pattern, 0.9)],
            global_regex_flags=re.MULTILINE,
        )


class UkPostcodeRecognizer(_KeyedPatternRecognizer):
    key_kind = "postcode"

    def __init__(self) -> None:
        super().__init__(
            supported_entity=POSTCODE,
            name="CandourUkPostcode",
            patterns=[Pattern("uk-postcode", normalise.POSTCODE.pattern, 0.9)],
            global_regex_flags=re.MULTILINE,
        )


class UkPlateRecognizer(PatternRecognizer):
    """Current-format plates as written; partial and older plates come from the extractor,
    which asks for a vehicle word nearby."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=VEHICLE,
            name="CandourUkPlate",
            patterns=[Pattern("uk-plate-current", r"\b[A-Z]{2}[0-9]{2} ?[A-Z]{3}\b", 0.9)],
            global_regex_flags=re.MULTILINE,
        )


class EmailPatternRecognizer(PatternRecognizer):
    """E-mail addresses by pattern alone (no top-level-domain list, so no network)."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=EMAIL,
            name="CandourEmail",
            patterns=[Pattern("email", normalise.EMAIL.pattern, 0.95)],
        )


class CandourExtractorRecognizer(EntityRecognizer):
    """Candour's extractor (spaCy NER with the project's person, place, officer, plate, badge,
    handle and date-of-birth rules) as one Presidio recogniser. An officer's rank stays in the
    text unless the rank itself would name them; the collar number and name become one
    officer span."""

    def __init__(self, extractor: Any) -> None:
        self.extractor = extractor
        super().__init__(
            supported_entities=sorted(set(_FROM_EXTRACTOR.values()) | {OFFICER}),
            name="CandourExtractor",
            version=str(extractor.version),
        )

    def load(self) -> None:
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        extraction = next(iter(self.extractor.extract([text])))
        out: list[RecognizerResult] = []
        for m in extraction.mentions:
            if m.label == "OFFICER":
                out.append(self._officer(m))
                continue
            entity = _FROM_EXTRACTOR.get(m.label)
            if entity is None or (entities and entity not in entities):
                continue
            meta: dict[str, Any] = {"role": m.role}
            out.append(self._result(entity, m.start, m.end, m.confidence, meta))
        return out

    def _officer(self, m: Any) -> RecognizerResult:
        rank = str(m.attrs.get("rank", ""))
        spans = [s for s in (m.attrs.get("collar_span"), m.attrs.get("name_span")) if s]
        start = min(s[0] for s in spans) if spans else m.start
        end = max(s[1] for s in spans) if spans else m.end
        if rank in IDENTIFYING_RANKS:
            start = m.start
        key = str(m.attrs.get("name") or m.attrs.get("collar") or "")
        meta = {"role": "officer", "rank": rank, "officer_key": key}
        return self._result(OFFICER, start, end, m.confidence, meta)

    def _result(
        self, entity: str, start: int, end: int, score: float, meta: dict[str, Any]
    ) -> RecognizerResult:
        meta |= {
            RecognizerResult.RECOGNIZER_NAME_KEY: "CandourExtractor",
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
        }
        return RecognizerResult(entity, start, end, score, recognition_metadata=meta)


def build_registry(extractor: Any, *, presidio_ner: bool = True) -> RecognizerRegistry:
    """Candour's recognisers, Presidio's UK NHS and National Insurance recognisers, and (with
    `presidio_ner`) Presidio's spaCy NER for people, places and organisations. No US or other
    countries' recognisers are loaded, and none that needs the network."""
    registry = RecognizerRegistry(supported_languages=["en"])
    recognisers: list[EntityRecognizer] = [
        CandourExtractorRecognizer(extractor),
        UkPhoneRecognizer(),
        UkPostcodeRecognizer(),
        UkPlateRecognizer(),
        EmailPatternRecognizer(),
        NhsRecognizer(),
        UkNinoRecognizer(),
    ]
    if presidio_ner:
        recognisers.append(
            SpacyRecognizer(supported_entities=[PERSON, LOCATION, ORGANIZATION], ner_strength=0.6)
        )
    for r in recognisers:
        registry.add_recognizer(r)
    return registry
