"""The RFC 6962 / 9162 known answers (tests/ledger/data/rfc6962.json, see its README upstream)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from candour.ledger import merkle

VECTORS = json.loads((Path(__file__).parent / "data" / "rfc6962.json").read_text())
H = bytes.fromhex


def _tree_nodes(leaves: list[bytes]) -> merkle.NodeSource:
    hashes = [merkle.leaf_hash(x) for x in leaves]
    levels = [hashes]
    while len(levels[-1]) > 1:
        prev = levels[-1]
        levels.append([merkle.node_hash(prev[i], prev[i + 1]) for i in range(0, len(prev) - 1, 2)])
    return lambda level, index: levels[level][index]


LEAVES = [H(x) for x in VECTORS["reference_tree"]["leaf_inputs_hex"]]
NODES = _tree_nodes(LEAVES)


@pytest.mark.parametrize("case", VECTORS["hasher_kats"]["cases"], ids=lambda c: c["desc"])
def test_hasher_known_answers(case: dict) -> None:
    if case["kind"] == "empty_root":
        assert merkle.EMPTY_ROOT.hex() == case["want"]
    elif case["kind"] == "leaf":
        assert merkle.leaf_hash(H(case["input_hex"])).hex() == case["want"]
    else:
        got = merkle.node_hash(H(case["left_hex"]), H(case["right_hex"]))
        assert got.hex() == case["want"]


def test_reference_tree_roots_for_every_size() -> None:
    roots = VECTORS["reference_tree"]["roots_by_size"]
    for size_text, want in roots.items() if isinstance(roots, dict) else enumerate(roots):
        size = int(size_text)
        got = merkle.root_from_leaf_hashes([merkle.leaf_hash(x) for x in LEAVES[:size]])
        assert got.hex() == want, size


def test_reference_tree_interior_nodes() -> None:
    for level, row in enumerate(VECTORS["reference_tree"]["node_hashes_by_level"]):
        for index, want in enumerate(row):
            assert NODES(level, index).hex() == want


@pytest.mark.parametrize("case", VECTORS["inclusion_proofs"], ids=lambda c: c["source_path"])
def test_inclusion_proofs_verify_and_are_generated(case: dict) -> None:
    proof = [H(p) for p in case["proof"]]
    merkle.verify_inclusion(
        case["leaf_index"], case["tree_size"], H(case["leaf_hash"]), proof, H(case["root"])
    )
    if case["tree_size"] <= len(LEAVES):
        assert merkle.inclusion_proof(case["leaf_index"], case["tree_size"], NODES) == proof


@pytest.mark.parametrize("case", VECTORS["consistency_proofs"], ids=lambda c: c["source_path"])
def test_consistency_proofs_verify_and_are_generated(case: dict) -> None:
    proof = [H(p) for p in case["proof"]]
    merkle.verify_consistency(
        case["size1"], case["size2"], H(case["root1"]), H(case["root2"]), proof
    )
    if case["size2"] <= len(LEAVES):
        assert merkle.consistency_proof(case["size1"], case["size2"], NODES) == proof


@pytest.mark.parametrize(
    "case", VECTORS["negative_inclusion_probes"], ids=lambda c: c.get("desc", "probe")
)
def test_malformed_inclusion_proofs_are_rejected(case: dict) -> None:
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(
            case["leaf_index"],
            case["tree_size"],
            H(case["leaf_hash"]),
            [H(p) for p in case["proof"]],
            H(case["root"]),
        )


@pytest.mark.parametrize(
    "case", VECTORS["negative_consistency_probes"], ids=lambda c: c.get("desc", "probe")
)
def test_malformed_consistency_proofs_are_rejected(case: dict) -> None:
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(
            case["size1"],
            case["size2"],
            H(case["root1"]),
            H(case["root2"]),
            [H(p) for p in case["proof"]],
        )
