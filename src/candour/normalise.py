"""One place for the identifier patterns and keys that extraction, linking, the graph and
publication share (as FollowTheMoney keeps its type normalisers in one module).

A key is what two spellings of the same identifier have in common: a phone as its 10-11
national digits, a postcode and a plate upper case without spaces (a partial plate ends in
`*`). A pattern finds the identifier in running text; the keys validate what it found.
Pure functions and compiled patterns only: importing this module is cheap.
"""

from __future__ import annotations

import re

__all__ = [
    "EMAIL",
    "PHONE",
    "PLATE_CURRENT",
    "PLATE_PARTIAL",
    "PLATE_PREFIX",
    "PLATE_SUFFIX",
    "POSTCODE",
    "email_key",
    "identifier_key",
    "phone_key",
    "plate_key",
    "postcode_display",
    "postcode_key",
    "squash",
]

# A UK number: +44 or 0, then 9-10 digits in groups separated by spaces, dots, dashes or a
# bracketed area code. Bounded so that long reference numbers never match.
PHONE = re.compile(
    r"(?<![\w/+])(?:\+44\s?\(?0?\)?\s?|\(0|0)\d(?:[\s.\-)]{0,2}\d){8,9}(?![\w/])",
)
#: Outward code, optional space, inward code ("ZZ4 7QA", "ZZ49HW"); upper case as written.
POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")
#: Current-format plates (2001 on): "AB12 CDE"; lower case is accepted only with the space.
PLATE_CURRENT = re.compile(r"\b([A-Z]{2}[0-9]{2}) ?([A-Z]{3})\b", re.IGNORECASE)
PLATE_PREFIX = re.compile(r"\b([A-Z][0-9]{1,3}) ?([A-Z]{3})\b")
PLATE_SUFFIX = re.compile(r"\b([A-Z]{3}) ?([0-9]{1,3}[A-Z])\b")
#: The first half of a current plate on its own ("QF19"): needs a vehicle word nearby.
PLATE_PARTIAL = re.compile(r"\b([A-Z]{2}[0-9]{2})\b(?! ?[0-9][A-Z]{2}\b)(?! ?[A-Z]{3}\b)")
EMAIL = re.compile(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b")

_NOT_DIGIT = re.compile(r"\D")
_SPACE = re.compile(r"\s")
_POSTCODE_FULL = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")


def phone_key(raw: str) -> str | None:
    """National form: '+44 (0)7700 900123' and '07700-900-123' are both '07700900123'."""
    digits = _NOT_DIGIT.sub("", raw)
    if raw.lstrip().startswith("+44"):
        digits = digits[2:]
    digits = "0" + digits.lstrip("0")
    return digits if len(digits) in (10, 11) else None


def postcode_key(raw: str) -> str | None:
    """'zz4 7qa' and 'ZZ47QA' are 'ZZ47QA'; None if it is not a postcode's shape."""
    key = _SPACE.sub("", raw).upper()
    return key if _POSTCODE_FULL.fullmatch(key) else None


def postcode_display(raw: str) -> str | None:
    """The postcode as Royal Mail writes it: 'ZZ4 7QA'."""
    key = postcode_key(raw)
    return None if key is None else f"{key[:-3]} {key[-3:]}"


def plate_key(raw: str) -> str:
    """'qk68 rwd' is 'QK68RWD'; a trailing '*' (partial plate) is kept."""
    return _SPACE.sub("", raw).upper()


def email_key(raw: str) -> str:
    return raw.strip().lower()


def squash(text: str) -> str:
    """Lower case with every non-alphanumeric character removed: the form in which the
    residual check compares an identifier with published text ('Q K 6 8-rwd' = 'qk68rwd')."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


_KEYS = {"phone": phone_key, "postcode": postcode_key, "vehicle": plate_key, "email": email_key}


def identifier_key(kind: str, raw: str) -> str | None:
    """The key of an identifier of a known kind (phone, postcode, vehicle, email); others squash."""
    key = _KEYS.get(kind)
    return key(raw) if key is not None else (squash(raw) or None)
