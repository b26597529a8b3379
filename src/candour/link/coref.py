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
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from candour.link.cluster import full_names


def antecedents(frame: pd.DataFrame, keep: Iterable[int] = ()) -> dict[int, int]:
    """Partial mention -> the full-name mention in the same record it refers to."""
    full = full_names(frame)
    is_full = frame["unique_id"].isin(full)
    kept = set(keep)
    parts = frame[~is_full & ~frame["unique_id"].isin(kept)]
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
    years = both["birth_year"].astype("Float64") - both["birth_year_f"].astype("Float64")
    fits &= ~(years.abs() > 1).fillna(False).to_numpy(dtype=bool)
    found = both.loc[fits, ["unique_id", "unique_id_f", "given_key_f", "family_key_f"]]
    names = found.groupby("unique_id")[["given_key_f", "family_key_f"]].nunique()
    single = names.index[(names["given_key_f"] == 1) & (names["family_key_f"] == 1)]
    first = found[found["unique_id"].isin(single)].groupby("unique_id")["unique_id_f"].min()
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
