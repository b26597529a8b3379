"""Intake: files in, records or quarantine entries out; nothing reported is lost."""

from candour.intake.documents import IntakeError, Limits
from candour.intake.prepare import Options
from candour.intake.quarantine import list_items, retry
from candour.intake.service import Summary, ingest
from candour.intake.workforce import WorkforceSummary, import_workforce

__all__ = [
    "IntakeError",
    "Limits",
    "Options",
    "Summary",
    "WorkforceSummary",
    "import_workforce",
    "ingest",
    "list_items",
    "retry",
]
