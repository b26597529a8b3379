"""Names written the police and safeguarding way, with invented names of many origins."""

from __future__ import annotations

import pytest

from candour.extract.pipeline import Extractor
from candour.extract.types import Extraction


def _one(extractor: Extractor, text: str) -> Extraction:
    return next(extractor.extract([text]))


def _people(res: Extraction) -> dict[str, str]:
    """Surface text of each person mention -> what it resolves to."""
    out = {}
    for m in res.mentions:
        if m.label == "PERSON":
            out[m.text] = m.normalised
        elif m.label == "OFFICER" and m.attrs.get("name"):
            out[str(m.attrs["name"])] = m.normalised
    return out


@pytest.mark.parametrize(
    ("text", "short", "full"),
    [
        ("Dariusz WOJCIK (DOB 02/03/1980) was seen outside. WOJCIK is believed to drive.",
         "WOJCIK", "DARIUSZ WOJCIK"),
        ("Referral about Nkechi Obiora (14). Later Nkechi said she was fine.",
         "Nkechi", "NKECHI OBIORA"),
        ("Concern about Haruto TANAKA, aged 15. Staff say TANAKA has new clothes.",
         "TANAKA", "HARUTO TANAKA"),
        ("Subject: PRZYBYLSKA, Agnieszka. PRZYBYLSKA was not at home.",
         "PRZYBYLSKA", "AGNIESZKA PRZYBYLSKA"),
    ],
)  # fmt: skip
def test_bare_surname_or_given_name_refers_back(
    extractor: Extractor, text: str, short: str, full: str
) -> None:
    res = _one(extractor, text)
    ref = [m for m in res.mentions if m.label == "PERSON" and m.text == short]
    assert ref, _people(res)
    assert ref[0].normalised == full and ref[0].attrs["refers_to"] == full


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mr KOWALCZUK refused to answer the door.", "KOWALCZUK"),
        ("The child's carer Mrs Adebayo-Cole rang the school.", "Adebayo-Cole"),
        ("Dr Ishaan Mehra examined her at the clinic.", "Ishaan Mehra"),
        ("Ms NGATA was informed by letter.", "NGATA"),
    ],
)
def test_title_and_surname_keeps_the_title_outside(
    extractor: Extractor, text: str, name: str
) -> None:
    assert name in _people(_one(extractor, text))


def test_rank_collar_number_and_name_are_kept_apart(extractor: Extractor) -> None:
    text = "Statement taken by DC 4417 OKONJO. PC 8812 attended later with Sgt 305 T. BRENNAN."
    res = _one(extractor, text)
    officers = {m.normalised: m.attrs for m in res.mentions if m.label == "OFFICER"}
    assert officers["DC OKONJO"]["collar"] == "4417"
    assert officers["DC OKONJO"]["name"] == "OKONJO"
    assert "name" not in officers["PC 8812"]
    assert officers["PS T. BRENNAN"]["collar"] == "305"


def test_initials_in_minutes_resolve_to_people_named_earlier(extractor: Extractor) -> None:
    text = (
        "Present: Oluwaseun ADEYINKA (OA), social worker; PS Grace TEMPLE; Bogdan LUCA.\n"
        "1. OA said the child was seen with BL in town. PS 4410 to check CCTV.\n"
        "2. BL to contact the school."
    )
    res = _one(extractor, text)
    refs = {(m.text, m.normalised) for m in res.mentions if m.label == "PERSON"}
    assert ("OA", "OLUWASEUN ADEYINKA") in refs
    assert ("BL", "BOGDAN LUCA") in refs
    assert not any(m.text == "PS" for m in res.mentions if m.label == "PERSON")


@pytest.mark.parametrize(
    ("text", "nick", "owner"),
    [
        ("Tremaine WALCOTT, known as 'Tee', drives a grey van. Tee was seen again.",
         "Tee", "TREMAINE WALCOTT"),
        ("A man she knows as \"Bazza\" collects her from school.", "Bazza", "BAZZA"),
    ],
)  # fmt: skip
def test_quoted_nicknames(extractor: Extractor, text: str, nick: str, owner: str) -> None:
    res = _one(extractor, text)
    found = [m for m in res.mentions if m.label == "PERSON" and m.text == nick]
    assert found and all(m.normalised == owner for m in found)


@pytest.mark.parametrize(
    "text",
    [
        "The Safeguarding Lead was informed at 1400hrs.",
        "She was seen on Larchmont Mews with two older males.",
        "The referral went to Operation Wagtail for review.",
        "Police attended Fellgate Estate at 2200hrs.",
        "She was picked up in a Seat Leon outside the shop.",
    ],
)
def test_things_that_are_not_people(extractor: Extractor, text: str) -> None:
    assert _people(_one(extractor, text)) == {}


def test_hyphenated_names_and_surnames_that_are_street_words(extractor: Extractor) -> None:
    res = _one(extractor, "Min-seo Park (15) said that Anna-Lise FORD-HAMMOND gave her money.")
    people = _people(res)
    assert "Min-seo Park" in people and "Anna-Lise FORD-HAMMOND" in people


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("On 3 January Abimbola OKAFOR reported the theft.", "Abimbola OKAFOR"),
        ("At 0500hrs Gurinder reported that the car had gone.", "Gurinder"),
        ("Shortly after midnight V. Horvath called police.", "V. Horvath"),
    ],
)
def test_month_words_stay_out_and_lone_subjects_are_found(
    extractor: Extractor, text: str, person: str
) -> None:
    assert person in _people(_one(extractor, text))


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Seen on Tues 4 March at the shop.", "Tues 4 March"),
        ("Visits on 12/06 and later.", "12/06"),
        ("Moved in August 2024 to the flat.", "August 2024"),
    ],
)
def test_calendar_dates_without_a_year(extractor: Extractor, text: str, date: str) -> None:
    res = _one(extractor, text)
    assert date in {m.text for m in res.mentions if m.label == "DATE"}


def test_durations_and_school_years_are_not_dates(extractor: Extractor) -> None:
    res = _one(extractor, "She is in Year 10 and has been absent this week for two days.")
    assert not [m for m in res.mentions if m.label == "DATE"]
