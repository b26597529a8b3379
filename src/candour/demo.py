"""`candour demo`: a whole run on the embedded default, from nothing to provable results.

Generates a synthetic district, initialises a fresh SQLite store, signs in as the
administrator, imports the workforce, gives each role a demo sign-in, and runs every batch
stage as the pipeline's service account. What it then shows is read as the people who would
read it (the auditor, the senior officer), through the same gate as every other read.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from candour.settings import Settings

SERVICE = "svc-pipeline"
PURPOSE = "demonstration on synthetic data"


@dataclass
class DemoResult:
    root: Path
    steps: list[tuple[str, str]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    sign_ins: list[tuple[str, str, str, str]] = field(default_factory=list)  # role, id, rank, pw


Say = Callable[[str, str], None]

# One demo sign-in per role: (role, how to find them in the generated workforce).
_PICK = (
    ("officer", "DC", "Public Protection Unit"),
    ("supervisor", "DS", "Public Protection Unit"),
    ("analyst", "Analyst", None),
    ("senior", "ChSupt", None),
    ("oversight", "Investigator", None),
)


def run_demo(
    root: Path, *, seed: int = 7, scale: str = "small", say: Say | None = None
) -> DemoResult:
    from candour.app import Candour
    from candour.synth import generate

    result = DemoResult(root)

    def step(name: str, detail: str) -> None:
        result.steps.append((name, detail))
        if say:
            say(name, detail)

    if root.exists():
        shutil.rmtree(root)
    home, data = root / ".candour", root / "district"
    manifest = generate(data, seed=seed, scale=scale)
    step(
        "synthetic district",
        f"{manifest.records:,} records, {manifest.person_mentions:,} person "
        f"mentions over {manifest.years} years (seed {seed}) in {data}",
    )
    app = Candour(Settings(home=home, token_file=home / "demo-admin.token"))
    try:
        _run(app, data, root, step, result)
    finally:
        app.close()
    return result


def _run(
    app: Any, data: Path, root: Path, step: Callable[[str, str], None], result: DemoResult
) -> None:
    init = app.admin.initialise("admin", "Demo Administrator", None)
    admin = app.identity.sign_in("admin", init.password).actor
    step("store", f"SQLite at {app.settings.home / 'candour.db'}, schema {init.schema}")
    wf = app.admin.import_workforce(
        admin, data / "workforce" / "agencies.csv", data / "workforce" / "users.csv"
    )
    for agency in ("SDP", "CSC", "DHT", "EDU", "YTH"):
        app.admin.add_jurisdiction(admin, "OPC", agency)
    result.sign_ins = _sign_ins(app, admin, data, init.password)
    _keep_passwords(root / "sign-ins", result.sign_ins)
    service = app.identity.actor(app.admin.service_token(admin, SERVICE))
    step(
        "workforce",
        f"{wf.agencies} agencies, {wf.users} users with ranks and supervisors; "
        f"batch stages run as the service account {SERVICE}",
    )
    summary = app.pipeline.ingest(service, [data / "records", data / "documents"], None, None)
    step(
        "intake",
        f"{summary.ingested:,} records ingested, {summary.quarantined:,} quarantined, "
        f"{summary.mentions:,} structured mentions, {summary.decisions:,} decisions",
    )
    ext = app.pipeline.extract(service)
    step(
        "extraction",
        f"{ext.records:,} texts, {ext.words:,} words: {ext.by_label.get('PERSON', 0):,} people, "
        f"{ext.by_label.get('VEHICLE', 0):,} vehicles, {ext.by_label.get('PHONE', 0):,} phones; "
        f"{ext.findings:,} findings (indicators, victim-blaming language, ages); "
        f"{ext.text_disclosures:,} disclosures found only in text",
    )
    linked = app.pipeline.link(service)
    step(
        "linking",
        f"{linked.mentions:,} person mentions resolved into {linked.persons:,} persons "
        f"({linked.multi:,} named in more than one place); model saved in {app.models_dir}",
    )
    run = app.pipeline.run_rules(service)
    ncrs = run.per_rule.get("ncrs-24h@1", {})
    step(
        "rules",
        f"ncrs-24h: {ncrs.get('evaluated', 0):,} disclosures evaluated, "
        f"{ncrs.get('breaches', 0):,} breaches of the 24-hour decision, "
        f"{ncrs.get('raised', 0):,} escalations raised, {ncrs.get('climbed', 0):,} climbed a "
        "rank while overdue; over linked data: "
        + ", ".join(
            f"{name.split('@')[0].removeprefix('linked-')} {n['raised']:,}"
            for name, n in run.per_rule.items()
            if name.startswith("linked-")
        )
        + " escalations",
    )
    auditor = app.identity.actor(
        app.identity.sign_in("DEMO-AUDIT", _password(result, "auditor")).token
    )
    senior = app.identity.actor(
        app.identity.sign_in(_ident(result, "senior"), _password(result, "senior")).token
    )
    audit = app.reports.recording_audit(auditor, None, None, PURPOSE)
    need = app.reports.demand(senior)
    app.reports.write_audit(audit, root / "reports" / "recording-audit")
    app.reports.write_demand(need, root / "reports" / "demand")
    scores = app.reports.eval_recording(auditor, data)
    step(
        "audit",
        f"{audit.recorded_rate:.1%} of disclosures recorded; reports and charts in "
        f"{root / 'reports'}; against ground truth: "
        + "; ".join(f"{s.name} precision {s.precision:.2f} recall {s.recall:.2f}" for s in scores),
    )
    result.facts["demand"] = need
    _, note = app.ledger.checkpoint(service)
    (root / "checkpoint.txt").write_text(note)
    report = app.ledger.verify(auditor, root / "checkpoint.txt", None)
    step(
        "ledger",
        f"{report.events:,} events; checkpoint signed ({root / 'checkpoint.txt'}); "
        f"verify: {'intact' if report.intact else 'NOT INTACT'}, "
        f"{report.rows_checked:,} data rows checked",
    )
    result.facts.update(_findings(app, audit, auditor, senior))


def _sign_ins(
    app: Any, admin: Any, data: Path, admin_password: str
) -> list[tuple[str, str, str, str]]:
    """A demo sign-in for each role: people from the generated workforce, with fresh passwords
    (synthetic data only), plus an auditor at the oversight body."""
    import csv

    with (data / "workforce" / "users.csv").open(newline="") as fh:
        people = list(csv.DictReader(fh))
    out = [("administrator", "admin", "Staff", admin_password)]
    for role, rank, unit in _PICK:
        who = next(p for p in people if p["rank"] == rank and (unit is None or p["unit"] == unit))
        out.append(
            (role, who["identifier"], rank, app.admin.reset_password(admin, who["identifier"]))
        )
    from candour.store.people import NewUser

    new = NewUser(
        "DEMO-AUDIT",
        "Demo Auditor",
        "Staff",
        "auditor",
        app.admin.agency_id("OPC"),
        "Data Protection",
    )
    out.append(("auditor", "DEMO-AUDIT", "Staff", app.admin.create_user(admin, new)))
    return out


def _keep_passwords(folder: Path, sign_ins: list[tuple[str, str, str, str]]) -> None:
    """Each demo password in a file only this OS user can read, so the README's examples run
    as written (`candour login --user ID --password-file demo-district/sign-ins/ID`)."""
    import os

    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for _, ident, _, password in sign_ins:
        fd = os.open(folder / ident, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")


def _ident(result: DemoResult, role: str) -> str:
    return next(i for r, i, _, _ in result.sign_ins if r == role)


def _password(result: DemoResult, role: str) -> str:
    return next(p for r, _, _, p in result.sign_ins if r == role)


def _findings(app: Any, audit: Any, auditor: Any, senior: Any) -> dict[str, Any]:
    """What a supervisor would want to know first: disclosures never properly recorded."""
    facts: dict[str, Any] = {}
    sexual = [r for r in audit.rows if r.offence_group == "sexual_offences"]
    none = [r for r in sexual if r.first_decision is None]
    refused = [r for r in sexual if r.last_outcome == "not_recorded"]
    facts["sexual_offence_disclosures"] = len(sexual)
    facts["never_decided"] = len(none)
    facts["not_recorded"] = len(refused)
    if none or refused:
        example = (none or refused)[0]
        facts["example_record"] = example.record
        facts["example_reason"] = example.last_reason or "no crime-recording decision was ever made"
        answer = app.ledger.who_knew(auditor, example.record, PURPOSE)
        facts["example_who_knew"] = [k.as_dict() for k in answer.rows]
    facts["networks"] = app.reports.network_escalations(senior, PURPOSE)
    return facts
