"""Intake and the demo through the CLI, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import run

AGENCIES = "code,name,kind\nSDP,South District Police,police\n"
USERS = "identifier,name,rank,role,agency,unit,supervisor\nSDP1,Sam Okafor,PC,officer,SDP,CID,\n"


def _record(ref: str) -> str:
    return json.dumps(
        {
            "schema": "candour.record/1",
            "kind": "intelligence",
            "ref": ref,
            "agency": "SDP",
            "received_at": "2011-05-06T07:08:00Z",
            "author": "SDP1",
            "text": "Seen with an older male.",
            "people": [{"name": "Jo Shaw", "role": "victim", "age": 13}],
        }
    )


def test_ingest_quarantine_and_retry(tmp_path: Path, db_url: str) -> None:
    home = tmp_path / "home"
    assert run(home, db_url, "init").exit_code == 0
    (tmp_path / "a.csv").write_text(AGENCIES)
    (tmp_path / "u.csv").write_text(USERS)
    r = run(
        home,
        db_url,
        "users",
        "import",
        "--agencies",
        str(tmp_path / "a.csv"),
        "--users",
        str(tmp_path / "u.csv"),
    )
    assert r.exit_code == 0 and "users 1" in r.output
    data = tmp_path / "in.jsonl"
    data.write_text(_record("INT/1") + "\n" + '{"schema": "candour.record/1"}\n')
    r = run(home, db_url, "ingest", str(data))
    assert r.exit_code == 10, r.output  # the good row is stored; the exit says one was not
    assert "ingested 1" in r.output and "quarantined 1" in r.output
    r = run(home, db_url, "intake", "quarantine")
    assert "line 2" in r.output and "Field required" in r.output
    r = run(home, db_url, "intake", "quarantine", "--show", "1", "--purpose", "fix the export")
    assert r.exit_code == 0 and "Field required" in r.output and "candour.record/1" in r.output
    r = run(home, db_url, "intake", "retry", "1")
    assert r.exit_code != 0 and "still fails" in r.output
    fixed = tmp_path / "fixed.jsonl"
    fixed.write_text(_record("INT/2"))
    r = run(home, db_url, "intake", "retry", "1", "--from", str(fixed))
    assert r.exit_code == 0 and "resolved" in r.output
    r = run(home, db_url, "ingest", str(data))
    assert "already present 1" in r.output
    r = run(home, db_url, "ledger", "verify")
    assert r.exit_code == 0, r.output
    from candour.store import Store as _Store
    from candour.store.models import LedgerEvent

    s = _Store.connect(db_url)
    with s.reading() as session:
        reads = (
            session.query(LedgerEvent)
            .filter(LedgerEvent.entity_type == "quarantine", LedgerEvent.action == "read")
            .all()
        )
        assert [e.purpose for e in reads] == ["fix the export"]
    s.dispose()


def test_ingest_of_missing_path_is_one_line(tmp_path: Path, db_url: str) -> None:
    home = tmp_path / "home"
    run(home, db_url, "init")
    r = run(home, db_url, "ingest", str(tmp_path / "nope"))
    assert r.exit_code != 0 and "no such file or folder" in r.output
    r = run(home, db_url, "ingest", "--kind", "gossip", str(tmp_path))
    assert r.exit_code != 0 and "unknown record kind 'gossip'" in r.output


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from candour.cli import app

    r = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "demo")])
    assert r.exit_code == 0, r.output
    assert "0 quarantined" in r.output and "verify: intact" in r.output
    assert "Crime-recording integrity" in r.output and "Who knew about" in r.output


def test_terminal_escapes_in_file_names_are_shown_not_obeyed(tmp_path: Path, db_url: str) -> None:
    home = tmp_path / "home"
    run(home, db_url, "init")
    bad = tmp_path / "x\x1b[2Jclear[bold]me.csv"
    bad.write_text("not,a,record\n1,2,3\n")
    r = run(home, db_url, "ingest", str(bad))
    assert r.exit_code == 10
    r = run(home, db_url, "intake", "quarantine")
    assert "\x1b" not in r.output and "\\x1b" in r.output.replace("\n", "")
