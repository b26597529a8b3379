"""A small harness: a registry of benchmarks, timing helpers and JSON results."""

from __future__ import annotations

import json
import platform
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).parent / "results"
console = Console()


@dataclass
class Result:
    """Figures of one benchmark run: name -> value, with units in the name (e.g. records_per_s)."""

    name: str
    scale: str
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, key: str, value: Any) -> None:
        self.figures[key] = round(value, 4) if isinstance(value, float) else value

    def show(self) -> None:
        table = Table("figure", "value", title=f"bench {self.name} ({self.scale})")
        for k, v in self.figures.items():
            table.add_row(k, f"{v:,}" if isinstance(v, int | float) else str(v))
        console.print(table)
        for n in self.notes:
            console.print(f"  {n}")

    def write(self) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.name}.json"
        data = {
            "name": self.name,
            "scale": self.scale,
            "figures": self.figures,
            "notes": self.notes,
            "machine": {
                "python": platform.python_version(),
                "cpu": platform.processor() or platform.machine(),
                "cores": _cores(),
            },
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        path.write_text(json.dumps(data, indent=2) + "\n")
        return path


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


Bench = Callable[[str], Result]
REGISTRY: dict[str, Bench] = {}


def register(name: str) -> Callable[[Bench], Bench]:
    def deco(fn: Bench) -> Bench:
        REGISTRY[name] = fn
        return fn

    return deco


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
