"""`candour oversight ...` and `candour stats oversight` end to end, as signed-in users."""

from __future__ import annotations

import json
from pathlib import Path

from candour.auth.walls import add_jurisdiction
from candour.ledger.keys import public_key_path
from candour.ledger.verify import main as verify_main
from candour.settings import Settings
from candour.store import Actor, Store
from tests.oversight.world import add_officers, build
from tests.support.cli import invoke
from tests.support.world import build as build_district


def test_an_investigation_runs_end_to_end_in_the_cli(tmp_path: Path, db_url: str) -> None:
    home = tmp_path / "home"
    assert invoke(home, db_url, "init").exit_code == 0
    store = Store.connect(db_url)
    district = build_district(store)
    build(store)
    add_officers(store, ["PC", "ACC"])
    with store.transaction() as s:
        add_jurisdiction(s, "WDG", "SYP", Actor.system())
    store.dispose()

    def ov(*args: str, user: str = "OV1") -> str:
        r = invoke(home, db_url, *args, user=user)
        assert r.exit_code == 0, r.output
        return str(r.output).strip()

    case = ov(
        "oversight",
        "complaint",
        "--force",
        "LFP",
        "--complainant",
        "Complainant C",
        "--received",
        "2024-02-01",
        "--channel",
        "online",
        "--investigation-set",
        "Test",
    )
    inv = ov("oversight", "investigate", case, "--mode", "directed", "--terms", "All ranks.")
    alg = ov(
        "oversight",
        "allegation",
        case,
        "--subject",
        "LF1001",
        "--category",
        "corrupt_practice",
        "--investigation",
        inv,
    )
    ov(
        "oversight",
        "narrow-scope",
        inv,
        "--change",
        "Chief officers excluded.",
        "--reason",
        "instruction",
        "--approver",
        "OV2",
        "--exclude-above",
        "ChInsp",
    )
    ov("oversight", "finding", alg, "--finding", "gross_misconduct", "--reason", "r", "--upheld")
    ov("oversight", "outcome", alg, "--outcome", "final_written_warning", "--reason", "hearing")
    notice = tmp_path / "notice.txt"
    notice.write_text("Dear Complainant C, ...\n")
    ov(
        "oversight",
        "label",
        case,
        "--label",
        "unreasonable",
        "--reason",
        "r",
        "--approver",
        "OV2",
        "--notice",
        str(notice),
    )
    req = ov("oversight", "request", case, "--asked", "the report", "--reason", "duty", user="PCC1")
    ov("oversight", "answer", req, "--answer", "redacted", "--reason", "default", user="OV2")
    shown = ov("oversight", "show", case)
    assert "narrowed" in shown and "OV2" in shown
    # no user is named as a suspect in the district's records (Adult One is no user)
    assert ov("oversight", "suspects") == "no user of Candour is named as a suspect in a record"

    figures = json.loads(
        ov("stats", "oversight", "--investigation-set", "Test", "--format", "json")
    )
    assert (figures["investigations"], figures["allegations"], figures["officers"]) == (1, 1, 1)
    assert figures["officers_by_finding"]["gross_misconduct"] == 1
    assert figures["scope_excludes_rank"][0]["exclude_above"] == "ChInsp"
    csv_out = ov("stats", "oversight", "--format", "csv")
    assert csv_out.splitlines()[0] == "section,key,value"

    # the force's chief constable cannot see the case, nor its figures
    r = invoke(home, db_url, "oversight", "show", case, user="CC1")
    assert r.exit_code != 0 and "Complainant C" not in r.output

    # evidence for a case about the district's force, with a record attached
    case2 = ov(
        "oversight",
        "complaint",
        "--force",
        "SYP",
        "--complainant",
        "Complainant D",
        "--received",
        "2024-03-01",
        "--record",
        district.record_uids[0],
    )
    ov("oversight", "attach", case2, "--target", district.person_uid, "--reason", "the child")
    cp = tmp_path / "cp.txt"
    assert invoke(home, db_url, "ledger", "checkpoint", "--out", str(cp)).exit_code == 0
    out = tmp_path / "bundle.zip"
    ov("oversight", "evidence", case2, "--out", str(out), "--purpose", "investigation")
    assert verify_main(["--bundle", str(out)]) == 0

    # the watchdog's witness cosigns the checkpoint; the bundle then carries the cosignature
    state, wkey = tmp_path / "witness", tmp_path / "witness.pub"
    origin = Settings(home=home).ledger_origin
    force_key = public_key_path(Settings(home=home, database_url=db_url))
    wkey.write_text(ov("witness", "init", "--state", str(state), "--name", "wdg.example"))
    ov("witness", "add-log", "--state", str(state), "--origin", origin, "--key", str(force_key))
    cosigned = tmp_path / "cosigned.txt"
    ov("witness", "cosign", "--state", str(state), "--checkpoint", str(cp), "--out", str(cosigned))
    out2 = tmp_path / "bundle2.zip"
    ov(
        "oversight",
        "evidence",
        case2,
        "--out",
        str(out2),
        "--purpose",
        "investigation",
        "--checkpoint",
        str(cosigned),
    )
    assert verify_main(["--bundle", str(out), "--witness", str(wkey)]) == 1
    assert verify_main(["--bundle", str(out2), "--witness", str(wkey)]) == 0
