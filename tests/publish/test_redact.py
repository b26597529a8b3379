"""Redaction with Presidio and Candour's recognisers (synthetic text only)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from candour.publish.pseudonyms import Pseudonyms

TEXT = (
    'Subject: HOLLINGWORTH, Bartholomew ("Barty")    DOB 12/04/1979\n'
    "Address: 14 Quillon Street, Fenmarsh, ZZ9 4QX    Tel: 07700 900417\n"
    "Vehicle: silver Vauxhall Astra QX71 RZB, seen with partial index QJ19 near the park.\n"
    "DC 4471 PRENDERGAST spoke to Bartholomew Hollingworth at the address. Barty denied it.\n"
    "E-mail from a.person@example.org; Chief Constable Imogen Testcase made a statement.\n"
)


def _present(out: str, *values: str) -> list[str]:
    return [v for v in values if v.lower() in out.lower()]


def test_identifiers_are_removed_and_labels_are_stable(redactor: Any) -> None:
    names = Pseudonyms()
    r = redactor.redact(TEXT, names)
    left = _present(
        r.text, "Hollingworth", "Bartholomew", "Barty", "12/04/1979", "Quillon Street",
        "ZZ9 4QX", "07700 900417", "QX71 RZB", "QJ19", "4471", "PRENDERGAST",
        "a.person@example.org",
    )  # fmt: skip
    assert left == []
    assert "DC Officer 1" in r.text  # the rank stays, the collar and name go
    labels = {x.replacement for x in r.removals if x.entity == "PERSON"}
    assert len(labels) == 1  # every form of the subject's name has one label
    again = redactor.redact("Later, HOLLINGWORTH was seen again.", names)
    assert again.text == f"Later, {labels.pop()} was seen again."


def test_allow_list_keeps_a_public_name_with_its_reason(redactor: Any) -> None:
    r = redactor.redact(TEXT, Pseudonyms())
    assert "Chief Constable Imogen Testcase" in r.text or "Imogen Testcase" in r.text
    assert any(k.reason.startswith("allow-list: a chief officer") for k in r.kept)


def test_every_removal_is_logged_with_recogniser_and_confidence(redactor: Any) -> None:
    r = redactor.redact(TEXT, Pseudonyms())
    for x in r.removals:
        assert x.recogniser and 0 < x.confidence <= 1 and x.reason
        assert TEXT[x.start : x.end] == x.text


def test_no_network(redactor: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Redaction (and building a new redactor) with every socket refused."""

    def refuse(*_: object, **__: object) -> None:
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from candour.extract.pipeline import Extractor
    from candour.publish.redact import Redactor
    from candour.rules.registry import default_lexicon

    fresh = Redactor(Extractor(default_lexicon()))
    assert "07700 900417" not in fresh.redact(TEXT, Pseudonyms()).text
    assert "QX71 RZB" not in redactor.redact(TEXT, Pseudonyms()).text


def test_no_us_or_networked_recognisers(redactor: Any) -> None:
    names = {r.name for r in redactor.analyzer.registry.recognizers}
    assert not any(n.startswith("Us") for n in names)
    assert "EmailRecognizer" not in names and "UrlRecognizer" not in names
    assert {"CandourExtractor", "CandourUkPhone", "CandourUkPostcode"} <= names
