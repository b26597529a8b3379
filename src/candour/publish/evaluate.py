"""`candour eval redact`: how much of what a gold set marks as identifying the redactor removes
(recall per class), and how much of what it removes was identifying (precision).

A gold span counts as removed when every letter and digit of it lies inside a removal (a
partly visible name is not removed). A removal counts as right when it overlaps any gold span
of any label (a date or an age removed by mistake is still a gold span; a common word is not).
Scores are numbers only: no document text is printed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from candour.errors import ValidationError

#: The classes the targets are set for, and the gold labels each covers.
CLASSES = {
    "names": ("PERSON",),
    "addresses": ("LOC", "POSTCODE"),
    "phones": ("PHONE",),
    "vehicles": ("VRM",),
    "dobs": ("DOB",),
    "emails": ("EMAIL",),
    "collars": ("COLLAR",),
    "organisations": ("ORG",),
}
TARGETS = {"recall": 0.99, "precision": 0.85}
TARGET_CLASSES = ("names", "addresses", "phones", "vehicles", "dobs")


@dataclass(frozen=True)
class GoldText:
    id: str
    text: str
    spans: list[tuple[int, int, str]]  # start, end, label


@dataclass
class Score:
    name: str
    documents: int = 0
    found: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    removals: int = 0
    right: int = 0
    missed: list[tuple[str, str, int, int]] = field(default_factory=list)  # doc, label, offsets
    wrong: list[tuple[str, int, int]] = field(default_factory=list)

    def recall(self, cls: str) -> float | None:
        n = self.total[cls]
        return self.found[cls] / n if n else None

    @property
    def precision(self) -> float | None:
        return self.right / self.removals if self.removals else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "set": self.name,
            "documents": self.documents,
            "recall": {c: _round(self.recall(c)) for c in CLASSES if self.total[c]},
            "counts": {c: [self.found[c], self.total[c]] for c in CLASSES if self.total[c]},
            "precision": _round(self.precision),
            "removals": self.removals,
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def read_gold_jsonl(path: Path) -> Iterator[GoldText]:
    """Documents of a span gold file (`{"id", "text", "entities": [{start, end, label}]}`)."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                spans = [(int(e["start"]), int(e["end"]), str(e["label"])) for e in d["entities"]]
                yield GoldText(str(d["id"]), str(d["text"]), spans)
            except (KeyError, TypeError, ValueError):
                raise ValidationError(f"{path}: line {n} is not a gold document") from None


def score(name: str, docs: Iterable[GoldText], redactor: Any) -> Score:
    from candour.publish.pseudonyms import Pseudonyms

    s = Score(name)
    label_class = {label: cls for cls, labels in CLASSES.items() for label in labels}
    for doc in docs:
        s.documents += 1
        removals = redactor.redact(doc.text, Pseudonyms()).removals
        covered = bytearray(len(doc.text))
        for r in removals:
            covered[r.start : r.end] = b"\x01" * (r.end - r.start)
        for start, end, label in doc.spans:
            cls = label_class.get(label)
            if cls is None:
                continue
            s.total[cls] += 1
            if all(covered[i] or not doc.text[i].isalnum() for i in range(start, end)):
                s.found[cls] += 1
            else:
                s.missed.append((doc.id, label, start, end))
        for r in removals:
            s.removals += 1
            if any(r.start < e and b < r.end for b, e, _ in doc.spans):
                s.right += 1
            else:
                s.wrong.append((doc.id, r.start, r.end))
    return s
