"""From scored pairs to persons: a strong core, then careful attachment of partial names.

Connected components over every likely pair chain different people together through
ambiguous mentions ("A. Wood" links Anthony Wood and Alan Wood). So clusters are built in two
steps: full names (given and family) join on strong links only; then each partial mention
(an initial, a given name alone) joins the one cluster it links to best, and only when that
link is likely and clearly better than its next-best cluster. Everything else stays apart:
a missed link costs less here than a false one, and an analyst can merge.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd


class _Sets:
    """Union-find over mentions that remembers each set's members, births and exclusions."""

    def __init__(self, ids: list[int], born: dict[int, int], different: list[tuple[int, int]]):
        self.parent = {u: u for u in ids}
        self.members: dict[int, set[int]] = {u: {u} for u in ids}
        self.years: dict[int, set[int]] = {u: ({born[u]} if u in born else set()) for u in ids}
        self.blocked: dict[int, set[int]] = defaultdict(set)
        for x, y in different:
            self.blocked[x].add(y)
            self.blocked[y].add(x)

    def find(self, u: int) -> int:
        while self.parent[u] != u:
            self.parent[u] = self.parent[self.parent[u]]
            u = self.parent[u]
        return u

    def allowed(self, ra: int, rb: int) -> bool:
        if _conflict(self.years[ra], self.years[rb]):
            return False  # never one person with two different known births
        small, big = sorted((ra, rb), key=lambda r: len(self.members[r]))
        return not any(self.blocked.get(x, set()) & self.members[big] for x in self.members[small])

    def union(self, ra: int, rb: int) -> None:
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        self.years[ra] |= self.years.pop(rb)


def two_stage(
    frame: pd.DataFrame,
    pairs: pd.DataFrame,
    *,
    core: float = 0.9,
    attach: float = 0.5,
    margin: float = 0.2,
    same: list[tuple[int, int]] | None = None,
    different: list[tuple[int, int]] | None = None,
) -> dict[int, int]:
    """unique_id -> cluster id (the smallest unique_id in the cluster).

    Analysts' decisions come first: `same` pairs are joined (transitively) before any model
    link, and no link ever joins a `different` pair.
    """
    ids = [int(u) for u in frame["unique_id"]]
    known = set(ids)
    full = full_names(frame)
    sets = _Sets(ids, _birth(frame), [p for p in (different or []) if set(p) <= known])
    for a, b in same or []:
        if a in known and b in known and sets.find(a) != sets.find(b):
            sets.union(sets.find(a), sets.find(b))
    left, right, p = (
        pairs[c].to_numpy() for c in ("unique_id_l", "unique_id_r", "match_probability")
    )
    # Strongest first (ties: larger ids first), in numpy: tens of millions of pairs at scale.
    order = np.lexsort((-right, -left, -p))
    left, right, p = left[order], right[order], p[order]
    is_full = np.fromiter(full, dtype=left.dtype, count=len(full))
    full_l, full_r = np.isin(left, is_full), np.isin(right, is_full)
    core_edges = (p >= core) & full_l & full_r
    for a, b in zip(left[core_edges].tolist(), right[core_edges].tolist(), strict=True):
        ra, rb = sets.find(a), sets.find(b)
        if ra != rb and sets.allowed(ra, rb):
            sets.union(ra, rb)
    # Each partial mention's best link to each full-name cluster, visiting pairs strongest
    # first and each pair from its partial side.
    ends = (~full_l & full_r, full_l & ~full_r)
    at = np.concatenate([np.flatnonzero(e) for e in ends])
    turn = np.concatenate([np.full(int(e.sum()), k) for k, e in enumerate(ends)])
    visit = np.lexsort((turn, at))
    at, turn = at[visit], turn[visit]
    parts = np.where(turn == 0, left[at], right[at]).tolist()
    others = np.where(turn == 0, right[at], left[at]).tolist()
    best: dict[int, dict[int, float]] = defaultdict(dict)
    for part, other, prob in zip(parts, others, p[at].tolist(), strict=True):
        rp, ro = sets.find(part), sets.find(other)
        if rp == part and len(sets.members[rp]) == 1 and ro != rp:
            seen = best[part]
            if prob > seen.get(ro, -1.0):
                seen[ro] = prob
    for u, options_by_root in best.items():
        options = sorted(options_by_root.items(), key=lambda x: -x[1])
        options = [(r, pr) for r, pr in options if sets.allowed(sets.find(u), sets.find(r))]
        if (
            options
            and options[0][1] >= attach
            and (len(options) == 1 or options[0][1] - options[1][1] >= margin)
        ):
            sets.union(sets.find(options[0][0]), sets.find(u))
    smallest = {root: min(ms) for root, ms in sets.members.items()}
    return {u: smallest[sets.find(u)] for u in ids}


def full_names(frame: pd.DataFrame) -> set[int]:
    """Mentions with a given name spelt out and a family name: those that form the core."""
    has_both = frame["family"].notna() & (frame["given"].fillna("").str.len() > 1)
    return set(frame.loc[has_both, "unique_id"].astype(int))


def _birth(frame: pd.DataFrame) -> dict[int, int]:
    """Known birth years (from a date of birth only: ages are too rough to forbid a link)."""
    if "dob" not in frame:
        return {}
    out: dict[int, int] = {}
    for u, dob in zip(frame["unique_id"], frame["dob"], strict=True):
        if isinstance(dob, str) and len(dob) >= 4 and dob[:4].isdigit():
            out[int(u)] = int(dob[:4])
    return out


def _conflict(a: set[int], b: set[int]) -> bool:
    return any(abs(x - y) > 1 for x in a for y in b)
