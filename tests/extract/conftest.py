"""One extractor for the whole test session: loading spaCy once keeps the suite fast."""

from __future__ import annotations

import pytest

from candour.extract.pipeline import Extractor
from candour.rules.registry import default_lexicon


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor(default_lexicon())
