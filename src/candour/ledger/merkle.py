"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification.

Pure functions with no database: the standalone verifier and the store-backed log share them.
Leaf indices are 0-based. Subtree hashes are looked up through a `NodeSource` so that proofs are
built from stored interior nodes in O(log n) look-ups instead of rebuilding the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


class ProofError(ValueError):
    """A proof that does not verify, or a request for a proof that cannot exist."""


def leaf_hash(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """The k of RFC 6962: the largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over already-hashed leaves, iteratively (no recursion limit at any size)."""
    frontier = Frontier()
    for h in hashes:
        frontier.push(h)
    return frontier.root()


# A function that returns the hash of the perfect subtree (level, index): leaves at level 0.
NodeSource = Callable[[int, int], bytes]


def subtree_plan(start: int, end: int) -> list[tuple[int, int]]:
    """Perfect subtrees (level, index) whose hashes, folded right to left, give MTH(D[start:end]).

    `start` must be aligned the way RFC 6962 splits produce it: every range a proof needs is.
    """
    plan: list[tuple[int, int]] = []
    while end - start > 0:
        size = end - start
        if size & (size - 1) == 0 and start % size == 0:
            level = size.bit_length() - 1
            plan.append((level, start >> level))
            break
        k = largest_power_of_two_below(size)
        level = k.bit_length() - 1
        if start % k:
            raise ProofError(f"range [{start}, {end}) is not aligned")
        plan.append((level, start >> level))
        start += k
    return plan


def fold_plan(hashes: Sequence[bytes]) -> bytes:
    """Combine the subtree hashes of a plan (left to right) into one range hash."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_plan(index: int, size: int) -> list[tuple[int, int, int]]:
    """The ranges (start, end) whose hashes make the audit path of `index` in a tree of `size`.

    Returned bottom-up as (start, end, 0) triples so callers can batch their node look-ups.
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    ranges: list[tuple[int, int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = largest_power_of_two_below(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi, 0))
            hi = lo + k
        else:
            ranges.append((lo, lo + k, 0))
            lo = lo + k
    ranges.reverse()
    return ranges


def consistency_plan(old: int, new: int) -> list[tuple[int, int, int]]:
    """Ranges whose hashes form the RFC 9162 consistency proof from size `old` to `new`."""
    if not 0 < old < new:
        raise ProofError(f"no consistency proof from size {old} to size {new}")
    ranges: list[tuple[int, int, int]] = []
    lo, hi, m, complete = 0, new, old, True
    while True:
        n = hi - lo
        if m == n:
            if not complete:
                ranges.append((lo, hi, 0))
            break
        k = largest_power_of_two_below(n)
        if m <= k:
            ranges.append((lo + k, hi, 0))
            hi = lo + k
        else:
            ranges.append((lo, lo + k, 0))
            m -= k
            lo += k
            complete = False
    ranges.reverse()
    return ranges


def range_hashes(ranges: Sequence[tuple[int, int, int]], nodes: NodeSource) -> list[bytes]:
    return [fold_plan([nodes(level, i) for level, i in subtree_plan(s, e)]) for s, e, _ in ranges]


def inclusion_proof(index: int, size: int, nodes: NodeSource) -> list[bytes]:
    return range_hashes(inclusion_plan(index, size), nodes)


def consistency_proof(old: int, new: int, nodes: NodeSource) -> list[bytes]:
    if old == new:
        return []
    return range_hashes(consistency_plan(old, new), nodes)


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 section 2.1.3.2. Raises ProofError unless `leaf` is at `index` under `root`."""
    if len(leaf) != HASH_SIZE:
        raise ProofError("the leaf hash has the wrong length")
    computed = root_from_inclusion(index, size, leaf, proof)
    if computed != root:
        raise ProofError("inclusion proof does not lead to the expected root")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if len(p) != HASH_SIZE:
            raise ProofError("a proof hash has the wrong length")
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 section 2.1.4.2. Raises ProofError unless the new tree extends the old one."""
    if old_size <= 0 or new_size < 0:
        raise ProofError("no consistency proof exists from an empty tree")
    if old_size > new_size:
        raise ProofError(f"old size {old_size} is larger than new size {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("trees of equal size need an empty proof")
        if old_root != new_root:
            raise ProofError("trees of equal size have different roots")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    for p in proof:
        if len(p) != HASH_SIZE:
            raise ProofError("a proof hash has the wrong length")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != old_root:
        raise ProofError("consistency proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("consistency proof does not lead to the new root")


class Frontier:
    """The right edge of a growing tree: one perfect-subtree hash per set bit of the size.

    Appending a leaf merges equal-sized subtrees; each merge is a new stored interior node, which
    is how the log keeps every node a proof may need without rebuilding anything.
    """

    __slots__ = ("hashes", "levels", "size")

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        self.size = size
        self.hashes: list[bytes] = list(hashes)
        self.levels: list[int] = [b for b in range(size.bit_length() - 1, -1, -1) if size >> b & 1]
        if len(self.levels) != len(self.hashes):
            raise ValueError("frontier does not match the tree size")

    def push(self, leaf: bytes, on_node: Callable[[int, int, bytes], None] | None = None) -> None:
        """Append one leaf hash; `on_node(level, index, hash)` sees every new interior node."""
        h, level, index = leaf, 0, self.size
        hashes, levels = self.hashes, self.levels
        while levels and levels[-1] == level:
            h = node_hash(hashes.pop(), h)
            levels.pop()
            level += 1
            index >>= 1
            if on_node is not None:
                on_node(level, index, h)
        hashes.append(h)
        levels.append(level)
        self.size += 1

    def extend(self, leaves: Sequence[bytes], min_level: int = 1) -> list[tuple[int, int, bytes]]:
        """Append many leaf hashes at once; returns the new interior nodes `(level, index, hash)`
        of levels >= `min_level`.

        Works level by level instead of leaf by leaf: at level L the new nodes are exactly the
        indices [size >> L, (size + n) >> L), the left sibling of the first one (when it is a
        right child) is the old frontier's node at L, and each level is one comprehension of
        hashes. Same result as `push` per leaf, in about a third of the time for large batches.
        """
        if not leaves:
            return []
        start = self.size
        old = dict(zip(self.levels, self.hashes, strict=True))
        kept: dict[int, bytes] = {}
        nodes: list[tuple[int, int, bytes]] = []
        sha = _sha256
        level, lo, cur = 0, start, list(leaves)
        while cur:
            hi = lo + len(cur)
            if lo & 1:
                cur.insert(0, old[level])
                lo -= 1
            if hi & 1:
                kept[level] = cur[-1]
            pairs = range(0, hi - lo - 1, 2)
            parents = [sha(b"\x01" + cur[k] + cur[k + 1]).digest() for k in pairs]
            level, lo, cur = level + 1, lo >> 1, parents
            if level >= min_level:
                nodes.extend((level, lo + k, h) for k, h in enumerate(parents))
        for lv, h in old.items():
            if lv >= level:
                kept[lv] = h
        self.size = start + len(leaves)
        self.levels = sorted(kept, reverse=True)
        self.hashes = [kept[lv] for lv in self.levels]
        return nodes

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        acc = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            acc = node_hash(h, acc)
        return acc

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> Frontier:
        hashes = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
        return cls(size, hashes)
