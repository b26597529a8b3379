"""The company a mention keeps decides between namesakes, and finds a lone name its person.

A note that says only "Mohammed picked her up", or "Anthony Wood" with nothing else about
him, cannot be told apart by its own columns from every other Mohammed or Anthony Wood in the
district. Its record can: it names a child, other men, a worker. Those people were named
elsewhere too, and beside them, again and again, one of the Anthony Woods. This step asks, for
each mention that says nothing of its own about the person (no date of birth, address,
e-mail or phone) and for each partial name that joined nobody, which persons whose name
fits it were named in the records of the people it is named with (or in its own record), and
through how many records. When one such person is reached through at least twice as many
records as the next (or is the only one), the mention goes to them; otherwise it stays where
the clustering put it. It is what an analyst does with "Mo" in a missing-episode report:
look at who else the girl was seen with.

Only mentions that are not in question themselves say where a person is named. The bare
mentions the clustering gave to the wrong namesake (a child's "Chloe Thompson" notes, put with
the woman of that name born 26 years earlier) sit in the records of the child's company, so
counted as evidence they would vouch for each other and keep each other where they are.

Mentions an analyst decided on never move; a move never joins two birth years more than a
year apart; a mention that repeats a name of its own record (coref.py) follows the mention it
repeats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from candour.link.cluster import birth_years, full_names, usual_year
from candour.link.coref import name_fits

#: A mention that says one of these about the person is left to the model: those columns
#: already weighed who it is. (What else its record names, phones, vehicles and places, is
#: company, weighed here too.)
OWN = ("dob", "birth_year", "postcode", "email")
#: The person the company points to must be reached through this many times as many records
#: as the next fitting person (and through two at least), unless no other fits at all.
CLEAR = 2.0


def by_company(
    frame: pd.DataFrame,
    clusters: Mapping[int, int],
    antecedent: Mapping[int, int],
    *,
    keep: Iterable[int] = (),
    year_gap: int = 1,
) -> dict[int, int]:
    """Clusters after moving mentions to the fitting person their company clearly points to.

    `clusters` maps every mention of `frame` to its cluster; the result does too, with each
    cluster named by its smallest mention again."""
    out = dict(clusters)
    ids = frame["unique_id"].astype(np.int64).to_numpy()
    table = pd.DataFrame(
        {
            "u": ids,
            "r": frame["record_id"].astype(np.int64).to_numpy(),
            "c": np.fromiter((clusters[int(u)] for u in ids), dtype=np.int64, count=len(ids)),
        }
    )
    movable = _movable(frame, table, antecedent, set(keep))
    if not movable.any():
        return out
    choice = _choices(frame, table, movable, year_gap)
    for u, c in choice.items():
        out[u] = c
    for u, a in antecedent.items():
        if a in choice:
            out[u] = choice[a]
    return _renamed(out)


def _movable(
    frame: pd.DataFrame, table: pd.DataFrame, antecedent: Mapping[int, int], keep: set[int]
) -> np.ndarray:
    """Mentions that say nothing of their own, and partial names that joined nobody."""
    bare = np.ones(len(frame), dtype=bool)
    for col in OWN:
        bare &= frame[col].isna().to_numpy()
    bare &= frame["phones"].map(lambda v: v is None or len(v) == 0).to_numpy()
    is_full = frame["unique_id"].isin(full_names(frame)).to_numpy()
    size = table["c"].map(table["c"].value_counts()).to_numpy()
    alone = (size == 1) & ~is_full & _no_trusted_birth(frame)
    free = ~table["u"].isin(set(antecedent) | keep).to_numpy()
    result: np.ndarray = free & (bare | alone)
    return result


def _no_trusted_birth(frame: pd.DataFrame) -> np.ndarray:
    """A partial name with a birth year from a field is matched on it by the model; one
    without is what this step is for."""
    out: np.ndarray = birth_years(frame).isna().to_numpy()
    return out


def _choices(
    frame: pd.DataFrame, table: pd.DataFrame, movable: np.ndarray, year_gap: int
) -> dict[int, int]:
    """Movable mention -> the fitting person its company's company points to clearly."""
    fitting = _supported(frame, table, movable)
    if fitting.empty:
        return {}
    fitting = fitting[_births_agree(frame, table, fitting, year_gap)]
    ranked = fitting.sort_values(["u", "n", "cand"], ascending=[True, False, True])
    place = ranked.groupby("u").cumcount().to_numpy()
    best = ranked[place == 0].set_index("u")
    runner = ranked[place == 1].set_index("u")["n"]
    second = runner.reindex(best.index).fillna(0).to_numpy()
    n = best["n"].to_numpy()
    clear = (second == 0) | ((n >= CLEAR * second) & (n >= 2))
    chosen = best[clear & (best["cand"] != best["c"]).to_numpy()]
    return {int(u): int(c) for u, c in zip(chosen.index, chosen["cand"], strict=True)}


#: A person named in more records than this is company too common to point anywhere: they
#: count where they are named with a mention, not through their own records (which at a
#: million mentions would pass a billion rows).
HUB = 100

#: Below this similarity no part of two names is alike (coref.ALIKE is stricter still).
NEAR = 0.8

#: Each mover (u, its record r, its cluster c) with every person its company points to
#: (cand: a person named with it, or named in another record beside one who is) and through
#: how many records (n; a person named beside it counts one), for the persons that have a
#: full name near the mover's (mid, sid: the two names, for name_fits to settle). Where a
#: person is named is read off their anchored mentions (not movers) only.
_SUPPORT = """
with mv as (select t.u, t.r, t.c, t.nid from t join movers using (u)),
mates as (
    select distinct mv.u, mv.r, mv.c, t.c as k from mv join t on t.r = mv.r
    where t.c <> mv.c and t.u <> mv.u
),
recs as (
    select k, r2 from (select distinct c as k, r as r2 from t where anchored)
    qualify count(*) over (partition by k) <= {hub}
),
named as (select distinct r as r2, c as cand from t where anchored),
hop as (
    select distinct m.u, m.c, n.cand, n.r2 from mates m
    join recs x on x.k = m.k join named n on n.r2 = x.r2
    where x.r2 <> m.r and n.cand <> m.k
),
every as (
    select u, c, cand, count(*) as n from (
        select u, c, cand, r2 from hop
        union all select distinct u, c, k as cand, null as r2 from mates
    ) group by u, c, cand
),
sig as (select distinct c as cand, nid as sid from t where "full"),
cands as (
    select e.u, e.c, e.cand, e.n, mv.nid as mid, s.sid
    from every e join mv using (u) join sig s using (cand)
)
select cands.* from cands
join keys a on a.id = cands.mid join keys b on b.id = cands.sid
where {near}
"""

_NEAR_SQL = f"""case when a.f is not null then
    coalesce(jaro_winkler_similarity(a.f, b.f) >= {NEAR}, false)
    or coalesce(jaro_winkler_similarity(a.f, b.g) >= {NEAR}, false)
else
    coalesce(jaro_winkler_similarity(a.g, b.g) >= {NEAR}, false)
    or coalesce(jaro_winkler_similarity(a.g, b.f) >= {NEAR}, false)
    or coalesce(len(list_intersect(a.gg, b.gg)) > 0, false)
end"""


def _supported(frame: pd.DataFrame, table: pd.DataFrame, movable: np.ndarray) -> pd.DataFrame:
    """(u, c, cand, n) for every mover and person its company points to whose full name the
    mover's name fits (coref.name_fits).

    The joins run in DuckDB: at a million mentions they pass tens of millions of rows. Names
    repeat, so each pair of names is weighed once; a quick sieve in SQL (some part of one
    name near some part of the other, or a shared variant group) leaves `name_fits` the few
    that could fit."""
    import duckdb

    cols = ["given", "given_key", "family_key", "given_groups", "initials"]
    # given decides given_key, its groups and its initials: the three keys name a name.
    key = (
        frame["given"].fillna("").astype(str) + "|" + frame["given_key"].fillna("").astype(str)
        + "|" + frame["family_key"].fillna("").astype(str)
    )  # fmt: skip
    name_id, _ = pd.factorize(key)
    first = pd.Series(np.arange(len(frame))).groupby(name_id).first().to_numpy()
    names = frame[cols].iloc[first].reset_index(drop=True)
    keys = pd.DataFrame(
        {
            "id": np.arange(len(first)), "g": names["given_key"], "f": names["family_key"],
            "gg": names["given_groups"].map(_listed),
        }
    )  # fmt: skip
    t = table.assign(
        nid=name_id, full=frame["unique_id"].isin(full_names(frame)).to_numpy(), anchored=~movable
    )
    con = duckdb.connect(config={"memory_limit": "1GB", "threads": 2})
    try:
        con.register("t", t)
        con.register("movers", t.loc[movable, ["u"]])
        con.register("keys", keys)
        found = con.execute(_SUPPORT.format(near=_NEAR_SQL, hub=HUB)).df()
    finally:
        con.close()
    pairs = found[["mid", "sid"]].drop_duplicates()
    a, b = names.iloc[pairs["mid"].to_numpy()], names.iloc[pairs["sid"].to_numpy()]
    ok = np.fromiter(
        (
            name_fits(g, gk, gg, fk, f_gk, f_fk, f_gg, f_in)
            for g, gk, gg, fk, f_gk, f_fk, f_gg, f_in in zip(
                a["given"], a["given_key"], a["given_groups"], a["family_key"],
                b["given_key"], b["family_key"], b["given_groups"], b["initials"], strict=True,
            )
        ),
        dtype=bool,
        count=len(pairs),
    )  # fmt: skip
    fits = found.merge(pairs[ok], on=["mid", "sid"])
    return fits[["u", "c", "cand", "n"]].drop_duplicates(["u", "cand"]).reset_index(drop=True)


def _listed(value: object) -> list[str]:
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value]
    return []


def _births_agree(
    frame: pd.DataFrame, table: pd.DataFrame, fitting: pd.DataFrame, year_gap: int
) -> np.ndarray:
    """A move may not give a person a birth year more than `year_gap` from their usual one."""
    years = birth_years(frame).to_numpy()
    known = ~pd.isna(years)
    dated = frame["dob"].notna().to_numpy()
    by_cluster: dict[int, Counter[int]] = {}
    by_dob: dict[int, Counter[int]] = {}  # as in cluster.py, dates of birth before ages
    for c, y, d in zip(
        table["c"].to_numpy()[known].tolist(), years[known].tolist(), dated[known].tolist(),
        strict=True,
    ):  # fmt: skip
        by_cluster.setdefault(int(c), Counter())[int(y)] += 1
        if d:
            by_dob.setdefault(int(c), Counter())[int(y)] += 1
    usual = {c: usual_year(by_dob.get(c) or ys) for c, ys in by_cluster.items()}
    own = {
        int(u): int(y)
        for u, y in zip(table["u"].to_numpy()[known].tolist(), years[known].tolist(), strict=True)
    }
    ok = []
    for u, cand in zip(fitting["u"].tolist(), fitting["cand"].tolist(), strict=True):
        y, z = own.get(u), usual.get(cand)
        ok.append(y is None or z is None or abs(y - z) <= year_gap)
    return np.array(ok, dtype=bool)


def _renamed(clusters: dict[int, int]) -> dict[int, int]:
    """Each cluster named by its smallest mention (a person keeps the id of its first)."""
    smallest: dict[int, int] = {}
    for u, c in clusters.items():
        if c not in smallest or u < smallest[c]:
            smallest[c] = u
    return {u: smallest[c] for u, c in clusters.items()}
