"""Enumerations of the domain, defined once (DESIGN.md glossary)."""

from __future__ import annotations

from enum import StrEnum


class RecordKind(StrEnum):
    CRIME_REPORT = "crime_report"
    INTELLIGENCE = "intelligence"
    REFERRAL = "referral"
    MINUTES = "minutes"
    MISSING_EPISODE = "missing_episode"
    COMPLAINT = "complaint"
    DISCLOSURE = "disclosure"


class Rank(StrEnum):
    """Police ranks in order of seniority, then partner-agency roles (unranked)."""

    PC = "PC"
    DC = "DC"
    PS = "PS"
    DS = "DS"
    INSP = "Insp"
    DI = "DI"
    CHINSP = "ChInsp"
    DCI = "DCI"
    SUPT = "Supt"
    DSUPT = "DSupt"
    CHSUPT = "ChSupt"
    ACC = "ACC"
    DCC = "DCC"
    CC = "CC"
    STAFF = "Staff"
    SOCIAL_WORKER = "SocialWorker"
    TEAM_MANAGER = "TeamManager"
    NURSE = "Nurse"
    TEACHER = "Teacher"
    YOUTH_WORKER = "YouthWorker"
    INVESTIGATOR = "Investigator"
    ANALYST = "Analyst"

    @property
    def seniority(self) -> int:
        """Comparable seniority; detective and uniform ranks of one grade are equal."""
        return _SENIORITY[self]

    def next_up(self) -> Rank | None:
        """The rank an overdue escalation climbs to (None at the top)."""
        return _NEXT_UP.get(self)

    @classmethod
    def parse(cls, text: str) -> Rank:
        found = _BY_NAME.get(text) or _BY_NAME.get(text.strip().lower())
        if found is None:
            raise ValueError(f"unknown rank '{text}'")
        return found


_BY_NAME: dict[str, Rank] = {r.value: r for r in Rank} | {r.value.lower(): r for r in Rank}

_SENIORITY: dict[Rank, int] = {
    Rank.STAFF: 0,
    Rank.SOCIAL_WORKER: 0,
    Rank.NURSE: 0,
    Rank.TEACHER: 0,
    Rank.YOUTH_WORKER: 0,
    Rank.ANALYST: 0,
    Rank.INVESTIGATOR: 0,
    Rank.PC: 1,
    Rank.DC: 1,
    Rank.TEAM_MANAGER: 2,
    Rank.PS: 2,
    Rank.DS: 2,
    Rank.INSP: 3,
    Rank.DI: 3,
    Rank.CHINSP: 4,
    Rank.DCI: 4,
    Rank.SUPT: 5,
    Rank.DSUPT: 5,
    Rank.CHSUPT: 6,
    Rank.ACC: 7,
    Rank.DCC: 8,
    Rank.CC: 9,
}

_NEXT_UP: dict[Rank, Rank] = {
    Rank.PC: Rank.PS,
    Rank.DC: Rank.DS,
    Rank.PS: Rank.INSP,
    Rank.DS: Rank.DI,
    Rank.INSP: Rank.CHINSP,
    Rank.DI: Rank.DCI,
    Rank.CHINSP: Rank.SUPT,
    Rank.DCI: Rank.DSUPT,
    Rank.SUPT: Rank.CHSUPT,
    Rank.DSUPT: Rank.CHSUPT,
    Rank.CHSUPT: Rank.ACC,
    Rank.ACC: Rank.DCC,
    Rank.DCC: Rank.CC,
    Rank.SOCIAL_WORKER: Rank.TEAM_MANAGER,
}


class Role(StrEnum):
    """What a user may do in Candour (need-to-know follows role and assignment)."""

    ADMIN = "admin"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    SAFEGUARDING_LEAD = "safeguarding_lead"
    ANALYST = "analyst"
    SENIOR = "senior"
    OVERSIGHT = "oversight"
    AUDITOR = "auditor"
    # A named account that batch work (ingest, extract, link, rules) runs as: its writes are
    # attributed to it, and it consults no record.
    SERVICE = "service"


class AgencyKind(StrEnum):
    POLICE = "police"
    SOCIAL_CARE = "social_care"
    HEALTH = "health"
    EDUCATION = "education"
    YOUTH = "youth"
    OVERSIGHT = "oversight"
    OTHER = "other"


class EntityKind(StrEnum):
    PERSON = "person"
    VEHICLE = "vehicle"
    PHONE = "phone"
    LOCATION = "location"
    ORGANISATION = "organisation"
    IDENTIFIER = "identifier"  # e-mail, social-media handle, taxi badge


class PersonRole(StrEnum):
    """How a person appears in a record."""

    VICTIM = "victim"
    SUSPECT = "suspect"
    ASSOCIATE = "associate"
    WITNESS = "witness"
    REPORTER = "reporter"
    PROFESSIONAL = "professional"
    UNKNOWN = "unknown"


class MentionSource(StrEnum):
    FIELD = "field"
    TEXT = "text"


class DecisionKind(StrEnum):
    CRIME_RECORDING = "crime_recording"
    NO_FURTHER_ACTION = "no_further_action"
    REFERRAL = "referral"
    STRATEGY_MEETING = "strategy_meeting"
    CLOSURE = "closure"


class RecordingOutcome(StrEnum):
    RECORDED = "recorded"
    NOT_RECORDED = "not_recorded"
    TRANSFERRED = "transferred"


class EscalationStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ACTIONED = "actioned"
    OVERDUE = "overdue"


class EventAction(StrEnum):
    """Everything the ledger records (collection, alteration, consultation, disclosure ...)."""

    CREATE = "create"
    AMEND = "amend"
    READ = "read"
    DISCLOSE = "disclose"
    DECIDE = "decide"
    ESCALATE = "escalate"
    ACKNOWLEDGE = "acknowledge"
    ACTION = "action"
    OVERDUE = "overdue"
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    RULE_CHANGE = "rule_change"
    USER_CHANGE = "user_change"
    ROLE_CHANGE = "role_change"
    MENTION = "mention"
    RESOLVE = "resolve"
    SYSTEM = "system"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    PASSWORD_CHANGE = "password_change"
    SECOND_FACTOR = "second_factor"
    ACCOUNT_CHANGE = "account_change"
    WALL = "wall"
    WALL_GRANT = "wall_grant"
    JURISDICTION = "jurisdiction"
    ACCESS_REVIEW = "access_review"
    PUBLICATION_DRAFT = "publication_draft"
    PUBLICATION_APPROVE = "publication_approve"
    OVERSIGHT = "oversight"
    QUARANTINE = "quarantine"
