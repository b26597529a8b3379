"""`python -m bench NAME|all [--scale quick|full]`."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from bench.harness import REGISTRY, console


def _load_all() -> None:
    for mod in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if mod.name.startswith("bench_"):
            importlib.import_module(f"bench.{mod.name}")


def main(argv: list[str] | None = None) -> int:
    _load_all()
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("name", choices=[*sorted(REGISTRY), "all", "list"])
    parser.add_argument("--scale", choices=["quick", "full"], default="full")
    args = parser.parse_args(argv)
    if args.name == "list":
        for name in sorted(REGISTRY):
            console.print(name)
        return 0
    names = sorted(REGISTRY) if args.name == "all" else [args.name]
    for name in names:
        result = REGISTRY[name](args.scale)
        result.show()
        console.print(f"  written to {result.write()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
