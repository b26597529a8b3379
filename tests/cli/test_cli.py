"""The CLI end to end (Typer's runner) on both backends: set-up, status, ledger, who-knew."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from candour.ledger.verify import main as standalone_verify
from candour.store import Store
from tests.support.cli import invoke
from tests.support.world import build

runner = CliRunner()
WHY = ("--purpose", "test of the command")


def run(home: Path, db: str, *args: str, user: str = "admin", **kw: Any):  # type: ignore[no-untyped-def]
    return invoke(home, db, *args, user=user, **kw)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_init_then_status_shows_schema_and_counts(home: Path, db_url: str) -> None:
    r = run(home, db_url, "init")
    assert r.exit_code == 0, r.output
    assert "Candour store ready" in r.output and "synthetic-test-password" not in r.output
    key = home / "keys" / "ledger.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    r = run(home, db_url, "status")
    assert r.exit_code == 0, r.output
    from candour.store import head_revision

    assert f"schema   : {head_revision()} (code {head_revision()})" in r.output
    assert "app_user" in r.output and "ledger   : " in r.output
    assert "password" not in r.output.lower() or "***" in r.output


def test_second_init_changes_nothing_and_fails(home: Path, db_url: str) -> None:
    assert run(home, db_url, "init").exit_code == 0
    before = run(home, db_url, "status").output
    r = run(home, db_url, "init")
    assert r.exit_code == 4
    assert "already initialised" in r.output and "Traceback" not in r.output
    assert run(home, db_url, "status").output == before


def test_status_before_init_says_what_to_do(home: Path, db_url: str) -> None:
    r = run(home, db_url, "status")
    assert r.exit_code != 0
    assert "run 'candour init'" in r.output


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "malformed"),
        ("mysql://x@localhost/db", "unsupported database"),
        ("postgresql://candour:s3cret@127.0.0.1:1/none", "cannot connect"),
    ],
)
def test_bad_database_urls_give_one_line(tmp_path: Path, url: str, message: str) -> None:
    r = run(tmp_path / "home", url, "init")
    assert r.exit_code != 0
    assert message in r.output
    assert "s3cret" not in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_data_directory(tmp_path: Path) -> None:  # pragma: no cover - root in CI
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    r = run(locked / "home", f"sqlite:///{locked / 'home' / 'c.db'}", "init")
    assert r.exit_code != 0 and "cannot create data directory" in r.output


def test_data_directory_that_cannot_exist(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    bad = tmp_path / "file" / "home"
    r = run(bad, f"sqlite:///{bad / 'candour.db'}", "init")
    assert r.exit_code == 2 and "cannot create data directory" in r.output


def test_store_newer_than_code(home: Path, db_url: str) -> None:
    run(home, db_url, "init")
    store = Store.connect(db_url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    store.dispose()
    for args in (("status",), ("db", "upgrade")):
        r = run(home, db_url, *args)
        assert r.exit_code == 3 and "newer than this version of Candour" in r.output


def test_db_upgrade_on_current_store_is_a_no_op(home: Path, db_url: str) -> None:
    run(home, db_url, "init")
    r = run(home, db_url, "db", "upgrade")
    assert r.exit_code == 0 and "up to date" in r.output


def test_checkpoint_prove_and_standalone_verifier(home: Path, db_url: str, tmp_path: Path) -> None:
    run(home, db_url, "init")
    store = Store.connect(db_url)
    w = build(store)
    store.dispose()
    cp1 = tmp_path / "cp1.txt"
    assert run(home, db_url, "ledger", "checkpoint", "--out", str(cp1)).exit_code == 0
    r = run(home, db_url, "who-knew", w.person_uid, "--format", "json", *WHY, user="PS300")
    rows = json.loads(r.output)
    assert {row["user"] for row in rows} >= {"PC400", "PS300"}
    assert all(row["proof"]["leaf_index"] == row["event"] for row in rows)
    proof = tmp_path / "proof.json"
    event = str(rows[0]["event"])
    r = run(
        home,
        db_url,
        "ledger",
        "prove",
        event,
        "--checkpoint",
        str(cp1),
        "--out",
        str(proof),
        *WHY,
        user="PS300",
    )
    assert r.exit_code == 0, r.output
    pub = home / "keys" / "ledger.pub"
    assert (
        standalone_verify(["--key", str(pub), "--checkpoint", str(cp1), "--proof", str(proof)]) == 0
    )
    # the log grows; the old checkpoint is still provably a prefix of the new one
    build_more = Store.connect(db_url)
    with build_more.transaction() as s:
        from candour.ledger.log import EventDraft, append

        append(s, [EventDraft("system", "test", "x")])
    build_more.dispose()
    cp2 = tmp_path / "cp2.txt"
    run(home, db_url, "ledger", "checkpoint", "--out", str(cp2))
    cons = tmp_path / "cons.json"
    r = run(home, db_url, "ledger", "consistency", str(cp1), str(cp2), "--out", str(cons))
    assert r.exit_code == 0, r.output
    assert (
        standalone_verify(
            [
                "--key",
                str(pub),
                "--checkpoint",
                str(cp2),
                "--old",
                str(cp1),
                "--consistency",
                str(cons),
            ]
        )
        == 0
    )
    export = tmp_path / "log.jsonl"
    r = run(
        home,
        db_url,
        "users",
        "create",
        "AUD1",
        "--name",
        "Audra Test",
        "--rank",
        "Staff",
        "--role",
        "auditor",
        "--agency",
        "SYP",
    )
    assert r.exit_code == 0, r.output
    r = run(home, db_url, "ledger", "export", "--out", str(export), *WHY, user="AUD1")
    assert r.exit_code == 0, r.output
    assert (
        standalone_verify(["--key", str(pub), "--checkpoint", str(cp2), "--log", str(export)]) == 0
    )
    # a tampered proof is refused by the outside verifier
    data = json.loads(proof.read_text())
    data["leaf"] = data["leaf"].replace('"actor":', '"actor":1', 1)
    proof.write_text(json.dumps(data))
    assert (
        standalone_verify(["--key", str(pub), "--checkpoint", str(cp1), "--proof", str(proof)]) == 1
    )


def test_verify_exit_codes_intact_and_tampered(home: Path, db_url: str) -> None:
    run(home, db_url, "init")
    store = Store.connect(db_url)
    w = build(store)
    run(home, db_url, "ledger", "checkpoint")
    r = run(home, db_url, "ledger", "verify")
    assert r.exit_code == 0 and "ledger intact" in r.output
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE decision SET outcome = 'not_recorded'"))
    store.dispose()
    r = run(home, db_url, "ledger", "verify")
    assert r.exit_code == 8
    assert "first divergence at decision" in r.output
    assert w.record_uids


def test_who_knew_formats_and_filters(home: Path, db_url: str) -> None:
    run(home, db_url, "init")
    store = Store.connect(db_url)
    w = build(store)
    store.dispose()
    table = run(home, db_url, "who-knew", w.person_uid, *WHY, user="PC400")
    assert table.exit_code == 0 and "PC400" in table.output
    csv_out = run(
        home,
        db_url,
        "who-knew",
        w.person_uid,
        "--format",
        "csv",
        "--min-rank",
        "PS",
        *WHY,
        user="PC400",
    )
    lines = csv_out.output.strip().splitlines()
    assert lines[0].startswith("time,user,name,rank,action,purpose,break_glass,record,event")
    assert all(",PC400," not in ln for ln in lines)
    early = run(
        home,
        db_url,
        "who-knew",
        w.person_uid,
        "--before",
        "2000-01-01",
        "--format",
        "json",
        *WHY,
        user="PC400",
    )
    assert json.loads(early.output) == []
    bad = run(home, db_url, "who-knew", w.person_uid, "--min-rank", "Admiral", *WHY, user="PC400")
    assert bad.exit_code != 0 and "unknown rank" in bad.output and "Admiral" not in bad.output
    missing = run(home, db_url, "who-knew", "P-nobody", *WHY, user="PC400")
    refused = run(home, db_url, "who-knew", w.person_uid, *WHY)  # the administrator
    assert missing.exit_code == refused.exit_code == 6
    assert missing.output == refused.output and "P-" not in refused.output


def test_the_command_starts_without_heavy_imports() -> None:
    import subprocess
    import sys

    code = (
        "import sys, candour.cli; print(sorted(m for m in ('sqlalchemy', 'matplotlib', "
        "'pypdf', 'docx', 'nacl', 'alembic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_commands_on_a_missing_store_create_nothing(tmp_path: Path) -> None:
    home = tmp_path / "nowhere" / "home"
    db = f"sqlite:///{home / 'candour.db'}"
    for args in (("status",), ("who-knew", "R-1", *WHY), ("record", "show", "R-1", *WHY)):
        r = run(home, db, *args)
        assert r.exit_code == 3 and "not initialised" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "nowhere").exists()


def test_checkpoint_to_a_folder_or_missing_folder_is_refused_first(
    home: Path, db_url: str, tmp_path: Path
) -> None:
    run(home, db_url, "init")
    for out in (tmp_path, tmp_path / "missing" / "cp.txt"):
        r = run(home, db_url, "ledger", "checkpoint", "--out", str(out))
        assert r.exit_code == 1 and "Traceback" not in r.output
        assert len(r.output.strip().splitlines()) == 1
    store = Store.connect(db_url)
    with store.engine.connect() as conn:
        made = conn.execute(text("SELECT COUNT(*) FROM ledger_checkpoint")).scalar_one()
    store.dispose()
    assert made == 0  # refused before anything was signed or stored
