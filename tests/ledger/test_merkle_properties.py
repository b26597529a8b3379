"""Properties of proofs over random trees: valid proofs verify, any flipped bit fails."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from candour.ledger import merkle


def _tree(n: int) -> tuple[list[bytes], merkle.NodeSource]:
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    levels = [leaves]
    while len(levels[-1]) > 1:
        prev = levels[-1]
        levels.append([merkle.node_hash(prev[i], prev[i + 1]) for i in range(0, len(prev) - 1, 2)])
    return leaves, lambda level, index: levels[level][index]


def _flip(data: bytes, bit: int) -> bytes:
    bit %= len(data) * 8
    b = bytearray(data)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(1, 300))
    return n, draw(st.integers(0, n - 1))


@settings(max_examples=200, deadline=None)
@given(tree_and_index(), st.integers(0, 10_000))
def test_inclusion_proofs_verify_and_any_bit_flip_fails(case: tuple[int, int], bit: int) -> None:
    n, i = case
    leaves, nodes = _tree(n)
    root = merkle.root_from_leaf_hashes(leaves)
    proof = merkle.inclusion_proof(i, n, nodes)
    merkle.verify_inclusion(i, n, leaves[i], proof, root)
    bad_leaf = _flip(leaves[i], bit)
    assert _fails(lambda: merkle.verify_inclusion(i, n, bad_leaf, proof, root))
    assert _fails(lambda: merkle.verify_inclusion(i, n, leaves[i], proof, _flip(root, bit)))
    if proof:
        k = bit % len(proof)
        bad = [*proof[:k], _flip(proof[k], bit), *proof[k + 1 :]]
        assert _fails(lambda: merkle.verify_inclusion(i, n, leaves[i], bad, root))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300), st.integers(0, 300), st.integers(0, 10_000))
def test_consistency_proofs_verify_and_any_bit_flip_fails(old: int, extra: int, bit: int) -> None:
    new = old + extra
    leaves, nodes = _tree(new)
    r1 = merkle.root_from_leaf_hashes(leaves[:old])
    r2 = merkle.root_from_leaf_hashes(leaves)
    proof = merkle.consistency_proof(old, new, nodes)
    merkle.verify_consistency(old, new, r1, r2, proof)
    assert _fails(lambda: merkle.verify_consistency(old, new, _flip(r1, bit), r2, proof))
    assert _fails(lambda: merkle.verify_consistency(old, new, r1, _flip(r2, bit), proof))
    if proof:
        k = bit % len(proof)
        bad = [*proof[:k], _flip(proof[k], bit), *proof[k + 1 :]]
        assert _fails(lambda: merkle.verify_consistency(old, new, r1, r2, bad))


@given(st.lists(st.binary(max_size=40), max_size=200))
def test_frontier_root_equals_recursive_definition(data: list[bytes]) -> None:
    def mth(items: list[bytes]) -> bytes:
        if not items:
            return merkle.EMPTY_ROOT
        if len(items) == 1:
            return merkle.leaf_hash(items[0])
        k = merkle.largest_power_of_two_below(len(items))
        return merkle.node_hash(mth(items[:k]), mth(items[k:]))

    assert merkle.root_from_leaf_hashes([merkle.leaf_hash(d) for d in data]) == mth(data)


def _fails(fn) -> bool:
    try:
        fn()
    except merkle.ProofError:
        return True
    return False


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 300), st.integers(0, 300))
def test_batch_extend_gives_the_same_tree_and_nodes_as_pushing_leaf_by_leaf(
    before: int, batch: int
) -> None:
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(before + batch)]
    one, many = merkle.Frontier(), merkle.Frontier()
    for h in leaves[:before]:
        one.push(h)
        many.push(h)
    pushed: list[tuple[int, int, bytes]] = []
    for h in leaves[before:]:
        one.push(h, lambda level, index, h: pushed.append((level, index, h)))
    extended = many.extend(leaves[before:], min_level=1)
    assert (many.size, many.levels, many.hashes) == (one.size, one.levels, one.hashes)
    assert sorted(extended) == sorted(pushed)
    assert many.root() == merkle.root_from_leaf_hashes(leaves)
