"""Names a document uses again: bare surnames, given names, initials, nicknames, titles.

A record names a person once in full ("Gary NEWTON", "NEWTON, Gary", "DS 2718 Hannah BRIERLEY")
and then writes "NEWTON", "Gary", "GN" or a nickname ("known as 'Gaz'"). Each full name found
in the document gives its short forms; every later token that is one of them, and is written
as a name (capitalised, not inside another mention), becomes a PERSON mention of the same
person: its `normalised` is the full name's, `attrs["refers_to"]` says so and `attrs["form"]`
says which short form it was. Initials need more care: they must be two or three capitals,
not a rank in front of a name or number ("PS 1234"), not a known abbreviation unless the
document defines them ("Kwame ASANTE (KA)"), and stand for exactly one person named earlier.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from candour.extract.domain import name_after
from candour.extract.types import Found

_TITLES = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Judge|Cllr|Councillor|Sister|Nurse|Father|Rev)"
    r"\.?[ \t]+"
)
_QUOTED = r"[\"'‘“](?P<quoted>[A-Z][\w\-]*(?: [A-Z][\w\-]*)?)[\"'’”]"
_NICKNAME = re.compile(
    r"\b(?:(?i:known as|also known as|aka|a\.k\.a\.?|nicknamed|goes by|calls? (?:him|her)(?:self)?|"
    r"called (?:him|her)|knows (?:him|her) as|knew (?:him|her) as|"
    r"(?:he|she) calls? (?:him|her)self|"
    r"name of|only as)\s+(?:" + _QUOTED + r"|(?P<bare>[A-Z][a-z][\w\-]*))"
    r"|(?i:calls?|called|as|named)\s+" + _QUOTED.replace("quoted", "quoted2") + ")"
)
_DEFINED_INITIALS = re.compile(r"\(\s*(?P<i>[A-Z]{2,3})\s*\)")
# A capitalised word as written, hyphenated parts joined ("Ruby-Mae", "Fitz-Allen", "O'NEILL").
_TOKEN = re.compile(
    r"(?<![\w'’\-@.])[A-Z][A-Za-z]*(?:['’\-][A-Za-z]+)*(?![\w\-@]|\.\w)(?!\s+(?i:guidance|competence|"
    r"criteria|ruling|principles|protocol)\b)"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]\.?")
# Short forms that are too ordinary to stand for a person when written alone.
_NOT_FORMS = {
    "MR", "MRS", "MS", "MISS", "DR", "THE", "AND", "MUM", "DAD", "SIR", "JUNIOR", "SENIOR", "VAN",
    "VON", "DE", "DA", "DI", "LE", "LA", "AL", "EL", "BIN", "BINT", "ST", "SAINT", "JR", "SR",
}  # fmt: skip
_RANKS = {"PC", "DC", "PS", "DS", "DI", "DCI", "CC", "ACC", "DCC", "PCSO", "SGT", "INSP", "SUPT"}
_REPLACEABLE = {"LOCATION", "ORG", "DATE"}


@dataclasses.dataclass
class _Person:
    normalised: str
    start: int
    given: list[str]
    family: list[str]
    nickname: bool = False


def _parts(text: str) -> tuple[list[str], list[str]]:
    """Given names and family names of a written name ('SMITH, John', 'NGUYEN Thi Hoa')."""
    if "," in text:
        family, _, given = text.partition(",")
        return _WORD.findall(given), _WORD.findall(family)
    words = [w for w in _WORD.findall(text) if not w.endswith(".")]
    initials = [w for w in _WORD.findall(text) if w.endswith(".")]
    if len(words) < 2:
        return ([], words) if not initials else ([i.rstrip(".") for i in initials], words)
    caps = [w for w in words if w.isupper() and len(w) > 1]
    if caps and len(caps) < len(words):
        return [w for w in words if w not in caps], caps
    return words[:-1], words[-1:]


def _initials(p: _Person) -> set[str]:
    if not p.given or not p.family:
        return set()
    g = [w[0] for w in p.given[:1]]
    hyphen = [part[0] for part in re.split(r"-", p.given[0]) if part]
    fam = [part[0] for w in p.family for part in re.split(r"-", w) if part]
    out = {"".join(g + fam[:1]), "".join(g + fam)}
    if len(hyphen) > 1:
        out.add("".join(hyphen + fam[:1]))
    if len(p.given) > 1:
        out.add("".join([w[0] for w in p.given] + fam[:1]))
    return {i.upper() for i in out if 2 <= len(i) <= 3}


def candidates(text: str) -> list[Found]:
    """Names after titles and nicknames: candidates resolved against the other recognisers."""
    return _titled(text) + _nicknames(text)


def refer_back(doc: Any, mentions: list[Found]) -> list[Found]:
    """Nicknames given their owner, and short forms of named people added as mentions."""
    text = doc.text
    out = _own_nicknames(mentions)
    out = _single_words(out, _people(out))
    people = _people(out)
    if not people:
        return out
    forms: dict[str, list[tuple[_Person, str]]] = {}
    for p in people:
        for w in p.family:
            forms.setdefault(w.upper(), []).append((p, "surname"))
        for w in p.given[:1]:
            if len(w) > 1:
                forms.setdefault(w.upper(), []).append((p, "given"))
    initials: dict[str, list[_Person]] = {}
    for p in people:
        for i in _initials(p):
            initials.setdefault(i, []).append(p)
    defined = {m["i"] for m in _DEFINED_INITIALS.finditer(text)}
    taken = sorted((m.start, m.end, i) for i, m in enumerate(out))
    added: list[Found] = []
    replaced: set[int] = set()
    for found in _TOKEN.finditer(text):
        word = found[0]
        start, end = found.start(), found.end()
        key = word.upper()
        cands = forms.get(key)
        form = None
        if cands and key not in _NOT_FORMS and (word.istitle() or word.isupper() or "-" in word):
            p, form = _nearest(cands, start)
        elif word.isupper() and 2 <= len(word) <= 3 and key in initials:
            tok = doc.char_span(start, end)
            if tok is None or not _initials_ok(doc, tok[0], key, defined):
                continue
            if len({q.normalised for q in initials[key]}) != 1:
                continue
            p, form = _nearest([(q, "initials") for q in initials[key]], start)
        if form is None:
            continue
        clash = [i for s, e, i in taken if s < end and start < e]
        if clash:
            m = out[clash[0]]
            if len(clash) > 1 or m.label not in _REPLACEABLE or m.confidence > 0.8:
                continue
            if text[m.start : m.end] not in (word, word + "'s", word + "’s"):
                continue
            replaced.add(clash[0])
        added.append(
            Found("PERSON", start, end, word, p.normalised, 0.7,
                  attrs={"refers_to": p.normalised, "form": form})
        )  # fmt: skip
    kept = [m for i, m in enumerate(out) if i not in replaced]
    return sorted(kept + added, key=lambda m: (m.start, m.end))


def _single_words(mentions: list[Found], people: list[_Person]) -> list[Found]:
    """A one-word name the model found that is a short form of someone named in full."""
    forms: dict[str, list[tuple[_Person, str]]] = {}
    for p in people:
        if len(p.given) + len(p.family) > 1 or p.nickname:
            for w in p.family:
                forms.setdefault(w.upper(), []).append((p, "nickname" if p.nickname else "surname"))
            for w in p.given[:1]:
                forms.setdefault(w.upper(), []).append((p, "given"))
    out = []
    for m in mentions:
        key = m.text.upper()
        cands = [c for c in forms.get(key, []) if c[0].normalised != m.normalised]
        if m.label != "PERSON" or m.attrs.get("refers_to") or " " in m.text or not cands:
            out.append(m)
            continue
        p, form = _nearest(cands, m.start)
        out.append(dataclasses.replace(
            m, normalised=p.normalised, attrs={**m.attrs, "refers_to": p.normalised, "form": form}
        ))  # fmt: skip
    return out


def _nearest(cands: list[tuple[_Person, str]], at: int) -> tuple[_Person, str]:
    """The person named last before this point (or first after it, if none before)."""
    before = [c for c in cands if c[0].start <= at]
    if before:
        return max(before, key=lambda c: c[0].start)
    return min(cands, key=lambda c: c[0].start)


def _initials_ok(doc: Any, tok: Any, key: str, defined: set[str]) -> bool:
    from candour.extract.people import ACRONYMS

    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    if key in _RANKS and nxt is not None and (nxt.like_num or nxt.is_title or nxt.is_upper):
        return key in defined and not nxt.like_num and not nxt.is_title
    if key in ACRONYMS and key not in defined:
        return False
    sent = tok.sent
    alpha = [t for t in sent if t.is_alpha and len(t) > 1]
    upper = sum(1 for t in alpha if t.is_upper)
    # In a sentence written in capitals every short word looks like initials.
    return key in defined or not (len(alpha) >= 4 and upper / len(alpha) >= 0.6)


def _people(mentions: list[Found]) -> list[_Person]:
    people = []
    for m in mentions:
        if m.attrs.get("refers_to") and m.attrs.get("form") != "nickname":
            continue
        if m.label == "PERSON":
            name = m.text
        elif m.label == "OFFICER" and m.attrs.get("name"):
            name = str(m.attrs["name"])
        else:
            continue
        given, family = _parts(name)
        nickname = m.attrs.get("form") == "nickname"
        if nickname:
            given, family = [], _WORD.findall(name)
        if family:
            people.append(_Person(m.normalised, m.start, given, family, nickname))
    return people


def _titled(text: str) -> list[Found]:
    """'Mr KOWALSKI', 'Mrs Dunn', 'Dr Aisha Patel': the name after a title, title outside."""
    from candour.extract.people import normalise_name

    out = []
    for m in _TITLES.finditer(text):
        span = name_after(text, m.end())
        if span is not None:
            name = text[span[0] : span[1]]
            out.append(
                Found("PERSON", *span, name, normalise_name(name), 0.85, attrs={"form": "title"})
            )
    return out


def _nicknames(text: str) -> list[Found]:
    """'known as \"Jaz\"', 'calls him Tez': the nickname (its owner is found later)."""
    out = []
    for m in _NICKNAME.finditer(text):
        group = next(g for g in ("quoted", "bare", "quoted2") if m[g])
        s, e = m.start(group), m.end(group)
        nick = text[s:e]
        out.append(
            Found("PERSON", s, e, nick, nick.upper(), 0.8,
                  attrs={"form": "nickname", "cue_start": m.start()})
        )  # fmt: skip
    return out


def _own_nicknames(mentions: list[Found]) -> list[Found]:
    """A nickname belongs to the person named just before its cue, in the same passage."""
    people = _people(mentions)
    out = []
    for m in mentions:
        cue = m.attrs.get("cue_start")
        if m.attrs.get("form") != "nickname" or not isinstance(cue, int):
            out.append(m)
            continue
        before = [p for p in people if p.start < cue and cue - p.start < 160]
        if not before:
            out.append(m)
            continue
        owner = max(before, key=lambda p: p.start).normalised
        attrs = {k: v for k, v in m.attrs.items() if k != "cue_start"}
        out.append(dataclasses.replace(m, normalised=owner, attrs={**attrs, "refers_to": owner}))
    return out
