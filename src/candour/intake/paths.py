"""Which files intake may open: never a symbolic link inside a folder, never a device, FIFO or
socket, never anything under Candour's own data directory (its signing key, its database).

Each refusal becomes one quarantine item with its reason, so nothing is dropped unseen, and
nothing refused is ever opened (a FIFO would hang the command, /dev/zero would never end).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from candour.intake.readers import Rejected


def _refusal(path: Path, message: str) -> Rejected:
    return Rejected(str(path), None, message, b"", reader="file")


def _inside(path: Path, guards: Sequence[Path]) -> bool:
    return any(path == g or g in path.parents for g in guards)


def _check(path: Path, guards: Sequence[Path]) -> Rejected | None:
    """Why this path (already known not to be a link inside a folder) may not be read."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return _refusal(path, f"cannot read file ({exc.strerror})")
    if not stat.S_ISREG(mode):
        return _refusal(path, "not a regular file (a device, FIFO or socket): not read")
    if _inside(path.resolve(), guards):
        return _refusal(path, "inside Candour's own data directory: not read")
    return None


def walk(paths: Iterable[Path], refuse_under: Sequence[str] = ()) -> Iterator[Path | Rejected]:
    """Every file to read under `paths` in order, or the refusal that stands for it."""
    guards = [Path(p).resolve() for p in refuse_under]
    for path in paths:
        if path.is_dir():  # named by the user (perhaps through a link): its files are checked
            yield from _folder(path, guards)
            continue
        refused = _check(path, guards)
        yield refused if refused is not None else path


def _folder(root: Path, guards: Sequence[Path]) -> Iterator[Path | Rejected]:
    if _inside(root.resolve(), guards):
        yield _refusal(root, "inside Candour's own data directory: not read")
        return
    for p in sorted(root.rglob("*")):
        if any(part.startswith(".") for part in p.relative_to(root).parts):
            continue
        if p.is_symlink():
            yield _refusal(p, "symbolic link inside a folder: not followed")
            continue
        if p.is_dir():
            continue
        refused = _check(p, guards)
        yield refused if refused is not None else p
