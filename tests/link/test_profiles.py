"""Linking distinct profiles and giving the result back to every mention is the same as
linking every mention, when the model scores by profile (as Splink's comparisons do)."""

from __future__ import annotations

import hashlib
import itertools

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from candour.link.cluster import cluster_persons, full_names
from candour.link.profiles import PROFILE_COLUMNS, collapse

NAMES = [("ZAINAB", "HUSSAIN"), ("Z", "HUSSAIN"), ("ANJALI", "HUSSAIN"), ("M", "AHMED"),
         ("MARYAM", "AHMED"), ("JUN", None)]  # fmt: skip
DOBS = [None, "1992-10-23", "1991-11-17"]
PHONES: list[list[str]] = [[], ["07700900735"]]


def _frame(choices: list[tuple[int, int, int]]) -> pd.DataFrame:
    rows = []
    for uid, (n, d, ph) in enumerate(choices, 1):
        given, family = NAMES[n]
        dob = DOBS[d]
        rows.append({
            "unique_id": uid, "given": given, "family": family, "dob": dob,
            "birth_year": float(dob[:4]) if dob else float("nan"), "postcode": None,
            "email": None, "phones": PHONES[ph], "rec_phones": [], "rec_vehicles": [],
            "rec_postcodes": [],
        })  # fmt: skip
    return pd.DataFrame(rows)


def _profile(row: pd.Series) -> str:
    return repr(tuple(repr(row[c]) for c in PROFILE_COLUMNS))


def _score(a: str, b: str) -> float:
    """A made-up model that, like Splink, scores a pair by the two profiles alone."""
    if a == b:
        return 0.95
    x, y = sorted((a, b))
    return int(hashlib.sha256(f"{x}|{y}".encode()).hexdigest()[:4], 16) / 65536


def _pairs(frame: pd.DataFrame) -> pd.DataFrame:
    prof = {int(r.unique_id): _profile(r) for _, r in frame.iterrows()}
    rows = [(a, b, _score(prof[a], prof[b])) for a, b in itertools.combinations(sorted(prof), 2)]
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2), st.integers(0, 1)), max_size=25))
def test_linking_profiles_gives_every_mention_what_linking_it_alone_gives(
    choices: list[tuple[int, int, int]],
) -> None:
    frame = _frame(choices)
    if frame.empty:
        return
    every = cluster_persons(frame, _pairs(frame))
    profiles = collapse(frame)
    assert len(profiles.frame) == len({_profile(r) for _, r in frame.iterrows()})
    linked = profiles.expand(
        cluster_persons(profiles.frame, _pairs(profiles.frame), weight=profiles.weights())
    )
    assert linked == every


def test_a_mention_an_analyst_decided_on_keeps_a_profile_of_its_own() -> None:
    frame = _frame([(0, 1, 0), (0, 1, 0), (0, 1, 0)])
    assert len(collapse(frame).frame) == 1
    kept = collapse(frame, keep={2})
    assert sorted(kept.frame["unique_id"]) == [1, 2]
    assert 2 in full_names(kept.frame)
