"""Evidence bundles: a case's who-knew timelines and its own decisions, each event with an
inclusion proof against one signed checkpoint, the force's public key and a README, in one zip.

Anyone holding the bundle checks it offline with `python -m candour.ledger.verify --bundle`
(`check_bundle` below is the part that needs no database). The bundle proves only events up to
the checkpoint it carries; later events are counted and left out, never proved against a tree
the checkpoint does not sign.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from candour.errors import LedgerError

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.store.access import Actor

FORMAT = "candour-evidence/1"
MANIFEST = "manifest.json"
CHECKPOINT = "checkpoint.txt"
KEY = "ledger.pub"
ENTITY_TYPES = (
    "oversight_complaint",
    "oversight_investigation",
    "oversight_allegation",
    "oversight_decision",
)

README = """# Evidence bundle {case}

This bundle holds events from a Candour ledger about oversight case {case}: the case's own
records and decisions, and who knew about the records and persons attached to it (who created,
read, was assigned, was escalated to or decided on them, with rank and time).

- `manifest.json`: the case, the who-knew rows per record or person, and every event's index;
- `proofs/<index>.json`: each event's exact ledger bytes (`leaf`) and its inclusion proof;
- `checkpoint.txt`: the signed checkpoint (C2SP tlog-checkpoint) the proofs are against;
- `ledger.pub`: the force's ledger verifier key (name+id+key).

Check it with no database:

    python -m candour.ledger.verify --bundle bundle.zip [--key force-ledger.pub]

Give `--key` with the force's key as you hold it from elsewhere (and any cosigned checkpoint):
the key inside the bundle shows only that the bundle is consistent with itself.
"""


def write_bundle(
    app: Candour,
    actor: Actor,
    case_uid: str,
    out: Path,
    purpose: str,
    checkpoint_note: str | None = None,
) -> dict[str, Any]:
    """Write the bundle against `checkpoint_note` (e.g. one a witness has cosigned, so the
    bundle carries the cosignatures) or else the store's latest checkpoint."""
    from sqlalchemy import and_, or_, select

    from candour.auth.capabilities import Capability, require
    from candour.ledger.checkpoint import latest_note
    from candour.ledger.keys import load_verifier
    from candour.ledger.log import consistency_proof, head, inclusion_proof
    from candour.ledger.note import open_checkpoint
    from candour.oversight.cases import WALL_TYPE, get_case
    from candour.oversight.vocab import DecisionKind
    from candour.store.models import (
        LedgerEvent,
        OversightAllegation,
        OversightDecision,
        OversightInvestigation,
        Wall,
    )

    require(actor, Capability.VIEW_OVERSIGHT)
    store = app.store()
    with store.reading() as s:
        case = get_case(s, actor, case_uid)
        uids = {case.uid}
        for model in (OversightInvestigation, OversightAllegation, OversightDecision):
            uids.update(s.scalars(select(model.uid).where(model.complaint_id == case.id)))
        walls = [
            str(w)
            for w in s.scalars(
                select(Wall.id).where(Wall.resource_type == WALL_TYPE, Wall.resource_id == case.uid)
            )
        ]
        targets = [case.record_uid] if case.record_uid else []
        for detail in s.scalars(
            select(OversightDecision.detail).where(
                OversightDecision.complaint_id == case.id,
                OversightDecision.kind == DecisionKind.EVIDENCE.value,
            )
        ):
            targets += [t for t in detail.get("targets", []) if t not in targets]
        own = list(
            s.scalars(
                select(LedgerEvent.idx)
                .where(
                    or_(
                        and_(
                            LedgerEvent.entity_type.in_(list(ENTITY_TYPES)),
                            LedgerEvent.entity_id.in_(sorted(uids)),
                        ),
                        and_(LedgerEvent.entity_type == "wall", LedgerEvent.entity_id.in_(walls)),
                    )
                )
                .order_by(LedgerEvent.idx)
            )
        )
        note = checkpoint_note or latest_note(s)
    if note is None:
        raise LedgerError("no signed checkpoint yet: one must be signed before evidence is bundled")
    verifier = load_verifier(app.settings)
    cp = open_checkpoint(note, verifier)
    with store.reading() as s:
        if cp.size == 0 or cp.size > head(s)[0]:
            raise LedgerError(f"the checkpoint's tree of {cp.size} events is not in this ledger")
        if bytes.fromhex(consistency_proof(s, cp.size, head(s)[0])["root1"]) != cp.root:
            raise LedgerError("the checkpoint's root is not this ledger's at its size")

    timelines: dict[str, list[dict[str, Any]]] = {}
    for target in targets:
        answer = app.ledger.who_knew(actor, target, purpose)
        timelines[target] = [r.as_dict() for r in answer.rows if r.event < cp.size]
    wanted = sorted({*own, *(r["event"] for rows in timelines.values() for r in rows)})
    covered = [i for i in wanted if i < cp.size]
    with store.reading() as s:
        proofs = {i: inclusion_proof(s, i, cp.size) for i in covered}
    manifest = {
        "format": FORMAT,
        "case": case_uid,
        "checkpoint": {"origin": cp.origin, "size": cp.size, "time": cp.time},
        "case_events": [i for i in own if i < cp.size],
        "who_knew": timelines,
        "events": covered,
        "not_covered": len(wanted) - len(covered),
    }
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.md", README.format(case=case_uid))
        z.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
        z.writestr(CHECKPOINT, note)
        z.writestr(KEY, verifier.text() + "\n")
        for i, proof in proofs.items():
            z.writestr(f"proofs/{i}.json", json.dumps(proof, sort_keys=True))
    tmp.replace(out)
    return {"events": len(covered), "tree_size": cp.size, "not_covered": manifest["not_covered"]}


def check_bundle(data: bytes, key_text: str | None = None) -> str:
    """Verify a bundle's bytes offline: the checkpoint's signature, every proof against it, and
    that each who-knew row is the event its proof proves. Raises LedgerError on any failure."""
    from candour.ledger.note import Verifier, open_checkpoint
    from candour.ledger.verify import check_proof

    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = set(z.namelist())
        manifest = json.loads(z.read(MANIFEST))
        note = z.read(CHECKPOINT).decode()
        bundled_key = z.read(KEY).decode()
        proofs = {
            n: json.loads(z.read(n))
            for n in names
            if n.startswith("proofs/") and n.endswith(".json")
        }
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LedgerError(f"the bundle is not a readable evidence bundle ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise LedgerError(f"{MANIFEST}: not a {FORMAT} manifest")
    verifier = Verifier.parse(key_text if key_text is not None else bundled_key)
    cp = open_checkpoint(note, verifier)
    by_index: dict[int, dict[str, Any]] = {}
    for name, proof in proofs.items():
        if not isinstance(proof, dict):
            raise LedgerError(f"{name}: not a proof")
        try:
            check_proof(proof, cp)
        except LedgerError as exc:
            raise LedgerError(f"{name}: {exc}") from None
        if name != f"proofs/{proof['leaf_index']}.json":
            raise LedgerError(f"{name}: names another event than it proves")
        by_index[int(proof["leaf_index"])] = proof
    for i in manifest.get("events", []):
        if i not in by_index:
            raise LedgerError(f"{MANIFEST}: event {i} has no proof in the bundle")
    rows = 0
    for target, timeline in manifest.get("who_knew", {}).items():
        for n, row in enumerate(timeline):
            proof = by_index.get(row.get("event"))
            where = f"{MANIFEST}: who_knew '{target}' row {n + 1}"
            if proof is None:
                raise LedgerError(f"{where}: its event has no proof")
            leaf = json.loads(proof["leaf"])
            # the user who knew is the event's actor, or its target (assigned, escalated to)
            ranks = (leaf.get("actor_rank"), leaf.get("target_rank"))
            if row.get("leaf_hash") != proof.get("leaf_hash") or row.get("rank") not in ranks:
                raise LedgerError(f"{where}: does not match the event it names")
            rows += 1
    warning = "" if key_text is not None else " (with the key inside the bundle: compare it)"
    return (
        f"{len(by_index)} events of case {manifest.get('case')} ({rows} who-knew rows) are in "
        f"the log of {cp.size} events signed at {cp.time}{warning}"
    )
