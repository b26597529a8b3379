"""The name-variant table: nicknames and transliterations that name the same person."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_PUNCT = re.compile(r"[^A-Z\- ]")


def clean(name: str) -> str:
    """Upper case, apostrophes and dots dropped: "O'Brien" -> "OBRIEN"."""
    return re.sub(r"\s+", " ", _PUNCT.sub("", name.upper().replace("'", ""))).strip()


@lru_cache(maxsize=1)
def groups() -> dict[str, tuple[str, ...]]:
    """Name -> the canonical names of every group it belongs to (sorted)."""
    text = (resources.files("candour.link") / "data" / "name_variants.txt").read_text("utf-8")
    found: dict[str, set[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        canon, _, rest = line.partition(":")
        canon = clean(canon)
        for name in [canon, *(clean(v) for v in rest.split(","))]:
            if name:
                found.setdefault(name, set()).add(canon)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def variant_groups(name: str | None) -> list[str]:
    """The groups a name belongs to; a name outside the table is its own group."""
    if not name:
        return []
    n = clean(name)
    return list(groups().get(n, (n,)))


def canonical(name: str | None) -> str | None:
    """One key per name for blocking: the first group it belongs to."""
    g = variant_groups(name)
    return g[0] if g else None


@lru_cache(maxsize=1)
def _members() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for name, gs in groups().items():
        for g in gs:
            out.setdefault(g, []).append(name)
    return {k: tuple(v) for k, v in out.items()}


def members(group: str) -> tuple[str, ...]:
    """Every name in a group (the group's own name for a name outside the table)."""
    return _members().get(group, (group,))
