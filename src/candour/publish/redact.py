"""Redaction: Presidio's analyzer with Candour's UK recognisers, then three steps of our own,
then Presidio's anonymizer with the report's pseudonyms.

1. Allow-list: a name that must stay public (a public official acting in office, a public body)
   is kept, and the log records the entry's reason.
2. Known identifiers: every identifier the store holds for the people in the report's sources
   is found wherever it is written, whatever its case or spacing (the strongest recall there is).
3. Propagation: a name found once is redacted wherever else it appears in the same text, and so
   is each longer part of it (a surname written alone).

Each removal is a `Removal` in the log the reviewer sees: what, why, which recogniser and with
what confidence.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from candour.extract.people import ACRONYMS
from candour.normalise import squash
from candour.publish import rules
from candour.publish.pseudonyms import Pseudonyms

_PEOPLE = {"PERSON", "OFFICER"}
# When spans overlap, the lower number wins (then the longer span).
_PRIORITY = {
    "EMAIL_ADDRESS": 0, "UK_PHONE": 0, "UK_POSTCODE": 0, "UK_NHS": 0, "UK_NINO": 0,
    "UK_VEHICLE": 1, "DATE_OF_BIRTH": 1, "SOCIAL_HANDLE": 1, "TAXI_BADGE": 1,
    "OFFICER": 2, "PERSON": 3, "LOCATION": 4, "ORGANIZATION": 5,
}  # fmt: skip
# Words never propagated on their own, even when part of a name.
_COMMON = {
    "the", "and", "mr", "mrs", "ms", "miss", "dr", "street", "road", "lane", "house", "school",
    "police", "court", "council", "team", "unit", "centre", "park", "hotel", "taxis", "ltd",
    "north", "south", "east", "west", "new", "old", "st", "saint", "avenue", "close", "drive",
    "estate", "way", "primary", "academy", "college", "children", "home", "service", "services",
}  # fmt: skip


@dataclass(frozen=True)
class AllowEntry:
    """A name kept in published text, and the reason recorded for keeping it."""

    text: str
    reason: str


@dataclass(frozen=True)
class Known:
    """An identifier the store holds for a person in the report's sources."""

    person: str  # the store's person id
    kind: str  # name | alias | phone | vehicle | address | dob | email | postcode
    value: str
    role: str = "unknown"


@dataclass(frozen=True)
class Removal:
    """One entry of the redaction log."""

    start: int
    end: int
    entity: str
    text: str
    replacement: str
    recogniser: str
    confidence: float
    reason: str
    person: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start, "end": self.end, "entity": self.entity, "text": self.text,
            "replacement": self.replacement, "recogniser": self.recogniser,
            "confidence": round(self.confidence, 3), "reason": self.reason, "person": self.person,
        }  # fmt: skip


@dataclass
class Redacted:
    text: str
    removals: list[Removal]
    kept: list[Removal] = field(default_factory=list)


def flexible(value: str) -> re.Pattern[str] | None:
    """A pattern for a value written in any case, with any spacing or punctuation between its
    letters and digits ('QK68RWD' finds 'qk68 rwd' and 'Q K 6 8-R W D')."""
    chars = [ch for ch in value if ch.isalnum()]
    if len(chars) < 2:
        return None
    body = r"[\W_]*".join(re.escape(ch) for ch in chars)
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.IGNORECASE)


class Redactor:
    """Built once per report (or evaluation run): the spaCy model and Presidio load here."""

    def __init__(
        self,
        extractor: Any,
        *,
        allow: Sequence[AllowEntry] = (),
        known: Sequence[Known] = (),
        presidio_ner: bool = True,
        threshold: float = 0.5,
    ) -> None:
        from presidio_analyzer import AnalyzerEngine
        from presidio_anonymizer import AnonymizerEngine

        from candour.publish.engine import nlp_engine
        from candour.publish.recognisers import build_registry

        self.analyzer = AnalyzerEngine(
            nlp_engine=nlp_engine(extractor.model),
            registry=build_registry(extractor, presidio_ner=presidio_ner),
            supported_languages=["en"],
        )
        self.anonymizer = AnonymizerEngine()  # type: ignore[no-untyped-call]
        self.allow = {squash(a.text): a for a in allow}
        self.known = list(known)
        self._known_patterns = [(k, p) for k in self.known if (p := flexible(k.value)) is not None]
        self.threshold = threshold

    def with_identifiers(
        self, known: Sequence[Known], allow: Sequence[AllowEntry] = ()
    ) -> Redactor:
        """The same engines with a report's known identifiers and extra allow-list entries."""
        other = copy.copy(self)
        other.allow = self.allow | {squash(a.text): a for a in allow}
        other.known = list(known)
        other._known_patterns = [(k, p) for k in other.known if (p := flexible(k.value))]
        return other

    def redact(self, text: str, names: Pseudonyms) -> Redacted:
        from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

        found = [f for f in self._analyse(text) if _worth_removing(text, f)]
        found, kept = self._allowed(text, found)
        found = _resolve(found + list(self._known_hits(text)))
        found = _resolve(found + list(_additions(text, found)))
        found = _resolve(found + list(_propagate(text, found)))
        if kept:
            spans = [(k.start, k.end) for k in kept]
            found = [f for f in found if not any(a <= f.start and f.end <= b for a, b in spans)]
        found = _resolve(found + list(_remembered(text, names)))
        removals = [self._label(text, f, names) for f in found]
        for r in removals:
            names.remember(r.text, r.entity, r.replacement)
        if not removals:
            return Redacted(text, [], kept)
        by_span = {(r.start, r.end): r.replacement for r in removals}
        results = [RecognizerResult(f"R{i}", r.start, r.end, 1.0) for i, r in enumerate(removals)]
        operators = {
            f"R{i}": OperatorConfig("replace", {"new_value": by_span[(r.start, r.end)]})
            for i, r in enumerate(removals)
        }
        out = self.anonymizer.anonymize(text, results, operators)
        return Redacted(out.text, removals, kept)

    def _analyse(self, text: str) -> list[_Found]:
        results = self.analyzer.analyze(text, language="en", score_threshold=self.threshold)
        out: list[_Found] = []
        for r in results:
            meta = r.recognition_metadata or {}
            out.append(
                _Found(
                    r.start,
                    r.end,
                    r.entity_type,
                    float(r.score),
                    str(meta.get("recognizer_name", "")),
                    "recognised",
                    dict(meta),
                )
            )
        return out

    def _allowed(self, text: str, found: list[_Found]) -> tuple[list[_Found], list[Removal]]:
        """Spans inside a written allow-list entry are kept, with the entry's reason."""
        places: list[tuple[int, int, AllowEntry]] = []
        for allowed in self.allow.values():
            pattern = flexible(allowed.text)
            if pattern is not None:
                places += [(m.start(), m.end(), allowed) for m in pattern.finditer(text)]
        keep: list[_Found] = []
        kept: list[Removal] = []
        for f in found:
            entry: AllowEntry | None = self.allow.get(squash(text[f.start : f.end]))
            if entry is None:
                entry = next((e for a, b, e in places if a <= f.start and f.end <= b), None)
            if entry is None:
                keep.append(f)
                continue
            value = text[f.start : f.end]
            reason = f"allow-list: {entry.reason}"
            kept.append(
                Removal(f.start, f.end, f.entity, value, value, f.recogniser, f.score, reason)
            )
        return keep, kept

    def _known_hits(self, text: str) -> Iterable[_Found]:
        entity = {"name": "PERSON", "alias": "PERSON", "phone": "UK_PHONE", "dob": "DATE_OF_BIRTH",
                  "vehicle": "UK_VEHICLE", "address": "LOCATION", "email": "EMAIL_ADDRESS",
                  "postcode": "UK_POSTCODE"}  # fmt: skip
        for k, pattern in self._known_patterns:
            if k.kind in ("name", "alias") and squash(k.value) in self.allow:
                continue
            for m in pattern.finditer(text):
                meta = {"person": k.person, "role": k.role}
                yield _Found(m.start(), m.end(), entity.get(k.kind, "PERSON"), 1.0,
                             "CandourKnownIdentifier", f"known {k.kind} of a person in the sources",
                             meta)  # fmt: skip

    def _label(self, text: str, f: _Found, names: Pseudonyms) -> Removal:
        value = text[f.start : f.end]
        person = f.meta.get("person")
        if "label" in f.meta:
            return Removal(f.start, f.end, f.entity, value, str(f.meta["label"]), f.recogniser,
                           f.score, f.reason)  # fmt: skip
        if f.entity in _PEOPLE:
            role = str(f.meta.get("role", "unknown"))
            if f.entity == "OFFICER":
                role = "officer"
            key = (
                f"id:{person}"
                if person
                else str(f.meta.get("officer_key") or f.meta.get("name_of") or value)
            )
            replacement = names.person(key, role)
            if f.meta.get("name_of"):
                names.alias(value, replacement)
        else:
            replacement = names.thing(f.entity, value)
        return Removal(f.start, f.end, f.entity, value, replacement, f.recogniser, f.score,
                       f.reason, str(person) if person else None)  # fmt: skip


@dataclass
class _Found:
    start: int
    end: int
    entity: str
    score: float
    recogniser: str
    reason: str
    meta: dict[str, Any]


# Address structure (a street word, the town after it) outranks a general model's guess.
_STRUCTURAL = {"CandourStreet", "CandourAddress"}


def _priority(f: _Found) -> float:
    return 2.5 if f.recogniser in _STRUCTURAL else _PRIORITY.get(f.entity, 9)


def _resolve(found: list[_Found]) -> list[_Found]:
    """Non-overlapping spans: by priority, then length; a person span that overlaps an
    officer span is absorbed into it."""
    ranked = sorted(found, key=lambda f: (_priority(f), -(f.end - f.start), -f.score, f.start))
    chosen: list[_Found] = []
    for f in ranked:
        if all(f.end <= c.start or f.start >= c.end for c in chosen):
            chosen.append(f)
    return sorted(chosen, key=lambda f: f.start)


_NER = {"PERSON", "LOCATION", "ORGANIZATION"}


def _worth_removing(text: str, f: _Found) -> bool:
    """Drop what a general NER model reads as a name but is a form label, an acronym, a
    vehicle make or a generic reference; keep organisations only when named as one."""
    if f.entity not in _NER:
        return True
    value = text[f.start : f.end]
    if rules.not_a_name(value):
        return False
    return f.entity != "ORGANIZATION" or rules.is_named_org(value)


def _additions(text: str, found: list[_Found]) -> Iterable[_Found]:
    """Streets, the town after an address, nicknames after a name, cued names, initials."""
    streets = [
        _Found(a, b, "LOCATION", 0.85, "CandourStreet", "a street or estate name", {})
        for a, b in rules.streets(text)
    ]
    yield from streets
    for f in found + streets:
        if f.entity in ("LOCATION", "UK_POSTCODE"):
            town = rules.town_after(text, f.end)
            if town is not None:
                yield _Found(*town, "LOCATION", 0.8, "CandourAddress", "the town of an address",
                             {})  # fmt: skip
        if f.entity in _PEOPLE:
            nick = rules.nickname_after(text, f.end)
            if nick is not None:
                meta = dict(f.meta) | {"name_of": f.meta.get("name_of") or text[f.start : f.end]}
                yield _Found(*nick, "PERSON", 0.85, "CandourNickname",
                             "a nickname given after a name", meta)  # fmt: skip
    for a, b in rules.cued_names(text):
        yield _Found(a, b, "PERSON", 0.8, "CandourNickname", "a name after 'known as'", {})
    for a, b in rules.listed_initials(text):
        yield _Found(a, b, "PERSON", 0.8, "CandourInitials",
                     "initials used as a name in a list, by a speaker or as a signature",
                     {})  # fmt: skip


_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")


def _remembered(text: str, names: Pseudonyms) -> Iterable[_Found]:
    """Names and places removed from earlier parts of the same report."""
    forms = names.forms
    for form, a, b in rules.word_spans(text, sorted(forms, key=len, reverse=True)):
        if text[a].isupper() or text[a].isdigit():
            entity, label = forms[form]
            reason = "removed from an earlier part of the report"
            yield _Found(a, b, entity, 0.9, "CandourReportMemory", reason, {"label": label})


def _propagate(text: str, found: list[_Found]) -> Iterable[_Found]:
    """Every other occurrence of a found name (and of each of its longer words and its
    initials), and of a found place."""
    forms: dict[str, _Found] = {}
    places: dict[str, _Found] = {}
    for f in found:
        value = text[f.start : f.end]
        if f.entity == "LOCATION" and len(value) >= 4:
            places.setdefault(value.lower(), f)
        if f.entity not in _PEOPLE:
            continue
        if f.entity == "PERSON":
            forms.setdefault(value.lower(), f)
        words = _WORD.findall(value)
        for w in words:
            if len(w) >= 3 and w.lower() not in _COMMON and w[0].isupper():
                forms.setdefault(w.lower(), f)
        initials = rules.initials_of(" ".join(w for w in words if w[0].isupper()))
        if initials and initials not in ACRONYMS:
            forms.setdefault(initials, f)
    for form, a, b in rules.word_spans(text, sorted(forms, key=len, reverse=True)):
        if text[a].isupper():
            source = forms[form]
            meta = dict(source.meta)
            meta["name_of"] = meta.get("name_of") or text[source.start : source.end]
            yield _Found(a, b, "PERSON", source.score * 0.95, "CandourPropagation",
                         "same name as a person found elsewhere in the text", meta)  # fmt: skip
    for form, a, b in rules.word_spans(text, sorted(places, key=len, reverse=True)):
        if text[a].isupper():
            yield _Found(a, b, "LOCATION", places[form].score * 0.95, "CandourPropagation",
                         "same place as one found elsewhere in the text", {})  # fmt: skip
