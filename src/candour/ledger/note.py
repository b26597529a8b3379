"""Signed checkpoints in the C2SP `tlog-checkpoint` / `signed-note` text formats, Ed25519 keys.

A checkpoint is `origin`, tree size and base64 root hash on three lines, then extension lines
(we add `time <RFC 3339>`), then a blank line and signature lines `— <name> <base64(id||sig)>`.
The verifier key `<name>+<hex key id>+<base64(0x01||public key)>` is all an outside body needs.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from candour.errors import LedgerError

ALG_ED25519 = b"\x01"
_DASH = "\u2014"


def _key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ALG_ED25519 + public).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise LedgerError(f"key name '{name}' must be non-empty with no spaces or '+'")


@dataclass(frozen=True)
class Signer:
    name: str
    key: SigningKey = field(repr=False)

    @classmethod
    def generate(cls, name: str) -> Signer:
        _check_name(name)
        return cls(name, SigningKey.generate())

    @classmethod
    def parse(cls, text: str) -> Signer:
        """Parse `PRIVATE+KEY+<name>+<hex id>+<base64(0x01||seed)>`."""
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise LedgerError("the ledger signing key is not in PRIVATE+KEY+name+id+key form")
        try:
            raw = base64.b64decode(parts[4], validate=True)
        except ValueError as exc:
            raise LedgerError("the ledger signing key is not valid base64") from exc
        if len(raw) != 33 or raw[:1] != ALG_ED25519:
            raise LedgerError("the ledger signing key is not an Ed25519 key")
        signer = cls(parts[2], SigningKey(raw[1:]))
        if signer.key_id.hex() != parts[3]:
            raise LedgerError("the ledger signing key's id does not match its key")
        return signer

    @property
    def public(self) -> bytes:
        return bytes(self.key.verify_key)

    @property
    def key_id(self) -> bytes:
        return _key_id(self.name, self.public)

    def private_text(self) -> str:
        seed = base64.b64encode(ALG_ED25519 + bytes(self.key)).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{seed}"

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.public)

    def sign(self, body: str) -> str:
        """The signed note: body, blank line, one signature line."""
        if not body.endswith("\n"):
            raise LedgerError("a note body must end with a newline")
        sig = self.key.sign(body.encode()).signature
        encoded = base64.b64encode(self.key_id + sig).decode()
        return f"{body}\n{_DASH} {self.name} {encoded}\n"


@dataclass(frozen=True)
class Verifier:
    name: str
    public: bytes

    @property
    def key_id(self) -> bytes:
        return _key_id(self.name, self.public)

    def text(self) -> str:
        key = base64.b64encode(ALG_ED25519 + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{key}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise LedgerError("the verifier key is not in name+id+key form")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except ValueError as exc:
            raise LedgerError("the verifier key is not valid base64") from exc
        if len(raw) != 33 or raw[:1] != ALG_ED25519:
            raise LedgerError("the verifier key is not an Ed25519 key")
        verifier = cls(parts[0], raw[1:])
        if verifier.key_id.hex() != parts[1]:
            raise LedgerError("the verifier key's id does not match its key")
        return verifier

    def open(self, note: str) -> str:
        """Return the note's body if one of its signatures is ours and valid, else raise."""
        body, sep, sigs = note.rpartition("\n\n")
        if not sep:
            raise LedgerError("the checkpoint is not a signed note (no blank line)")
        body += "\n"
        for line in sigs.splitlines():
            parts = line.split(" ")
            if len(parts) != 3 or parts[0] != _DASH or parts[1] != self.name:
                continue
            try:
                raw = base64.b64decode(parts[2], validate=True)
            except ValueError:
                continue
            if raw[:4] != self.key_id:
                continue
            try:
                VerifyKey(self.public).verify(body.encode(), raw[4:])
            except BadSignatureError:
                raise LedgerError("the checkpoint's signature is not valid for this key") from None
            return body
        raise LedgerError(f"the checkpoint carries no signature by key '{self.name}'")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: str | None = None

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        if self.time:
            lines.append(f"time {self.time}")
        return "\n".join(lines) + "\n"

    @classmethod
    def parse_body(cls, body: str) -> Checkpoint:
        lines = body.rstrip("\n").split("\n")
        if len(lines) < 3:
            raise LedgerError("a checkpoint needs origin, size and root lines")
        try:
            size = int(lines[1])
            root = base64.b64decode(lines[2], validate=True)
        except ValueError as exc:
            raise LedgerError("the checkpoint's size or root line is malformed") from exc
        if size < 0 or len(root) != 32 or str(size) != lines[1]:
            raise LedgerError("the checkpoint's size or root line is malformed")
        time = next((ln[5:] for ln in lines[3:] if ln.startswith("time ")), None)
        return cls(lines[0], size, root, time)


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    return Checkpoint.parse_body(verifier.open(note))


def write_secret(path: Path, text: str) -> None:
    """Write a key file readable by its owner only (0600), refusing to overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text + "\n")


def read_secret(path: Path) -> str:
    """Read a key file, refusing one that others can read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise LedgerError(f"{path}: no ledger signing key (run 'candour init')") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise LedgerError(f"{path}: key file must not be readable by others (chmod 600)")
    return path.read_text().strip()
