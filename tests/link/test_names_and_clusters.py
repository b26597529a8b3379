"""Name variants, name splitting, two-stage clustering and the scores: pure logic."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from candour.link.cluster import two_stage
from candour.link.evaluate import cluster_scores
from candour.link.frame import split_name
from candour.link.variants import canonical, variant_groups


def test_nicknames_and_transliterations_share_a_group() -> None:
    assert set(variant_groups("Mo")) & set(variant_groups("Muhammad"))
    assert set(variant_groups("Kasia")) & set(variant_groups("Katarzyna"))
    assert set(variant_groups("Steve")) & set(variant_groups("Stephen"))
    assert set(variant_groups("O'Brien")) & set(variant_groups("OBrien"))
    assert not set(variant_groups("Steve")) & set(variant_groups("Muhammad"))
    # A name in two groups links to both: Shaun is a Sean and an Oluwaseun.
    assert {"OLUWASEUN", "SEAN"} <= set(variant_groups("Shaun"))
    assert canonical("Unlisted") == "UNLISTED"


def test_split_name_in_police_forms() -> None:
    assert split_name("JOHN PAUL SMITH") == ("JOHN", "SMITH")
    assert split_name("SMITH, JOHN") == ("JOHN", "SMITH")
    assert split_name("M. GRANT") == ("M", "GRANT")
    assert split_name("O'BRIEN") == ("OBRIEN", None)
    assert split_name("") == (None, None)


@given(st.text(max_size=60))
def test_split_name_never_fails(text: str) -> None:
    given_name, family = split_name(text.upper())
    for part in (given_name, family):
        assert part is None or (part and part == part.strip())


def _frame(rows: list[tuple[int, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame([{"unique_id": u, "given": g, "family": f} for u, g, f in rows])


def _pairs(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])


def test_an_ambiguous_initial_does_not_chain_two_people() -> None:
    frame = _frame([(1, "ANTHONY", "WOOD"), (2, "ALAN", "WOOD"), (3, "A", "WOOD")])
    pairs = _pairs([(1, 3, 0.8), (2, 3, 0.75), (1, 2, 0.01)])
    c = two_stage(frame, pairs, core=0.5, attach=0.5, margin=0.2)
    assert c[1] != c[2] and c[3] == 3  # left on its own: an analyst can decide


def test_a_clear_initial_joins_its_person() -> None:
    frame = _frame([(1, "ANTHONY", "WOOD"), (2, "TONY", "WOOD"), (3, "A", "WOOD")])
    pairs = _pairs([(1, 2, 0.95), (1, 3, 0.9)])
    c = two_stage(frame, pairs, core=0.5, attach=0.5)
    assert c[1] == c[2] == c[3]


def test_pairwise_and_bcubed_scores() -> None:
    truth = {1: "a", 2: "a", 3: "b", 4: "b"}
    perfect = cluster_scores("x", {1: 1, 2: 1, 3: 3, 4: 3}, truth)
    assert perfect.f1 == 1.0 and perfect.bcubed_f1 == 1.0
    merged = cluster_scores("x", {1: 1, 2: 1, 3: 1, 4: 1}, truth)
    assert merged.recall == 1.0 and merged.precision == 2 / 6
    assert merged.bcubed_precision == 0.5 and merged.bcubed_recall == 1.0
