"""Stable labels for the people and things a report names: Child A, Adult B, Officer 3.

One `Pseudonyms` object serves a whole report, so the same person gets the same label in every
section, table and chart. People are keyed by the store's person id when the text matched a
known identifier, else by their name's squashed form; a shorter form ("Kayleigh") found after a
fuller one ("Kayleigh DUNMORE") takes the fuller one's label.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from candour.normalise import squash

_CHILD_ROLES = {"victim", "child", "child_at_risk", "missing"}

#: How things other than people are labelled, by entity.
THING_LABELS = {
    "LOCATION": "Place",
    "ORGANIZATION": "Organisation",
    "UK_PHONE": "Phone",
    "UK_POSTCODE": "Postcode",
    "UK_VEHICLE": "Vehicle",
    "EMAIL_ADDRESS": "E-mail",
    "DATE_OF_BIRTH": "date of birth",
    "SOCIAL_HANDLE": "Account",
    "TAXI_BADGE": "Badge",
    "UK_NHS": "NHS number",
    "UK_NINO": "NI number",
}
_UNNUMBERED = {"DATE_OF_BIRTH", "UK_NHS", "UK_NINO"}


def _letters(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = string.ascii_uppercase[r] + out
    return out


@dataclass
class Pseudonyms:
    people: dict[str, str] = field(default_factory=dict)
    things: dict[tuple[str, str], str] = field(default_factory=dict)
    _letter: int = 0
    _officer: int = 0
    _counts: dict[str, int] = field(default_factory=dict)
    _names: list[tuple[frozenset[str], str]] = field(default_factory=list)
    #: Forms removed so far (as written, lower case) with their entity and label.
    forms: dict[str, tuple[str, str]] = field(default_factory=dict)

    def person(self, key: str, role: str) -> str:
        """The label of a person; the role decides the word only when first seen.

        A key is a store person id ("id:...") or a name as written; two names are one person
        when the words of one are all among the words of the other ("DUNMORE, Kayleigh",
        "Kayleigh Dunmore", "Kayleigh"), so a shared surname alone does not join two people."""
        words = frozenset(w for w in re.findall(r"[a-z0-9]+", key.lower()) if len(w) > 1)
        k = squash(key)
        if k in self.people:
            return self.people[k]
        if words and not key.startswith("id:"):
            for known, label in self._names:
                if words <= known or known <= words:
                    self.people[k] = label
                    return label
        if role == "officer":
            self._officer += 1
            label = f"Officer {self._officer}"
        else:
            word = "Child" if role in _CHILD_ROLES else "Adult"
            label = f"{word} {_letters(self._letter)}"
            self._letter += 1
        self.people[k] = label
        if words and not key.startswith("id:"):
            self._names.append((words, label))
        return label

    def alias(self, key: str, label: str) -> None:
        """Make a name (as written) another form of a labelled person (a store alias)."""
        words = frozenset(w for w in re.findall(r"[a-z0-9]+", key.lower()) if len(w) > 1)
        self.people.setdefault(squash(key), label)
        if words:
            self._names.append((words, label))

    def thing(self, entity: str, key: str) -> str:
        word = THING_LABELS.get(entity, "Redacted")
        if entity in _UNNUMBERED:
            return f"[{word}]"
        k = (entity, squash(key))
        if k not in self.things:
            self._counts[entity] = self._counts.get(entity, 0) + 1
            self.things[k] = f"{word} {self._counts[entity]}"
        return self.things[k]

    def remember(self, text: str, entity: str, label: str) -> None:
        """A removed name or place, so later parts of the report remove it too."""
        if entity not in _REMEMBERED or len(text) < 3:
            return
        self.forms.setdefault(text.lower(), (entity, label))
        if entity in ("PERSON", "OFFICER"):
            for w in re.findall(r"[A-Za-z][A-Za-z'\-]{2,}", text):
                if w[0].isupper() and w.lower() not in _RANK_WORDS:
                    self.forms.setdefault(w.lower(), ("PERSON", label))


_REMEMBERED = {"PERSON", "OFFICER", "LOCATION", "ORGANIZATION", "UK_VEHICLE", "UK_PHONE"}
_RANK_WORDS = {"chief", "constable", "inspector", "sergeant", "superintendent", "detective",
               "assistant", "deputy", "officer"}  # fmt: skip
