"""Scoring the audit against a synthetic district's ground truth."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from candour.audit.recording import Audit
from candour.errors import ValidationError


@dataclass(frozen=True)
class Score:
    name: str
    truth: int
    found: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.truth if self.truth else 1.0


def score_recording(audit: Audit, district: Path) -> list[Score]:
    path = district / "ground_truth" / "disclosures.jsonl"
    try:
        truth = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(f"cannot read ground truth ({exc})", source=str(path)) from None
    unrecorded = {t["record"] for t in truth if not t["recorded"]}
    breaches = {t["record"] for t in truth if t["failure"] in ("no_decision", "late")}
    found_unrecorded = {r.ref for r in audit.unrecorded if r.ref}
    found_breaches = {r.ref for r in audit.breaches if r.ref}
    return [
        Score(
            "disclosures without a crime record",
            len(unrecorded),
            len(found_unrecorded),
            len(unrecorded & found_unrecorded),
        ),
        Score(
            "24-hour decision breaches",
            len(breaches),
            len(found_breaches),
            len(breaches & found_breaches),
        ),
    ]
