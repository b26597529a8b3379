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
    """Clusters after moving mentions to the one fitting person their company points to.

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
    movers = table[movable]
    # Who each mover is named with (other persons in its record).
    mates = movers.merge(table, on="r", suffixes=("", "_m"))
    mates = mates[(mates["c_m"] != mates["c"]) & (mates["u_m"] != mates["u"])]
    mates = mates[["u", "r", "c", "c_m"]].drop_duplicates()
    # The records those persons were named in (other than the mover's own) ...
    records = table[["c", "r"]].drop_duplicates().rename(columns={"c": "c_m", "r": "r2"})
    seen = mates.merge(records, on="c_m")
    seen = seen.loc[seen["r2"] != seen["r"], ["u", "c", "c_m", "r2"]].drop_duplicates(["u", "r2"])
    # ... and everyone named there: the company's company. The mover's own mates count too.
    named = table[["r", "c"]].drop_duplicates().rename(columns={"r": "r2", "c": "cand"})
    hops = seen.merge(named, on="r2")
    hops = hops.loc[hops["cand"] != hops["c_m"], ["u", "c", "cand"]]
    own = mates[["u", "c", "c_m"]].rename(columns={"c_m": "cand"})
    every = pd.concat([own, hops])
    support = every.groupby(["u", "cand"]).size().rename("n").reset_index()
    cand = every.drop_duplicates(["u", "cand"])
    if cand.empty:
        return {}
    fitting = _fitting(frame, table, cand)
    fitting = fitting[_births_agree(frame, table, fitting, year_gap)]
    ranked = fitting.merge(support, on=["u", "cand"]).sort_values(
        ["u", "n", "cand"], ascending=[True, False, True]
    )
    place = ranked.groupby("u").cumcount().to_numpy()
    best = ranked[place == 0].set_index("u")
    runner = ranked[place == 1].set_index("u")["n"]
    second = runner.reindex(best.index).fillna(0).to_numpy()
    n = best["n"].to_numpy()
    clear = (second == 0) | ((n >= CLEAR * second) & (n >= 2))
    chosen = best[clear & (best["cand"] != best["c"]).to_numpy()]
    return {int(u): int(c) for u, c in zip(chosen.index, chosen["cand"], strict=True)}


def _fitting(frame: pd.DataFrame, table: pd.DataFrame, cand: pd.DataFrame) -> pd.DataFrame:
    """The candidate rows whose person has a full name that the mover's name fits."""
    cols = ["given", "given_key", "family_key", "given_groups", "initials"]
    names = frame[cols].assign(u=table["u"].to_numpy(), c=table["c"].to_numpy())
    full = frame["unique_id"].isin(full_names(frame)).to_numpy()
    signatures = names.loc[full].drop_duplicates(["c", "given_key", "family_key"])
    signatures = signatures[["c", "given_key", "family_key", "given_groups", "initials"]]
    mover = names.set_index("u").loc[cand["u"].to_numpy(), cols].reset_index(drop=True)
    pairs = pd.concat([cand.reset_index(drop=True), mover], axis=1).merge(
        signatures.rename(columns={"c": "cand"}), on="cand", suffixes=("", "_f")
    )
    ok = np.fromiter(
        (
            name_fits(g, gk, gg, fk, f_gk, f_fk, f_gg, f_in)
            for g, gk, gg, fk, f_gk, f_fk, f_gg, f_in in zip(
                pairs["given"], pairs["given_key"], pairs["given_groups"], pairs["family_key"],
                pairs["given_key_f"], pairs["family_key_f"], pairs["given_groups_f"],
                pairs["initials_f"], strict=True,
            )
        ),
        dtype=bool,
        count=len(pairs),
    )  # fmt: skip
    return pairs.loc[ok, ["u", "c", "cand"]].drop_duplicates()


def _births_agree(
    frame: pd.DataFrame, table: pd.DataFrame, fitting: pd.DataFrame, year_gap: int
) -> np.ndarray:
    """A move may not give a person a birth year more than `year_gap` from their usual one."""
    years = birth_years(frame).to_numpy()
    known = ~pd.isna(years)
    by_cluster: dict[int, list[int]] = {}
    for c, y in zip(table["c"].to_numpy()[known].tolist(), years[known].tolist(), strict=True):
        by_cluster.setdefault(int(c), []).append(int(y))
    usual = {c: usual_year(Counter(ys)) for c, ys in by_cluster.items()}
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
