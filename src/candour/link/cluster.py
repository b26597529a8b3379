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

import pandas as pd


def two_stage(
    frame: pd.DataFrame,
    pairs: pd.DataFrame,
    *,
    core: float = 0.9,
    attach: float = 0.5,
    margin: float = 0.2,
) -> dict[int, int]:
    """unique_id -> cluster id (the smallest unique_id in the cluster)."""
    full = set(
        frame.loc[
            frame["family"].notna() & (frame["given"].fillna("").str.len() > 1), "unique_id"
        ].astype(int)
    )
    born = _birth(frame)
    left, right, p = (
        pairs[c].to_numpy() for c in ("unique_id_l", "unique_id_r", "match_probability")
    )
    edges = sorted(
        ((float(prob), int(a), int(b)) for a, b, prob in zip(left, right, p, strict=True)),
        reverse=True,
    )
    parent = {u: u for u in full}
    years: dict[int, set[int]] = {u: ({born[u]} if u in born else set()) for u in full}

    def find(u: int) -> int:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for prob, a, b in edges:
        if prob < core:
            break
        if a not in full or b not in full:
            continue
        ra, rb = find(a), find(b)
        if ra == rb or _conflict(years[ra], years[rb]):
            continue  # never one person with two different known births
        parent[rb] = ra
        years[ra] |= years.pop(rb)
    cluster = {u: find(u) for u in full}
    smallest: dict[int, int] = {}
    for u, root in cluster.items():
        smallest[root] = min(smallest.get(root, u), u)
    cluster = {u: smallest[root] for u, root in cluster.items()}
    cyears: dict[int, set[int]] = defaultdict(set)
    for u, c in cluster.items():
        if u in born:
            cyears[c].add(born[u])
    best: dict[int, dict[int, float]] = defaultdict(dict)
    for prob, a, b in edges:
        for part, other in ((a, b), (b, a)):
            if part not in full and other in cluster:
                c = cluster[other]
                if part in born and _conflict({born[part]}, cyears[c]):
                    continue
                best[part][c] = max(best[part].get(c, 0.0), prob)
    for u in (int(x) for x in frame["unique_id"]):
        if u in cluster:
            continue
        options = sorted(best.get(u, {}).items(), key=lambda x: -x[1])
        if (
            options
            and options[0][1] >= attach
            and (len(options) == 1 or options[0][1] - options[1][1] >= margin)
        ):
            cluster[u] = options[0][0]
        else:
            cluster[u] = u
    return cluster


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
