"""People in police writing: capitalised surnames, roles the text gives, ages beside names.

The small English model was trained on news text and misses names written the police way
("SMITH, John", "KHAN Amira", whole sentences in capitals). Two remedies, both measured on the
gold set: token patterns for the surname-first forms, and re-analysis of capitalised sentences
in ordinary case (same length, so offsets carry over).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from candour.extract.types import Flag, Found

# Upper-case tokens that are not surnames: abbreviations of the trade.
ACRONYMS = {
    "CSE", "CCE", "MFH", "PC", "DC", "PS", "DS", "DI", "DCI", "CID", "PNC", "NHS", "STI", "SW",
    "YP", "DOB", "ABH", "GBH", "NFA", "CPS", "MASH", "TV", "ID", "UK", "OK", "CCTV", "BTP",
    "MARAC", "ACC", "LAC", "OIC", "SMS", "SOCO", "NRM", "AM", "PM", "HRS", "RE", "FAO", "URGENT",
    "NOTE", "NB", "CC", "TBC", "IDVA", "ISVA", "GP", "A&E", "CAMHS", "PCSO", "SPOC", "VRM", "MG11",
    "ANPR", "PNLD", "ISB", "HMIC", "IOPC", "IPCC", "CEOP", "NCA", "GCSE", "SEN", "ADHD", "BMW",
    "VW", "KFC", "MOT", "UPDATE", "INTELLIGENCE", "REPORT", "SUMMARY", "ACTION", "ACTIONS", "MP",
    "QC", "KC", "STRATEGY", "MEETING", "MINUTES", "RISK", "HIGH", "MEDIUM", "LOW", "CONCERN",
    "CONCERNS",
}  # fmt: skip
_CAPS = r"^(?:[A-Z][A-Z'\-]+|MC[A-Z]+|Ma?c[A-Z]{2,}|O'[A-Z]+)$"
_STOP_GIVEN = {
    "Police", "Officers", "Mum", "Mother", "Dad", "Father", "School", "Staff", "The", "She", "He",
    "They", "Victim", "Suspect", "Child", "Social", "Care", "Referral", "Report", "Road", "Street",
    "On", "At", "In", "Dear", "Re", "Update", "Sergeant", "Inspector", "Constable",
    "Later", "Then", "When", "Today", "Yesterday", "Tonight", "Also", "Both", "After", "Before",
    "During", "Since", "Until", "Meanwhile", "However", "Here", "There", "Where", "While",
    "Whilst", "Although", "Because", "Once", "Now", "Only", "Even", "Neither", "Either", "Each",
    "Every", "Some", "Many", "Most", "All", "Another", "Other", "Such", "This", "That", "These",
    "Those", "What", "Which", "Who", "Why", "How", "Please", "Thanks", "Regards", "Attendees",
    "Present", "Apologies", "Children", "Subject", "Subjects", "Concerns", "Chair", "Minutes",
    "From", "To", "Cc", "Sent", "Date", "Venue", "Item", "Action", "Actions", "Outcome",
}  # fmt: skip

ROLE_CUES: dict[str, str] = {
    # victim / child
    "victim": "victim", "complainant": "victim", "child": "victim", "girl": "victim",
    "boy": "victim", "daughter": "victim", "son": "victim", "pupil": "victim",
    "informant": "victim", "yp": "victim", "mfh": "victim", "stepdaughter": "victim",
    "schoolgirl": "victim", "teenager": "victim", "niece": "victim", "granddaughter": "victim",
    "injured": "victim", "missing": "victim", "concerning": "victim", "regarding": "victim",
    "about": "victim", "owner": "victim", "householder": "victim", "raped": "victim",
    "assaulted": "victim", "exploited": "victim", "groomed": "victim",
    # suspect
    "suspect": "suspect", "suspects": "suspect", "offender": "suspect", "perpetrator": "suspect",
    "accused": "suspect", "arrested": "suspect", "nominal": "suspect", "abuser": "suspect",
    "driver": "suspect", "organiser": "suspect", "named": "suspect", "males": "suspect",
    "male": "suspect", "man": "suspect", "men": "suspect", "adult": "suspect",
    # associate
    "associate": "associate", "associates": "associate", "boyfriend": "associate",
    "friend": "associate", "friends": "associate", "cousin": "associate", "brother": "associate",
    "uncle": "associate", "mate": "associate", "partner": "associate",
    # witness
    "witness": "witness", "witnesses": "witness", "neighbour": "witness",
    "passer-by": "witness", "resident": "witness",
    # professional
    "worker": "professional", "teacher": "professional", "nurse": "professional",
    "doctor": "professional", "dr": "professional", "manager": "professional",
    "head": "professional", "officer": "professional", "caseworker": "professional",
    "practitioner": "professional", "counsellor": "professional", "sw": "professional",
    "isva": "professional", "analyst": "professional", "councillor": "professional",
    # reporter
    "mum": "reporter", "mother": "reporter", "dad": "reporter", "father": "reporter",
    "carer": "reporter", "parent": "reporter", "parents": "reporter", "grandmother": "reporter",
    "aunt": "reporter", "caller": "reporter",
}  # fmt: skip
_CHILD_WORDS = {
    "child", "children", "girl", "girls", "boy", "boys", "daughter", "son", "pupil", "pupils",
    "yp", "teenager", "schoolgirl", "schoolgirls", "niece", "stepdaughter", "granddaughter",
    "juvenile", "minor", "young",
}  # fmt: skip
_ADULT_WORDS = {"older", "adult", "man", "men", "male", "males", "grown"}
# What the words right after a name say about the person (checked in order).
_AFTER_ROLE = [
    (re.compile(r"^\s*(?:(?:is|was|has been|have been|are|were)\s+)?(?:alleged|believed|known|"
                r"suspected|said|reported)\s+to\s+(?:have\s+|be\s+)?(?:sexually|raped|abused|"
                r"give|giving|taking|take|selling|storing|using|the organiser|involved|buying|"
                r"supplying|running|pimping)", re.I), "suspect"),
    (re.compile(r"^\s*(?:had sex|has sex|has had sex|raped|sexually|forced|made her|made him|"
                r"touched|abused|assaulted|picked|gave|gives|giving|bought|buys|buying|drove|"
                r"drives|driving|took|takes|taking|supplied|supplies|pays|paid|sent|sends|plied|"
                r"offers|offered|is using|is selling|are taking|is taking|works at|work at|"
                r"runs|run a|continue to|continues to|was named|has been giving|have been giving|"
                r"is messaging|lets|let girls|was not arrested|were not arrested|was not spoken|"
                r"has been seen driving|have all been named|is storing|is the same person)\b",
                re.I), "suspect"),
    (re.compile(r"^\s*(?:has |had |was |is |have )?(?:disclosed|told|says she|said she|"
                r"returned|went missing|has been missing|been reported missing|absconded|"
                r"was reported missing|was found|attended (?:the|with)|is described|"
                r"has been absent|has been staying|was seen getting|states that she|"
                r"stated that she|requested|presented|is said to be in a relationship|"
                r"is no longer open|is at high risk|failed to return|has gone missing)\b",
                re.I), "victim"),
    (re.compile(r"^\s*,\s*(?:the\s+)?(?:mother|father|mum|dad|carer|grandmother|aunt)\b", re.I),
     "reporter"),
]  # fmt: skip
_OTHER_NAMES = re.compile(r"^\s*(?:,|and|&)\s+(?:[A-Z][\w'\-]*\s*){1,3}")


class NameRules:
    """Matcher patterns for surname-first and capitalised names."""

    def __init__(self, vocab: Any) -> None:
        from spacy.matcher import Matcher

        caps = {"TEXT": {"REGEX": _CAPS, "NOT_IN": sorted(ACRONYMS)}}
        title = {"TEXT": {"REGEX": r"^[A-Z][a-z][a-z'\-]*$", "NOT_IN": sorted(_STOP_GIVEN)}}
        self.matcher = Matcher(vocab)
        # SMITH, John (Paul)
        self.matcher.add(
            "surname_comma", [[caps, {"ORTH": ","}, title, {**title, "OP": "?"}]], greedy="LONGEST"
        )
        # John (Paul) SMITH and KHAN Amira
        self.matcher.add("given_caps", [[title, {**title, "OP": "?"}, caps]], greedy="LONGEST")
        self.matcher.add("caps_given", [[caps, title]], greedy="LONGEST")
        # Given Family where the context says it is a person: "Chantelle Ogunleye (14)",
        # "by Mehmet Yilmaz", "Ewa Zielinska detained" (the small model misses many such names).
        self.matcher.add("title_pair", [[title, title]])
        # Hyphenated given names the tokeniser splits: "Min-seo Park", "Jean-Luc MBEKI".
        part = {"IS_ALPHA": True, "LENGTH": {">=": 2}}
        hyph = {"ORTH": "-", "SPACY": False}
        self.matcher.add("hyphen_given", [[title, hyph, part, title], [title, hyph, part, caps]])
        # "T. Green called police", "A. HALL is involved": an initial and a surname.
        initial = {"TEXT": {"REGEX": r"^[A-Z]\.$"}}
        self.matcher.add("initial_surname", [[initial, title], [initial, caps]])
        # A lone given name as the subject of a report: "Gurpreet reported that ...".
        verb = {"LOWER": {"IN": sorted(_REPORTING)}}
        self.matcher.add("lone_given", [[title, verb]])

    def find(self, doc: Any, nlp: Any) -> list[Found]:
        found = []
        for mid, s, e in self.matcher(doc):
            span = doc[s:e]
            rule = doc.vocab.strings[mid]
            if rule == "caps_given" and s > 0 and doc[s - 1].is_title:
                continue  # "Amira KHAN Said" is given_caps; this would be a fragment
            if rule in ("title_pair", "hyphen_given") and not _person_context(doc, s, e):
                continue
            if rule == "initial_surname" and (doc[s + 1].lower_ in _NOT_SURNAME_WORDS):
                continue
            if rule == "lone_given":
                tok = doc[s]
                if tok.is_stop or _common(tok.text) or tok.lower_ in _NOT_SURNAME_WORDS:
                    continue
                if s > 0 and (doc[s - 1].is_title or doc[s - 1].is_upper) and doc[s - 1].is_alpha:
                    continue  # part of a longer name another rule finds
                e = s + 1
                span = doc[s:e]
            found.append(
                Found("PERSON", span.start_char, span.end_char, span.text,
                      normalise_name(span.text), 0.9)
            )  # fmt: skip
        found += _capitals(doc, nlp)
        return found


_REPORTING = {
    "states", "stated", "reported", "reports", "called", "said", "says", "told", "disclosed",
    "alleges", "alleged", "rang", "phoned", "admitted", "denied", "denies", "explained",
}  # fmt: skip
_AFTER_NAME = {
    "(", ",", "was", "is", "has", "had", "told", "says", "said", "reported", "reports", "returned",
    "attended", "disclosed", "went", "failed", "appears", "described", "came", "and", "who",
    "detained", "arrested", "states", "stated", "were", "are", "gave", "drives",
}  # fmt: skip
_BEFORE_NAME = {
    "victim", "suspect", "driver", "daughter", "son", "named", "called", "with", "by", "to",
    "about", "concerning", "regarding", "mother", "father", "worker", "nurse", "counsellor",
    "staff", "tenant", "carer", "neighbour", "householder", "owner", "complainant", "of", "and",
    "re", ":", "mrs", "mr", "ms", "miss", "dr", "yp", "person", "child", "girl", "boy",
}  # fmt: skip
_NOT_SURNAME_WORDS = {
    "school", "academy", "station", "centre", "hospital", "club", "home", "unit", "team",
    "service", "council", "police", "road", "street", "avenue", "terrace", "primary", "college",
    "hotel", "taxis", "cars", "lodge",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "report", "referral", "crime", "missing", "return", "interview",
    "health", "care", "sexual", "social", "youth", "year", "express", "house", "flat",
}  # fmt: skip


def _person_context(doc: Any, s: int, e: int) -> bool:
    if any(t.lower_ in _NOT_SURNAME_WORDS for t in doc[s:e]):
        return False
    after = doc[e].lower_ if e < len(doc) else "."
    before = doc[s - 1].lower_ if s > 0 else ""
    return after in _AFTER_NAME or before in _BEFORE_NAME or (doc[s].is_sent_start and after == ".")


def _capitals(doc: Any, nlp: Any) -> list[Found]:
    """Names in sentences written in capitals: re-read the sentence in ordinary case."""
    sents = []
    for sent in doc.sents:
        alpha = [t for t in sent if t.is_alpha and len(t) > 1]
        upper = sum(1 for t in alpha if t.is_upper)
        if len(alpha) >= 3 and upper / len(alpha) >= 0.6:
            sents.append(sent)
    if not sents:
        return []
    texts = [_ordinary_case(s.text) for s in sents]
    out = []
    for sent, redo in zip(sents, nlp.pipe(texts), strict=True):
        for ent in redo.ents:
            if ent.label_ != "PERSON" or len(ent) < 2:
                continue
            start = sent.start_char + ent.start_char
            end = sent.start_char + ent.end_char
            text = doc.text[start:end]
            out.append(Found("PERSON", start, end, text, normalise_name(text), 0.75))
    return out


def _ordinary_case(text: str) -> str:
    """'JOHN SMITH WAS SEEN' -> 'John Smith was seen' with the same length (offsets unchanged)."""
    words = re.split(r"(\W+)", text)
    out = []
    for w in words:
        if w.isalpha() and w.isupper() and w not in ACRONYMS and w != "I":
            w2 = w.capitalize() if (len(w) > 2 and not _common(w)) else w.lower()
            out.append(w2 if len(w2) == len(w) else w)
        else:
            out.append(w)
    return "".join(out)


_COMMON = {
    "the", "and", "was", "were", "with", "from", "this", "that", "they", "she", "her", "his",
    "him", "has", "have", "had", "been", "seen", "into", "car", "girl", "girls", "boy", "men",
    "man", "male", "males", "female", "at", "in", "on", "of", "to", "by", "for", "who", "are",
    "is", "not", "near", "outside", "house", "road", "street", "about", "found", "said", "told",
    "aged", "years", "old", "year", "hotel", "taxi", "party", "flat", "night", "then", "later",
    "officers", "police", "attended", "home", "school", "missing", "reported", "drunk", "again",
    "all", "both", "two", "three", "other", "others", "named", "known", "as", "drove", "driving",
    "vehicle", "silver", "black", "white", "red", "blue", "when", "while", "after",
    "before", "because", "gave", "given", "vodka", "alcohol", "cannabis", "money", "phone", "new",
    "an", "a", "it", "its", "there", "their", "them", "also", "out", "up", "off", "stopped",
    "spoke", "arrested", "suspect", "victim", "child", "children", "mother", "father", "states",
    "stated", "continue", "continues", "raped", "rape", "saw", "drag", "dragged", "drives",
    "sexually", "assaulted", "reg", "older", "mum", "dad", "allegation", "item", "action",
    "giving", "give", "cigarettes", "last", "town", "mfh", "contacted", "can", "be",
    "contact", "witness", "looked", "approx", "taken", "picked", "being", "lodge", "van",
    "transit", "around", "late", "selling", "address", "no", "information", "disruption", "visits",
    "arrange", "astra", "corsa", "passat", "golf", "vectra", "victim:", "suspect:", "days",
    "eastwood", "norfolk",
}  # fmt: skip


def _common(word: str) -> bool:
    return word.lower() in _COMMON


#: What the NER model takes for a name but is a relation or a title.
NOT_PEOPLE = {
    "MUM", "DAD", "MOTHER", "FATHER", "NAN", "NANA", "GRAN", "SIR", "MADAM", "MISS", "MR", "MRS",
    "MS", "GOD", "ALLAH", "CARER", "SOCIAL CARE", "POLICE",
}  # fmt: skip


_LEADING = {
    "victim", "suspect", "householder", "neighbour", "complainant", "driver", "tenant", "mrs",
    "mr", "ms", "miss", "dr", "mum", "dad", "email", "witness", "owner", "informant", "child",
    "yp", "mfh", "re", "dear", "from", "to", "cc", "staff", "carer", "councillor", "nurse",
    "teacher", "head", "update", "sergeant", "father", "mother", "pupil", "a", "the", "and", "by",
    "with", "of", "passenger", "associate", "associates", "offender", "nominal", "source",
}  # fmt: skip
_TRAILING = {
    "raped", "are", "is", "was", "were", "continue", "continues", "states", "stated", "says",
    "said", "has", "had", "have", "and", "the", "a", "drives", "drove", "works", "told", "saw",
    "went", "gave", "sexually", "who", "of", "aged", "age",
}  # fmt: skip
_STREET = {
    "road", "street", "lane", "close", "avenue", "way", "drive", "terrace", "grove", "court",
    "place", "crescent", "park", "square", "gardens", "walk", "rise", "hill", "view", "row",
    "estate", "mews", "parade", "house", "heights", "towers", "wharf", "quay", "precinct",
    "centre", "center", "station", "meadows", "flats", "villas", "cottages",
}  # fmt: skip
# Last words of places that are also common surnames: a place only where the text says so.
_WEAK_STREET = {"green", "fields", "field", "chase", "bridge", "moor", "common", "market", "yard"}
# Last words of organisations: a name that ends so is a school, clinic, firm or agency.
_ORG_TAIL = {
    "academy", "school", "college", "university", "infirmary", "hospital", "sarc", "clinic",
    "surgery", "practice", "ltd", "limited", "plc", "llp", "foods", "homes", "housing",
    "custody", "council", "police", "constabulary", "trust", "services", "service", "partnership",
    "association", "society", "charity", "group", "taxis", "cars", "motors", "high", "primary",
    "department", "office", "court", "board", "agency", "authority", "commission", "cic",
}  # fmt: skip
# Words that make a capitalised phrase a job, a unit, a document or a law, not a person.
_NOT_PERSON_WORDS = {
    "lead", "officer", "supervisor", "manager", "coordinator", "co-ordinator", "nurse", "duty",
    "standards", "enforcement", "licensing", "designated", "worker", "director", "chair", "head",
    "team", "unit", "operation", "op", "warning", "protocol", "act", "guidance", "competence",
    "order", "notice", "assessment", "log", "report", "form", "episode", "background", "attendance",
    "summary", "description", "matches", "ambulance", "crew", "smell", "speech", "clear",
    "searched", "sent", "welfare", "review", "plan", "meeting", "minutes", "agenda", "item",
    "strategy", "panel", "referral", "interview", "statement", "outcome", "actions", "action",
    "risk", "concern", "concerns", "emergency", "medicine", "department", "community", "young",
    "people", "tel", "telephone", "mobile", "email", "address", "dob", "date", "time", "location",
    "subject", "incident", "north", "south", "east", "west", "midlands", "yorkshire", "region",
    "county", "borough", "service", "services", "safeguarding", "child", "children", "exploitation",
    "missing", "persons", "person", "contraception", "pill", "levonorgestrel", "flat", "my",
    "maths", "science", "year", "registered", "grey", "the", "in", "custom", "leon", "octavia",
    "corsa", "astra", "golf", "polo", "passat", "insignia", "prius", "qashqai", "transit", "seat",
    "skoda", "vauxhall", "toyota",
}  # fmt: skip
_NOT_NAME_WORDS = {
    "snapchat", "instagram", "facebook", "tiktok", "whatsapp", "email", "e-mail", "text", "reg",
    "corsa", "carrera", "astra", "golf", "older", "van", "car", "taxi", "party", "hotel",
}  # fmt: skip


_NAME_AFTER = re.compile(
    r"^(?:\s*\(\d{1,2}\)|\s*,?\s*(?:aged|DOB|d\.o\.b)\b|\s+(?:said|says|told|was|is|has|had|who|"
    r"disclosed|stated|reported|went|came|gave|lives|attended|states|called|stole|took)\b"
    r"|\s*,\s+an?\s+\d{1,2}[\s\-]*(?:years?|yrs?)[\s\-]*old\b|'s\s+(?:mother|father|mum|dad|"
    r"phone|friend|sister|brother|boyfriend|car))",
    re.I,
)
_NAME_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Miss|Dr|named|called|pupil|victim|suspect|child|girl|boy|son|daughter|"
    r"mother|father|nurse|worker|by|with|about|that|regarding|concerning)\s+)$",
    re.I,
)


_PLACE_BEFORE = re.compile(
    r"(?:\d+[a-z]?,?\s+|\b(?:on|in|at|off|along|near|into|onto|via|of|from|to|around)\s+)$", re.I
)


def _place_context(text: str, start: int) -> bool:
    before = text[max(0, start - 25) : start]
    return _PLACE_BEFORE.search(before) is not None or before.endswith((", ", "the "))


def _name_context(text: str, start: int, end: int) -> bool:
    """Is 'Jun Park' a person here? An age, a verb or a role beside it says so; a number before
    it ('22 Shirley Rise') or a preposition of place says it is a street."""
    before = text[max(0, start - 25) : start]
    if _PLACE_BEFORE.search(before):
        return False
    return bool(_NAME_AFTER.match(text[end : end + 30]) or _NAME_BEFORE.search(before))


def clean_person(text: str, m: Found) -> Found | None:
    """Trim titles and roles before a name and verbs after it; drop what is not a name."""
    m = _join_hyphens(text, m)
    words = list(re.finditer(r"[^\s,()]+", text[m.start : m.end]))
    while words and (
        words[0][0].lower().strip(":.") in _LEADING
        or words[0][0].endswith(":")
        or (len(words) > 1 and _date_word(text, m.start + words[0].start(), words[0][0]))
    ):
        words.pop(0)
    while words and words[-1][0].lower().strip(":.") in _TRAILING:
        words.pop()
    if not words:
        return None
    start, end = m.start + words[0].start(), m.start + words[-1].end()
    span = text[start:end]
    low = [w[0].lower().strip(":.'") for w in words]
    if any(ch.isdigit() for ch in span) or not span[:1].isupper():
        return None
    if len(words) == 1 and span.isupper() and "," not in text[m.start : m.end]:
        return None  # a lone word in capitals is rarely a name on its own
    tail = re.match(r"[ \t]+(?:[A-Z][A-Za-z]+[ \t]+)?([A-Z][A-Za-z]+)\b", text[end : end + 40])
    if tail and tail[1].lower() in _ORG_TAIL:
        end += tail.end()
        return Found("ORG", start, end, text[start:end], text[start:end].upper(), m.confidence)
    if (low[-1] in _STREET and not _name_context(text, start, end)) or (
        low[-1] in _WEAK_STREET and len(words) > 1 and _place_context(text, start)
    ):
        return Found("LOCATION", start, end, span, span.upper(), m.confidence)
    if low[-1] in _ORG_TAIL and len(words) > 1:
        return Found("ORG", start, end, span, span.upper(), m.confidence)
    if any(w in _NOT_PERSON_WORDS for w in low):
        return None
    if len(words) == 1 and (low[0] in _MONTH_WORDS or low[0] in _WEEKDAY_SHORT):
        return None
    if text[end : end + 1] == ":" and len(words) == 1:
        return None  # a field label, "Background:"
    if any(w in _NOT_NAME_WORDS for w in low) or span.upper() in NOT_PEOPLE:
        return None
    if words[-1][0] in ACRONYMS:
        return None  # "Labour MP", "the CPS"
    if (start, end) == (m.start, m.end):
        return m
    return Found("PERSON", start, end, span, normalise_name(span), m.confidence, attrs=m.attrs)


_MONTH_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday",
}  # fmt: skip
_WEEKDAY_SHORT = {"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"}
_NAME_MONTHS = {"april", "may", "june", "august"}


def _date_word(text: str, start: int, word: str) -> bool:
    """'January' in '3 January Anthony THOMPSON' is the date's, not the name's ('May SMITH' is)."""
    low = word.lower().strip(",.")
    if low not in _MONTH_WORDS:
        return False
    if low not in _NAME_MONTHS:
        return True
    return re.search(r"\d(?:st|nd|rd|th)?\s+$", text[max(0, start - 8) : start]) is not None


def _join_hyphens(text: str, m: Found) -> Found:
    """'Min-seo', 'FORD-HAMMOND': the tokeniser splits at hyphens; a name keeps its parts."""
    start, end = m.start, m.end
    while start > 1 and text[start - 1] == "-" and text[start - 2].isalpha():
        start -= 1
        while start > 0 and (text[start - 1].isalpha() or text[start - 1] in "'’"):
            start -= 1
    while end + 1 < len(text) and text[end] == "-" and text[end + 1].isalpha():
        end += 1
        while end < len(text) and (text[end].isalpha() or text[end] in "'’"):
            end += 1
    if (start, end) == (m.start, m.end):
        return m
    span = text[start:end]
    return Found(m.label, start, end, span, normalise_name(span), m.confidence, attrs=m.attrs)


def normalise_name(text: str) -> str:
    """'SMITH, John' and 'John  Smith' -> 'JOHN SMITH' (a key for linkage, not for display)."""
    t = re.sub(r"\s+", " ", text.strip())
    t = re.sub(r"'s$", "", t)
    if "," in t:
        surname, _, given = t.partition(",")
        t = f"{given.strip()} {surname.strip()}"
    return t.upper()


def attach(doc: Any, mentions: list[Found]) -> list[Found]:
    """Ages and dates of birth go to the nearest person in the sentence; roles from the text."""
    persons = [m for m in mentions if m.label == "PERSON"]
    for m in mentions:
        if m.label not in ("AGE", "DOB"):
            continue
        owner = _nearest_person(doc, m, persons)
        if owner is not None:
            key = "age" if m.label == "AGE" else "dob"
            owner.attrs.setdefault(key, int(m.normalised) if key == "age" else m.normalised)
    out = []
    for m in mentions:
        if m.label == "OFFICER":
            out.append(dataclasses.replace(m, role="professional"))
        elif m.label == "PERSON":
            out.append(dataclasses.replace(m, role=_role(doc, m)))
        else:
            out.append(m)
    return out


def _sentence_bounds(doc: Any, char: int) -> tuple[int, int]:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    if span is None or len(span) == 0:
        return 0, len(doc.text)
    sent = span[0].sent
    return sent.start_char, sent.end_char


def _nearest_person(doc: Any, age: Found, persons: list[Found]) -> Found | None:
    lo, hi = _sentence_bounds(doc, age.start)
    before = [p for p in persons if lo <= p.start and p.end <= age.start <= p.end + 60]
    if before:
        return max(before, key=lambda p: p.end)
    after = [p for p in persons if age.end <= p.start <= age.end + 40 and p.end <= hi]
    if after:
        return min(after, key=lambda p: p.start)
    return None


def _role(doc: Any, m: Found) -> str:
    """The role the words around a name give: near cues, then the verb after, then far cues."""
    lo, hi = _sentence_bounds(doc, m.start)
    before = re.findall(r"[a-z][a-z\-]*|[:(]", doc.text[max(lo, m.start - 60) : m.start].lower())
    if len(before) >= 2 and before[-1] == "of" and ROLE_CUES.get(before[-2]) == "reporter":
        return "victim"  # "mother of Courtney"
    near, far = before[-2:], before[-6:-2]
    for word in reversed(near):
        if word in ROLE_CUES:
            return ROLE_CUES[word]
    after_text = re.sub(r"^\s*\([^)]*\)", "", doc.text[m.end : min(hi, m.end + 80)])
    bracket = re.match(r"^\s*\(([^)]*)\)", doc.text[m.end : min(hi, m.end + 40)])
    if bracket and any(w in _PROFESSIONAL_AFTER for w in bracket[1].lower().split()):
        return "professional"
    clause = _OTHER_NAMES.sub("", after_text, count=1)
    for pattern, role in _AFTER_ROLE:
        if pattern.match(after_text) or pattern.match(clause):
            return role
    if " ".join(before[-3:]).endswith(("address of", "registered to", "associating with")):
        return "suspect"
    if any(w in ("present", "attendance") for w in before[-8:]) and ":" in before[-8:]:
        return "professional"
    for word in reversed(far):
        if word in ROLE_CUES:
            return ROLE_CUES[word]
    after = re.findall(r"[a-z][a-z\-]*", after_text.lower())[:3]
    for word in after:
        if word in ROLE_CUES and ROLE_CUES[word] != "reporter":
            return ROLE_CUES[word]
    age = m.attrs.get("age")
    if isinstance(age, int):
        return "victim" if age < 18 else "unknown"
    return "unknown"


_PROFESSIONAL_AFTER = {"care", "education", "health", "service", "chair", "school", "police"}


def has_child(doc: Any, mentions: list[Found]) -> bool:
    if any(m.label == "AGE" and int(m.normalised) < 18 for m in mentions):
        return True
    return any(t.lower_ in _CHILD_WORDS for t in doc)


def adult_partner(doc: Any, span: Any, mentions: list[Found]) -> bool:
    """Is the 'boyfriend' an adult? An adult age, 'older' or 'man' in the sentence, or quotes."""
    sent = span.sent
    if any(
        m.label == "AGE" and int(m.normalised) >= 18 and sent.start_char <= m.start < sent.end_char
        for m in mentions
    ):
        return True
    if any(t.lower_ in _ADULT_WORDS for t in sent):
        return True
    before = doc[span.start - 1] if span.start > 0 else None
    return before is not None and before.text in ("'", '"', "‘", "“")


def age_gap(mentions: list[Found], flags: list[Flag], years: int) -> Flag | None:
    """A child and an adult named together where the record shows signs of exploitation."""
    if not any(f.present for f in flags if f.kind in ("indicator", "disclosure")):
        return None
    ages = [(int(m.normalised), m) for m in mentions if m.label == "AGE"]
    children = [(a, m) for a, m in ages if a < 18]
    adults = [(a, m) for a, m in ages if a >= 18]
    if not children or not adults:
        return None
    child = min(children, key=lambda x: x[0])
    adult = max(adults, key=lambda x: x[0])
    if adult[0] - child[0] < years:
        return None
    start, end = min(child[1].start, adult[1].start), max(child[1].end, adult[1].end)
    return Flag(
        "age_gap",
        "age_gap",
        start,
        end,
        f"{child[1].text} / {adult[1].text}",
        attrs={"child_age": child[0], "adult_age": adult[0], "gap": adult[0] - child[0]},
    )
