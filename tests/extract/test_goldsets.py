"""Span-level gold sets: JSONL and district loaders, lenient matching, label and polarity."""

from __future__ import annotations

import json
from pathlib import Path

from candour.extract.gold import evaluate, load_gold
from candour.extract.goldsets import match
from candour.extract.types import Extraction, Flag, Found


def test_lenient_match_is_one_to_one_and_needs_the_same_label() -> None:
    gold = [("PERSON", 0, 10), ("PERSON", 12, 20), ("LOC", 30, 40)]
    found = [("PERSON", 2, 8), ("LOC", 14, 18), ("LOC", 35, 50)]
    hit, missed, false = match(gold, found)
    assert hit == [("PERSON", 0, 10), ("LOC", 30, 40)]
    assert missed == [("PERSON", 12, 20)]
    assert false == [("LOC", 14, 18)]


def test_jsonl_set_scores_every_label_and_indicator_polarity(tmp_path: Path) -> None:
    text = "Mr Tomasz WIREK took her to the Larkfield Hotel; she was not missing."
    doc = {
        "id": "X1",
        "kind": "case_notes",
        "text": text,
        "entities": [
            {"start": 3, "end": 15, "label": "PERSON"},
            {"start": 32, "end": 47, "label": "ORG"},
        ],
        "indicators": [{"start": 61, "end": 68, "label": "MISSING", "negated": True}],
        "language_flags": [],
    }
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(doc) + "\n")
    docs = load_gold([path])
    res = Extraction(
        [
            Found("PERSON", 3, 15, "Tomasz WIREK", "TOMASZ WIREK", 0.9),
            Found("LOCATION", 32, 47, "Larkfield Hotel", "LARKFIELD HOTEL", 0.8),
        ],
        [Flag("indicator", "missing", 61, 68, "missing", negated=True)],
        12,
    )
    ev = evaluate(docs, [res])
    assert ev.scores["PERSON"].tp == 1
    assert (ev.scores["ORG"].fn, ev.scores["LOC"].fp) == (1, 1)
    assert ev.scores["IND:MISSING/neg"].tp == 1 and ev.scores["IND"].f1 == 1.0
    assert set(ev.by_set) == {tmp_path.name}
