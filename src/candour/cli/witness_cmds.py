"""`candour witness ...`: the oversight body's witness, by files; it needs no force database."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from candour.cli.context import console, err_console, writable_file
from candour.errors import LedgerError

witness_app = typer.Typer(
    help="Cosign a force's ledger checkpoints only if they extend the last one seen.",
    no_args_is_help=True,
)
STATE = typer.Option(..., "--state", help="The witness's state directory.")


def register(app: typer.Typer) -> None:
    app.add_typer(witness_app, name="witness")


def _state(state: Path, *, new: bool = False) -> Path:
    """The witness's state folder: an existing one, or (`new`) one that does not exist yet."""
    if new:
        if state.exists():
            raise LedgerError(f"{state}: exists: a new witness needs a new folder")
        if not state.parent.is_dir():
            raise LedgerError(f"{state.parent}: no such folder")
    elif not state.is_dir():
        raise LedgerError(f"{state}: not a witness state folder (run 'candour witness init')")
    return state


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise LedgerError(f"{path}: cannot read the {what}") from None


@witness_app.command("init")
def init(state: Path = STATE, name: str = typer.Option(..., "--name")) -> None:
    """Create the witness's key and state; prints its public key for the forces."""
    from candour.oversight.witness import Witness

    print(Witness.init(_state(state, new=True), name).public.text())


@witness_app.command("key")
def key(state: Path = STATE) -> None:
    """The witness's public key."""
    from candour.oversight.witness import Witness

    print(Witness.load(_state(state)).public.text())


@witness_app.command("add-log")
def add_log(
    state: Path = STATE,
    origin: str = typer.Option(..., "--origin", help="The force's checkpoint origin line."),
    force_key: Path = typer.Option(..., "--key", help="The force's ledger verifier key."),
) -> None:
    """Follow a force's log, trusting its ledger key (first contact)."""
    from candour.oversight.witness import Witness

    Witness.load(_state(state)).add_log(origin, _read(force_key, "force key"))
    console.print(f"following {origin}")


@witness_app.command("cosign")
def cosign(
    state: Path = STATE,
    checkpoint: Path = typer.Option(..., "--checkpoint", help="The force's new checkpoint."),
    proof: Path | None = typer.Option(
        None, "--proof", help="Consistency proof from the last checkpoint the witness saw."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write the cosigned checkpoint here."),
) -> None:
    """Cosign the checkpoint, or refuse and keep both checkpoints as evidence of a fork."""
    from candour.oversight.witness import Witness

    writable_file(out)
    proof_data = None
    if proof is not None:
        try:
            proof_data = json.loads(_read(proof, "consistency proof"))
        except json.JSONDecodeError as exc:
            raise LedgerError(f"{proof}: not JSON (line {exc.lineno})") from None
    note = Witness.load(_state(state)).cosign(_read(checkpoint, "checkpoint"), proof_data)
    if out is None:
        print(note, end="")
    else:
        out.write_text(note)
        err_console.print(f"cosigned: {out}")
