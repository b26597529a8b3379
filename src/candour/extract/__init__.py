"""Extraction: people, places, vehicles, phones, ages, indicators and language from free text."""

from candour.extract.types import Extraction, Flag, Found

__all__ = ["Extraction", "Flag", "Found"]
