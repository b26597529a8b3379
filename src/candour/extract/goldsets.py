"""Gold sets annotated span by span, scored the way their own scripts score them.

Two shapes besides the bundled inline-markup set (`gold.py`):

- a JSONL file, one document per line, `{"id", "kind", "text", "entities", "indicators",
  "language_flags"}` (the convention of the independently written development set: entity labels
  PERSON, LOC, ORG, DATE, DOB, AGE, COLLAR, PHONE, EMAIL, VRM, POSTCODE; indicators with
  `negated`; flags with offsets only);
- a synthetic district folder (`records/*.jsonl`, `records/referrals.csv` and
  `ground_truth/mentions.jsonl`), whose truth has people, vehicles, phones and businesses only.

Spans match leniently (same label, overlapping offsets), one gold span to one prediction, in the
order of the gold spans: the same greedy matching as the development set's `score.py`, so the
figures agree with it. Indicators match on label and polarity (hypothetical counts as negated).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from candour.errors import ValidationError
from candour.extract.types import Extraction

#: The extractor's labels in the span-level sets' vocabulary.
SPAN_LABEL = {
    "PERSON": "PERSON",
    "OFFICER": "PERSON",
    "LOCATION": "LOC",
    "ORG": "ORG",
    "BUSINESS": "ORG",
    "DATE": "DATE",
    "DOB": "DOB",
    "AGE": "AGE",
    "COLLAR": "COLLAR",
    "PHONE": "PHONE",
    "EMAIL": "EMAIL",
    "VEHICLE": "VRM",
    "POSTCODE": "POSTCODE",
}
#: Lexicon indicator codes in the span-level sets' vocabulary.
INDICATOR_LABEL = {
    "missing": "MISSING",
    "older_boyfriend": "OLDER_ADULT",
    "older_adult": "OLDER_ADULT",
    "alcohol": "ALCOHOL_DRUGS",
    "drugs": "ALCOHOL_DRUGS",
    "gifts": "GIFTS_MONEY",
    "cars": "VEHICLE_PICKUP",
    "hotel": "HOTEL_PARTY_TAKEAWAY",
    "sexual_health": "SEXUAL_HEALTH",
    "truancy": "TRUANCY",
    "self_harm": "SELF_HARM",
}
_DISTRICT_KIND = {"person": "PERSON", "vehicle": "VRM", "phone": "PHONE", "organisation": "ORG"}

Span = tuple[str, int, int]


@dataclass
class SpanDoc:
    """One document of a span-level set: what is annotated and which layers the set covers."""

    id: str
    kind: str
    text: str
    source: str
    entities: list[Span]
    indicators: list[Span]  # label, or label + "/neg"
    flags: list[Span]  # label "FLAG"
    entity_labels: frozenset[str]
    has_indicators: bool
    has_flags: bool


def load_jsonl(path: Path) -> list[SpanDoc]:
    docs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            ents = [(e["label"], int(e["start"]), int(e["end"])) for e in d.get("entities", [])]
            inds = [
                (i["label"] + ("/neg" if i.get("negated") else ""), int(i["start"]), int(i["end"]))
                for i in d.get("indicators", [])
            ]
            flags = [("FLAG", int(f["start"]), int(f["end"])) for f in d.get("language_flags", [])]
            docs.append(
                SpanDoc(d["id"], d.get("kind", ""), d["text"], path.stem if path.stem != "gold"
                        else path.parent.name, ents, inds, flags,
                        frozenset(SPAN_LABEL.values()), True, True)
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as e:
            raise ValidationError(f"bad gold line: {e}", source=str(path), row=n) from None
    return docs


def load_district(folder: Path) -> list[SpanDoc]:
    """The free texts of a synthetic district, with the mentions its generator wrote into them."""
    truth = folder / "ground_truth" / "mentions.jsonl"
    if not truth.exists():
        raise ValidationError("no ground_truth/mentions.jsonl", source=str(folder))
    texts: dict[str, tuple[str, str]] = {}
    for src in sorted((folder / "records").glob("*.jsonl")):
        for line in src.open(encoding="utf-8"):
            rec = json.loads(line)
            if rec.get("text"):
                texts[rec["ref"]] = (rec.get("kind", src.stem), rec["text"])
    referrals = folder / "records" / "referrals.csv"
    if referrals.exists():
        with referrals.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row.get("text"):
                    texts[row["ref"]] = ("referral", row["text"])
    spans: dict[str, list[Span]] = {ref: [] for ref in texts}
    for line in truth.open(encoding="utf-8"):
        m = json.loads(line)
        if m.get("source") != "text" or m.get("document") or m["record"] not in spans:
            continue
        label = _DISTRICT_KIND.get(m["kind"])
        if label is not None:
            spans[m["record"]].append((label, int(m["start"]), int(m["end"])))
    labels = frozenset(("PERSON", "VRM", "PHONE"))  # its businesses are in documents only
    return [
        SpanDoc(ref, kind, text, folder.name, sorted(spans[ref], key=lambda s: s[1]), [], [],
                labels, False, False)
        for ref, (kind, text) in texts.items()
    ]  # fmt: skip


def predicted(res: Extraction) -> tuple[list[Span], list[Span], list[Span]]:
    """An extraction in the span-level vocabulary: entities, indicators, language flags."""
    ents: list[Span] = []
    for m in res.mentions:
        label = SPAN_LABEL.get(m.label)
        name = m.attrs.get("name_span")
        if m.label == "OFFICER":
            if name:  # the rank and collar number are outside a person's span
                ents.append(("PERSON", int(name[0]), int(name[1])))
        elif label is not None:
            ents.append((label, m.start, m.end))
        collar = m.attrs.get("collar_span")
        if collar:
            ents.append(("COLLAR", int(collar[0]), int(collar[1])))
    inds: list[Span] = []
    flags: list[Span] = []
    for f in res.flags:
        if f.kind == "indicator" and f.code in INDICATOR_LABEL:
            label = INDICATOR_LABEL[f.code] + ("" if f.present else "/neg")
            inds.append((label, f.start, f.end))
        elif f.kind == "language":
            flags.append(("FLAG", f.start, f.end))
    return ents, inds, flags


def match(gold: list[Span], found: list[Span]) -> tuple[list[Span], list[Span], list[Span]]:
    """Matched gold spans, missed gold spans, unmatched predictions (lenient, greedy)."""
    used: set[int] = set()
    hit: list[Span] = []
    missed: list[Span] = []
    for g in gold:
        i = next(
            (
                i
                for i, p in enumerate(found)
                if i not in used and p[0] == g[0] and p[1] < g[2] and g[1] < p[2]
            ),
            None,
        )
        if i is None:
            missed.append(g)
        else:
            used.add(i)
            hit.append(g)
    return hit, missed, [p for i, p in enumerate(found) if i not in used]


def layers(doc: SpanDoc, res: Extraction) -> Iterable[tuple[str, list[Span], list[Span]]]:
    """(layer, gold, found) for each layer the document's set annotates."""
    ents, inds, flags = predicted(res)
    yield "entity", doc.entities, [e for e in ents if e[0] in doc.entity_labels]
    if doc.has_indicators:
        yield "indicator", doc.indicators, inds
    if doc.has_flags:
        yield "flag", doc.flags, flags
