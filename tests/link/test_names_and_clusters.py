"""Name variants, name splitting, two-stage clustering and the scores: pure logic."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from candour.link.cluster import Rules, Together, cluster_persons, dates_apart
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


def _people(rows: list[tuple[int, str, str | None, int | None, str]]) -> pd.DataFrame:
    """Mentions with a birth year and where it was read (a field, or free text)."""
    return pd.DataFrame([
        {"unique_id": u, "given": g, "family": f, "dob": None,
         "birth_year": float(y) if y else float("nan"), "source": src}
        for u, g, f, y, src in rows
    ])  # fmt: skip


def _pairs(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])


def test_an_ambiguous_initial_does_not_chain_two_people() -> None:
    frame = _frame([(1, "ANTHONY", "WOOD"), (2, "ALAN", "WOOD"), (3, "A", "WOOD")])
    pairs = _pairs([(1, 3, 0.8), (2, 3, 0.75), (1, 2, 0.01)])
    c = cluster_persons(frame, pairs, Rules(core=0.5, attach=0.5, margin=0.2))
    assert c[1] != c[2] and c[3] == 3  # left on its own: an analyst can decide


def test_a_clear_initial_joins_its_person() -> None:
    frame = _frame([(1, "ANTHONY", "WOOD"), (2, "TONY", "WOOD"), (3, "A", "WOOD")])
    pairs = _pairs([(1, 2, 0.95), (1, 3, 0.9)])
    c = cluster_persons(frame, pairs, Rules(core=0.5, attach=0.5))
    assert c[1] == c[2] == c[3]


def test_one_weak_link_does_not_join_two_people_named_many_times() -> None:
    # Zainab and Anjali Hussain, ten mentions each, meet once: a shared family name and a
    # place both were seen at (0.2). Neither is a misspelling of the other.
    zainab = [(u, "ZAINAB", "HUSSAIN", None, "field") for u in range(1, 11)]
    anjali = [(u, "ANJALI", "HUSSAIN", None, "field") for u in range(11, 21)]
    frame = _people(zainab + anjali)
    within = [(a, b, 0.99) for grp in (range(1, 11), range(11, 21)) for a in grp for b in grp
              if a < b]  # fmt: skip
    c = cluster_persons(frame, _pairs([*within, (10, 11, 0.2)]))
    assert c[1] == c[10] and c[11] == c[20] and c[1] != c[11]


def test_a_misspelling_that_links_broadly_joins_its_person() -> None:
    # "CHINEDU MWAGI" (twice) links weakly but to most of Chinedu Mwangi's mentions.
    right = [(u, "CHINEDU", "MWANGI", None, "field") for u in range(1, 7)]
    typo = [(7, "CHINEDU", "MWAGI", None, "field"), (8, "CHINEDU", "MWAGI", None, "field")]
    frame = _people(right + typo)
    pairs = [(a, b, 0.99) for a in range(1, 7) for b in range(a + 1, 7)]
    pairs += [(7, 8, 0.99)] + [(t, u, 0.3) for t in (7, 8) for u in range(1, 5)]
    c = cluster_persons(frame, _pairs(pairs))
    assert len({c[u] for u in range(1, 9)}) == 1


def test_two_people_with_one_name_stay_apart_on_their_birth_years() -> None:
    older = [(u, "ANTHONY", "WOOD", 1976, "field") for u in (1, 2, 3)]
    younger = [(u, "ANTHONY", "WOOD", 1988, "field") for u in (4, 5, 6)]
    frame = _people(older + younger)
    pairs = [(a, b, 0.9) for a in range(1, 7) for b in range(a + 1, 7)]
    c = cluster_persons(frame, _pairs(pairs))
    assert c[1] == c[3] and c[4] == c[6] and c[1] != c[4]


def _dated(rows: list[tuple[int, str]]) -> pd.DataFrame:
    """David Thompsons with the date of birth their record's field gives."""
    return pd.DataFrame([
        {"unique_id": u, "given": "DAVID", "family": "THOMPSON", "dob": d,
         "birth_year": float(d[:4]), "source": "field"}
        for u, d in rows
    ])  # fmt: skip


def test_two_people_born_within_a_year_stay_apart_on_their_dates_of_birth() -> None:
    # Born 12 November 1991 and 14 January 1992: the years are close, the dates are not.
    frame = _dated([(1, "1991-11-12"), (2, "1991-11-12"), (3, "1992-01-14"), (4, "1992-01-14"),
                    (5, "1992-01-14")])  # fmt: skip
    pairs = [(a, b, 0.9) for a in range(1, 6) for b in range(a + 1, 6)]
    c = cluster_persons(frame, _pairs(pairs))
    assert c[1] == c[2] and c[3] == c[4] == c[5] and c[1] != c[3]
    # A date written a little wrong (a day off, a year off, day and month swapped) is the
    # same date of birth.
    slips = _dated([(1, "1992-03-04"), (2, "1992-03-04"), (3, "1992-03-05"), (4, "1993-03-03"),
                    (5, "1992-04-04"), (6, "1992-04-03")])  # fmt: skip
    pairs = [(a, b, 0.9) for a in range(1, 7) for b in range(a + 1, 7)]
    c = cluster_persons(slips, _pairs(pairs))
    assert len({c[u] for u in range(1, 7)}) == 1


def test_dates_of_birth_decide_a_persons_year_before_ages_do() -> None:
    # Four records give David's age (a year that is one too early once his January birthday
    # has passed), two his date of birth; a seventh writes that date a little wrong.
    frame = pd.DataFrame([
        {"unique_id": u, "given": "DAVID", "family": "THOMPSON", "dob": d,
         "birth_year": float(y), "source": "field"}
        for u, d, y in [(1, None, 1991), (2, None, 1991), (3, None, 1991), (4, None, 1991),
                        (5, "1992-01-14", 1992), (6, "1992-01-14", 1992),
                        (7, "1993-01-13", 1993)]
    ])  # fmt: skip
    ages, dates = range(1, 5), (5, 6)
    pairs = [
        (a, b, 0.8 if b == 7 else 0.99 if b in ages else 0.95 if a in dates else 0.9)
        for a in range(1, 8)
        for b in range(a + 1, 8)
    ]  # the misspelt date comes last
    c = cluster_persons(frame, _pairs(pairs))
    assert len({c[u] for u in range(1, 8)}) == 1


@given(st.dates(), st.dates())
def test_dates_apart_is_symmetric_and_never_parts_a_date_from_a_slip_of_itself(
    a: date, b: date
) -> None:
    x, y = a.isoformat(), b.isoformat()
    assert dates_apart(x, y) == dates_apart(y, x)
    assert not dates_apart(x, x)
    for part in ("year", "month", "day"):  # change two parts, keep one: still one date
        kept = {part: getattr(a, part)}
        try:
            slip = b.replace(**kept)  # type: ignore[arg-type]
        except ValueError:  # 29 February, or 31 of a short month
            continue
        assert not dates_apart(x, slip.isoformat())
    assert dates_apart("1991-11-12", "1992-01-14")
    assert not dates_apart(x, None) and not dates_apart(x, "1992")


def test_a_brother_and_sister_do_not_join_on_what_their_family_shares() -> None:
    # Chloe and Peter Thompson, both born in 1995, are named in records that give the
    # family's phone and address: one of their links is strong, but they are two names.
    chloe = [(u, "CHLOE", "THOMPSON", 1995, "field") for u in (1, 2, 3)]
    peter = [(u, "PETER", "THOMPSON", 1995, "field") for u in (4, 5, 6)]
    within = [(a, b, 0.99) for grp in ((1, 2, 3), (4, 5, 6)) for a in grp for b in grp if a < b]
    c = cluster_persons(_people(chloe + peter), _pairs([*within, (3, 4, 0.98)]))
    assert c[1] == c[3] and c[4] == c[6] and c[1] != c[4]
    # A misspelling or the names swapped is one name written twice.
    one = _people([(1, "CHLOE", "THOMPSON", 1995, "field"), (2, "CHLOEE", "THOMSON", 1995,
                   "field"), (3, "THOMPSON", "CHLOE", 1995, "field")])  # fmt: skip
    c = cluster_persons(one, _pairs([(1, 2, 0.9), (1, 3, 0.9)]))
    assert c[1] == c[2] == c[3]


def test_a_year_read_from_free_text_does_not_keep_a_person_apart() -> None:
    # A note's "Imran Gill ... aged 14" may be about the child beside him.
    frame = _people([(1, "IMRAN", "GILL", 1961, "field"), (2, "IMRAN", "GILL", 1961, "field"),
                     (3, "IMRAN", "GILL", 2011, "text")])  # fmt: skip
    c = cluster_persons(frame, _pairs([(1, 2, 0.95), (1, 3, 0.9), (2, 3, 0.9)]))
    assert c[1] == c[2] == c[3]
    read = _people([(1, "IMRAN", "GILL", 1961, "field"), (2, "IMRAN", "GILL", 1961, "field"),
                    (3, "IMRAN", "GILL", 2011, "field")])  # fmt: skip
    c = cluster_persons(read, _pairs([(1, 2, 0.95), (1, 3, 0.9), (2, 3, 0.9)]))
    assert c[1] == c[2] != c[3]


def test_a_partial_name_joins_through_a_partial_that_joined() -> None:
    # "A WOOD" (2) links to Anthony Wood (1); "A WODO" (3) links only to "A WOOD".
    frame = _frame([(1, "ANTHONY", "WOOD"), (2, "A", "WOOD"), (3, "A", "WODO")])
    c = cluster_persons(frame, _pairs([(1, 2, 0.9), (2, 3, 0.8), (1, 3, 0.05)]))
    assert c[1] == c[2] == c[3]


def test_the_people_named_alongside_a_partial_name_decide_between_two_persons() -> None:
    # "J CLARKE" (5) links equally to Jessica (1, 2) and Jonathan Clarke (3, 4). Its record
    # (30) also names the child Amy Shaw (6), who is named with Jessica in record 10.
    frame = _frame([(1, "JESSICA", "CLARKE"), (2, "JESSICA", "CLARKE"), (3, "JONATHAN", "CLARKE"),
                    (4, "JONATHAN", "CLARKE"), (5, "J", "CLARKE"), (6, "AMY", "SHAW")])  # fmt: skip
    pairs = _pairs([(1, 2, 0.99), (3, 4, 0.99), (1, 5, 0.6), (2, 5, 0.6), (3, 5, 0.6),
                    (4, 5, 0.6)])  # fmt: skip
    alone = cluster_persons(frame, pairs)
    assert alone[5] == 5
    rows = np.array([1, 6, 2, 3, 4, 5, 6])
    records = np.array([10, 10, 11, 20, 21, 30, 30])
    c = cluster_persons(frame, pairs, together=Together(rows, records))
    assert c[5] == c[1] == c[2] and c[3] == c[4] != c[1] and c[6] == 6


def test_pairwise_and_bcubed_scores() -> None:
    truth = {1: "a", 2: "a", 3: "b", 4: "b"}
    perfect = cluster_scores("x", {1: 1, 2: 1, 3: 3, 4: 3}, truth)
    assert perfect.f1 == 1.0 and perfect.bcubed_f1 == 1.0
    merged = cluster_scores("x", {1: 1, 2: 1, 3: 1, 4: 1}, truth)
    assert merged.recall == 1.0 and merged.precision == 2 / 6
    assert merged.bcubed_precision == 0.5 and merged.bcubed_recall == 1.0
