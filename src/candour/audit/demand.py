"""Demand weighed by harm, not volume: so that what is most harmful is seen first."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.rules.registry import harm_weights
from candour.store.models import Disclosure


@dataclass
class Category:
    group: str
    volume: int
    harm: float

    def shares(self, total_volume: int, total_harm: float) -> tuple[float, float]:
        return (
            self.volume / total_volume if total_volume else 0.0,
            self.harm / total_harm if total_harm else 0.0,
        )


@dataclass
class Demand:
    categories: list[Category]
    source: str

    @property
    def totals(self) -> tuple[int, float]:
        return sum(c.volume for c in self.categories), sum(c.harm for c in self.categories)


def demand(session: Session) -> Demand:
    weights = harm_weights(session)
    volume: Counter[str] = Counter()
    harm: dict[str, float] = {}
    stmt = select(Disclosure.offence_code, Disclosure.offence_group)
    for code, group in session.execute(stmt):
        g = group or "unknown"
        volume[g] += 1
        harm[g] = harm.get(g, 0.0) + weights.weight(code, group)
    cats = [Category(g, volume[g], harm[g]) for g in volume]
    cats.sort(key=lambda c: -c.harm)
    return Demand(cats, weights.source)


def write_demand(d: Demand, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    total_v, total_h = d.totals
    path = out / "demand_volume_vs_harm.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["offence_group", "volume", "volume_share", "harm", "harm_share"])
        for c in d.categories:
            vs, hs = c.shares(total_v, total_h)
            w.writerow([c.group, c.volume, f"{vs:.3f}", f"{c.harm:g}", f"{hs:.3f}"])
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5))
    names = [c.group for c in d.categories]
    xs = range(len(names))
    shares = [c.shares(total_v, total_h) for c in d.categories]
    ax.bar([x - 0.2 for x in xs], [s[0] * 100 for s in shares], width=0.4, label="share of volume")
    ax.bar([x + 0.2 for x in xs], [s[1] * 100 for s in shares], width=0.4, label="share of harm")
    ax.set_xticks(list(xs), names, rotation=30, ha="right")
    ax.set_ylabel("%")
    ax.set_title("Demand: volume versus harm by offence group")
    ax.legend()
    fig.text(0.01, 0.01, f"Harm weights: {d.source}", fontsize=6)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    chart = out / "demand_volume_vs_harm.png"
    fig.savefig(chart, dpi=120)
    plt.close(fig)
    return [path, chart]
