"""The labelled gold set and the scores `candour eval extract` prints.

Gold documents are hand-written text with inline annotations, `[John SMITH|PERSON:suspect]`,
`[aged 14|AGE]`, `[vodka|IND:alcohol]`, `[no evidence of drinking|NEG:alcohol]`,
`[promiscuous|LANG:promiscuous]`, `[raped her|DISC]`. Each document starts with a line
`## id: ... | kind: ...`. Entities are scored on exact spans; indicators, language and
disclosures per document and code (their span boundaries are a matter of taste, their presence
is not).

`load_gold` also reads span-level sets (a JSONL gold file such as the independently written
development set, or a synthetic district folder; see `goldsets`). Those are scored leniently
(same label, overlapping offsets) on every label they annotate: PERSON, LOC, ORG, DATE and the
rest, indicators by label and polarity (`IND` overall, `IND:LABEL[/neg]` each), language flags
(`FLAG`). Every set also gets its own scores (`Evaluation.by_set`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from candour.errors import ValidationError
from candour.extract import goldsets
from candour.extract.goldsets import SpanDoc
from candour.extract.types import Extraction

ENTITY_LABELS = (
    "PERSON", "OFFICER", "VEHICLE", "PHONE", "POSTCODE", "EMAIL", "HANDLE", "AGE", "DOB", "BADGE",
    "BUSINESS",
)  # fmt: skip
DOC_LABELS = ("INDICATOR", "LANGUAGE", "DISCLOSURE")
_ANNOTATION = re.compile(r"\[([^\[\]|]+)\|([A-Z]+(?::[a-z_]+)?(?:\+[A-Z]+(?::[a-z_]+)?)*)\]")
_HEADER = re.compile(r"^## id: (?P<id>[\w\-]+) \| kind: (?P<kind>[\w]+)\s*$")


@dataclass
class GoldDoc:
    id: str
    kind: str
    text: str
    spans: list[tuple[str, int, int, str | None]] = field(default_factory=list)
    indicators: set[str] = field(default_factory=set)
    negated: set[str] = field(default_factory=set)
    language: set[str] = field(default_factory=set)
    disclosure: bool = False
    source: str = "gold"


def parse_document(doc_id: str, kind: str, marked: str, source: str = "gold") -> GoldDoc:
    """Strip the annotations from marked-up text, keeping their offsets in the plain text."""
    out: list[str] = []
    doc = GoldDoc(doc_id, kind, "", source=source)
    pos = 0
    length = 0
    for m in _ANNOTATION.finditer(marked):
        out.append(marked[pos : m.start()])
        length += m.start() - pos
        inner = m[1]
        start, end = length, length + len(inner)
        out.append(inner)
        length = end
        pos = m.end()
        for tag in m[2].split("+"):
            label, _, sub = tag.partition(":")
            _tag(doc, label, sub or None, start, end, m[0], source)
    out.append(marked[pos:])
    doc.text = "".join(out)
    if "[" in doc.text and "|" in doc.text:
        raise ValidationError("malformed annotation left in text", source=source, field=doc_id)
    return doc


def _tag(
    doc: GoldDoc, label: str, sub: str | None, start: int, end: int, raw: str, source: str
) -> None:
    if label in ENTITY_LABELS:
        doc.spans.append((label, start, end, sub))
    elif label == "IND" and sub:
        doc.indicators.add(sub)
    elif label == "NEG" and sub:
        doc.negated.add(sub)
    elif label == "LANG" and sub:
        doc.language.add(sub)
    elif label == "DISC":
        doc.disclosure = True
    else:
        raise ValidationError(f"unknown annotation '{raw}'", source=source, field=doc.id)


def load_gold(paths: Sequence[Path] | None = None) -> list[GoldDoc | SpanDoc]:
    """The bundled gold set, or the given files: marked-up text, JSONL span gold, districts."""
    docs: list[GoldDoc | SpanDoc] = []
    marked = []
    for p in paths or ():
        if p.is_dir():
            docs += goldsets.load_district(p)
        elif p.suffix == ".jsonl":
            docs += goldsets.load_jsonl(p)
        else:
            marked.append(p)
    if paths and not marked:
        return docs
    docs += load_marked(marked or None)
    return docs


def load_marked(paths: Sequence[Path] | None = None) -> list[GoldDoc]:
    """The bundled inline-markup gold set, or the given marked-up files."""
    if paths:
        texts = [(str(p), p.read_text(encoding="utf-8")) for p in paths]
    else:
        folder = resources.files("candour.extract") / "gold"
        texts = [
            (f"gold/{f.name}", f.read_text(encoding="utf-8"))
            for f in sorted(folder.iterdir(), key=lambda p: p.name)
            if f.name.endswith(".txt")
        ]
    docs: list[GoldDoc] = []
    for source, text in texts:
        docs += _split(source, text)
    for d in docs:
        d.source = "own-gold" if not paths else Path(d.source).stem
    ids = Counter(d.id for d in docs)
    dup = [i for i, n in ids.items() if n > 1]
    if dup:
        raise ValidationError(f"duplicate gold document id '{dup[0]}'")
    return docs


def _split(source: str, text: str) -> list[GoldDoc]:
    docs: list[GoldDoc] = []
    header: re.Match[str] | None = None
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("## "):
            if header is not None:
                docs.append(parse_document(header["id"], header["kind"], _body(body), source))
            header = _HEADER.match(line)
            if header is None:
                raise ValidationError(f"bad header '{line}'", source=source)
            body = []
        elif header is not None:
            body.append(line)
    if header is not None:
        docs.append(parse_document(header["id"], header["kind"], _body(body), source))
    return docs


def _body(lines: list[str]) -> str:
    return "\n".join(lines).strip()


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: set[Any], found: set[Any]) -> None:
        self.tp += len(gold & found)
        self.fp += len(found - gold)
        self.fn += len(gold - found)


@dataclass
class Evaluation:
    scores: dict[str, Score]
    roles_right: int
    roles_total: int
    negated_right: int
    negated_total: int
    documents: int
    errors: list[str]
    #: Scores of each set on its own (own gold: exact spans; span-level sets: lenient).
    by_set: dict[str, dict[str, Score]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "labels": _labels(self.scores),
            "sets": {name: _labels(scores) for name, scores in self.by_set.items()},
            "role_accuracy": round(self.roles_right / self.roles_total, 4)
            if self.roles_total
            else None,
            "negation_accuracy": round(self.negated_right / self.negated_total, 4)
            if self.negated_total
            else None,
        }


def _labels(scores: dict[str, Score]) -> dict[str, dict[str, float | int]]:
    return {
        k: {
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "f1": round(s.f1, 4),
            "tp": s.tp,
            "fp": s.fp,
            "fn": s.fn,
        }
        for k, s in scores.items()
    }


def evaluate(docs: Sequence[GoldDoc | SpanDoc], results: Iterable[Extraction]) -> Evaluation:
    """Scores per label and per set; `errors` lists every miss and false hit, for error analysis."""
    marked = any(isinstance(d, GoldDoc) for d in docs)
    scores = {label: Score() for label in (*ENTITY_LABELS, *DOC_LABELS)} if marked else {}
    by_set: dict[str, dict[str, Score]] = {}
    roles_right = roles_total = neg_right = neg_total = 0
    errors: list[str] = []
    for doc, res in zip(docs, results, strict=True):
        if isinstance(doc, SpanDoc):
            set_scores = by_set.setdefault(doc.source, {})
            _span_level(doc, res, (scores, set_scores), errors)
            continue
        set_scores = by_set.setdefault(doc.source, {})
        found_spans = {(m.label, m.start, m.end) for m in res.mentions if m.label in ENTITY_LABELS}
        gold_spans = {(lab, s, e) for lab, s, e, _ in doc.spans}
        for label in ENTITY_LABELS:
            g = {x for x in gold_spans if x[0] == label}
            f = {x for x in found_spans if x[0] == label}
            for target in (scores, set_scores):
                target.setdefault(label, Score()).add(g, f)
            for x in sorted(g - f):
                errors.append(f"{doc.id} missed {label} '{doc.text[x[1] : x[2]]}'")
            for x in sorted(f - g):
                errors.append(f"{doc.id} false {label} '{doc.text[x[1] : x[2]]}'")
        roles = {(m.start, m.end): m.role for m in res.mentions}
        for label, s, e, role in doc.spans:
            if label == "PERSON" and role and (s, e) in roles:
                roles_total += 1
                if roles[(s, e)] == role:
                    roles_right += 1
                else:
                    errors.append(
                        f"{doc.id} role of '{doc.text[s:e]}': {roles[(s, e)]}, gold {role}"
                    )
        present = res.present("indicator")
        disc = {"disclosure"} if doc.disclosure else set()
        for label, gold, found in (
            ("INDICATOR", doc.indicators, present),
            ("LANGUAGE", doc.language, res.present("language")),
            ("DISCLOSURE", disc, {"disclosure"} & _any(res, "disclosure")),
        ):
            _doc_level(scores[label], doc.id, gold, found, errors)
            set_scores.setdefault(label, Score()).add(gold, found)
        for code in doc.negated - doc.indicators:
            neg_total += 1
            if code not in present:
                neg_right += 1
    return Evaluation(
        _ordered(scores), roles_right, roles_total, neg_right, neg_total, len(docs), errors,
        {name: _ordered(s) for name, s in by_set.items()},
    )  # fmt: skip


def _ordered(scores: dict[str, Score]) -> dict[str, Score]:
    """The bundled set's labels in their usual order, then span-level labels, IND, FLAG."""
    first = [k for k in (*ENTITY_LABELS, *DOC_LABELS) if k in scores]
    rest = sorted(k for k in scores if k not in first and not k.startswith(("IND", "FLAG")))
    inds = sorted(k for k in scores if k.startswith(("IND", "FLAG")))
    return {k: scores[k] for k in (*first, *rest, *inds)}


def _span_level(
    doc: SpanDoc,
    res: Extraction,
    targets: tuple[dict[str, Score], dict[str, Score]],
    errors: list[str],
) -> None:
    for layer, gold, found in goldsets.layers(doc, res):
        hit, missed, false = goldsets.match(gold, found)
        keys: dict[str, list[int]] = {}
        for spans, i in ((hit, 0), (false, 1), (missed, 2)):
            for label, s, e in spans:
                key = f"IND:{label}" if layer == "indicator" else label
                for k in {key, "IND"} if layer == "indicator" else {key}:
                    keys.setdefault(k, [0, 0, 0])[i] += 1
                if i:
                    what = "false" if i == 1 else "missed"
                    errors.append(f"{doc.id} {what} {key} '{doc.text[s:e]}' @{s}")
        if layer != "entity":
            keys.setdefault("IND" if layer == "indicator" else "FLAG", [0, 0, 0])
        for k, (tp, fp, fn) in keys.items():
            for target in targets:
                sc = target.setdefault(k, Score())
                sc.tp += tp
                sc.fp += fp
                sc.fn += fn


def _any(res: Extraction, kind: str) -> set[str]:
    return {kind} if res.present(kind) else set()


def _doc_level(
    score: Score, doc_id: str, gold: set[str], found: set[str], errors: list[str]
) -> None:
    score.add(gold, found)
    for code in sorted(gold - found):
        errors.append(f"{doc_id} missed {code}")
    for code in sorted(found - gold):
        errors.append(f"{doc_id} false {code}")
