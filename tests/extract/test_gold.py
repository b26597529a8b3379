"""The gold set: its format, its size, and the targets the issue sets on it."""

from __future__ import annotations

import pytest

from candour.errors import ValidationError
from candour.extract.gold import evaluate, load_gold, parse_document
from candour.extract.pipeline import Extractor


def test_annotations_give_offsets_in_the_plain_text() -> None:
    doc = parse_document(
        "d1", "referral", "[Amy SHAW|PERSON:victim] ([15|AGE]) [drunk|IND:alcohol+LANG:x]"
    )
    assert doc.text == "Amy SHAW (15) drunk"
    assert doc.spans == [("PERSON", 0, 8, "victim"), ("AGE", 10, 12, None)]
    assert doc.indicators == {"alcohol"} and doc.language == {"x"}


def test_unknown_annotations_are_refused_with_the_document_named() -> None:
    with pytest.raises(ValidationError, match="d9"):
        parse_document("d9", "referral", "[x|WHAT]")


def test_gold_set_size_and_variety() -> None:
    docs = load_gold()
    assert len(docs) >= 150
    assert len({d.kind for d in docs}) >= 6
    assert sum(len(d.spans) for d in docs) >= 400


def test_extraction_meets_the_targets_on_the_gold_set(extractor: Extractor) -> None:
    docs = load_gold()
    ev = evaluate(docs, extractor.extract([d.text for d in docs]))
    f1 = {k: s.f1 for k, s in ev.scores.items()}
    assert f1["PERSON"] >= 0.90, ev.errors
    for label in ("VEHICLE", "PHONE", "POSTCODE", "EMAIL"):
        assert f1[label] >= 0.98, label
    assert f1["INDICATOR"] >= 0.85
    assert f1["LANGUAGE"] >= 0.90
    assert ev.negated_right == ev.negated_total
