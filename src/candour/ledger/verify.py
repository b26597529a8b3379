"""Standalone verifier for outside bodies: needs the public key, a checkpoint and a proof or an
exported log. No database, no Candour installation beyond this package's pure modules.

    python -m candour.ledger.verify --key ledger.pub --checkpoint cp.txt --proof proof.json
    python -m candour.ledger.verify --key ledger.pub --checkpoint new.txt --old old.txt \
        --consistency proof.json
    python -m candour.ledger.verify --key ledger.pub --checkpoint cp.txt --log export.jsonl
    python -m candour.ledger.verify --bundle evidence.zip [--key ledger.pub]

Any of these with `--witness W.pub` (repeatable) and `--quorum N` also requires valid
cosignatures on the checkpoint from N of the named witnesses (default: all of them).

Exit 0 when everything verifies; 1 with one line saying what did not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from candour.errors import CandourError, LedgerError
from candour.ledger import merkle
from candour.ledger.note import Checkpoint, Verifier, open_checkpoint


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(f"{path}: cannot read ({exc})") from None


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(_read(path))
    except json.JSONDecodeError as exc:
        raise LedgerError(f"{path}: not JSON (line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise LedgerError(f"{path}: expected a JSON object")
    return data


def _hex(value: Any, what: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except (TypeError, ValueError):
        raise LedgerError(f"{what} is not hex") from None


def check_proof(proof: dict[str, Any], cp: Checkpoint) -> str:
    """An inclusion proof against a signed checkpoint; the leaf's bytes must hash to its leaf."""
    try:
        index, size = int(proof["leaf_index"]), int(proof["tree_size"])
        path = [_hex(h, "proof hash") for h in proof["proof"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise LedgerError(f"the proof file lacks a valid {exc}") from None
    if size != cp.size:
        raise LedgerError(f"the proof is for tree size {size}, the checkpoint for {cp.size}")
    leaf = merkle.leaf_hash(str(proof.get("leaf", "")).encode())
    if "leaf_hash" in proof and _hex(proof["leaf_hash"], "leaf_hash") != leaf:
        raise LedgerError("the event's bytes do not hash to the proof's leaf hash")
    try:
        merkle.verify_inclusion(index, size, leaf, path, cp.root)
    except merkle.ProofError as exc:
        raise LedgerError(f"inclusion proof fails: {exc}") from None
    return f"event {index} is included in the log of {size} events signed at {cp.time}"


def check_consistency(proof: dict[str, Any], old: Checkpoint, new: Checkpoint) -> str:
    path = [_hex(h, "proof hash") for h in proof.get("proof", [])]
    try:
        merkle.verify_consistency(old.size, new.size, old.root, new.root, path)
    except merkle.ProofError as exc:
        raise LedgerError(f"consistency proof fails: {exc}") from None
    return f"the log of {new.size} events extends the log of {old.size} events unchanged"


def check_log(path: Path, cp: Checkpoint) -> str:
    """Recompute the root of an exported log (one leaf's bytes per line) up to the checkpoint."""
    frontier = merkle.Frontier()
    with path.open("rb") as fh:
        for line in fh:
            if frontier.size == cp.size:
                break
            frontier.push(merkle.leaf_hash(line.rstrip(b"\n")))
    if frontier.size < cp.size:
        raise LedgerError(f"the export has {frontier.size} events; the checkpoint {cp.size}")
    if frontier.root() != cp.root:
        raise LedgerError("the exported log does not match the checkpoint's root")
    return f"the exported log's first {cp.size} events match the signed checkpoint"


def _witnessed(note: str, witnesses: list[Path], quorum: int | None) -> str:
    """'' without witnesses; else who cosigned, or LedgerError below the quorum."""
    if not witnesses:
        return ""
    from candour.oversight.witness import WitnessKey, require_quorum

    keys = [WitnessKey.parse(_read(w)) for w in witnesses]
    need = len(keys) if quorum is None else quorum
    if not 1 <= need <= len(keys):
        raise LedgerError(f"--quorum must be between 1 and {len(keys)}")
    names = require_quorum(note, keys, need)
    return f"; cosigned by {', '.join(names)}"


def _check_bundle(bundle: Path, key: Path | None, witnesses: list[Path], quorum: int | None) -> str:
    from candour.oversight.evidence import CHECKPOINT, check_bundle

    try:
        data = bundle.read_bytes()
    except OSError as exc:
        raise LedgerError(f"{bundle}: cannot read ({exc.strerror})") from None
    message = check_bundle(data, _read(key) if key else None)
    if witnesses:
        import io
        import zipfile

        note = zipfile.ZipFile(io.BytesIO(data)).read(CHECKPOINT).decode()
        message += _witnessed(note, witnesses, quorum)
    return message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m candour.ledger.verify",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--key", type=Path, help="verifier (public) key file")
    parser.add_argument("--checkpoint", type=Path, help="signed checkpoint")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--bundle", type=Path, help="an oversight evidence bundle (zip)")
    group.add_argument("--proof", type=Path, help="inclusion proof JSON")
    group.add_argument("--consistency", type=Path, help="consistency proof JSON (with --old)")
    group.add_argument("--log", type=Path, help="exported log, one event per line")
    parser.add_argument("--old", type=Path, help="the older signed checkpoint")
    parser.add_argument(
        "--witness", type=Path, action="append", default=[], help="a witness's public key"
    )
    parser.add_argument("--quorum", type=int, help="cosignatures required (default: all)")
    args = parser.parse_args(argv)
    if args.bundle is None and (args.key is None or args.checkpoint is None):
        parser.error("--key and --checkpoint are required (except with --bundle)")
    try:
        if args.bundle is not None:
            bundled = _check_bundle(args.bundle, args.key, args.witness, args.quorum)
            print(f"verified: {bundled}")
            return 0
        verifier = Verifier.parse(_read(args.key))
        note = _read(args.checkpoint)
        cp = open_checkpoint(note, verifier)
        cosigned = _witnessed(note, args.witness, args.quorum)
        if args.proof:
            message = check_proof(_json(args.proof), cp)
        elif args.consistency:
            if not args.old:
                raise LedgerError("--consistency needs --old CHECKPOINT")
            old = open_checkpoint(_read(args.old), verifier)
            message = check_consistency(_json(args.consistency), old, cp)
        else:
            message = check_log(args.log, cp)
    except CandourError as exc:
        print(f"NOT VERIFIED: {exc}", file=sys.stderr)
        return 1
    print(f"verified: {message}{cosigned}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
