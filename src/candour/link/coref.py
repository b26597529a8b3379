"""Within one record, a partial name that fits exactly one full name there is that person.

A note says "Jessica Clarke was seen getting into a car ... Jessica said she was fine"; a
referral lists "Z. Hussain" beside "Zainab HUSSAIN". Across records, a given name alone or
an initial is too weak to link (there are many Jessicas), but inside the record that
named Jessica Clarke it is the ordinary way of writing about her again. So before linking
across records, such partial mentions take the full name they refer to as their antecedent:
they are not linked on their own and belong to whatever person the antecedent joins.

A partial fits a full name when every part it has agrees (family name, the initial among the
given name's initials or variants, the given name or one of its variants; a single word may
be either name) and their birth years are within a year. When two different full names in
the record fit ("J. Brown" beside Jonathan and Jessica Brown) nothing is decided. Mentions
an analyst has decided on are left to the linkage, so that the decision applies to them.

The same holds for a full name in the text of a record whose fields name that person too
("Anthony Wood" in the note of a record whose suspect field says "WOOD, Anthony", born
1976): the text mention takes the field mention as its antecedent.

A record's mentions of one person are one person's description: the note gives the name in
full, the field gives an initial and the date of birth. So the mention that is linked (the
antecedent) takes what its coreferent field mentions say of the person where it says
nothing itself (`with_coreferents`). Without this, "Anthony Wood" from a note carries no
date of birth and joins whichever Anthony Wood is named most, while the record's own field
says he was born in 1976.
"""

from __future__ import annotations

from collections.abc import Iterable

import jellyfish
import numpy as np
import pandas as pd
from networkx.utils import UnionFind

from candour.link.cluster import full_names

#: What a coreferent field mention tells its antecedent (where the antecedent says nothing).
CARRIED = ("dob", "birth_year", "postcode", "email", "phones")


def antecedents(frame: pd.DataFrame, keep: Iterable[int] = ()) -> dict[int, int]:
    """Mention -> the mention in the same record it refers to (partial names to a full name,
    full names in text to the same name in a field); chains are followed to their end."""
    kept = set(keep)
    text = _text_antecedents(frame, kept)
    partial = _partial_antecedents(frame, kept, text)
    return {**text, **partial}


def with_coreferents(frame: pd.DataFrame, antecedent: dict[int, int]) -> pd.DataFrame:
    """A copy of `frame` in which each antecedent carries what its coreferent field mentions
    say and it does not (see CARRIED), and a column `birth_field`: whether the mention's
    birth year comes from a record's field (clustering trusts no other; see cluster.py)."""
    out = frame.copy()
    out["birth_field"] = (out["source"] == "field") & out["birth_year"].notna()
    if not antecedent:
        return out
    ids = out["unique_id"].astype(np.int64).to_numpy()
    at = pd.Series(np.arange(len(out)), index=ids)
    pairs = pd.DataFrame(
        {"u": list(antecedent), "a": list(antecedent.values())}, dtype=np.int64
    ).sort_values("u")
    pairs = pairs[pairs["u"].isin(at.index) & pairs["a"].isin(at.index)]
    donor = at[pairs["u"].to_numpy()].to_numpy()
    root = at[pairs["a"].to_numpy()].to_numpy()
    field = out["source"].to_numpy()[donor] == "field"
    donor, root = donor[field], root[field]
    for col in CARRIED:
        values = out[col]
        said = _said(values).to_numpy()
        # The first field mention (in id order) that says it, for each antecedent that doesn't.
        give = said[donor] & ~said[root]
        first = pd.DataFrame({"root": root[give], "donor": donor[give]}).drop_duplicates("root")
        if first.empty:
            continue
        to, src = first["root"].to_numpy(), first["donor"].to_numpy()
        column = values.to_numpy(copy=True).astype(object)
        column[to] = values.to_numpy()[src]
        out[col] = pd.Series(column, index=out.index).astype(values.dtype)
        if col == "birth_year":
            born = out["birth_field"].to_numpy(copy=True)
            born[to] = True
            out["birth_field"] = born
    return out


def _said(values: pd.Series) -> pd.Series:
    """Which values say something (a list that is not empty, a value that is not null)."""
    if values.dtype == object:
        return values.map(
            lambda v: len(v) > 0 if isinstance(v, list | tuple | np.ndarray) else bool(pd.notna(v))
        ).astype(bool)
    return values.notna()


def _text_antecedents(frame: pd.DataFrame, keep: set[int]) -> dict[int, int]:
    """Full name in text -> the one full name in a field of its record that is the same
    name, or else the first full name in the text that is (see `same_name`).

    A note writes a man's name several ways ("Anthony Wood ... Antony WOOD ... Wood
    Anthony"); the mentions that are one name form one group, and the group follows the
    one field mention that names it. Two field mentions are never joined: a form that lists
    two people lists two people, even when they share a name."""
    full = frame[frame["unique_id"].isin(full_names(frame)) & ~frame["unique_id"].isin(keep)]
    cols = ["unique_id", "record_id", "source", "given_key", "family_key", "given_groups",
            "birth_year"]  # fmt: skip
    both = full[full["source"] == "text"][cols].merge(
        full[cols], on="record_id", suffixes=("", "_f")
    )
    both = both[both["unique_id"] != both["unique_id_f"]]
    if both.empty:
        return {}
    fits = np.fromiter(
        (
            same_name(gk, fk, gg, f_gk, f_fk, f_gg)
            for gk, fk, gg, f_gk, f_fk, f_gg in zip(
                both["given_key"], both["family_key"], both["given_groups"],
                both["given_key_f"], both["family_key_f"], both["given_groups_f"], strict=True,
            )
        ),
        dtype=bool,
        count=len(both),
    )  # fmt: skip
    fits &= ~_years_apart(both)
    found = both[fits]
    groups = UnionFind(found["unique_id"].tolist())
    texts = found[found["source_f"] == "text"]
    for a, b in zip(texts["unique_id"].tolist(), texts["unique_id_f"].tolist(), strict=True):
        groups.union(a, b)
    # Each group is named by its first mention.
    first = {u: min(group) for group in groups.to_sets() for u in group}
    fields = found[found["source_f"] == "field"]
    named: dict[int, set[int]] = {}
    for a, b in zip(fields["unique_id"].tolist(), fields["unique_id_f"].tolist(), strict=True):
        named.setdefault(first[a], set()).add(b)
    out: dict[int, int] = {}
    for u, root in first.items():
        to = named.get(root)
        if to is None:
            if u != root:
                out[u] = root
        elif len(to) == 1:
            out[u] = next(iter(to))
    return out


#: Two spellings this alike (Jaro-Winkler) are one name written twice in a record.
ALIKE = 0.88


def same_name(
    given: object, family: object, groups: object,
    f_given: object, f_family: object, f_groups: object,
) -> bool:  # fmt: skip
    """Are two full names (keys and variant groups) one name, as a record would write it
    twice: the same or a variant given name, or each part misspelt a little, or given and
    family swapped ("Wood Anthony")?"""
    if _alike(family, f_family) and _given_fits(given, groups, f_given, f_groups):
        return True
    return _alike(given, f_family) and _alike(family, f_given)


def name_fits(
    given: object, given_key: object, groups: object, family: object,
    f_given: object, f_family: object, f_groups: object, f_initials: object,
) -> bool:  # fmt: skip
    """Could a name, full or partial (a given name alone, an initial and family name), be a
    full name (f_...) written by someone else: each part it has the same, a variant, a little
    misspelt, or given and family swapped?"""
    has_family = isinstance(family, str) and bool(family)
    if not isinstance(given, str) or not given:
        return has_family and _alike(family, f_family)
    if len(given) == 1:
        return has_family and _alike(family, f_family) and given in _items(f_initials)
    if not has_family:
        return _given_fits(given_key, groups, f_given, f_groups) or _alike(given_key, f_family)
    return same_name(given_key, family, groups, f_given, f_family, f_groups)


def _given_fits(given: object, groups: object, f_given: object, f_groups: object) -> bool:
    return (
        given == f_given or bool(set(_items(groups)) & set(_items(f_groups)))
        or _alike(given, f_given)
    )  # fmt: skip


def _alike(a: object, b: object) -> bool:
    if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
        return False
    return a == b or jellyfish.jaro_winkler_similarity(a, b) >= ALIKE


def _years_apart(both: pd.DataFrame) -> np.ndarray:
    years = both["birth_year"].astype("Float64") - both["birth_year_f"].astype("Float64")
    apart: np.ndarray = (years.abs() > 1).fillna(False).to_numpy(dtype=bool)
    return apart


def _partial_antecedents(
    frame: pd.DataFrame, keep: set[int], text: dict[int, int]
) -> dict[int, int]:
    """Partial mention -> the full-name mention in the same record it refers to (full names
    already one name, `text`, count once: "J. Clarke" beside "Jessica Clarke" and "Jessica
    Clarkke" is Jessica)."""
    full = full_names(frame)
    is_full = frame["unique_id"].isin(full)
    parts = frame[~is_full & ~frame["unique_id"].isin(keep)]
    fulls = frame[is_full]
    if parts.empty or fulls.empty:
        return {}
    cols = ["unique_id", "record_id", "given", "family_key", "given_key", "given_groups",
            "initials", "birth_year"]  # fmt: skip
    both = parts[cols].merge(fulls[cols], on="record_id", suffixes=("", "_f"))
    if both.empty:
        return {}
    fits = np.fromiter(
        (
            _fits(g, fk, gk, gg, g_fk, g_gk, g_gg, g_in)
            for g, fk, gk, gg, g_fk, g_gk, g_gg, g_in in zip(
                both["given"], both["family_key"], both["given_key"], both["given_groups"],
                both["family_key_f"], both["given_key_f"], both["given_groups_f"],
                both["initials_f"], strict=True,
            )
        ),
        dtype=bool,
        count=len(both),
    )  # fmt: skip
    fits &= ~_years_apart(both)
    found = both.loc[fits, ["unique_id", "unique_id_f"]]
    found = found.assign(to=found["unique_id_f"].map(lambda f: text.get(int(f), int(f))))
    count = found.groupby("unique_id")["to"].nunique()
    single = found[found["unique_id"].isin(count.index[count == 1])]
    first = single.groupby("unique_id")["to"].min()
    return {int(u): int(a) for u, a in first.items()}


def _fits(
    given: object, family: object, given_key: object, groups: object,
    f_family: object, f_given_key: object, f_groups: object, f_initials: object,
) -> bool:  # fmt: skip
    """Does a partial name (given, family, ...) agree with a full name (f_...) where it has
    a part at all?"""
    has_family = isinstance(family, str) and bool(family)
    if has_family and family != f_family:
        return False
    if not isinstance(given, str) or not given:
        return has_family
    if len(given) == 1:
        return given in _items(f_initials)
    if given_key == f_given_key:
        return True
    if not has_family and given_key == f_family:
        return True  # one word, the family name ("Hussain said ...")
    return bool(set(_items(groups)) & set(_items(f_groups)))


def _items(value: object) -> list[str]:
    if value is None or isinstance(value, float):
        return []
    return [str(v) for v in value]  # type: ignore[attr-defined]
