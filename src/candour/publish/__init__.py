"""Publication: reports fit to publish, with personal data redacted, stable pseudonyms, small
numbers suppressed, a review step and the ledger checkpoint they were built from.

Presidio, spaCy and WeasyPrint load only when a redactor or a PDF is made."""

from __future__ import annotations

from candour.publish.suppress import suppress

__all__ = ["suppress"]
