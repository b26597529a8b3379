"""Backup and restore: an encrypted copy taken online, restored into a fresh home, verifies and
holds the same rows; a wrong key or an altered byte is refused; the file holds no plaintext."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.support.cli import invoke
from tests.support.world import build

KEY = "a long synthetic backup passphrase"


def _counts(db: str) -> dict[str, int]:
    from candour.store import Store

    store = Store.connect(db)
    with store.engine.connect() as conn:
        tables = ("record", "ledger_event", "app_user", "decision", "assignment")
        out = {t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in tables}
    store.dispose()
    return out


def test_backup_restores_into_a_fresh_home_that_verifies(tmp_path: Path) -> None:
    from candour.store import Store

    home = tmp_path / "home"
    db = f"sqlite:///{home / 'candour.db'}"
    assert invoke(home, db, "init").exit_code == 0
    store = Store.connect(db)
    build(store)
    store.dispose()
    key = tmp_path / "key.txt"
    key.write_text(KEY)
    out = tmp_path / "candour.backup"
    r = invoke(home, db, "backup", str(out), "--key-file", str(key))
    assert r.exit_code == 0, r.output
    raw = out.read_bytes()
    assert b"Child A disclosed" not in raw and b"SQLite format" not in raw
    assert invoke(home, db, "backup", str(out), "--key-file", str(key)).exit_code != 0  # exists

    fresh = tmp_path / "restored"
    fresh_db = f"sqlite:///{fresh / 'candour.db'}"
    r = invoke(fresh, fresh_db, "restore", str(out), "--into", str(fresh), "--key-file", str(key))
    assert r.exit_code == 0, r.output
    assert _counts(fresh_db) == {k: v for k, v in _counts(db).items()}
    assert (fresh / "keys" / "ledger.key").exists()
    r = invoke(fresh, fresh_db, "ledger", "verify")
    assert r.exit_code == 0 and "ledger intact" in r.output, r.output


def test_wrong_key_and_altered_backup_are_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = f"sqlite:///{home / 'candour.db'}"
    assert invoke(home, db, "init").exit_code == 0
    key, wrong = tmp_path / "key.txt", tmp_path / "wrong.txt"
    key.write_text(KEY)
    wrong.write_text("another long passphrase!")
    out = tmp_path / "b.backup"
    assert invoke(home, db, "backup", str(out), "--key-file", str(key)).exit_code == 0
    r = invoke(
        home, db, "restore", str(out), "--into", str(tmp_path / "r1"), "--key-file", str(wrong)
    )
    assert r.exit_code != 0 and "wrong key" in r.output and "Traceback" not in r.output
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 1
    out.write_bytes(bytes(data))
    r = invoke(
        home, db, "restore", str(out), "--into", str(tmp_path / "r2"), "--key-file", str(key)
    )
    assert r.exit_code != 0 and "altered" in r.output and "Traceback" not in r.output
