"""The domain recognisers: what UK police notes contain and a news-trained NER model misses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from candour.extract.domain import parse_date, recognise


def _found(text: str, label: str) -> list[tuple[str, str]]:
    return [(text[h.start : h.end], h.normalised) for h in recognise(text) if h.label == label]


@pytest.mark.parametrize(
    ("text", "span", "norm"),
    [
        ("a silver Astra QF08 KLT was seen", "QF08 KLT", "QF08KLT"),
        ("reg QF08KLT seen twice", "QF08KLT", "QF08KLT"),
        ("the car qf08 klt again", "qf08 klt", "QF08KLT"),
        ("an old Escort, reg A123 BCD, parked", "A123 BCD", "A123BCD"),
        ("a Cortina ABC 123D on the drive", "ABC 123D", "ABC123D"),
        ("a black Golf, partial plate YX51 something", "YX51", "YX51*"),
    ],
)
def test_vehicle_registrations_in_every_format(text: str, span: str, norm: str) -> None:
    assert (span, norm) in _found(text, "VEHICLE")


def test_partial_plate_needs_a_vehicle_nearby() -> None:
    assert _found("She is in class YX51 at school.", "VEHICLE") == []


@pytest.mark.parametrize(
    "written",
    ["07700 900123", "07700900123", "+44 7700 900123", "+44 (0)7700 900123", "07700-900-123",
     "0770 090 0123"],
)  # fmt: skip
def test_uk_phone_numbers_in_any_formatting(written: str) -> None:
    assert _found(f"call {written} now", "PHONE") == [(written, "07700900123")]


def test_landlines_and_no_false_phones_in_reference_numbers() -> None:
    assert _found("ring (0114) 496 0123", "PHONE")[0][1] == "01144960123"
    assert _found("crime ref 2011/07700900123/44", "PHONE") == []


def test_postcodes_emails_handles_badges() -> None:
    text = (
        "Lives at 4 Ash Grove ZZ22 7FJ, mail amy.w12@example.org, snapchat: amy_x123, "
        "on Instagram @kingrocco_99, private hire badge number PH 2231."
    )
    assert _found(text, "POSTCODE") == [("ZZ22 7FJ", "ZZ22 7FJ")]
    assert _found(text, "EMAIL") == [("amy.w12@example.org", "amy.w12@example.org")]
    assert ("amy_x123", "@amy_x123") in _found(text, "HANDLE")
    assert ("@kingrocco_99", "@kingrocco_99") in _found(text, "HANDLE")
    assert _found(text, "BADGE") == [("PH 2231", "PH2231")]


@pytest.mark.parametrize(
    ("text", "span", "age"),
    [
        ("Amy WRIGHT, aged 15, was", "aged 15", "15"),
        ("a 15-year-old girl", "15-year-old", "15"),
        ("a 14 year old girl", "14 year old", "14"),
        ("Kelly Brown (13) said", "13", "13"),
        ("her boyfriend is 24.", "24", "24"),
    ],
)
def test_ages_as_written(text: str, span: str, age: str) -> None:
    assert (span, age) in _found(text, "AGE")


def test_ages_are_not_percentages_or_times() -> None:
    assert _found("attendance is 40% and age 14% no", "AGE") == []


def test_dates_of_birth_and_times() -> None:
    assert _found("SMITH, John (DOB 03/04/1989)", "DOB") == [("03/04/1989", "1989-04-03")]
    assert _found("born on 3rd April 1989", "DOB") == [("3rd April 1989", "1989-04-03")]
    assert _found("seen at 2315hrs", "TIME") == [("2315hrs", "23:15")]
    assert parse_date("31/02/2001") is None


def test_officer_references() -> None:
    text = "DS Hughes and PC 1234 attended; Detective Sergeant Kaur took over from Insp CLARKE."
    found = _found(text, "OFFICER")
    assert ("DS Hughes", "DS HUGHES") in found
    assert ("PC 1234", "PC 1234") in found
    assert ("Detective Sergeant Kaur", "DS KAUR") in found
    assert ("Insp CLARKE", "Insp CLARKE") in found


def test_business_names() -> None:
    found = _found("She went to Star Taxis and then the ROYAL HOTEL on Wellgate.", "BUSINESS")
    assert ("Star Taxis", "STAR TAXIS") in found and ("ROYAL HOTEL", "ROYAL HOTEL") in found
    assert _found("TWO GIRLS AT THE TAKEAWAY", "BUSINESS") == []


@given(st.text(max_size=300))
def test_recognise_never_fails_and_spans_are_inside_the_text(text: str) -> None:
    for hit in recognise(text):
        assert 0 <= hit.start < hit.end <= len(text)
        if hit.label == "PHONE":
            assert hit.normalised.isdigit() and len(hit.normalised) in (10, 11)
