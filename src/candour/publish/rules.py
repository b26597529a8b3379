"""What a redactor adds to and takes from the recognisers' spans, in plain text terms.

Added: street addresses by their UK street words; the town after an address; a nickname in
quotes or brackets after a name; the initials of a name found in full, and the initials that
minutes and logs use for their authors and attendees. Taken away: words a general NER model
reads as names but that are form labels, family words, acronyms of the trade, vehicle makes,
or lower-case generic references ("the hotel").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from candour.extract.people import ACRONYMS

STREET_WORDS = (
    "Road", "Street", "Lane", "Close", "Walk", "Parade", "View", "Rise", "Terrace", "Estate",
    "Avenue", "Drive", "Way", "Court", "Mews", "Crescent", "Gardens", "Grove", "Place", "Square",
    "Hill", "Row", "Park", "Green", "Fields", "Wharf", "Yard", "Bank", "Gate", "Side", "Vale",
)  # fmt: skip
_CAP = r"[A-Z][a-z'’]+(?:-[A-Z][a-z]+)?"
STREET = re.compile(rf"\b(?:{_CAP}[ ]){{1,3}}(?:{'|'.join(STREET_WORDS)})\b")
STREET_CAPS = re.compile(
    rf"\b(?:[A-Z]{{3,}}[ ]){{1,3}}(?:{'|'.join(w.upper() for w in STREET_WORDS)})\b"
)
#: A town or area after an address part: ", Pennock" at the end of a line or before a postcode.
TOWN_AFTER = re.compile(rf"^,[ ]({_CAP}(?:[ ]{_CAP})?)(?=[ ]*(?:,|\n|$|[A-Z]{{1,2}}\d|\)|;))")
NICKNAME_AFTER = re.compile(
    r"^[ ]*(?:\(\s*(?:aka|a\.k\.a\.|known as|nickname)?\s*[\"“']?|[\"“'])"
    r"([A-Z][A-Za-z'\-]{1,14})[\"”']?\s*\)?"
)
NAME_CUE = re.compile(
    r"\b(?:known as|calls? (?:him|her|himself|herself)|called|named|nicknamed|aka)\s+"
    r"[\"“']([A-Z][A-Za-z'\-]{1,14})[\"”']",
)
# Initials as names, in the places minutes and logs put them: an attendance list entry
# "HB (Police)", a speaker "HB:" at a line's start, a signature "- GH" at a line's end.
INITIALS_LISTED = re.compile(r"(?<![\w&])([A-Z]{2,3})(?=\s*\((?![A-Z]{2,3}\)))")
INITIALS_SPEAKER = re.compile(r"(?m)^(?:[-•*]\s*)?([A-Z]{2,3})(?=:\s)")
INITIALS_SIGNED = re.compile(r"(?m)[-–]\s*([A-Z]{2,3})\s*$")
_LIST_LINE = re.compile(r"(?im)^(?:attendance|attendees|present|apologies|in attendance)\b.*$")

NOT_NAMES = {
    "dob", "mum", "dad", "mother", "father", "victim", "suspect", "supervisor", "chair",
    "interviewer", "worker", "episode", "attendance", "next", "flat", "key", "emergency",
    "licensing", "hub", "van", "car", "taxi", "snapchat", "instagram", "tiktok", "whatsapp",
    "facebook", "specialist nurse", "subject", "officer", "date", "name", "address", "ref",
    "child", "parent", "witness", "reporter", "pupil", "school", "linear", "fraser",
}  # fmt: skip
VEHICLE_MAKES = {
    "vauxhall", "ford", "toyota", "bmw", "audi", "mercedes", "nissan", "peugeot", "honda",
    "volkswagen", "vw", "skoda", "renault", "kia", "hyundai", "seat", "fiat", "citroen",
    "mazda", "volvo", "mini", "land rover", "range rover", "jaguar", "tesla", "suzuki",
}  # fmt: skip
ORG_WORDS = {
    "school", "academy", "college", "taxis", "taxi", "cars", "ltd", "limited", "plc", "hotel",
    "house", "homes", "home", "council", "hospital", "clinic", "surgery", "centre", "grill",
    "kebab", "pizza", "takeaway", "bar", "pub", "inn", "arms", "lodge", "services", "roofing",
    "garage", "motors", "shop", "store", "cafe", "café", "club", "high", "primary", "infirmary",
    "trust", "group", "church", "mosque", "court", "police", "university", "nursery",
}  # fmt: skip


def not_a_name(text: str) -> bool:
    """A span a general NER model found that is no one's name or address."""
    t = text.strip()
    low = t.lower()
    if "\n" in t or low.startswith(("the ", "an ", "a ")) or low in NOT_NAMES:
        return True
    if t.upper() in ACRONYMS or (t.isupper() and len(t) <= 5 and t.isalpha() and len(t) > 3):
        return True
    first = low.split()[0] if low.split() else low
    if first in VEHICLE_MAKES or low in VEHICLE_MAKES:
        return True
    return bool(re.fullmatch(r"[a-z].*", t))  # lower-case: a generic reference


def is_named_org(text: str) -> bool:
    """An organisation named in a way that points at one (a school, a firm, a home)."""
    words = {w.lower().strip(".,'’") for w in text.split()}
    return bool(words & ORG_WORDS) and not text.isupper()


def streets(text: str) -> Iterator[tuple[int, int]]:
    for pattern in (STREET, STREET_CAPS):
        for m in pattern.finditer(text):
            yield m.start(), m.end()


def town_after(text: str, end: int) -> tuple[int, int] | None:
    m = TOWN_AFTER.match(text[end : end + 40])
    if m is None:
        return None
    return end + m.start(1), end + m.end(1)


def nickname_after(text: str, end: int) -> tuple[int, int] | None:
    m = NICKNAME_AFTER.match(text[end : end + 40])
    if m is None or m[1].lower() in NOT_NAMES or m[1].upper() in ACRONYMS:
        return None
    return end + m.start(1), end + m.end(1)


def cued_names(text: str) -> Iterator[tuple[int, int]]:
    for m in NAME_CUE.finditer(text):
        yield m.start(1), m.end(1)


def initials_of(name: str) -> str | None:
    """'Kayleigh DUNMORE' -> 'KD'; 'DUNMORE, Kayleigh' -> 'KD'; single words have none."""
    if "," in name:
        family, _, given = name.partition(",")
        name = f"{given.strip()} {family.strip()}"
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'\-]*", name) if len(w) > 1 or w.isupper()]
    if len(words) < 2:
        return None
    return "".join(w[0].upper() for w in words[:3])


def listed_initials(text: str) -> Iterator[tuple[int, int]]:
    """Initials in attendance lists, as speakers and as signatures."""
    for line in _LIST_LINE.finditer(text):
        for m in INITIALS_LISTED.finditer(line[0]):
            if m[1] not in ACRONYMS:
                yield line.start() + m.start(1), line.start() + m.end(1)
        for m in re.finditer(r"(?<![\w&])([A-Z]{2,3})(?=\s*(?:[,;]|$))", line[0]):
            if m[1] not in ACRONYMS:
                yield line.start() + m.start(1), line.start() + m.end(1)
    for pattern in (INITIALS_SPEAKER, INITIALS_SIGNED):
        for m in pattern.finditer(text):
            if m[1] not in ACRONYMS:
                yield m.start(1), m.end(1)


def word_spans(text: str, forms: Iterable[str]) -> Iterator[tuple[str, int, int]]:
    """Every whole-word occurrence of each form, matched case-sensitively for initials."""
    for form in forms:
        flags = 0 if form.isupper() and len(form) <= 3 else re.IGNORECASE
        for m in re.finditer(rf"(?<![\w@.]){re.escape(form)}(?![\w@])", text, flags):
            yield form, m.start(), m.end()
