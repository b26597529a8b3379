"""Extraction through the CLI: incremental runs, history, text disclosures and the 24-hour rule."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, func, select

from candour.store.models import Disclosure, Extraction, Finding, Mention
from tests.cli.test_cli import run

AGENCIES = "code,name,kind\nSDP,South District Police,police\n"
USERS = (
    "identifier,name,rank,role,agency,unit,supervisor\n"
    "SDP2,Pat Reyes,PS,supervisor,SDP,CID,\n"
    "SDP1,Sam Okafor,PC,officer,SDP,CID,SDP2\n"
    "SDP3,Jo Harris,Analyst,analyst,SDP,Intelligence,\n"
)


def _record(ref: str, text: str, **extra: object) -> str:
    return json.dumps(
        {
            "schema": "candour.record/1",
            "kind": "intelligence",
            "ref": ref,
            "agency": "SDP",
            "received_at": "2011-05-06T07:08:00Z",
            "author": "SDP1",
            "text": text,
            **extra,
        }
    )


def _count(db: str, model: type, *where: object) -> int:
    engine = create_engine(db)
    with engine.connect() as c:
        n = c.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
    engine.dispose()
    return int(n)


def _setup(tmp_path: Path, db: str) -> Path:
    home = tmp_path / "home"
    assert run(home, db, "init").exit_code == 0
    (tmp_path / "a.csv").write_text(AGENCIES)
    (tmp_path / "u.csv").write_text(USERS)
    r = run(home, db, "users", "import", "--agencies", str(tmp_path / "a.csv"),
            "--users", str(tmp_path / "u.csv"))  # fmt: skip
    assert r.exit_code == 0, r.output
    return home


def test_extract_is_incremental_keeps_history_and_feeds_the_recording_rule(
    tmp_path: Path, db_url: str
) -> None:
    home = _setup(tmp_path, db_url)
    data = tmp_path / "in.jsonl"
    data.write_text(
        _record("INT/1", "Kelly BROWN (14) told PC 4471 that Imran SADIQ raped her at the "
                "Star Hotel. She was drunk. Call 07700 900123.")
        + "\n"
        + _record("INT/2", "Jo Shaw (15) was seen with an older male. There was no evidence "
                  "of alcohol. Her mum says she is promiscuous.")
        + "\n"
    )  # fmt: skip
    assert run(home, db_url, "ingest", str(data)).exit_code == 0
    r = run(home, db_url, "extract", "--workers", "1")
    assert r.exit_code == 0, r.output
    assert "extracted 2 records" in r.output and "1 disclosures found in text" in r.output
    assert _count(db_url, Mention, Mention.label == "PHONE", Mention.normalised == "07700900123")
    assert _count(db_url, Mention, Mention.label == "PERSON", Mention.normalised == "IMRAN SADIQ")
    assert _count(db_url, Finding, Finding.code == "alcohol", Finding.negated.is_(True)) == 1
    assert _count(db_url, Disclosure, Disclosure.source == "text") == 1

    again = run(home, db_url, "extract", "--workers", "1")
    assert again.exit_code == 0 and "extracted 0 records" in again.output
    rerun = run(home, db_url, "extract", "--rerun", "--workers", "1")
    assert "2 earlier extractions kept as history" in rerun.output
    assert _count(db_url, Extraction) == 4
    assert _count(db_url, Extraction, Extraction.current.is_(True)) == 2
    assert _count(db_url, Disclosure, Disclosure.source == "text") == 1  # not twice

    rules = run(home, db_url, "rules", "run")
    assert rules.exit_code == 0, rules.output
    assert "ncrs-24h@1: 1 met, 1 raised" in rules.output, rules.output

    lang = run(home, db_url, "report", "language", "--out", str(tmp_path / "lang"), user="SDP2")
    assert lang.exit_code == 0 and "promiscuous" in lang.output and "SDP1" in lang.output
    assert (tmp_path / "lang" / "language-by-author.csv").read_text().count("promiscuous") == 1

    verify = run(home, db_url, "ledger", "verify")
    assert verify.exit_code == 0, verify.output


def test_eval_extract_prints_scores_per_label(tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    r = run(
        tmp_path / "home", f"sqlite:///{tmp_path / 'x.db'}", "eval", "extract", "--out", str(out)
    )
    assert r.exit_code == 0, r.output
    assert "PERSON" in r.output and "INDICATOR" in r.output
    scores = json.loads(out.read_text())
    assert scores["documents"] >= 150 and scores["labels"]["PHONE"]["f1"] >= 0.98
