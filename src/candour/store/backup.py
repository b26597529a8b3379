"""Backups: an online, consistent copy of the store, keys, models and settings, encrypted with a
key the operator supplies, and restore into a fresh data home.

The archive is a tar stream encrypted with libsodium's secretstream (XChaCha20-Poly1305; the
key from the operator's passphrase by Argon2id, salt and limits in the header), so a truncated
or altered backup is refused, and its plaintext never touches disk outside the data home. The
SQLite store is copied with SQLite's online backup API, which gives one consistent snapshot
while others write. A PostgreSQL store is backed up with `pg_dump`'s own tools, not here.
"""

from __future__ import annotations

import io
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import nacl.bindings as sodium
import nacl.pwhash

from candour.errors import ConfigError, ValidationError

MAGIC = b"CANDOUR-BACKUP-1\n"
CHUNK = 1 << 20
_OPS = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
_MEM = nacl.pwhash.argon2id.MEMLIMIT_MODERATE
# What a home holds besides the store; the store itself is copied online.
_SKIP = {"candour.db", "candour.db-wal", "candour.db-shm", "session"}


def _key(passphrase: str, salt: bytes, ops: int, mem: int) -> bytes:
    if len(passphrase) < 12:
        raise ValidationError("a backup passphrase needs at least 12 characters", field="key")
    return bytes(
        nacl.pwhash.argon2id.kdf(
            sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES,
            passphrase.encode(),
            salt,
            opslimit=ops,
            memlimit=mem,
        )
    )


def write_backup(home: Path, sqlite_db: Path | None, out: Path, passphrase: str) -> int:
    """Encrypt the home (and an online copy of its SQLite store) into `out`; returns bytes."""
    if out.exists():
        raise ValidationError("exists: refusing to overwrite a backup", source=str(out))
    if not out.parent.is_dir():
        raise ValidationError("no such folder", source=str(out.parent))
    salt = os.urandom(nacl.pwhash.argon2id.SALTBYTES)
    key = _key(passphrase, salt, _OPS, _MEM)
    with tempfile.TemporaryDirectory(dir=home, prefix=".backup-") as scratch:
        snapshot = Path(scratch) / "candour.db"
        if sqlite_db is not None:
            _online_copy(sqlite_db, snapshot)
        tmp = out.with_name(out.name + ".partial")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            state = sodium.crypto_secretstream_xchacha20poly1305_state()
            header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
            fh.write(MAGIC + salt + _OPS.to_bytes(8, "big") + _MEM.to_bytes(8, "big") + header)
            sink = _Encrypting(fh, state)
            with tarfile.open(fileobj=sink, mode="w|") as tar:
                for path in sorted(home.rglob("*")):
                    rel = path.relative_to(home)
                    if rel.parts[0] in _SKIP or rel.parts[0].startswith(".backup-"):
                        continue
                    tar.add(path, arcname=f"home/{rel}", recursive=False)
                if sqlite_db is not None:
                    tar.add(snapshot, arcname="home/candour.db")
            sink.close()
        os.replace(tmp, out)
    return out.stat().st_size


def _online_copy(db: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


class _Encrypting(io.RawIOBase):
    """A write-only stream that encrypts what tar writes, a chunk at a time."""

    def __init__(self, fh: BinaryIO, state: Any) -> None:
        self.fh, self.state, self.buf = fh, state, bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.buf += data
        while len(self.buf) > CHUNK:
            self._push(
                bytes(self.buf[:CHUNK]), sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
            )
            del self.buf[:CHUNK]
        return len(data)

    def _push(self, chunk: bytes, tag: int) -> None:
        c = sodium.crypto_secretstream_xchacha20poly1305_push(self.state, chunk, None, tag)
        self.fh.write(len(c).to_bytes(4, "big") + c)

    def close(self) -> None:
        if not self.closed:
            self._push(bytes(self.buf), sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL)
            self.buf.clear()
        super().close()


def _decrypted(fh: BinaryIO, passphrase: str) -> Iterator[bytes]:
    head = fh.read(len(MAGIC))
    if head != MAGIC:
        raise ValidationError("not a Candour backup", field="backup")
    salt = fh.read(nacl.pwhash.argon2id.SALTBYTES)
    ops, mem = int.from_bytes(fh.read(8), "big"), int.from_bytes(fh.read(8), "big")
    header = fh.read(sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES)
    key = _key(passphrase, salt, ops, mem)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key)
    while True:
        size = fh.read(4)
        if len(size) < 4:
            raise ValidationError("the backup is truncated", field="backup")
        try:
            chunk, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(
                state, fh.read(int.from_bytes(size, "big")), None
            )
        except (RuntimeError, ValueError, TypeError):  # libsodium: wrong key or altered bytes
            raise ValidationError("wrong key, or the backup was altered", field="backup") from None
        yield chunk
        if tag == sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL:
            return


class _Chunks(io.RawIOBase):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks, self.buf = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        while not self.buf:
            try:
                self.buf = next(self.chunks)
            except StopIteration:
                return 0
        n = min(len(b), len(self.buf))
        b[:n], self.buf = self.buf[:n], self.buf[n:]
        return n


def restore_backup(backup: Path, home: Path, passphrase: str) -> int:
    """Decrypt a backup into `home`, which must be new or empty; returns files restored."""
    if home.exists() and any(home.iterdir()):
        raise ConfigError(f"{home} is not empty: restore into a fresh data directory")
    try:
        fh = backup.open("rb")
    except OSError as exc:
        raise ValidationError(f"cannot read ({exc.strerror})", source=str(backup)) from None
    os.umask(0o077)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    n = 0
    plain = io.BufferedReader(_Chunks(_decrypted(fh, passphrase)))  # type: ignore[type-var]
    with fh, tarfile.open(fileobj=plain, mode="r|") as tar:
        for member in tar:
            name = Path(member.name)
            if name.parts[0] != "home" or ".." in name.parts or name.is_absolute():
                raise ValidationError("the backup names a path outside its home", field="backup")
            if not (member.isfile() or member.isdir()):
                raise ValidationError("the backup holds a link or device", field="backup")
            if len(name.parts) == 1:
                continue
            member.name = str(Path(*name.parts[1:]))
            tar.extract(member, home, filter="data")
            n += 1
    for path in [home, *home.rglob("*")]:
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
    return n
