"""`candour demo`: a whole run on the embedded default, from nothing to provable results.

Generates a synthetic district, initialises a fresh SQLite store, imports the workforce, ingests
every record and document, signs a checkpoint, verifies the ledger, and shows what Candour sees.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from candour.settings import Settings


@dataclass
class DemoResult:
    root: Path
    steps: list[tuple[str, str]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


Say = Callable[[str, str], None]


def run_demo(
    root: Path, *, seed: int = 7, scale: str = "small", say: Say | None = None
) -> DemoResult:
    from candour.intake import Options, import_workforce, ingest
    from candour.ledger.checkpoint import make_checkpoint
    from candour.ledger.integrity import verify
    from candour.ledger.keys import load_signer
    from candour.store import Store, actor_for, get_user
    from candour.store.bootstrap import initialise
    from candour.synth import generate

    result = DemoResult(root)

    def step(name: str, detail: str) -> None:
        result.steps.append((name, detail))
        if say:
            say(name, detail)

    if root.exists():
        shutil.rmtree(root)
    home, data = root / ".candour", root / "district"
    settings = Settings(home=home)
    manifest = generate(data, seed=seed, scale=scale)
    step(
        "synthetic district",
        f"{manifest.records:,} records, {manifest.person_mentions:,} person "
        f"mentions over {manifest.years} years (seed {seed}) in {data}",
    )
    store = Store.connect(settings.effective_database_url)
    init = initialise(store, settings, "admin", "Demo Administrator", None)
    step(
        "store",
        f"SQLite at {home / 'candour.db'}, schema {init.schema}; admin password "
        f"{init.password} (demo only)",
    )
    with store.reading() as session:
        admin = actor_for(get_user(session, "admin"))
    wf = import_workforce(
        store, data / "workforce" / "agencies.csv", data / "workforce" / "users.csv", admin
    )
    step("workforce", f"{wf.agencies} agencies, {wf.users} users with ranks and supervisors")
    summary = ingest(
        store,
        [data / "records", data / "documents"],
        admin,
        Options(),
        workers=settings.intake_workers,
    )
    step(
        "intake",
        f"{summary.ingested:,} records ingested, {summary.quarantined:,} quarantined, "
        f"{summary.mentions:,} structured mentions, {summary.decisions:,} decisions",
    )
    from candour.extract.service import run_extraction
    from candour.rules.registry import text_lexicon

    with store.reading() as session:
        lexicon = text_lexicon(session)
    ext = run_extraction(
        store, admin, lexicon, settings.spacy_model, workers=settings.extract_workers
    )
    step(
        "extraction",
        f"{ext.records:,} texts, {ext.words:,} words: {ext.by_label.get('PERSON', 0):,} people, "
        f"{ext.by_label.get('VEHICLE', 0):,} vehicles, {ext.by_label.get('PHONE', 0):,} phones; "
        f"{ext.findings:,} findings (indicators, victim-blaming language, ages); "
        f"{ext.text_disclosures:,} disclosures found only in text",
    )
    from candour.audit import demand, run_audit, write_audit, write_demand
    from candour.audit.evaluate import score_recording
    from candour.link.service import run_link
    from candour.rules import run_rules

    linked = run_link(store, admin, home / "models")
    step(
        "linking",
        f"{linked.mentions:,} person mentions resolved into {linked.persons:,} persons "
        f"({linked.multi:,} named in more than one place); model saved in {home / 'models'}",
    )
    with store.transaction() as session:
        run = run_rules(session, admin)
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
    with store.reading() as session:
        audit = run_audit(session)
        need = demand(session)
    write_audit(audit, root / "reports" / "recording-audit")
    write_demand(need, root / "reports" / "demand")
    scores = score_recording(audit, data)
    step(
        "audit",
        f"{audit.recorded_rate:.1%} of disclosures recorded; reports and charts in "
        f"{root / 'reports'}; against ground truth: "
        + "; ".join(f"{s.name} precision {s.precision:.2f} recall {s.recall:.2f}" for s in scores),
    )
    result.facts["demand"] = need
    with store.transaction() as session:
        cp, note = make_checkpoint(session, load_signer(settings), settings.ledger_origin)
    (root / "checkpoint.txt").write_text(note)
    with store.reading() as session:
        report = verify(session, cp)
    step(
        "ledger",
        f"{report.events:,} events; checkpoint signed ({root / 'checkpoint.txt'}); "
        f"verify: {'intact' if report.intact else 'NOT INTACT'}, "
        f"{report.rows_checked:,} data rows checked",
    )
    result.facts.update(_findings(store, data))
    store.dispose()
    return result


def _findings(store: Any, data: Path) -> dict[str, Any]:
    """What a supervisor would want to know first: disclosures never properly recorded."""
    from sqlalchemy import select

    from candour.ledger.whoknew import who_knew
    from candour.store.models import Decision, Record

    facts: dict[str, Any] = {}
    with store.reading() as session:
        sexual = [
            r
            for r in session.scalars(select(Record).where(Record.kind == "crime_report"))
            if (r.fields.get("offence") or {}).get("group") == "sexual_offences"
        ]
        decided: dict[int, list[Decision]] = {}
        for d in session.scalars(select(Decision)):
            decided.setdefault(d.record_id, []).append(d)
        none = [r for r in sexual if r.id not in decided]
        refused = [
            r for r in sexual if any(d.outcome == "not_recorded" for d in decided.get(r.id, []))
        ]
        facts["sexual_offence_disclosures"] = len(sexual)
        facts["never_decided"] = len(none)
        facts["not_recorded"] = len(refused)
        if none or refused:
            example = (none or refused)[0]
            facts["example_record"] = example.uid
            facts["example_reason"] = (
                next(d.reason for d in decided[example.id])
                if example.id in decided
                else "no crime-recording decision was ever made"
            )
            facts["example_who_knew"] = [k.as_dict() for k in who_knew(session, example.uid)]
        facts["networks"] = _escalated_networks(session)
    return facts


def _escalated_networks(session: Any) -> list[dict[str, Any]]:
    """The adults the linked rules escalated, earliest first: when they would have fired."""
    from sqlalchemy import select

    from candour.store.models import Entity, Escalation

    names = dict(session.execute(select(Entity.uid, Entity.display)).all())
    rows = session.scalars(
        select(Escalation).where(Escalation.rule_id == "linked-adult-three-children")
    ).all()
    out = [
        {
            "person": e.evidence.get("subject"),
            "name": names.get(e.evidence.get("subject"), ""),
            "children": e.evidence.get("children"),
            "records": len(e.evidence.get("records", [])),
            "first_met": str(e.evidence.get("first_met", ""))[:10],
            "rank": e.target_rank,
        }
        for e in rows
    ]
    return sorted(out, key=lambda r: r["first_met"])
