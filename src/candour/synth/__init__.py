"""Synthetic district: a reproducible scenario with ground truth, written in intake's formats.

generate(Path("district"), seed=7, scale="small") -> Manifest
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from candour.errors import ConfigError
from candour.synth.generate import SCALES, SCHEMA, Generator, Manifest

__all__ = ["SCALES", "SCHEMA", "Manifest", "generate"]


def generate(
    out: Path,
    *,
    seed: int,
    scale: str = "small",
    years: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    overwrite: bool = False,
) -> Manifest:
    """Write a district to `out` (which must be empty unless `overwrite`)."""
    if scale not in SCALES:
        raise ConfigError(f"unknown scale '{scale}': use one of {', '.join(SCALES)}")
    if years is not None and not 1 <= years <= 30:
        raise ConfigError("years must be between 1 and 30")
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise ConfigError(f"{out}: directory is not empty (use --overwrite)")
        shutil.rmtree(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{out}: cannot create output directory ({exc.strerror})") from None
    return Generator(out, seed, scale, years).run(progress)
