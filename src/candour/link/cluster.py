"""From scored pairs to persons: a strong core, clusters joined on broad support, then careful
attachment of partial names.

Connected components over every likely pair chain different people together: "A. Wood"
links Anthony Wood and Alan Wood, and one weak link between two records (a shared family
name and a postcode both were seen at) would join Zainab Hussain's sixty mentions to
Anjali Hussain's. So clusters are built in steps, each asking for more than one link:

1. full names (given and family) join on strong links, unless they are two different names
   (siblings who share a family's phone and address link strongly);
2. two clusters joined only by weaker links merge when those links reach at least half of
   the mentions of one of them (a misspelt "Chinedu Mwagi" links to the whole of Chinedu
   Mwangi; a shared family name reaches a handful of Anjali's sixty mentions);
3. each partial mention (an initial, a given name alone) joins the one person it links to
   best, and only when that link is likely and clearly better than the next-best person;
   when no person is clearly best, it joins the one plausible person who shares someone
   named alongside it (its record names a child that person is also named with); once some
   have joined, a partial that links only to those joins the same way.

Nothing joins two people whose birth years (the most common one each, so that one misread
date does not decide) differ by more than a year, whose dates of birth (the most common one
each) are two dates no slip of the pen turns into each other (`dates_apart`), or that an
analyst said are different.
Everything else stays apart: a missed link costs less here than a false one, and an analyst
can merge. (After this, company.py lets the people a bare mention is named with decide.)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import numpy as np
import pandas as pd

_Y = TypeVar("_Y", int, str)


@dataclass(frozen=True)
class Rules:
    """The clustering's thresholds (match probabilities and a share of mentions)."""

    core: float = 0.5  # full names join directly on a link this likely
    support: float = 0.1  # weaker links count only towards broad support
    cover: float = 0.5  # share of a cluster's mentions the weaker links must reach
    attach: float = 0.3  # a partial name's best link must be this likely ...
    margin: float = 0.2  # ... and this much better than its next-best person
    rounds: int = 10  # passes of step 2 (each sees the clusters the last one made)
    year_gap: int = 1  # birth years further apart than this are two people


class Together:
    """Which rows (profiles) are named in the same records: the network around a mention.

    Kept as two sorted index arrays (row -> its records, record -> its rows), so that only the
    rows the clustering asks about are ever expanded."""

    def __init__(self, rows: np.ndarray, records: np.ndarray):
        self._by_row = _Index(rows, records)
        self._by_record = _Index(records, rows)

    def of(self, rows: Iterable[int]) -> set[int]:
        """Every row named in a record that names one of `rows` (those rows included)."""
        out: set[int] = set()
        for u in rows:
            for record in self._by_row.get(u):
                out.update(self._by_record.get(record))
        return out


class _Index:
    def __init__(self, keys: np.ndarray, values: np.ndarray):
        order = np.argsort(keys, kind="stable")
        self.values: list[int] = values[order].tolist()
        found, starts = np.unique(keys[order], return_index=True)
        ends = [*starts[1:].tolist(), len(order)]
        self.span = dict(zip(found.tolist(), zip(starts.tolist(), ends, strict=True), strict=True))

    def get(self, key: int) -> list[int]:
        start, end = self.span.get(key, (0, 0))
        return self.values[start:end]


class _Sets:
    """Union-find over mentions that remembers each set's members, weight, births and
    exclusions."""

    def __init__(
        self,
        ids: list[int],
        born: dict[int, int],
        different: list[tuple[int, int]],
        weight: Mapping[int, int],
        year_gap: int,
        dobs: Mapping[int, str] | None = None,
    ):
        self.parent = {u: u for u in ids}
        self.members: dict[int, set[int]] = {u: {u} for u in ids}
        self.weight = {u: int(weight.get(u, 1)) for u in ids}
        self.size = dict(self.weight)
        self.years: dict[int, Counter[int]] = {
            u: Counter({born[u]: self.weight[u]}) if u in born else Counter() for u in ids
        }
        dobs = dobs or {}
        self.dobs: dict[int, Counter[str]] = {
            u: Counter({dobs[u]: self.weight[u]}) if u in dobs else Counter() for u in ids
        }
        self.usual = {u: self._usual(u) for u in ids}
        self.usual_dob = {u: dobs.get(u) for u in ids}
        self.year_gap = year_gap
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
        ya, yb = self.usual[ra], self.usual[rb]
        if ya is not None and yb is not None and abs(ya - yb) > self.year_gap:
            return False  # never one person with two different births
        if dates_apart(self.usual_dob[ra], self.usual_dob[rb]):
            return False  # born within a year of each other, but on other days
        if not self.blocked:
            return True
        small, big = sorted((ra, rb), key=lambda r: len(self.members[r]))
        return not any(self.blocked.get(x, set()) & self.members[big] for x in self.members[small])

    def union(self, ra: int, rb: int) -> None:
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        self.size[ra] += self.size.pop(rb)
        self.years[ra].update(self.years.pop(rb))
        self.dobs[ra].update(self.dobs.pop(rb))
        self.usual.pop(rb)
        self.usual[ra] = self._usual(ra)
        self.usual_dob.pop(rb)
        self.usual_dob[ra] = usual_year(self.dobs[ra])

    def _usual(self, root: int) -> int | None:
        """The set's usual birth year: from its dates of birth when it has any. An age says
        less (16 in a record of March 2008 is born in 1991 or 1992, and frame.py takes the
        earlier), so ages decide only for a person no date of birth is known of."""
        years: Counter[int] = Counter()
        for d, n in self.dobs[root].items():
            if d[:4].isdigit():
                years[int(d[:4])] += n
        return usual_year(years or self.years[root])

    def join(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or not self.allowed(ra, rb):
            return False
        self.union(ra, rb)
        return True


def usual_year(years: Counter[_Y]) -> _Y | None:
    """The most common birth year, or date of birth (the earliest of equally common ones)."""
    if not years:
        return None
    return min(years.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def cluster_persons(
    frame: pd.DataFrame,
    pairs: pd.DataFrame,
    rules: Rules = Rules(),
    *,
    same: list[tuple[int, int]] | None = None,
    different: list[tuple[int, int]] | None = None,
    weight: Mapping[int, int] | None = None,
    together: Together | None = None,
) -> dict[int, int]:
    """unique_id -> cluster id (the smallest unique_id in the cluster).

    Analysts' decisions come first: `same` pairs are joined (transitively) before any model
    link, and no link ever joins a `different` pair. `weight` counts the mentions behind each
    row (see profiles.py): shares of mentions and the usual birth year are counted in them.
    """
    ids = [int(u) for u in frame["unique_id"]]
    known = set(ids)
    full = full_names(frame)
    sets = _Sets(
        ids,
        _birth(frame),
        [p for p in (different or []) if set(p) <= known],
        weight or {},
        rules.year_gap,
        _dobs(frame),
    )
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
    # Two full names that are two different names (Chloe and Peter Thompson) never join on
    # their own link, however much else they share (a family's phone, address, year of
    # birth); enough weaker links between their clusters (step 2) may still join them.
    both = full_l & full_r
    strong = both & (p >= rules.core)
    strong[strong] = ~_two_names(frame, left, right, strong)
    for a, b in zip(left[strong].tolist(), right[strong].tolist(), strict=True):
        sets.join(a, b)
    # Strong links refused above (births that looked apart while the clusters were small)
    # count again: the clusters' usual birth years may agree now.
    weaker = both & (p >= rules.support)
    _supported(sets, left[weaker], right[weaker], p[weaker], rules)
    partial = ~both
    _attach(sets, full, left[partial].astype(np.int64), right[partial].astype(np.int64),
            p[partial], rules, together)  # fmt: skip
    smallest = {root: min(ms) for root, ms in sets.members.items()}
    return {u: smallest[sets.find(u)] for u in ids}


def _two_names(
    frame: pd.DataFrame, left: np.ndarray, right: np.ndarray, which: np.ndarray
) -> np.ndarray:
    """For the pairs `which` selects, are the two full names two different names (coref's
    `same_name` says no)? Pairs with the same keys are settled without looking further."""
    from candour.link.coref import same_name

    names = pd.DataFrame(
        {
            "given": frame.get("given_key", frame["given"]),
            "family": frame.get("family_key", frame["family"]),
            "groups": frame.get("given_groups", pd.Series([None] * len(frame), index=frame.index)),
        }
    ).set_index(frame["unique_id"])
    a = names.loc[left[which]].to_numpy()
    b = names.loc[right[which]].to_numpy()
    same = (a[:, 0] == b[:, 0]) & (a[:, 1] == b[:, 1])
    out = np.zeros(len(a), dtype=bool)
    for k in np.flatnonzero(~same).tolist():
        out[k] = not same_name(a[k, 0], a[k, 1], a[k, 2], b[k, 0], b[k, 1], b[k, 2])
    return out


def _roots(sets: _Sets, nodes: np.ndarray) -> np.ndarray:
    return np.fromiter((sets.find(u) for u in nodes.tolist()), dtype=np.int64, count=len(nodes))


def _supported(
    sets: _Sets, left: np.ndarray, right: np.ndarray, prob: np.ndarray, rules: Rules
) -> None:
    """Step 2: merge clusters whose weaker links reach a share `cover` of one of them.

    Each round measures every pair of clusters that links at all (in numpy, on sorted integer
    keys: millions of links at scale, where pandas' group-bys held two gigabytes), then
    merges the best supported first; a pair measured on a cluster that has grown since waits
    for the next round."""
    nodes, at = np.unique(np.concatenate([left, right]), return_inverse=True)
    li, ri = at[: len(left)], at[len(left) :]
    weight = np.array([sets.weight[u] for u in nodes.tolist()], dtype=np.float64)
    for _ in range(rules.rounds):
        roots, cluster = np.unique(_roots(sets, nodes), return_inverse=True)
        ca, cb = cluster[li], cluster[ri]
        apart = ca != cb
        li, ri, prob, ca, cb = li[apart], ri[apart], prob[apart], ca[apart], cb[apart]
        if not len(li):
            return
        swap = ca > cb  # the same order as the roots' ids: `roots` is sorted
        lo_c, hi_c = np.where(swap, cb, ca), np.where(swap, ca, cb)
        pair, link_pair = np.unique(lo_c.astype(np.int64) * len(roots) + hi_c, return_inverse=True)
        on_lo = _reach(link_pair, np.where(swap, ri, li), weight, len(pair))
        on_hi = _reach(link_pair, np.where(swap, li, ri), weight, len(pair))
        best = np.zeros(len(pair))
        np.maximum.at(best, link_pair, prob)
        sizes = np.array([sets.size[r] for r in roots.tolist()], dtype=np.float64)
        lo_k, hi_k = pair // len(roots), pair % len(roots)
        size_lo, size_hi = sizes[lo_k], sizes[hi_k]
        lo, hi = roots[lo_k], roots[hi_k]
        share = np.maximum(on_lo / size_lo, on_hi / size_hi)
        chosen = np.flatnonzero(share >= rules.cover)
        if not len(chosen):
            return
        order = np.lexsort((hi[chosen], lo[chosen], -best[chosen], -share[chosen]))
        changed = False
        for k in chosen[order].tolist():
            a, b = int(lo[k]), int(hi[k])
            if sets.find(a) != a or sets.find(b) != b:
                changed = True  # measured on clusters that have grown since: next round
                continue
            if sets.size[a] != size_lo[k] or sets.size[b] != size_hi[k]:
                changed = True
                continue
            if sets.allowed(a, b):
                sets.union(a, b)
                changed = True
        if not changed:
            return


def _reach(link_pair: np.ndarray, end: np.ndarray, weight: np.ndarray, pairs: int) -> np.ndarray:
    """For each pair of clusters, the weight of the distinct nodes its links reach at one end."""
    n = len(weight)
    keys = np.sort(link_pair.astype(np.int64) * n + end)  # numpy's hashing unique is slower
    distinct = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    reached: np.ndarray = np.bincount(distinct // n, weights=weight[distinct % n], minlength=pairs)
    return reached


def _attach(
    sets: _Sets, full: set[int], left: np.ndarray, right: np.ndarray, prob: np.ndarray,
    rules: Rules, together: Together | None,
) -> None:  # fmt: skip
    """Step 3: partial mentions join the one named person they clearly link to best."""
    is_full = np.fromiter(full, dtype=np.int64, count=len(full))
    from_left = ~np.isin(left, is_full)
    from_right = ~np.isin(right, is_full)
    # Every link seen from its partial end (both ends when both are partial).
    part = np.concatenate([left[from_left], right[from_right]])
    other = np.concatenate([right[from_left], left[from_right]])
    pr = np.concatenate([prob[from_left], prob[from_right]])
    other_full = np.isin(other, is_full)
    nodes, at = np.unique(np.concatenate([part, other]), return_inverse=True)
    part_at, other_at = at[: len(part)], at[len(part) :]
    for round_ in range(3):
        cache: dict[int, set[int]] = {}
        if not len(part):
            return
        named = np.fromiter({sets.find(u) for u in full}, dtype=np.int64)
        roots = _roots(sets, nodes)
        part_root, other_root = roots[part_at], roots[other_at]
        single = np.array([len(sets.members[r]) == 1 for r in roots.tolist()], dtype=bool)
        open_ = single[part_at] & ~np.isin(part_root, named)
        # Full names were weighed in the first round; later rounds add the partials that joined.
        usable = open_ & np.isin(other_root, named) & ((round_ == 0) | ~other_full)
        options = (
            pd.DataFrame({"u": part[usable], "root": other_root[usable], "p": pr[usable]})
            .groupby(["u", "root"], sort=False)["p"]
            .max()
            .reset_index()
            .sort_values(["u", "p", "root"], ascending=[True, False, True])
        )
        if options.empty:
            return
        us, targets, ps = (options[c].tolist() for c in ("u", "root", "p"))
        starts = [0, *(np.flatnonzero(np.diff(options["u"].to_numpy())) + 1).tolist()]
        joined = []
        for first, stop in zip(starts, [*starts[1:], len(us)], strict=True):
            u = us[first]
            ranked = [
                (targets[k], ps[k]) for k in range(first, stop) if sets.allowed(u, targets[k])
            ]
            if (
                ranked
                and ranked[0][1] >= rules.attach
                and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= rules.margin)
            ):
                joined.append((u, ranked[0][0]))
            elif ranked and together:
                close = [
                    r for r, q in ranked if ranked[0][1] - q < rules.margin and q >= rules.support
                ]
                known = _company(sets, together.of([u]), {u})
                sharing = [r for r in close if known & _cluster_company(sets, together, r, cache)]
                if len(sharing) == 1:
                    joined.append((u, sharing[0]))
        if not joined:
            return
        for u, root in joined:
            sets.union(sets.find(root), u)
        keep = open_ & ~np.isin(part, np.array([u for u, _ in joined], dtype=np.int64))
        part, other, pr, other_full = part[keep], other[keep], pr[keep], other_full[keep]
        part_at, other_at = part_at[keep], other_at[keep]


def _company(sets: _Sets, rows: Iterable[int], skip: set[int]) -> set[int]:
    """The persons (cluster roots) of these rows, leaving out those in `skip`."""
    return {sets.find(q) for q in rows} - {sets.find(x) for x in skip}


def _cluster_company(
    sets: _Sets, together: Together, root: int, cache: dict[int, set[int]]
) -> set[int]:
    """The persons named in the records of a cluster's mentions (but not the cluster)."""
    if root not in cache:
        cache[root] = _company(sets, together.of(sets.members[root]), {root})
    return cache[root]


def full_names(frame: pd.DataFrame) -> set[int]:
    """Mentions with a given name spelt out and a family name: those that form the core."""
    has_both = frame["family"].notna() & (frame["given"].fillna("").str.len() > 1)
    return set(frame.loc[has_both, "unique_id"].astype(int))


def birth_years(frame: pd.DataFrame) -> pd.Series:
    """The birth year each mention gives clustering (nullable): from a date of birth, or else
    from a stated age, as the record's fields give them. A year read from free text is left
    out here (the model still weighs it): a note's "aged 14" is as likely to be about the
    child beside the man it names. A mention that took its year from a coreferent field
    mention (coref.with_coreferents marks it `birth_field`) gives that year."""
    n = len(frame)
    empty = pd.Series([None] * n, index=frame.index, dtype=object)
    dobs = frame.get("dob", empty)
    from_dob = pd.to_numeric(dobs.astype("string").str[:4], errors="coerce")
    years = pd.to_numeric(frame["birth_year"], errors="coerce") if "birth_year" in frame else (
        pd.Series(float("nan"), index=frame.index))  # fmt: skip
    out = from_dob.astype("Float64").fillna(years.astype("Float64")).round().astype("Int64")
    if "birth_field" in frame:  # a note's year that a field of its record confirmed counts
        out = out.mask(~frame["birth_field"].astype(bool))
    elif "source" in frame:
        out = out.mask(frame["source"] == "text")
    return out


#: Two dates of birth this close are one date however they differ (31 December and 1 January).
NEAR_DAYS = 3


def dates_apart(a: str | None, b: str | None) -> bool:
    """Are two dates of birth (ISO) two people's? A slip turns one date into another by a
    digit or two in one part, a part off by one (a year, a month), day and month swapped, or
    a year and a day both nudged; it leaves at least one of year, month and day as it was.
    Two dates that differ in all three, more than a few days apart, are two births: David
    Thompson born 12 November 1991 is not David Thompson born 14 January 1992."""
    if not a or not b or a == b:
        return False
    try:
        x, y = date.fromisoformat(a[:10]), date.fromisoformat(b[:10])
    except ValueError:
        return False  # not a full date: the year alone decides
    if x.year == y.year or x.month == y.month or x.day == y.day:
        return False
    return abs((x - y).days) > NEAR_DAYS


def _dobs(frame: pd.DataFrame) -> dict[int, str]:
    """Full dates of birth, as the record's fields give them (a note's are never dates)."""
    if "dob" not in frame:
        return {}
    dobs = frame["dob"]
    known = dobs.notna().to_numpy()
    ids = frame["unique_id"].to_numpy()[known]
    return {int(u): str(d) for u, d in zip(ids, dobs[known].tolist(), strict=True)}


def _birth(frame: pd.DataFrame) -> dict[int, int]:
    years = birth_years(frame)
    known = years.notna().to_numpy()
    ids = frame["unique_id"].to_numpy()[known]
    return {int(u): int(y) for u, y in zip(ids, years[known].tolist(), strict=True)}
