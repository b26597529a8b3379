"""The force's checkpoint and consistency proof, carried by file to the witness and cosigned."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from candour.cli import app as cli
from candour.ledger.keys import public_key_path
from candour.oversight.witness import WitnessKey
from candour.settings import Settings
from candour.store import Actor, Store, create_agency
from tests.support.cli import invoke

runner = CliRunner()


def _grow(db_url: str, code: str) -> None:
    """The force's log grows (an agency is created)."""
    store = Store.connect(db_url)
    with store.transaction() as s:
        create_agency(s, code, "Synthetic Agency", "police", Actor.system())
    store.dispose()


def test_file_exchange_with_an_air_gapped_witness(tmp_path: Path, db_url: str) -> None:
    home = tmp_path / "home"
    assert invoke(home, db_url, "init").exit_code == 0
    force_key = public_key_path(Settings(home=home, database_url=db_url))
    state = tmp_path / "witness"
    r = runner.invoke(cli, ["witness", "init", "--state", str(state), "--name", "wdg.example"])
    assert r.exit_code == 0, r.output
    wkey = WitnessKey.parse(r.output)
    r = runner.invoke(
        cli,
        [
            "witness",
            "add-log",
            "--state",
            str(state),
            "--origin",
            Settings(home=home).ledger_origin,
            "--key",
            str(force_key),
        ],
    )
    assert r.exit_code == 0, r.output
    cp1, cp2 = tmp_path / "cp1.txt", tmp_path / "cp2.txt"
    assert invoke(home, db_url, "ledger", "checkpoint", "--out", str(cp1)).exit_code == 0
    r = runner.invoke(cli, ["witness", "cosign", "--state", str(state), "--checkpoint", str(cp1)])
    assert r.exit_code == 0, r.output
    assert wkey.check(r.output) > 0
    _grow(db_url, "AG1")
    assert invoke(home, db_url, "ledger", "checkpoint", "--out", str(cp2)).exit_code == 0
    cons = tmp_path / "cons.json"
    r = invoke(home, db_url, "ledger", "consistency", str(cp1), str(cp2), "--out", str(cons))
    assert r.exit_code == 0, r.output
    out = tmp_path / "cosigned.txt"
    r = runner.invoke(
        cli,
        [
            "witness",
            "cosign",
            "--state",
            str(state),
            "--checkpoint",
            str(cp2),
            "--proof",
            str(cons),
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert wkey.check(out.read_text()) > 0
    # without the proof the witness refuses, with one line and a non-zero exit
    _grow(db_url, "AG2")
    assert invoke(home, db_url, "ledger", "checkpoint", "--out", str(cp1)).exit_code == 0
    r = runner.invoke(cli, ["witness", "cosign", "--state", str(state), "--checkpoint", str(cp1)])
    assert r.exit_code != 0 and "consistency proof" in r.output
