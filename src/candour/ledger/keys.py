"""Where the checkpoint signing key lives: a 0600 file or an environment variable, never the DB."""

from __future__ import annotations

from pathlib import Path

from candour.errors import ConfigError, LedgerError
from candour.ledger.note import Signer, Verifier, read_secret, write_secret
from candour.settings import Settings


def key_name(settings: Settings) -> str:
    return settings.ledger_origin.replace("/", "-").replace("+", "-").replace(" ", "-")


def public_key_path(settings: Settings) -> Path:
    return settings.effective_key_file.with_suffix(".pub")


def ensure_signing_key(settings: Settings) -> tuple[Verifier, bool]:
    """Create the signing key on first use; returns its verifier and whether it was created."""
    if settings.ledger_key:
        return Signer.parse(settings.ledger_key).verifier(), False
    path = settings.effective_key_file
    if path.exists():
        return load_signer(settings).verifier(), False
    signer = Signer.generate(key_name(settings))
    try:
        write_secret(path, signer.private_text())
        public_key_path(settings).write_text(signer.verifier().text() + "\n")
    except OSError as exc:
        raise ConfigError(f"{path.parent}: cannot write the signing key ({exc.strerror})") from None
    return signer.verifier(), True


def load_signer(settings: Settings) -> Signer:
    if settings.ledger_key:
        return Signer.parse(settings.ledger_key)
    return Signer.parse(read_secret(settings.effective_key_file))


def load_verifier(settings: Settings, public_key: Path | None = None) -> Verifier:
    """The verifier key: from a given file, the public key beside the key file, or the signer."""
    if public_key is not None:
        try:
            return Verifier.parse(public_key.read_text())
        except OSError as exc:
            raise LedgerError(
                f"{public_key}: cannot read the public key ({exc.strerror})"
            ) from None
    pub = public_key_path(settings)
    if not settings.ledger_key and pub.exists():
        return Verifier.parse(pub.read_text())
    return load_signer(settings).verifier()
