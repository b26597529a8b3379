"""The watchdog's witness: it cosigns a force's checkpoint only if it extends the last one it saw.

A force holds its own ledger signing key, so an insider can rewrite history and re-sign it; a
checkpoint kept outside is what shows it. The witness makes that outside party a system. It runs
at the oversight body with its own Ed25519 key and its own state directory and holds no force
database. Given a force's new checkpoint and a consistency proof from the last checkpoint it
saw, it checks the force's signature and the proof and returns a cosignature in the C2SP
`tlog-cosignature` form; otherwise it refuses and keeps both checkpoints (and the proof) as
evidence of a fork. Exchange is by files, so an air-gapped body can run it.

State directory:
    witness.key            PRIVATE+KEY+<name>+<id>+<base64(0x04||seed)> (0600)
    witness.pub            <name>+<id>+<base64(0x04||public key)>
    logs/<origin>.json     the force's verifier key and the last checkpoint cosigned
    forks/<time>-<origin>.txt  a refused checkpoint beside the last one seen, and the proof
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from candour.errors import LedgerError
from candour.ledger import merkle
from candour.ledger.note import Checkpoint, Verifier, read_secret, write_secret

ALG_COSIGNATURE_V1 = b"\x04"
_DASH = "\u2014"


class WitnessRefusal(LedgerError):
    """The witness will not cosign: the checkpoint does not extend what it saw."""


def _key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ALG_COSIGNATURE_V1 + public).digest()[:4]


def cosigned_message(body: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: a header line, the time, then the checkpoint body."""
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def _split(note: str) -> tuple[str, list[str]]:
    body, sep, sigs = note.rpartition("\n\n")
    if not sep:
        raise LedgerError("the checkpoint is not a signed note (no blank line)")
    return body + "\n", [ln for ln in sigs.splitlines() if ln]


@dataclass(frozen=True)
class WitnessKey:
    """The witness's public key, as a verifier of the force holds it."""

    name: str
    public: bytes

    @property
    def key_id(self) -> bytes:
        return _key_id(self.name, self.public)

    def text(self) -> str:
        key = base64.b64encode(ALG_COSIGNATURE_V1 + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{key}"

    @classmethod
    def parse(cls, text: str) -> WitnessKey:
        parts = text.strip().split("+", 2)
        try:
            raw = base64.b64decode(parts[2], validate=True) if len(parts) == 3 else b""
        except ValueError:
            raw = b""
        if len(raw) != 33 or raw[:1] != ALG_COSIGNATURE_V1:
            raise LedgerError("the witness key is not in name+id+key form (cosignature/v1)")
        key = cls(parts[0], raw[1:])
        if key.key_id.hex() != parts[1]:
            raise LedgerError("the witness key's id does not match its key")
        return key

    def check(self, note: str) -> int:
        """The time of this witness's valid cosignature on the note, else raise."""
        body, sigs = _split(note)
        for line in sigs:
            parts = line.split(" ")
            if len(parts) != 3 or parts[0] != _DASH or parts[1] != self.name:
                continue
            try:
                raw = base64.b64decode(parts[2], validate=True)
            except ValueError:
                continue
            if len(raw) != 4 + 8 + 64 or raw[:4] != self.key_id:
                continue
            (timestamp,) = struct.unpack(">Q", raw[4:12])
            try:
                VerifyKey(self.public).verify(cosigned_message(body, timestamp), raw[12:])
            except BadSignatureError:
                raise LedgerError(f"witness '{self.name}': the cosignature is not valid") from None
            return int(timestamp)
        raise LedgerError(f"the checkpoint carries no cosignature by witness '{self.name}'")


def require_quorum(note: str, witnesses: list[WitnessKey], quorum: int) -> list[str]:
    """The names of the witnesses whose cosignatures are valid; raise below the quorum."""
    good = []
    for w in witnesses:
        try:
            w.check(note)
        except LedgerError:
            continue
        good.append(w.name)
    if len(good) < quorum:
        raise LedgerError(f"{len(good)} of the {quorum} witness cosignatures required are valid")
    return good


def _safe(origin: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", origin)[:100] or "_"


class Witness:
    """One witness with its state directory. Not safe for two processes at once."""

    def __init__(self, state: Path, name: str, key: SigningKey) -> None:
        self.state = state
        self.name = name
        self._key = key

    @classmethod
    def init(cls, state: Path, name: str) -> Witness:
        if not name or any(c.isspace() or c == "+" for c in name):
            raise LedgerError("a witness name must be non-empty with no spaces or '+'")
        key = SigningKey.generate()
        w = cls(state, name, key)
        seed = base64.b64encode(ALG_COSIGNATURE_V1 + bytes(key)).decode()
        write_secret(state / "witness.key", f"PRIVATE+KEY+{name}+{w.public.key_id.hex()}+{seed}")
        (state / "witness.pub").write_text(w.public.text() + "\n")
        (state / "logs").mkdir(exist_ok=True)
        (state / "forks").mkdir(exist_ok=True)
        return w

    @classmethod
    def load(cls, state: Path) -> Witness:
        text = read_secret(state / "witness.key")
        parts = text.split("+", 4)
        try:
            raw = base64.b64decode(parts[4], validate=True) if len(parts) == 5 else b""
        except ValueError:
            raw = b""
        if parts[:2] != ["PRIVATE", "KEY"] or len(raw) != 33 or raw[:1] != ALG_COSIGNATURE_V1:
            raise LedgerError(f"{state / 'witness.key'}: not a witness key")
        w = cls(state, parts[2], SigningKey(raw[1:]))
        if w.public.key_id.hex() != parts[3]:
            raise LedgerError(f"{state / 'witness.key'}: the key's id does not match its key")
        return w

    @property
    def public(self) -> WitnessKey:
        return WitnessKey(self.name, bytes(self._key.verify_key))

    def _log_path(self, origin: str) -> Path:
        return self.state / "logs" / f"{_safe(origin)}.json"

    def add_log(self, origin: str, force_key: str) -> None:
        """Trust a force's ledger key for checkpoints of `origin` (first contact, by hand)."""
        Verifier.parse(force_key)
        path = self._log_path(origin)
        if path.exists():
            raise LedgerError(f"{path}: the witness already follows log '{origin}'")
        self._save(path, {"origin": origin, "key": force_key.strip(), "size": 0, "note": None})

    def _save(self, path: Path, state: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
        os.replace(tmp, path)

    def _state(self, origin: str) -> dict[str, Any]:
        path = self._log_path(origin)
        try:
            data: dict[str, Any] = json.loads(path.read_text())
        except FileNotFoundError:
            raise WitnessRefusal(f"the witness does not follow log '{origin}'") from None
        except (OSError, json.JSONDecodeError) as exc:
            raise LedgerError(f"{path}: cannot read the witness state ({exc})") from None
        return data

    def _fork(self, origin: str, old_note: str | None, new_note: str, proof: Any, why: str) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        path = self.state / "forks" / f"{stamp}-{_safe(origin)}.txt"
        n = 1
        while path.exists():
            n += 1
            path = path.with_name(f"{stamp}-{_safe(origin)}-{n}.txt")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"refused: {why}\n\n== last checkpoint cosigned ==\n{old_note or '(none)'}\n"
            f"== checkpoint refused ==\n{new_note}\n== proof offered ==\n"
            f"{json.dumps(proof, indent=2, sort_keys=True)}\n"
        )
        return path

    def cosign(self, note: str, proof: dict[str, Any] | None, *, now: int | None = None) -> str:
        """The note with this witness's cosignature appended, or WitnessRefusal (after keeping
        the evidence) when the checkpoint does not extend the last one cosigned."""
        body, _ = _split(note)
        origin = body.split("\n", 1)[0]
        state = self._state(origin)
        new = Checkpoint.parse_body(Verifier.parse(state["key"]).open(note))
        old_note: str | None = state.get("note")

        def refuse(why: str) -> WitnessRefusal:
            kept = self._fork(origin, old_note, note, proof, why)
            return WitnessRefusal(f"{why}; both checkpoints kept in {kept}")

        if old_note is not None:
            old = Checkpoint.parse_body(_split(old_note)[0])
            if new.size < old.size:
                raise refuse(f"the log shrank from {old.size} to {new.size} events")
            if new.size == old.size:
                if new.root != old.root:
                    raise refuse(f"two different trees of {new.size} events")
            else:
                self._check_consistency(old, new, proof, refuse)
        timestamp = int(time.time()) if now is None else now
        sig = self._key.sign(cosigned_message(body, timestamp)).signature
        line = base64.b64encode(self.public.key_id + struct.pack(">Q", timestamp) + sig).decode()
        self._save(self._log_path(origin), {**state, "size": new.size, "note": note})
        return f"{note.rstrip(chr(10))}\n{_DASH} {self.name} {line}\n"

    @staticmethod
    def _check_consistency(old: Checkpoint, new: Checkpoint, proof: Any, refuse: Any) -> None:
        if not isinstance(proof, dict):
            raise WitnessRefusal(
                f"a consistency proof from size {old.size} to {new.size} is needed"
            )
        try:
            sizes = int(proof["size1"]), int(proof["size2"])
            path = [bytes.fromhex(h) for h in proof["proof"]]
        except (KeyError, TypeError, ValueError):
            raise WitnessRefusal("the consistency proof is malformed") from None
        if sizes != (old.size, new.size):
            raise WitnessRefusal(
                f"the proof is from size {sizes[0]} to {sizes[1]}; the witness needs "
                f"{old.size} to {new.size}"
            )
        try:
            merkle.verify_consistency(old.size, new.size, old.root, new.root, path)
        except merkle.ProofError as exc:
            raise refuse(
                f"the new checkpoint does not extend the last one cosigned ({exc})"
            ) from None
