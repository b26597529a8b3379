"""The witness cosigns only checkpoints that extend what it saw; the insider's rewrite fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from candour.errors import LedgerError
from candour.ledger import merkle
from candour.ledger.note import Checkpoint, Signer
from candour.oversight.witness import Witness, WitnessKey, WitnessRefusal, require_quorum

ORIGIN = "candour.example/ledger"


class Log:
    """A force's log in memory, signed with the force's own key."""

    def __init__(self, signer: Signer, leaves: list[bytes]) -> None:
        self.signer = signer
        self.hashes = [merkle.leaf_hash(b) for b in leaves]

    def nodes(self, level: int, index: int) -> bytes:
        return merkle.root_from_leaf_hashes(self.hashes[index << level : (index + 1) << level])

    def checkpoint(self, size: int) -> str:
        root = merkle.root_from_leaf_hashes(self.hashes[:size])
        return self.signer.sign(Checkpoint(ORIGIN, size, root, "2026-12-04T05:00:00Z").body())

    def consistency(self, old: int, new: int) -> dict[str, object]:
        path = merkle.consistency_proof(old, new, self.nodes)
        return {"size1": old, "size2": new, "proof": [h.hex() for h in path]}


def _events(n: int, tag: str = "") -> list[bytes]:
    return [f'{{"idx":{i},"action":"read{tag}"}}'.encode() for i in range(n)]


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Witness, Log]:
    force = Signer.generate("candour-ledger")
    w = Witness.init(tmp_path / "witness", "watchdog.example")
    w.add_log(ORIGIN, force.verifier().text())
    return w, Log(force, _events(40))


def test_consistent_checkpoints_are_cosigned(setup: tuple[Witness, Log]) -> None:
    w, log = setup
    first = w.cosign(log.checkpoint(10), None)  # first contact
    key = WitnessKey.parse(w.public.text())
    assert key.check(first) > 0
    second = w.cosign(log.checkpoint(25), log.consistency(10, 25))
    assert require_quorum(second, [key], 1) == ["watchdog.example"]
    # the force's signature is still there and still valid
    assert Checkpoint.parse_body(log.signer.verifier().open(second)).size == 25
    # the state survives a restart
    again = Witness.load(w.state)
    again.cosign(log.checkpoint(40), log.consistency(25, 40))


def test_the_insiders_rewrite_is_refused_and_kept(setup: tuple[Witness, Log]) -> None:
    w, log = setup
    w.cosign(log.checkpoint(20), None)
    # history rewritten: event 5 altered, the log grown and re-signed with the force's own key
    forged_leaves = _events(40)
    forged_leaves[5] = b'{"idx":5,"action":"nothing to see"}'
    forged = Log(log.signer, forged_leaves)
    with pytest.raises(WitnessRefusal, match="does not extend"):
        w.cosign(forged.checkpoint(30), forged.consistency(20, 30))
    kept = list((w.state / "forks").iterdir())
    assert len(kept) == 1
    text = kept[0].read_text()
    assert log.checkpoint(20).splitlines()[2] in text  # the root it saw
    assert forged.checkpoint(30).splitlines()[2] in text  # the root it was offered
    # the same size with another root, and a shrunk log, are refused too
    with pytest.raises(WitnessRefusal, match="two different trees"):
        w.cosign(forged.checkpoint(20), None)
    with pytest.raises(WitnessRefusal, match="shrank"):
        w.cosign(log.checkpoint(15), None)
    # the honest log still extends
    w.cosign(log.checkpoint(30), log.consistency(20, 30))


def test_a_checkpoint_without_the_forces_signature_is_refused(setup: tuple[Witness, Log]) -> None:
    w, _ = setup
    other = Log(Signer.generate("candour-ledger"), _events(5))
    with pytest.raises(LedgerError):
        w.cosign(other.checkpoint(5), None)


def test_a_forged_cosignature_fails_the_quorum(setup: tuple[Witness, Log], tmp_path: Path) -> None:
    w, log = setup
    note = w.cosign(log.checkpoint(10), None)
    impostor = Witness.init(tmp_path / "impostor", "watchdog.example")
    with pytest.raises(LedgerError):
        WitnessKey.parse(impostor.public.text()).check(note)
    with pytest.raises(LedgerError, match="1 of the 2"):
        require_quorum(note, [w.public, impostor.public], 2)


def test_verify_requires_the_witness_and_so_detects_the_rewrite(
    setup: tuple[Witness, Log], tmp_path: Path
) -> None:
    import json

    from candour.ledger.verify import main as verify_main

    w, log = setup
    cosigned = w.cosign(log.checkpoint(10), None)
    forged_leaves = _events(40)
    forged_leaves[3] = b'{"idx":3,"action":"rewritten"}'
    forged = Log(log.signer, forged_leaves)
    with pytest.raises(WitnessRefusal):
        w.cosign(forged.checkpoint(12), forged.consistency(10, 12))

    def files(name: str, note: str, tree: Log, size: int) -> list[str]:
        cp, proof = tmp_path / f"{name}.txt", tmp_path / f"{name}.json"
        cp.write_text(note)
        path = merkle.inclusion_proof(3, size, tree.nodes)
        proof.write_text(
            json.dumps(
                {
                    "leaf_index": 3,
                    "tree_size": size,
                    "leaf": _events(40)[3].decode() if tree is log else forged_leaves[3].decode(),
                    "proof": [h.hex() for h in path],
                }
            )
        )
        return ["--checkpoint", str(cp), "--proof", str(proof)]

    force_key, witness_key = tmp_path / "force.pub", tmp_path / "witness.pub"
    force_key.write_text(log.signer.verifier().text())
    witness_key.write_text(w.public.text())
    common = ["--key", str(force_key), "--witness", str(witness_key)]
    assert verify_main([*common, *files("honest", cosigned, log, 10)]) == 0
    forged_files = files("forged", forged.checkpoint(12), forged, 12)
    assert verify_main(["--key", str(force_key), *forged_files]) == 0  # the force's key alone
    assert verify_main([*common, *forged_files]) == 1  # the witness's cosignature is missing
