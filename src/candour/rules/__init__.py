"""Declarative, versioned rules (YAML): recording deadlines, escalation, harm weights."""

from candour.rules import linked as _linked  # noqa: F401  (registers its evaluator)
from candour.rules.engine import EVALUATORS, RunReport, run_rules
from candour.rules.model import HarmWeights, RecordingDeadline, parse_rule
from candour.rules.registry import harm_weights, load_defaults, load_rule, rules_in_force

__all__ = [
    "EVALUATORS",
    "HarmWeights",
    "RecordingDeadline",
    "RunReport",
    "harm_weights",
    "load_defaults",
    "load_rule",
    "parse_rule",
    "rules_in_force",
    "run_rules",
]
