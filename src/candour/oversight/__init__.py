"""Oversight: complaints, misconduct investigations, scope on the record, statistics, evidence
bundles with proofs, and the watchdog's witness."""

from candour.oversight.stats import (
    AllegationFacts,
    DecisionFacts,
    InvestigationFacts,
    OversightStats,
    oversight_stats,
)
from candour.oversight.vocab import (
    Answer,
    Category,
    Channel,
    DecisionKind,
    Finding,
    Label,
    Mode,
    Outcome,
    RankBand,
    rank_band,
)

__all__ = [
    "AllegationFacts",
    "Answer",
    "Category",
    "Channel",
    "DecisionFacts",
    "DecisionKind",
    "Finding",
    "InvestigationFacts",
    "Label",
    "Mode",
    "Outcome",
    "OversightStats",
    "RankBand",
    "oversight_stats",
    "rank_band",
]
