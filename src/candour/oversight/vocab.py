"""The oversight vocabularies (police conduct regulations), defined once."""

from __future__ import annotations

from enum import StrEnum

from candour.store.enums import Rank


class Channel(StrEnum):
    LETTER = "letter"
    EMAIL = "email"
    PHONE = "phone"
    IN_PERSON = "in_person"
    ONLINE = "online"
    REFERRAL = "referral"


class Category(StrEnum):
    FAILURE_TO_INVESTIGATE = "failure_to_investigate"
    NEGLECT_OF_DUTY = "neglect_of_duty"
    FAILURE_TO_SAFEGUARD = "failure_to_safeguard"
    DISCREDITABLE_CONDUCT = "discreditable_conduct"
    CORRUPT_PRACTICE = "corrupt_practice"
    ABUSE_OF_POSITION = "abuse_of_position"
    HONESTY_AND_INTEGRITY = "honesty_and_integrity"
    OTHER = "other"


class Mode(StrEnum):
    """Who runs the investigation: the force itself, the force under the watchdog's direction,
    or the watchdog."""

    LOCAL = "local"
    DIRECTED = "directed"
    INDEPENDENT = "independent"


class Finding(StrEnum):
    MISCONDUCT = "misconduct"
    GROSS_MISCONDUCT = "gross_misconduct"
    NO_CASE = "no_case_to_answer"

    @property
    def severity(self) -> int:
        return {Finding.NO_CASE: 0, Finding.MISCONDUCT: 1, Finding.GROSS_MISCONDUCT: 2}[self]


class Outcome(StrEnum):
    REFLECTIVE_PRACTICE = "reflective_practice_review"
    MANAGEMENT_ADVICE = "management_advice"
    WRITTEN_WARNING = "written_warning"
    FINAL_WRITTEN_WARNING = "final_written_warning"
    DISMISSAL = "dismissal"


class DecisionKind(StrEnum):
    TERMS_OF_REFERENCE = "terms_of_reference"
    SCOPE = "scope"
    FINDING = "finding"
    OUTCOME = "outcome"
    LABEL = "complainant_label"
    COMMISSIONER_REQUEST = "commissioner_request"
    COMMISSIONER_ANSWER = "commissioner_answer"
    EVIDENCE = "evidence"


class Label(StrEnum):
    PERSISTENT = "persistent"
    UNREASONABLE = "unreasonable"
    AGGRESSIVE = "aggressive"
    WITHDRAWN = "withdrawn"


class Answer(StrEnum):
    GRANTED = "granted"
    REDACTED = "redacted"
    REFUSED = "refused"


class RankBand(StrEnum):
    CONSTABLE = "constable"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"
    SUPERINTENDENT = "superintendent"
    CHIEF_OFFICER = "chief_officer"
    STAFF = "staff"


_BANDS = {
    0: RankBand.STAFF,
    1: RankBand.CONSTABLE,
    2: RankBand.SERGEANT,
    3: RankBand.INSPECTOR,
    4: RankBand.INSPECTOR,
    5: RankBand.SUPERINTENDENT,
    6: RankBand.SUPERINTENDENT,
}


def rank_band(rank: str) -> RankBand:
    """The band a rank falls in (chief inspector sits with inspectors; ACC and above are chief
    officers); an unknown rank is staff."""
    try:
        seniority = Rank.parse(rank).seniority
    except ValueError:
        return RankBand.STAFF
    return _BANDS.get(seniority, RankBand.CHIEF_OFFICER)


#: A complainant label needs approval by the author's supervisor or someone of this rank or above.
LABEL_APPROVER_RANK = Rank.CHINSP
