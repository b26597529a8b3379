"""The extractor as an analyst sees it: names, roles, ages, indicators, negation, language."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candour.extract.pipeline import Extractor
from candour.extract.types import Extraction


def _one(ex: Extractor, text: str) -> Extraction:
    return next(iter(ex.extract([text])))


def _people(res: Extraction) -> dict[str, str]:
    return {m.text: m.role for m in res.mentions if m.label == "PERSON"}


def test_police_name_forms_and_roles(extractor: Extractor) -> None:
    res = _one(
        extractor,
        "SMITH, John (DOB 03/04/1989) picked up Amira KHAN aged 14 from the precinct. "
        "Suspect Tomasz Nowak was with him.",
    )
    people = _people(res)
    assert people["SMITH, John"] == "suspect"
    assert people["Amira KHAN"] == "victim"
    assert people["Tomasz Nowak"] == "suspect"
    john = next(m for m in res.mentions if m.text == "SMITH, John")
    assert john.normalised == "JOHN SMITH" and john.attrs["dob"] == "1989-04-03"
    amira = next(m for m in res.mentions if m.text == "Amira KHAN")
    assert amira.attrs["age"] == 14


def test_names_in_sentences_written_in_capitals(extractor: Extractor) -> None:
    res = _one(extractor, "MOHAMMED ALI AND DAVID JONES WERE SEEN WITH TWO GIRLS AT THE TAKEAWAY.")
    assert {"MOHAMMED ALI", "DAVID JONES"} <= set(_people(res))
    assert "TAKEAWAY" not in " ".join(_people(res))


def test_negated_and_hypothetical_indicators_are_kept_but_not_present(
    extractor: Extractor,
) -> None:
    res = _one(
        extractor,
        "There was no evidence of alcohol. If she goes missing again call the duty team. "
        "Cannabis was found in her bag.",
    )
    flags = {f.code: f for f in res.flags if f.kind == "indicator"}
    assert flags["alcohol"].negated and not flags["alcohol"].present
    assert flags["missing"].hypothetical and not flags["missing"].present
    assert flags["drugs"].present
    assert res.present("indicator") == {"drugs"}


def test_language_check_needs_a_child_for_consent(extractor: Extractor) -> None:
    adult = _one(extractor, "The two adults said the arrangement was consensual.")
    child = _one(extractor, "The officer wrote that the 13-year-old girl consented.")
    assert "consent" not in adult.present("language")
    assert "consent" in child.present("language")
    flag = next(f for f in child.flags if f.code == "consent")
    assert flag.suggestion and "cannot consent" in flag.suggestion


def test_boyfriend_is_flagged_only_for_an_adult(extractor: Extractor) -> None:
    adult = _one(extractor, "Kayleigh (14) says her boyfriend is 26.")
    peer = _one(extractor, "Kayleigh (14) says her boyfriend goes to her school.")
    assert "boyfriend" in adult.present("language")
    assert "boyfriend" not in peer.present("language")


def test_age_gap_in_an_exploitative_context(extractor: Extractor) -> None:
    res = _one(extractor, "Leanne (14) says her boyfriend is 23 and he bought her a phone.")
    gap = next(f for f in res.flags if f.kind == "age_gap")
    assert gap.attrs == {"child_age": 14, "adult_age": 23, "gap": 9}
    calm = _one(extractor, "Leanne (14) went to the cinema with her uncle, who is 40.")
    assert not any(f.kind == "age_gap" for f in calm.flags)


def test_disclosure_cues_and_their_denial(extractor: Extractor) -> None:
    told = _one(extractor, "She told her teacher that he raped her at the flat.")
    denied = _one(extractor, "She denies that anyone raped her.")
    assert told.present("disclosure") == {"rape_child"}
    assert denied.present("disclosure") == set()


NEWS = (
    "Police in South Yorkshire have apologised after an independent review found that officers "
    "failed to act on reports of child sexual exploitation between 1997 and 2013. The "
    "Independent Office for Police Conduct said 47 officers were investigated. Chief Constable "
    "Stephen Watson told reporters the force had changed.",
    "A 43-year-old man from Rotherham has been jailed for 19 years at Sheffield Crown Court "
    "for offences against two girls aged 13 and 14. Detective Inspector Lisa Marsh said the "
    "victims had shown enormous courage. Anyone with information can call 101.",
    "The Home Secretary said the report made for harrowing reading. Labour MP Sarah Champion "
    "called for a national inquiry, while the council's chief executive said lessons had been "
    "learned and that new safeguarding boards were in place.",
)


def test_news_text_runs_with_sensible_output(extractor: Extractor) -> None:
    results = list(extractor.extract(NEWS))
    people = set().union(*(_people(r) for r in results))
    assert "Sarah Champion" in people and "Labour MP" not in people
    officers = {m.normalised for r in results for m in r.mentions if m.label == "OFFICER"}
    assert {"CC STEPHEN WATSON", "DI LISA MARSH"} <= officers
    ages = {m.normalised for m in results[1].mentions if m.label == "AGE"}
    assert "43" in ages
    assert not any(m.label == "PHONE" for r in results for m in r.mentions)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=400))
def test_any_text_extracts_without_error(extractor: Extractor, text: str) -> None:
    res = _one(extractor, text)
    for m in res.mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text


@pytest.mark.parametrize(
    ("text", "code", "present"),
    [
        ("Amani (14) was seen with a man in his late thirties.", "older_boyfriend", True),
        ("Priya (13) is friends with men in their 20s.", "older_boyfriend", True),
        ("Since the plan there have been no further missing episodes for Jake (15).", "missing",
         False),
        ("Dorota (14) is not thought to be missing.", "missing", False),
        ("Kemal (15) was seen getting into a dark blue car.", "cars", True),
    ],
)  # fmt: skip
def test_indicator_classes(extractor: Extractor, text: str, code: str, present: bool) -> None:
    res = next(extractor.extract([text]))
    assert (code in res.present("indicator")) is present
    assert any(f.code == code for f in res.flags if f.kind == "indicator")
