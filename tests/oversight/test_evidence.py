"""The evidence bundle verifies offline with no database; a tampered bundle does not."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from candour.app import Candour
from candour.auth.walls import add_jurisdiction
from candour.ledger.note import Signer
from candour.ledger.verify import main as verify_main
from candour.settings import Settings
from candour.store import Actor, Store
from tests.oversight.world import T0, build
from tests.support.world import build as build_district

WHY = "oversight investigation into the force's handling"


@pytest.fixture
def bundle(store: Store, settings: Settings, tmp_path: Path) -> Iterator[tuple[Candour, Path]]:
    district = build_district(store)
    world = build(store)
    with store.transaction() as s:
        add_jurisdiction(s, "WDG", "SYP", Actor.system())
    app = Candour(settings)
    o, me = app.oversight, world.investigator
    case = o.open_complaint(
        me,
        force="SYP",
        complainant="Complainant B",
        received_at=T0,
        channel="letter",
        record_uid=district.record_uids[0],
    )
    inv = o.open_investigation(me, case, mode="independent", terms="Who knew, and when.")
    o.add_allegation(me, case, subject="S100", category="neglect_of_duty", investigation=inv)
    o.attach_evidence(me, case, [district.person_uid], "the child at the centre of the complaint")
    app.ledger.checkpoint(world.admin)
    out = tmp_path / "bundle.zip"
    summary = o.evidence(me, case, out, WHY)
    assert summary["events"] > 5
    yield app, out
    app.close()


def _public_key(app: Candour, tmp_path: Path) -> Path:
    key = tmp_path / "force.pub"
    key.write_text(app.signer().verifier().text() + "\n")
    return key


def _rewrite(src: Path, dst: Path, change: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w") as out:
        for name in z.namelist():
            out.writestr(name, change.get(name, z.read(name)))
    return dst


def test_bundle_verifies_offline(bundle: tuple[Candour, Path], tmp_path: Path) -> None:
    app, out = bundle
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
    assert {"README.md", "manifest.json", "checkpoint.txt", "ledger.pub"} <= names
    ranks = {r["rank"] for rows in manifest["who_knew"].values() for r in rows}
    assert {"PC", "PS"} <= ranks  # each row with the rank at the time
    app.close()  # nothing below needs the database
    assert verify_main(["--bundle", str(out)]) == 0
    assert verify_main(["--bundle", str(out), "--key", str(_public_key(app, tmp_path))]) == 0


def test_a_tampered_bundle_fails(bundle: tuple[Candour, Path], tmp_path: Path) -> None:
    app, out = bundle
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
        first = manifest["events"][0]
        proof = json.loads(z.read(f"proofs/{first}.json"))
    # an event's bytes edited (an officer's rank lowered)
    leaf = json.loads(proof["leaf"])
    leaf["actor_rank"] = "PC" if leaf.get("actor_rank") != "PC" else "Supt"
    bad = {**proof, "leaf": json.dumps(leaf, separators=(",", ":"))}
    bad.pop("leaf_hash")
    t1 = _rewrite(out, tmp_path / "t1.zip", {f"proofs/{first}.json": json.dumps(bad).encode()})
    assert verify_main(["--bundle", str(t1)]) == 1
    # a who-knew row edited to show a different rank
    rows = next(r for r in manifest["who_knew"].values() if r)
    rows[0]["rank"] = "ACC" if rows[0]["rank"] != "ACC" else "PC"
    t2 = _rewrite(out, tmp_path / "t2.zip", {"manifest.json": json.dumps(manifest).encode()})
    assert verify_main(["--bundle", str(t2)]) == 1
    # a proof dropped
    with zipfile.ZipFile(out) as z, zipfile.ZipFile(tmp_path / "t3.zip", "w") as t3:
        for name in z.namelist():
            if name != f"proofs/{first}.json":
                t3.writestr(name, z.read(name))
    assert verify_main(["--bundle", str(tmp_path / "t3.zip")]) == 1
    # the whole bundle re-signed with another key: fails against the force's key as held
    forger = Signer.generate("candour-ledger")
    with zipfile.ZipFile(out) as z:
        body = z.read("checkpoint.txt").decode().rpartition("\n\n")[0] + "\n"
    t4 = _rewrite(
        out,
        tmp_path / "t4.zip",
        {
            "checkpoint.txt": forger.sign(body).encode(),
            "ledger.pub": (forger.verifier().text() + "\n").encode(),
        },
    )
    key = _public_key(app, tmp_path)
    assert verify_main(["--bundle", str(t4), "--key", str(key)]) == 1
