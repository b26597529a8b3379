from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def redactor() -> Any:
    """One redactor for the session: the spaCy model and Presidio load once."""
    from candour.extract.pipeline import Extractor
    from candour.publish.redact import AllowEntry, Redactor
    from candour.rules.registry import default_lexicon

    return Redactor(
        Extractor(default_lexicon()),
        allow=[AllowEntry("Chief Constable Imogen Testcase", "a chief officer acting in office")],
    )
