"""The person-linkage model (Splink settings), and the plain baseline it is measured against.

Names carry most of the evidence and are where records differ most: nicknames and
transliterations (Mo / Mohammed, Kasia / Katarzyna), initials ("M. Grant"), given and family
swapped ("Begum Priya"), capitals, typos. The name comparison has a level for each; the rest
(date of birth or birth year from a stated age, postcode, e-mail, own phone, and the phones,
vehicles and postcodes that co-occur in a record) add evidence that EM weighs.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

MODEL_VERSION = "person-5"
#: How often one person's two mentions give unrelated given names (a misread or a wrong name
#: in a record): rarely.
M_GIVEN_DIFFERS = 0.001


def _name_comparison() -> Any:
    g, f = "given", "family"
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="name with variants, initials and order",
        comparison_levels=[
            cll.And(cll.NullLevel(g), cll.NullLevel(f)),
            cll.ExactMatchLevel("full_name").configure(
                tf_adjustment_column="full_name", label_for_charts="exact name"
            ),
            cll.ColumnsReversedLevel(g, f, symmetrical=True).configure(
                label_for_charts="given and family swapped"
            ),
            cll.And(
                cll.ArrayIntersectLevel("given_groups", min_intersection=1),
                cll.Or(cll.ExactMatchLevel(f), cll.ArrayIntersectLevel("family_groups", 1)),
            ).configure(label_for_charts="name variants (nickname, transliteration)"),
            cll.And(cll.JaroWinklerLevel(g, 0.92), cll.JaroWinklerLevel(f, 0.92)).configure(
                label_for_charts="both names similar (typo)"
            ),
            cll.And(
                cll.CustomLevel("length(given_l) = 1 or length(given_r) = 1"),
                cll.ArrayIntersectLevel("initials", 1),
                cll.JaroWinklerLevel(f, 0.92),
            ).configure(label_for_charts="initial and family name"),
            cll.And(cll.NullLevel(f), cll.ArrayIntersectLevel("given_groups", 1)).configure(
                label_for_charts="given name only, same or variant"
            ),
            cll.And(
                cll.ExactMatchLevel(f),
                cll.CustomLevel("length(given_l) > 1 and length(given_r) > 1"),
            ).configure(
                label_for_charts="same family name, given names differ",
                # Brothers, sisters, mother and son: EM over pairs blocked on a date of birth
                # sees twins and siblings named in one record and learns this as mild
                # evidence for a match. Two given names that no variant, typo or initial
                # explains are evidence against it; fixed, not learnt.
                m_probability=M_GIVEN_DIFFERS,
                fix_m_probability=True,
            ),
            cll.ExactMatchLevel(f).configure(
                tf_adjustment_column=f, label_for_charts="family name only"
            ),
            cll.ElseLevel().configure(label_for_charts="different names"),
        ],
    )


def _evidence() -> list[Any]:
    return [
        cl.CustomComparison(
            output_column_name="birth",
            comparison_description="date of birth or birth year",
            comparison_levels=[
                cll.And(cll.NullLevel("dob"), cll.NullLevel("birth_year")),
                cll.ExactMatchLevel("dob").configure(label_for_charts="same date of birth"),
                cll.AbsoluteDifferenceLevel("birth_year", 1).configure(
                    label_for_charts="birth year within 1"
                ),
                cll.AbsoluteDifferenceLevel("birth_year", 3).configure(
                    label_for_charts="birth year within 3"
                ),
                cll.ElseLevel(),
            ],
        ),
        cl.ExactMatch("postcode"),
        cl.ExactMatch("email"),
        cl.ArrayIntersectAtSizes("phones", [1]),
        cl.ArrayIntersectAtSizes("rec_phones", [1]),
        cl.ArrayIntersectAtSizes("rec_vehicles", [1]),
        cl.ArrayIntersectAtSizes("rec_postcodes", [1]),
    ]


def blocking_rules() -> list[Any]:
    """Candidate pairs: none of these grows with the square of a common name alone."""
    from splink.blocking_rule_library import CustomRule

    return [
        block_on("family_block"),
        CustomRule("l.given_key = r.family_key and l.family_key = r.given_key"),
        block_on("given_key", "family_key"),
        block_on("given_key", "family_prefix"),
        block_on("given_key", "family_suffix"),
        block_on("given_key", "birth_year"),
        block_on("family_key", "birth_year"),
        block_on("phones", arrays_to_explode=["phones"]),
        block_on("email"),
        block_on("dob"),
    ]


def person_settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=blocking_rules(),
        comparisons=[_name_comparison(), *_evidence()],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def baseline_settings() -> SettingsCreator:
    """A plain Splink model: default name comparisons on the raw names, same other evidence."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("family", "initial", "birth_year"),
            block_on("given", "family"),
            block_on("given", "birth_year"),
            block_on("family", "birth_year"),
            block_on("phones", arrays_to_explode=["phones"]),
            block_on("email"),
            block_on("dob"),
        ],
        comparisons=[cl.NameComparison("given"), cl.NameComparison("family"), *_evidence()],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,
    )


def training_blocks(baseline: bool = False) -> list[Any]:
    """EM sessions: each blocks on something the others compare, so every weight is learnt.

    The second blocks on the exact date of birth, not the birth year: a year is shared by
    thousands of mentions in a large district, and EM over its pairs grew with their square
    (100,000 mentions: 171 s of training with the year, 15 s with the date)."""
    if baseline:
        return [block_on("given", "family"), block_on("birth_year")]
    return [block_on("given_key", "family_key"), block_on("dob")]
