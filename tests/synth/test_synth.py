"""The synthetic district: reproducible, fair, and fully covered by its ground truth."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from scipy.stats import chi2_contingency

from candour.synth import generate
from candour.synth.names import ORIGIN_WEIGHTS


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("district")
    generate(out, seed=11, scale="small")
    return out


def _digest_tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_output(district: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, seed=11, scale="small")
    assert _digest_tree(again) == _digest_tree(district)


def test_different_seed_gives_a_different_district(district: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate(other, seed=12, scale="small")
    assert _digest_tree(other) != _digest_tree(district)


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _records(root: Path) -> dict[str, dict]:
    recs = {}
    for path in (root / "records").glob("*.jsonl"):
        for r in _jsonl(path):
            recs[r["ref"]] = r
    with (root / "records" / "referrals.csv").open() as fh:
        for row in csv.DictReader(fh):
            recs[row["ref"]] = row
    return recs


def test_every_text_mention_points_at_its_exact_characters(district: Path) -> None:
    recs = _records(district)
    mentions = _jsonl(district / "ground_truth" / "mentions.jsonl")
    checked = 0
    for m in mentions:
        if m["source"] == "text" and m["record"] in recs:
            assert recs[m["record"]]["text"][m["start"] : m["end"]] == m["text"]
            checked += 1
    assert checked > 1000


def test_every_structured_name_has_ground_truth(district: Path) -> None:
    recs = _records(district)
    truth = {
        (m["record"], m["field"])
        for m in _jsonl(district / "ground_truth" / "mentions.jsonl")
        if m["source"] == "field"
    }
    for ref, rec in recs.items():
        if "child_name" in rec:
            assert (ref, "child_name") in truth
            continue
        for i, _ in enumerate(rec.get("people", [])):
            assert (ref, f"people[{i}].name") in truth, ref


def test_identifiers_are_safe_to_publish(district: Path) -> None:
    persons = _jsonl(district / "ground_truth" / "persons.jsonl")
    drama = (
        "07700 900",
        "0113 496 0",
        "0114 496 0",
        "0115 496 0",
        "0116 496 0",
        "0117 496 0",
        "0118 496 0",
        "0121 496 0",
        "0131 496 0",
        "0141 496 0",
        "0151 496 0",
        "0161 496 0",
        "020 7946 0",
        "0191 498 0",
        "029 2018 0",
        "01632 960",
    )
    for p in persons:
        if p.get("phone"):
            assert p["phone"].startswith(drama)
        if p.get("email"):
            assert p["email"].split("@")[1] in {"example.org", "example.com", "example.net"}
        if p.get("postcode"):
            assert p["postcode"].startswith("ZZ")
        if p.get("registration"):
            assert p["registration"].startswith("Q")


def test_records_are_messy_like_real_ones(district: Path) -> None:
    text = " ".join(r.get("text", "") for r in _records(district).values())
    assert any(w.isupper() and len(w) > 3 for w in text.split())  # surnames in capitals
    assert "no evidence of alcohol" in text.lower()  # negations
    fields = [m["text"] for m in _jsonl(district / "ground_truth" / "mentions.jsonl")]
    assert any(len(f.split()[0]) == 2 and f.split()[0].endswith(".") for f in fields if f.split())


def test_role_is_independent_of_name_origin(tmp_path: Path) -> None:
    out = tmp_path / "fair"
    generate(out, seed=5, scale="small", years=2)
    persons = _jsonl(out / "ground_truth" / "persons.jsonl")
    roles = sorted({p["role"] for p in persons})
    origins = sorted(ORIGIN_WEIGHTS)
    table = Counter((p["role"], p["origin"]) for p in persons)
    observed = [[table[(r, o)] + 1 for o in origins] for r in roles]
    p_value = chi2_contingency(observed).pvalue
    assert p_value > 0.001, (p_value, observed)
    # and every role draws names of every origin
    for r in roles:
        assert sum(1 for o in origins if table[(r, o)] > 0) >= len(origins) - 2, r


def test_ground_truth_has_disclosures_some_never_recorded(district: Path) -> None:
    disclosures = _jsonl(district / "ground_truth" / "disclosures.jsonl")
    failures = Counter(d["failure"] for d in disclosures)
    assert failures["none"] > 0 and failures["no_decision"] > 0 and failures["not_recorded"] > 0
    networks = _jsonl(district / "ground_truth" / "networks.jsonl")
    assert len(networks) == 3 and all(n["children"] and n["adults"] for n in networks)
