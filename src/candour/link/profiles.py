"""Mentions that the model cannot tell apart are scored once.

The same person is written the same way in record after record ("ZAINAB HUSSAIN", born
1992-10-23): a million mentions hold a few hundred thousand distinct profiles (every column the
model compares, blocks or clusters on). Scoring each pair of identical profiles again would
grow with the square of how often a person is named, so linkage runs over the distinct
profiles and the result is given back to every mention behind them.

Giving it back keeps the clustering's rules: a full name's mentions stay together (they agree
on everything), while mentions of a partial name ("M AHMED") that joined no full-name person
stay apart, one person each, as they would have been if scored one by one. Mentions an
analyst has decided on keep a profile of their own, so the decision applies to them alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from candour.link.cluster import birth_years, full_names

#: Everything the model compares, blocks on or clusters by; two mentions that agree on all
#: of these get the same score against any other mention.
PROFILE_COLUMNS = (
    "given", "family", "dob", "birth_year", "postcode", "email", "phones", "rec_phones",
    "rec_vehicles", "rec_postcodes",
)  # fmt: skip


@dataclass
class Profiles:
    frame: pd.DataFrame  # one row per distinct profile: its first (smallest) mention
    rep: np.ndarray  # for each mention of the original frame, in order, its profile's mention
    ids: np.ndarray  # the original frame's unique ids

    def weights(self) -> dict[int, int]:
        """How many mentions each profile stands for (clustering counts shares in these)."""
        return dict(Counter(self.rep.tolist()))

    def expand(self, clusters: dict[int, int]) -> dict[int, int]:
        """Clusters of profiles -> clusters of every mention (see the module's docstring)."""
        size = Counter(clusters.values())
        full = full_names(self.frame)
        out: dict[int, int] = {}
        for u, r in zip(self.ids.tolist(), self.rep.tolist(), strict=True):
            c = clusters[r]
            alone = size[c] == 1 and r not in full
            out[u] = u if alone else c
        return out


def collapse(frame: pd.DataFrame, keep: Iterable[int] = ()) -> Profiles:
    """Distinct profiles of `frame`; mentions in `keep` are profiles of their own."""
    ids = frame["unique_id"].to_numpy()
    parts = pd.DataFrame({c: _column_key(frame[c]).to_numpy() for c in PROFILE_COLUMNS})
    # Clustering also reads which birth years may keep two people apart (see cluster.py).
    parts["_years"] = _column_key(birth_years(frame)).to_numpy()
    key = parts.groupby([*PROFILE_COLUMNS, "_years"], sort=False, dropna=False).ngroup()
    key = key.to_numpy()
    kept = np.isin(ids, np.fromiter(set(keep), dtype=ids.dtype))
    if kept.any():
        key = key.copy()
        key[kept] = key.max() + 1 + np.arange(int(kept.sum()))
    first = pd.Series(ids).groupby(key).transform("min").to_numpy()
    reps = frame[ids == first]
    return Profiles(reps.reset_index(drop=True), first, ids)


def _column_key(col: pd.Series) -> pd.Series:
    """A hashable, null-safe stand-in for a column (lists become text)."""
    if col.dtype == object:
        return col.map(lambda v: "\x00" if v is None else (repr(v) if isinstance(v, list) else v))
    return col.astype("string").fillna("\x00")
