"""Recognisers for what UK police and safeguarding notes contain and a general NER model misses.

Presidio-style pattern recognisers: a regular expression over the text, context words where a
pattern alone is ambiguous (a partial plate needs a vehicle nearby), and a validating
normaliser that gives linkage a stable key: plates and postcodes upper case without spaces,
phones as 10-11 national digits, dates as ISO. They work on character offsets of the same text
spaCy reads, so their hits and spaCy's entities are resolved against each other by offset; no
tokeniser of our own is involved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        )
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
DATE_RE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
    r"|\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_RE})\.?,?\s+\d{{4}})"
)


@dataclass(frozen=True)
class Hit:
    """A recogniser's match: label, character offsets, normalised value, attributes."""

    label: str
    start: int
    end: int
    normalised: str
    confidence: float
    attrs: tuple[tuple[str, object], ...] = ()


def parse_date(text: str) -> date | None:
    """A written date (03/04/1989, 3/4/89, 1989-04-03, 3rd April 1989) as a date, UK order."""
    t = text.strip().lower().replace(",", "")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})", t)
        if m:
            d, mo, y = int(m[1]), int(m[2]), int(m[3])
            if len(m[3]) == 2:
                y += 1900 if y > 30 else 2000
        else:
            m = re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?\s+(\d{{4}})", t)
            if not m:
                return None
            d, mo, y = int(m[1]), _MONTHS[m[2]], int(m[3])
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _phone(raw: str) -> str | None:
    """National form: '+44 (0)7700 900123' and '07700-900-123' are both '07700900123'."""
    digits = re.sub(r"\D", "", raw)
    if raw.lstrip().startswith("+44"):
        digits = digits[2:]
    digits = "0" + digits.lstrip("0")
    return digits if len(digits) in (10, 11) else None


# A UK number: +44 or 0, then 9-10 digits in groups separated by spaces, dots, dashes or a
# bracketed area code. Bounded so that long reference numbers never match.
_PHONE = re.compile(
    r"(?<![\w/+])(?:\+44\s?\(?0?\)?\s?|\(0|0)\d(?:[\s.\-)]{0,2}\d){8,9}(?![\w/])",
)
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")
_PLATE_CURRENT = re.compile(r"\b([A-Z]{2}[0-9]{2}) ?([A-Z]{3})\b", re.IGNORECASE)
_PLATE_PREFIX = re.compile(r"\b([A-Z][0-9]{1,3}) ?([A-Z]{3})\b")
_PLATE_SUFFIX = re.compile(r"\b([A-Z]{3}) ?([0-9]{1,3}[A-Z])\b")
_PLATE_PARTIAL = re.compile(r"\b([A-Z]{2}[0-9]{2})\b(?! ?[0-9][A-Z]{2}\b)(?! ?[A-Z]{3}\b)")
_VEHICLE_CUE = re.compile(
    r"\b(car|cars|vehicle|reg|registration|vrm|plate|plates|taxi|van|hatchback|saloon|"
    r"vauxhall|ford|toyota|bmw|audi|mercedes|nissan|peugeot|honda|volkswagen|vw|skoda|"
    r"renault|kia|hyundai|seat|fiat|citroen|mazda|something|driving|driven|drove|parked|"
    r"cortina|escort|fiesta|focus|corsa|astra|golf|polo|passat|octavia|micra|clio|qashqai|"
    r"transit|mondeo|vectra|insignia|prius|index|anpr)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b")
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?\b")
_PLATFORM_HANDLE = re.compile(
    r"\b(?:snapchat|snap|instagram|insta|tiktok|facebook|fb|twitter|whatsapp|kik)"
    r"(?:\s+(?:name|handle|username|user|account|as|is|called))*\s*[:\-]?\s*"
    r"(?P<h>[a-z0-9_]+(?:[._][a-z0-9_]+)*[0-9_][a-z0-9_]*|[a-z0-9]+[._][a-z0-9_.]+)",
    re.IGNORECASE,
)
_BADGE = re.compile(
    r"\b(?:private[\s\-]hire|hackney|taxi|cab|driver'?s?)\s+(?:driver\s+)?"
    r"(?:badge|licence|license|plate)\s*(?:number|no\.?|#)?\s*:?\s*(?P<n>[A-Z]{0,3}\s?\d{2,6})\b"
    r"|\bbadge\s*(?:number|no\.?|#)\s*:?\s*(?P<m>[A-Z]{0,3}\s?\d{2,6})\b",
    re.IGNORECASE,
)
_RANKS = (
    r"Assistant Chief Constable|Deputy Chief Constable|Chief Constable|"
    r"Detective Chief Superintendent|Detective Superintendent|Det Supt|Det Insp|Det Sgt|"
    r"Det Con|Ch Insp|Ch Supt|"
    r"PC|DC|PS|DS|Insp|Inspector|DI|ChInsp|DCI|Supt|Superintendent|DSupt|ChSupt|ACC|DCC|CC|"
    r"Sgt|Sergeant|Constable|Detective Constable|Detective Sergeant|Detective Inspector|"
    r"Detective Chief Inspector|Chief Inspector|Chief Superintendent|PCSO"
)
# A rank, then a collar number, a name, or both ("DC 5521 HUGHES", "Sgt 912 L. MACKAY").
_OFFICER = re.compile(rf"\b(?P<rank>{_RANKS})\.?[ \t]+(?:(?P<num>\d{{2,5}})\b[ \t]*)?")
_OFFICER_NAME_WORD = re.compile(
    r"(?:[A-Z]\.|Mc[A-Z][A-Za-z]+|Ma?c[A-Z][a-z]+|O'[A-Z][A-Za-z]+|[A-Z][a-z]+(?:-[A-Z][a-z]+)*"
    r"|[A-Z]{2,}(?:-[A-Z]{2,})?)(?![\w'])"
)
_DOB = re.compile(
    rf"\b(?:DOB|D\.O\.B\.?|date of birth|born(?: on)?)\s*[:\-]?\s*(?P<d>{DATE_RE})",
    re.IGNORECASE,
)
_AGE_NUM = r"(?P<n>\d{1,2})"
_AGES = (
    re.compile(rf"\b(?:aged|age)\s*:?\s*{_AGE_NUM}\b(?!\s*(?:%|hrs|hours|minutes))", re.I),
    re.compile(rf"\b{_AGE_NUM}[\s\-]*(?:years?|yrs?|yo)[\s\-]*old\b", re.I),
    re.compile(rf"\b{_AGE_NUM}\s*(?:yrs|yo|y/o)\b", re.I),
    re.compile(rf"(?<=[A-Za-z] )\({_AGE_NUM}\)", re.I),  # the number only
    re.compile(
        rf"\b(?:who is|who's|he is|she is|is now|is only|is|was|only|now)\s+{_AGE_NUM}"
        r"(?=\s*(?:[.,;)]|and\b|$))",
        re.I,
    ),
)
_TIME = re.compile(r"\b(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\s?(?:hrs|hours)\b", re.I)
_DATE = re.compile(rf"\b{DATE_RE}\b", re.IGNORECASE)
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday)?"
# Dates without a year ("3rd November", "Tues 25 November", "15/10"), month and year
# ("July 2025"), and an attached weekday; the value keeps what is known (month-day or year-month).
_DATE_LOOSE = re.compile(
    rf"\b(?:(?P<wd>{_WEEKDAY})\.?,?\s+)?(?:"
    rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*[-–]\s*\d{{1,2}}(?:st|nd|rd|th)?)?\s+(?:of\s+)?"
    rf"(?P<m>{_MONTH_RE})\.?(?:,?\s+(?P<y>\d{{4}}))?"
    rf"|(?P<m2>{_MONTH_RE})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<m3>{_MONTH_RE})\s+(?P<y3>(?:19|20)\d{{2}})"
    r"|(?P<dn>\d{1,2})/(?P<mn>\d{1,2})(?![/\d])(?<!\d/\d{3})"
    r")\b",
    re.IGNORECASE,
)
_DATE_WITH_WEEKDAY = re.compile(rf"\b{_WEEKDAY}\.?,?\s+(?={DATE_RE})", re.IGNORECASE)

_BUSINESS_WORDS = (
    "taxis|taxi|cars|private hire|cabs|kebabs|kebab|kebab house|pizza|pizzas|takeaway|"
    "chicken|grill|fish bar|chippy|hotel|motel|lodge|inn|guest house|cafe|café|snooker club|"
    "snooker|shisha lounge|lounge|bar|express|food|restaurant|balti|tandoori|store|stores|"
    "minimarket|mini market|car wash|garage|motors|autos|balti house|kebab house|pizza house|"
    "curry house|takeaway shop|fast food"
)
_BUSINESS_WORDS = "|".join(sorted(_BUSINESS_WORDS.split("|"), key=len, reverse=True))
_BUSINESS = re.compile(
    r"\b(?P<name>(?:(?:[A-Z][\w'&]*|&|and|of|the)\s){0,3}?[A-Z][\w'&]*(?:'s)?\s"
    rf"(?i:{_BUSINESS_WORDS}))\b"
)


_BUSINESS_TAIL = re.compile(rf"(?i:{_BUSINESS_WORDS})$")
_COMMON_WORDS = {"two", "three", "girls", "boys", "men", "seen", "went", "with", "were", "was"}


def _business_candidates(text: str) -> Iterator[Hit]:
    for m in _BUSINESS.finditer(text):
        name = m["name"]
        words = name.split()
        # Keep the words next to the business word up to the first that is not part of a name
        # ("at", "The", "girls" ...): in capitals, case alone cannot tell.
        tail_len = len(_BUSINESS_TAIL.search(name)[0].split())  # type: ignore[index]
        keep = len(words) - tail_len
        while (
            keep > 0
            and words[keep - 1].lower() not in _NOT_NAME | _COMMON_WORDS
            and (words[keep - 1][:1].isupper() or words[keep - 1] in ("&", "of"))
        ):
            keep -= 1
        words = words[keep:]
        while words and words[0] in ("&", "of", "and"):
            words = words[1:]
        if len(words) < 2 or not words[0][:1].isupper():
            continue
        if words[0].lower() in _GENERIC_BUSINESS_HEAD:
            continue
        start = m.start("name") + name.index(words[0])
        text_name = " ".join(words)
        yield Hit(
            "BUSINESS",
            start,
            start + len(text_name),
            text_name.upper(),
            0.85,
            (("kind", words[-1].lower()),),
        )


_NOT_NAME = {
    "the", "a", "an", "at", "in", "on", "to", "from", "by", "of", "and", "near", "outside",
    "behind", "inside", "into", "with", "local", "nearby", "same", "his", "her", "their", "this",
    "that",
    "she", "he", "they", "we", "i", "it", "yesterday", "today", "later", "then", "when", "staff",
    "police", "officers", "mum", "dad", "mother", "father", "there", "both", "after", "before",
    "while", "whilst", "also", "she's", "he's", "went", "was", "were",
}  # fmt: skip
_GENERIC_BUSINESS_HEAD = {"taxi", "the", "a", "local", "private", "hackney", "fast", "late"}


def _emit(
    pattern: re.Pattern[str], text: str, label: str, norm: Callable[[re.Match[str]], str | None],
    group: str | int = 0, confidence: float = 0.99,
) -> Iterator[Hit]:  # fmt: skip
    for m in pattern.finditer(text):
        value = norm(m)
        if value is not None:
            yield Hit(label, m.start(group), m.end(group), value, confidence)


def recognise(text: str) -> list[Hit]:
    """Every domain hit in a text (overlaps are resolved later with the NER's spans)."""
    hits: list[Hit] = []
    hits += _emit(_PHONE, text, "PHONE", lambda m: _phone(m[0]))
    hits += _emit(_POSTCODE, text, "POSTCODE", lambda m: f"{m[1]} {m[2]}")
    hits += _emit(_EMAIL, text, "EMAIL", lambda m: m[0].lower())
    hits += _emit(_HANDLE, text, "HANDLE", lambda m: m[0].lower())
    hits += _emit(
        _PLATFORM_HANDLE, text, "HANDLE", lambda m: "@" + m["h"].lower(), group="h", confidence=0.8
    )
    for m in _BADGE.finditer(text):
        g = "n" if m["n"] else "m"
        hits.append(Hit("BADGE", m.start(g), m.end(g), re.sub(r"\s", "", m[g]).upper(), 0.95))
    hits += _plates(text)
    hits += _officers(text)
    for m in _DOB.finditer(text):
        d = parse_date(m["d"])
        if d is not None:
            hits.append(Hit("DOB", m.start("d"), m.end("d"), d.isoformat(), 0.98))
    for i, pattern in enumerate(_AGES):
        for m in pattern.finditer(text):
            n = int(m["n"])
            if 0 < n < 100:
                # "aged 14", "14-year-old" keep their words; a bare "(14)" or "is 27" is the number.
                part: str | int = "n" if i >= 3 else 0
                hits.append(Hit("AGE", m.start(part), m.end(part), str(n), 0.95))
    hits += _emit(_TIME, text, "TIME", lambda m: f"{m['h']}:{m['m']}")
    for m in _DATE.finditer(text):
        d = parse_date(m[0])
        if d is not None:
            wd = _DATE_WITH_WEEKDAY.search(text, max(0, m.start() - 12), m.start())
            start = wd.start() if wd and wd.end() == m.start() else m.start()
            hits.append(Hit("DATE", start, m.end(), d.isoformat(), 0.9))
    hits += _loose_dates(text)
    hits += _business_candidates(text)
    return hits


def _loose_dates(text: str) -> Iterator[Hit]:
    for m in _DATE_LOOSE.finditer(text):
        day, month, year = m["d"] or m["d2"] or m["dn"], m["m"] or m["m2"] or m["m3"], None
        year = m["y"] or m["y2"] or m["y3"]
        mo = _MONTHS.get(month.lower().rstrip(".")) if month else int(m["mn"])
        if mo is None or not 1 <= mo <= 12 or (day is not None and not 1 <= int(day) <= 31):
            continue
        if month and month.lower() == "may" and not (day or year):
            continue
        if (
            m["dn"]
            and not m["wd"]
            and re.search(r"(?:\d\s*/\s*)$", text[max(0, m.start() - 4) : m.start()])
        ):
            continue  # a grading "B / 3 / 1" or a fraction, not a date
        value = f"{year or '-'}-{mo:02d}" + (f"-{int(day):02d}" if day else "")
        yield Hit("DATE", m.start(), m.end(), value, 0.85)


def _plates(text: str) -> Iterator[Hit]:
    for m in _PLATE_CURRENT.finditer(text):
        raw = m[0]
        # Lower-case plates only when written with the space, so ordinary words never match.
        if not raw.isupper() and " " not in raw:
            continue
        yield Hit(
            "VEHICLE", m.start(), m.end(), (m[1] + m[2]).upper(), 0.99, (("format", "current"),)
        )
    for pattern, fmt in ((_PLATE_PREFIX, "prefix"), (_PLATE_SUFFIX, "suffix")):
        for m in pattern.finditer(text):
            if _has_vehicle_cue(text, m.start(), m.end()):
                yield Hit("VEHICLE", m.start(), m.end(), m[1] + m[2], 0.9, (("format", fmt),))
    for m in _PLATE_PARTIAL.finditer(text):
        if _has_vehicle_cue(text, m.start(), m.end()):
            yield Hit("VEHICLE", m.start(), m.end(), m[1] + "*", 0.8, (("format", "partial"),))


def _has_vehicle_cue(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - 80) : end + 40]
    return _VEHICLE_CUE.search(window) is not None


_NOT_SURNAME = {
    "The", "A", "An", "And", "On", "At", "In", "To", "Was", "Is", "Has", "Had", "Who", "AND", "TO",
    "THE", "THAT", "SAID", "WAS", "IS", "HAS", "HAD", "WHO", "FOR", "OF", "ON", "AT", "IN", "BY",
    "FROM", "WITH", "I", "He", "She", "They", "HE", "SHE", "THEY", "Team", "Unit", "Officer",
    "Officers", "If", "It", "As", "Of", "For", "By", "From", "With", "Not", "No", "NO", "NOT",
    "Please", "Also", "Then", "When", "But", "Or", "OR", "BUT",
}  # fmt: skip


def name_after(text: str, pos: int) -> tuple[int, int] | None:
    """The name after a rank and collar number: up to a given name or initial and a surname."""
    words: list[tuple[int, int]] = []
    at = pos
    while len(words) < 3:
        m = _OFFICER_NAME_WORD.match(text, at)
        if m is None or m[0] in _NOT_SURNAME or m[0].upper() in _TRADE_WORDS:
            break
        words.append((m.start(), m.end()))
        if not m[0].endswith(".") and (text[m.end() : m.end() + 1] != " "):
            break
        at = m.end() + 1
        if m[0].endswith(".") or (len(words) == 1 and _looks_given(m[0], text, at)):
            continue
        break
    while words and text[words[-1][0] : words[-1][1]].endswith("."):
        words.pop()  # an initial alone is not a name
    if not words:
        return None
    return words[0][0], words[-1][1]


def _looks_given(word: str, text: str, at: int) -> bool:
    """'Hannah' in 'DS Hannah BRIERLEY': a title-case word followed by another name word."""
    nxt = _OFFICER_NAME_WORD.match(text, at)
    return (
        nxt is not None and nxt[0] not in _NOT_SURNAME and nxt[0].upper() not in _TRADE_WORDS
        and (word.istitle() or word.isupper()) and not word.endswith(".")
        and (word.istitle() != nxt[0].istitle() or (word.istitle() and nxt[0].istitle()))
    )  # fmt: skip


_TRADE_WORDS = {
    "CID", "CSE", "CCE", "MASH", "MFH", "CCTV", "PNC", "ANPR", "OIC", "DOB", "NFA", "RE", "CPS",
    "BWV", "NB", "AM", "PM", "HRS", "SOCO", "CAD", "URN", "IDVA", "ISVA",
}  # fmt: skip


def _officers(text: str) -> Iterator[Hit]:
    for m in _OFFICER.finditer(text):
        rank = m["rank"]
        key = _rank_key(rank)
        name = name_after(text, m.end())
        attrs: list[tuple[str, object]] = [("rank", key)]
        if m["num"]:
            attrs += [("collar", m["num"]), ("collar_span", (m.start("num"), m.end("num")))]
        if name is not None:
            value = text[name[0] : name[1]]
            attrs += [("name", value.upper()), ("name_span", name)]
            yield Hit("OFFICER", m.start(), name[1], f"{key} {value.upper()}", 0.95, tuple(attrs))
        elif m["num"]:
            yield Hit("OFFICER", m.start(), m.end("num"), f"{key} {m['num']}", 0.95, tuple(attrs))


_RANK_KEYS = {
    "chief constable": "CC",
    "deputy chief constable": "DCC",
    "assistant chief constable": "ACC",
    "inspector": "Insp",
    "sergeant": "PS",
    "sgt": "PS",
    "constable": "PC",
    "detective constable": "DC",
    "detective sergeant": "DS",
    "detective inspector": "DI",
    "detective chief inspector": "DCI",
    "chief inspector": "ChInsp",
    "chief superintendent": "ChSupt",
    "superintendent": "Supt",
    "det supt": "DSupt",
    "detective superintendent": "DSupt",
    "detective chief superintendent": "DChSupt",
    "det insp": "DI",
    "det sgt": "DS",
    "det con": "DC",
    "ch insp": "ChInsp",
    "ch supt": "ChSupt",
}


def _rank_key(rank: str) -> str:
    return _RANK_KEYS.get(rank.lower(), rank)
