"""One vocabulary of ledger actions: no event names its action with a string literal, and an
action outside the vocabulary is refused."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from candour.ledger.log import EventDraft

SRC = Path(__file__).parents[2] / "src" / "candour"


def test_no_event_is_built_with_a_string_literal_action() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:  # history: migrations keep the words they shipped with
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "EventDraft":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []


def test_an_action_outside_the_vocabulary_is_refused() -> None:
    assert EventDraft("read", "record").action == "read"
    with pytest.raises(ValueError):
        EventDraft("raed", "record")
